"""Robustness to the scenario's `uncertainty:`: how often each deal is acceptable, and how
often it is each bargaining solution, over seeded draws of the uncertain parameters.

Draw i is replicate i of the scenario's one design point: its generator is
`seeds.generator(seed, 0, i)`, and it draws every distribution in path order, so a draw's
values do not depend on how many draws run or in which order, nor on the worker that solves
it (`workers`: batches of draws on the sweep's executors). Each draw is a complete scenario,
validated and compiled like a file (the bodies a draw leaves alone keep their tables, those it
changes are built as cheaply as they are read: compile.vote_cells_for); a draw the format
rejects (a weight drawn negative, say) is counted as invalid and skipped. The candidates are
the base frontier, the packages and every draw's solutions; their acceptability is evaluated
in each draw, vectorised over the candidates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.compile import Compiler, vote_cells_for
from sim.errors import InputError
from sim.experiments import design
from sim.problem import Problem
from sim.results import Scalar
from sim.scenario import paths
from sim.scenario.load import from_dict
from sim.scenario.model import Scenario

KEEP_DRAWS = 100  # draws' problems kept between the two passes; the others are compiled again
BATCH = 25  # draws a worker's task solves


@dataclass(frozen=True)
class DealRobustness:
    terms: dict[str, Any]
    p_acceptable: float
    solution_share: dict[str, float]  # share of valid draws in which it is each solution

    def to_dict(self) -> dict:
        return {"terms": self.terms, "p_acceptable": self.p_acceptable,
                "solution_share": self.solution_share}


@dataclass(frozen=True)
class Robustness:
    samples: int
    seed: int
    valid: int
    invalid: int
    p_zopa_nonempty: float | None
    most_robust: DealRobustness | None
    deals: tuple[DealRobustness, ...]  # the 20 most often acceptable candidates
    packages: dict[str, float | None]  # P(acceptable) per named package

    def to_dict(self) -> dict:
        return {"samples": self.samples, "seed": self.seed, "valid": self.valid,
                "invalid": self.invalid, "p_zopa_nonempty": self.p_zopa_nonempty,
                "most_robust": self.most_robust.to_dict() if self.most_robust else None,
                "deals": [d.to_dict() for d in self.deals], "packages": self.packages}

    def metrics(self) -> dict[str, Scalar]:
        row: dict[str, Scalar] = {"robustness.valid": self.valid,
                                  "robustness.p_zopa_nonempty": self.p_zopa_nonempty}
        row.update({f"robustness.package.{k}": v for k, v in self.packages.items()})
        return row


def sample_values(scenario: Scenario, seed: int, i: int) -> dict[str, Any]:
    """The values of draw i: {dotted path: value}, point i of the Monte Carlo design over the
    scenario's `uncertainty:` (sim.experiments.design.mc_point)."""
    return design.mc_point(list(design.of_scenario(scenario)), seed, i)


