"""Acceptability over two issues: the share of deals acceptable at each pair of their levels."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim import space
from sim.errors import InputError
from sim.problem import Problem
from sim.results import Provenance
from sim.scenario.terms import unknown

MAP_UP_TO = 20_000_000


@dataclass(frozen=True)
class AcceptabilityMap:
    """share[i, j]: acceptable deals / all deals with `first` at its i-th level and `second`
    at its j-th."""

    scenario: str
    first: str
    second: str
    first_levels: list[Any]
    second_levels: list[Any]
    share: np.ndarray
    provenance: Provenance

    def to_dict(self) -> dict:
        return {"scenario": self.scenario, "first": self.first, "second": self.second,
                "first_levels": self.first_levels, "second_levels": self.second_levels,
                "share": self.share.tolist(), "provenance": self.provenance.to_dict()}

    def metrics(self) -> dict[str, float]:
        return {"share.max": float(self.share.max()), "share.mean": float(self.share.mean())}


def acceptability_map(problem: Problem, first: str | None = None, second: str | None = None
                      ) -> AcceptabilityMap:
    """The map over two issues (default: the first two)."""
    if first is None and second is None and len(problem.issues) >= 2:
        first, second = problem.issues[:2]
    if first is None or second is None or len(problem.issues) < 2:
        raise InputError("--map takes two issues, ISSUE,ISSUE")
    for name in (first, second):
        if name not in problem.issues:
            raise InputError(f"--map: {unknown('issue', name, list(problem.issues))}")
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
    return AcceptabilityMap(problem.name, first, second, list(problem.levels[a]),
                            list(problem.levels[b]), counts / per_pair,
                            Provenance(problem.scenario_hash))
