"""Random linear-additive problems for the benchmarks (seeded, so every run is the same).

Each party's value table on each issue is drawn uniformly and rescaled so that its worst level
is worth exactly 0 and its best exactly 1 (the scenario format's convention: 1 = best for that
party). Weights are drawn uniformly in [0.05, 1); sim normalises them to sum 1. Every reservation
is 0.0, which is then exactly each party's minimum utility: every deal is acceptable, the
hardest case for the frontier (nothing is pruned by the reservations), and the disagreement
point is the same whichever convention a library uses for reservations below the minimum.
"""

from __future__ import annotations

import numpy as np


def random_scenario(n_issues: int, levels: int = 10, parties: int = 4, seed: int = 0,
                    reservation: float = 0.0, red_lines: bool = False,
                    referendum: bool = False) -> dict:
    """Scenario data (the YAML's dict form) for `sim.from_dict`. `reservation` above 0 (each
    party's minimum) is the realistic case: it cuts through the middle of the utilities.

    `red_lines`: constraints over every issue, so that no issue is free and the solver must
    enumerate. Each party refuses, on each pair of neighbouring issues of its own pairing
    ((0, 1), (2, 3)... for even parties, (1, 2), (3, 4)... and (last, 0) for odd ones),
    deals that put both issues among its three worst levels: each red line excludes 9% of its
    pair's combinations, and together they exclude most deals.

    `referendum`: the first party's deal goes to a referendum whose voters read every issue
    but the last, in two segments (hawks and doves, half each) who like what that party likes
    (logit effects 3 (v - 1/2) of its values) around intercepts of -0.3 and +0.5, with a
    common swing of sd 0.5: a vote too large to tabulate at 10^9 deals."""
    rng = np.random.default_rng(seed)
    issues = {f"i{k}": {"levels": [f"v{j}" for j in range(levels)]} for k in range(n_issues)}
    data: dict = {"name": f"random-{n_issues}x{levels}-{parties}p-s{seed}", "issues": issues,
                  "parties": {}}
    for p in range(parties):
        values = {}
        for k in range(n_issues):
            v = rng.random(levels)
            v = (v - v.min()) / (v.max() - v.min())
            values[f"i{k}"] = {f"v{j}": float(x) for j, x in enumerate(v)}
        weights = {f"i{k}": float(w) for k, w in enumerate(rng.uniform(0.05, 1.0, n_issues))}
        data["parties"][f"p{p}"] = {"weights": weights, "values": values,
                                    "reservation": reservation}
        if red_lines:
            data["parties"][f"p{p}"]["red_lines"] = [
                {"when": {f"i{k}": {"in": _worst(values[f"i{k}"], 3)}
                          for k in (a, (a + 1) % n_issues)}}
                for a in range(p % 2, n_issues - 1 + p % 2, 2)]
    if referendum:
        first = data["parties"]["p0"]["values"]
        effects = {f"i{k}": {lv: round(3 * (v - 0.5), 6) for lv, v in first[f"i{k}"].items()}
                   for k in range(n_issues - 1)}
        data["ratification"] = {"vote": {
            "kind": "referendum", "party": "p0", "swing_sd": 0.5, "effects": effects,
            "segments": {"hawks": {"share": 0.5, "intercept": -0.3},
                         "doves": {"share": 0.5, "intercept": 0.5}}}}
    return data


def _worst(values: dict[str, float], n: int) -> list[str]:
    """The n levels worth least."""
    return sorted(values, key=values.get)[:n]


def random_problem(n_issues: int, levels: int = 10, parties: int = 4, seed: int = 0,
                   reservation: float = 0.0, red_lines: bool = False,
                   referendum: bool = False):
    """The compiled sim Problem of `random_scenario`."""
    import sim

    return sim.compile_problem(sim.from_dict(random_scenario(
        n_issues, levels, parties, seed, reservation, red_lines, referendum)))