def robustness(scenario: Scenario, samples: int, seed: int = 0, method: str = "auto",
               compiler: Compiler | None = None, base: Problem | None = None,
               progress: Callable[[int, int], None] | None = None,
               budget: float | None = None, workers: int = 1) -> Robustness:
    """`samples` draws of the scenario's uncertainty, on `workers` local processes (the
    sweep's executors: the same answer on any number). `compiler`, if given, is the one
    that compiled the scenario (its remembered bodies are reused), and `base` what it made;
    `progress(done, total)` is called as the draws are solved. `budget` bounds the seconds
    each draw's frontier may take (space.OutOfTime past it)."""
    from sim.experiments.executors import executor
    from sim.solver.frontier import frontier

    if not scenario.uncertainty:
        raise InputError("--samples needs an `uncertainty:` section in the scenario")
    compiler = compiler or Compiler()
    base = base if base is not None else compiler.compile(scenario)
    data = scenario.model_dump(mode="json", exclude={"extends"})
    uncertainties = list(design.of_scenario(scenario))
    batches = [list(range(i, min(i + BATCH, samples))) for i in range(0, samples, BATCH)]
    with executor(workers if len(batches) > 1 else 1, None) as pool:
        if pool is None:
            # In this process: the caller's compiler, and the first KEEP_DRAWS problems kept
            # for the second pass (the others are compiled again, so memory stays bounded).
            first = (compiler.building(vote_cells_for(base)), base)
            second = (compiler.building(0), base)
            kept: dict[int, Problem] = {}
            picked = _first_pass(data, uncertainties, seed, list(range(samples)), method,
                                 budget, first, kept, progress)
        else:
            kept, picked, done = {}, [], 0
            futures = [pool.submit(_first_pass, data, uncertainties, seed, b, method, budget)
                       for b in batches]
            for b, future in zip(batches, futures, strict=True):  # in order: the same list
                picked += future.result()
                done += len(b)
                if progress is not None:
                    progress(done, samples)
        invalid = samples - len(picked)
        candidates = [*frontier(base, method).idx, *base.packages.values()]
        candidates += [d for _, pk, _ in picked for d in pk.values() if d is not None]
        idx = np.unique(np.array(candidates, dtype=np.int64).reshape(-1, len(base.issues)),
                        axis=0)
        valid = [i for i, _, _ in picked]
        if pool is None:
            acceptable = _second_pass(data, uncertainties, seed, valid, idx, second, kept)
        else:
            acceptable = sum((f.result() for f in [
                pool.submit(_second_pass, data, uncertainties, seed, valid[i:i + BATCH], idx)
                for i in range(0, len(valid), BATCH)]), np.zeros(len(idx)))
    names = list(picked[0][1]) if picked else []
    chosen = {name: np.zeros(len(idx)) for name in names}
    nonempty = 0
    for _, pk, any_deal in picked:
        nonempty += any_deal
        for name, deal in pk.items():
            if deal is not None:
                chosen[name][(idx == deal).all(axis=1)] += 1
    n = len(picked)
    if not n:
        return Robustness(samples, seed, 0, invalid, None, None, (),
                          dict.fromkeys(base.packages))
    order = np.lexsort((-sum(chosen.values(), np.zeros(len(idx))), -acceptable))
    rows = [DealRobustness(base.terms(idx[j]), float(acceptable[j] / n),
                           {k: float(v[j] / n) for k, v in chosen.items()}) for j in order]
    return Robustness(
        samples, seed, n, invalid, nonempty / n,
        rows[0] if rows and acceptable[order[0]] > 0 else None, tuple(rows[:20]),
        {name: float(acceptable[(idx == i).all(axis=1)][0] / n)
         for name, i in base.packages.items()})


def _draw(data: dict, uncertainties: list, seed: int, i: int,
          compiling: tuple[Compiler, Problem]) -> Problem | None:
    """Draw i compiled, or None if the format rejects it (a weight drawn negative, say): the
    base Problem updated when every uncertain path is one Compiler.update moves."""
    compiler, base = compiling
    point = design.mc_point(uncertainties, seed, i)
    try:
        scenario = from_dict(paths.set_values(data, point), file=f"<sample {i}>")
    except InputError:
        return None
    return compiler.derive(base, scenario, point)


def _compilers(data: dict) -> tuple[tuple[Compiler, Problem], tuple[Compiler, Problem]]:
    """In a worker: the (compiler, base Problem) for the first pass and for the second
    (sim.experiments.sweep.compiled_base: this process's memory, bodies built as cheaply as
    they are read)."""
    from sim.experiments.sweep import compiled_base

    first, base = compiled_base(data)
    return (first, base), (first.building(0), base)


def _first_pass(data: dict, uncertainties: list, seed: int, draws: list[int], method: str,
                budget: float | None, compiling: tuple[Compiler, Problem] | None = None,
                kept: dict | None = None, progress=None) -> list[tuple]:
    """Each valid draw's (index, {solution: deal or None}, whether a ZOPA exists)."""
    from sim.solver import choose
    from sim.solver.frontier import frontier

    compiling = compiling or _compilers(data)[0]
    out = []
    for i in draws:
        p = _draw(data, uncertainties, seed, i, compiling)
        if p is not None:
            deadline = None if budget is None else time.monotonic() + budget
            f = frontier(p, method, deadline)
            out.append((i, {k: (f.idx[r] if r is not None else None)
                            for k, r in choose(p, f).items()}, bool(len(f.idx))))
            if kept is not None and len(kept) < KEEP_DRAWS:
                kept[i] = p
        if progress is not None:
            progress(i + 1, len(draws))
    return out


def _second_pass(data: dict, uncertainties: list, seed: int, draws: list[int],
                 idx: np.ndarray, compiling: tuple[Compiler, Problem] | None = None,
                 kept: dict | None = None) -> np.ndarray:
    """How many of these draws find each candidate acceptable (its votes evaluated on the
    candidates alone)."""
    compiling = compiling or _compilers(data)[1]
    kept = kept if kept is not None else {}
    total = np.zeros(len(idx))
    for i in draws:
        p = kept.pop(i) if i in kept else _draw(data, uncertainties, seed, i, compiling)
        total += p.acceptable(idx)
    return total
