"""Axiomatic bargaining solutions reproduce the closed forms in docs/validation/oracles.md.

Continuous cases are written as scenarios with numeric issues on a coarse grid; the answers
come from the refinement between grid points, to 1e-6 as the oracles state them.
"""

from pathlib import Path

import pytest

import sim
from sim.api import solve

HERE = Path(__file__).parent / "scenarios"


def solved(name: str, edit=None, **kw):
    problem = sim.compile_problem(sim.load(HERE / f"{name}.yaml"))
    if edit:
        problem = edit(problem)
    return solve(problem, **kw)


def point(result, solution):
    deal = result.solutions[solution]
    return [deal.utility[p] for p in result.parties]


def with_reservations(*r):
    def edit(problem):
        from dataclasses import replace

        import numpy as np

        return replace(problem, reservation=np.array(r, dtype=float))
    return edit


def with_power(*a):
    def edit(problem):
        from dataclasses import replace

        import numpy as np

        return replace(problem, power=np.array(a, dtype=float))
    return edit


@pytest.mark.parametrize("solution", ["nash", "kalai_smorodinsky", "egalitarian"])
def test_linear_pie_with_zero_disagreement(solution):
    r = solved("split-pie", with_reservations(0, 0))
    assert point(r, solution) == pytest.approx([0.5, 0.5], abs=1e-6)


@pytest.mark.parametrize("solution", ["nash", "kalai_smorodinsky", "egalitarian"])
def test_linear_pie_with_disagreement_point(solution):
    r = solved("split-pie")  # d = (0.2, 0.1)
    assert point(r, solution) == pytest.approx([0.55, 0.45], abs=1e-6)


def test_linear_pie_utilitarian_is_any_point_on_the_frontier():
    u = point(solved("split-pie"), "utilitarian")
    assert sum(u) == pytest.approx(1.0) and u[0] >= 0.2 - 1e-9 and u[1] >= 0.1 - 1e-9


def test_powered_nash_on_the_linear_pie():
    r = solved("split-pie", with_power(0.7, 0.3))
    assert point(r, "nash") == pytest.approx([0.69, 0.31], abs=1e-6)
    # u1 = d1 + alpha1 (1 - d1 - d2)
    assert point(r, "nash")[0] == pytest.approx(0.2 + 0.7 * (1 - 0.2 - 0.1), abs=1e-6)
    assert point(r, "nash_symmetric") == pytest.approx([0.55, 0.45], abs=1e-6)


def test_concave_frontier():
    r = solved("concave-frontier")
    assert point(r, "nash") == pytest.approx([0.577350, 0.666667], abs=1e-6)
    assert point(r, "kalai_smorodinsky") == pytest.approx([0.618034, 0.618034], abs=1e-6)
    assert point(r, "egalitarian") == pytest.approx([0.618034, 0.618034], abs=1e-6)
    assert point(r, "utilitarian") == pytest.approx([0.5, 0.75], abs=1e-6)


def test_doubling_one_party_moves_egalitarian_and_utilitarian_but_not_nash_or_ks():
    r = solved("concave-frontier", lambda p: p.rescaled(1, 2.0, 0.0))
    assert point(r, "nash") == pytest.approx([0.577350, 1.333333], abs=1e-6)
    assert point(r, "kalai_smorodinsky") == pytest.approx([0.618034, 1.236068], abs=1e-6)
    assert point(r, "egalitarian") == pytest.approx([0.780776, 0.780776], abs=1e-6)
    assert point(r, "utilitarian") == pytest.approx([0.25, 1.875], abs=1e-6)


def test_kalai_smorodinsky_monotonicity_against_nash_iia():
    s, t = solved("monotonicity-s"), solved("monotonicity-t")
    assert point(s, "nash") == pytest.approx([0.75, 0.75], abs=1e-6)
    assert point(s, "kalai_smorodinsky") == pytest.approx([0.75, 0.75], abs=1e-6)
    assert point(t, "nash") == pytest.approx([1.0, 0.7], abs=1e-6)
    assert point(t, "kalai_smorodinsky") == pytest.approx([0.769231, 0.769231], abs=1e-6)


def test_logrolling():
    r = solved("logrolling")
    assert point(r, "nash") == pytest.approx([0.8, 0.7], abs=1e-6)
    assert r.solutions["nash"].terms == pytest.approx({"x1": 1.0, "x2": 0.0}, abs=1e-6)
    assert point(r, "utilitarian") == pytest.approx([0.8, 0.7], abs=1e-6)
    for name in ("egalitarian", "kalai_smorodinsky"):
        assert point(r, name) == pytest.approx([0.727273, 0.727273], abs=1e-6)
        assert r.solutions[name].terms == pytest.approx({"x1": 0.909091, "x2": 0.0}, abs=1e-6)
    split, logroll = r.packages["split-both"], r.packages["logroll"]
    assert [split.deal.utility[p] for p in r.parties] == pytest.approx([0.5, 0.5])
    assert not split.pareto_optimal and split.gap > 0
    assert logroll.pareto_optimal
