"""Robustness to the scenario's `uncertainty:`: how often each deal is acceptable, and how
often it is each bargaining solution, over seeded draws of the uncertain parameters.

Sample i draws every distribution (in path order) from a generator seeded with
SeedSequence((seed, 0, i)), so a sample's values do not depend on how many samples run or in
which order. Each draw is a complete scenario, validated and compiled like a file; a draw the
format rejects (a weight drawn negative, say) is counted as invalid and skipped. The
candidates are the base frontier, the packages and every draw's solutions; their
acceptability is evaluated in each draw, vectorised over the candidates.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.errors import InputError
from sim.scenario import paths
from sim.scenario.model import Distribution, Scenario


def draw(dist: Distribution, rng: np.random.Generator) -> Any:
    if dist.uniform is not None:
        return float(rng.uniform(*dist.uniform))
    if dist.normal is not None:
        return float(rng.normal(*dist.normal))
    if dist.triangular is not None:
        lo, mode, hi = dist.triangular
        return float(rng.triangular(lo, mode, hi)) if hi > lo else float(lo)
    if dist.beta is not None:
        return float(rng.beta(*dist.beta))
    return dist.choice[int(rng.integers(len(dist.choice)))]


def sample_values(scenario: Scenario, seed: int, i: int) -> dict[str, Any]:
    rng = np.random.default_rng(np.random.SeedSequence((seed, 0, i)))
    return {path: draw(scenario.uncertainty[path], rng) for path in sorted(scenario.uncertainty)}


def robustness(scenario: Scenario, samples: int, seed: int = 0, method: str = "auto") -> dict:
    from sim.problem import compile_problem
    from sim.scenario.load import from_dict
    from sim.solve import choose
    from sim.solve.frontier import frontier

    if not scenario.uncertainty:
        raise InputError("--samples needs an `uncertainty:` section in the scenario")
    base = compile_problem(scenario)
    data = scenario.model_dump(mode="json", exclude={"extends"})
    draws = []
    invalid = 0
    for i in range(samples):
        try:
            draws.append(compile_problem(from_dict(paths.set_values(data, sample_values(
                scenario, seed, i)), file=f"<sample {i}>")))
        except InputError:
            invalid += 1

    fronts = [frontier(p, method) for p in draws]
    picks = [choose(p, f) for p, f in zip(draws, fronts, strict=True)]
    candidates = [*frontier(base, method).idx, *base.packages.values()]
    candidates += [f.idx[r] for f, pk in zip(fronts, picks, strict=True)
                   for r in pk.values() if r is not None]
    idx = np.unique(np.array(candidates, dtype=np.int64).reshape(-1, len(base.issues)), axis=0)
    acceptable = np.zeros(len(idx))
    names = list(picks[0]) if picks else []
    chosen = {name: np.zeros(len(idx)) for name in names}
    nonempty = 0
    for p, f, pk in zip(draws, fronts, picks, strict=True):
        acceptable += p.acceptable(idx)
        nonempty += bool(len(f.idx))
        for name, r in pk.items():
            if r is not None:
                chosen[name][(idx == f.idx[r]).all(axis=1)] += 1
    n = len(draws)
    if not n:
        return {"samples": samples, "seed": seed, "valid": 0, "invalid": invalid,
                "p_zopa_nonempty": None, "most_robust": None, "deals": [],
                "packages": dict.fromkeys(base.packages)}
    order = np.lexsort((-sum(chosen.values(), np.zeros(len(idx))), -acceptable))
    rows = [{"terms": base.terms(idx[j]), "p_acceptable": acceptable[j] / n,
             "solution_share": {k: v[j] / n for k, v in chosen.items()}} for j in order]
    return {
        "samples": samples, "seed": seed, "valid": len(draws), "invalid": invalid,
        "p_zopa_nonempty": nonempty / n,
        "most_robust": rows[0] if rows and acceptable[order[0]] > 0 else None,
        "deals": rows[:20],
        "packages": {name: float(acceptable[(idx == i).all(axis=1)][0] / n)
                     for name, i in base.packages.items()},
    }
