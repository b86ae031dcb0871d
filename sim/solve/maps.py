"""Acceptability over two issues: the share of deals acceptable at each pair of their levels."""

from __future__ import annotations

import math

import numpy as np

from sim.errors import InputError
from sim.problem import Problem
from sim.solve import space

MAP_UP_TO = 20_000_000


def acceptability_map(problem: Problem, first: str, second: str) -> np.ndarray:
    """(levels of first, levels of second) array: acceptable deals / all deals at that pair."""
    for name in (first, second):
        if name not in problem.issues:
            raise InputError(f"--map: unknown issue '{name}'; valid: {', '.join(problem.issues)}")
    if first == second:
        raise InputError("--map: give two different issues")
    if problem.total > MAP_UP_TO:
        raise InputError(f"--map: {problem.total:,} deals is too many to map (limit "
                         f"{MAP_UP_TO:,}); fix some issues with a rule")
    a, b = problem.issues.index(first), problem.issues.index(second)
    counts = np.zeros((problem.sizes[a], problem.sizes[b]))
    for idx in space.deals(problem, ratifiable=True, bound=True):
        ok = problem.acceptable(idx)
        np.add.at(counts, (idx[ok, a], idx[ok, b]), 1)
    per_pair = math.prod(problem.sizes) / (problem.sizes[a] * problem.sizes[b])
    return counts / per_pair
