"""Fearon (1995) bargaining range, the commitment problem, and Putnam (1988) win-sets."""

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.api import solve
from sim.solver.commitment import fights_now, minimum_guarantee
from tests.builders import read_yaml, write_yaml

HERE = Path(__file__).parent / "scenarios"


def acceptable_range(name):
    problem = sim.compile_problem(sim.load(HERE / f"{name}.yaml"))
    x = np.asarray(problem.levels[0])
    ok = problem.acceptable(np.arange(len(x))[:, None])
    return x[ok].min(), x[ok].max()


def test_fearon_bargaining_range_from_the_no_deal_outlook():
    assert acceptable_range("fearon") == pytest.approx((0.50, 0.75), abs=1e-12)


def test_fearon_range_with_risk_aversion():
    assert acceptable_range("fearon-risk-averse") == pytest.approx((0.25, 0.9375), abs=1e-12)


def test_commitment_problem_with_shifting_power():
    assert fights_now(0.7, 0.2, 0.9, 0.05)  # 0.45 > 0.35: war
    assert not fights_now(0.7, 0.7, 0.9, 0.05)  # a guarantee holding p2 at p1: peace
    assert minimum_guarantee(0.7, 0.9, 0.05) == pytest.approx(0.311111, abs=1e-6)
    assert not fights_now(0.7, 0.311112, 0.9, 0.05)
    assert fights_now(0.7, 0.311110, 0.9, 0.05)


def test_putnam_unconstrained_nash_splits_the_pie():
    problem = sim.compile_problem(sim.load(HERE / "putnam.yaml"))
    from dataclasses import replace

    free = replace(problem, bodies=(), red_lines=())
    assert solve(free).solutions["nash"].terms["x"] == pytest.approx(0.5, abs=1e-9)


def test_putnam_referendum_binds_at_its_threshold():
    result = solve(sim.compile_problem(sim.load(HERE / "putnam.yaml")))
    assert result.solutions["nash"].terms["x"] == pytest.approx(0.6, abs=1e-9)
    xs = sorted(d.terms["x"] for d in result.pareto)
    assert xs == pytest.approx([0.6, 0.65, 0.7])  # the overlap of the two win-sets


def test_putnam_disjoint_win_sets_mean_no_agreement(tmp_path):
    data = read_yaml(HERE / "putnam.yaml")
    referendum = data["ratification"]["referendum"]
    assert referendum["intercept"] == -23.0
    referendum["intercept"] = -31.0  # yes share now crosses 1/2 at x = 0.775
    result = solve(sim.compile_problem(sim.load(write_yaml(tmp_path, data, "p.yaml"))))
    assert result.acceptable == 0 and result.solutions["nash"] is None
    assert any(b.kind == "ratification" and b.excludes for b in result.gap.blockers)
