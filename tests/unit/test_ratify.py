"""Ratification models against hand-computed values."""

import numpy as np
import pytest
from scipy import integrate, stats

from sim.ratify import LegislatureModel, ReferendumModel
from sim.scenario.model import Issue, Legislature, Referendum

ISSUES = {"g": Issue(levels=["none", "strong"]), "x": Issue(range=(0, 1), step=0.5)}


def referendum(**kw):
    return ReferendumModel.build(Referendum(kind="referendum", **kw), ISSUES)


def test_referendum_yes_share_is_the_segment_weighted_logistic():
    model = referendum(intercept=0.2, effects={"g": {"strong": 1.0}, "x": {"slope": -2.0}},
                       segments={"east": {"share": 0.4, "intercept": 0.5},
                                 "west": {"share": 0.6, "intercept": -0.5}})
    idx = np.array([[1, 1]])  # strong, x = 0.5
    eta_e, eta_w = 0.2 + 1.0 - 1.0 + 0.5, 0.2 + 1.0 - 1.0 - 0.5
    want = 0.4 / (1 + np.exp(-eta_e)) + 0.6 / (1 + np.exp(-eta_w))
    assert np.isclose(model.yes_share(idx)[0], want)


def test_referendum_without_swing_passes_exactly_when_the_share_reaches_the_threshold():
    model = referendum(intercept=0.1)  # yes share 0.525
    idx = np.zeros((1, 2), dtype=int)
    assert model.p_pass(idx)[0] == 1.0
    assert referendum(intercept=-0.1).p_pass(idx)[0] == 0.0


def test_referendum_swing_gives_normal_probability_for_one_segment():
    # One segment: yes(z) >= 0.5  <=>  eta + sd z >= 0  <=>  z >= -eta/sd.
    model = referendum(intercept=0.3, swing_sd=0.6)
    p = model.p_pass(np.zeros((1, 2), dtype=int))[0]
    assert np.isclose(p, stats.norm.sf(-0.3 / 0.6), atol=1e-9)


def test_turnout_below_the_minimum_voids_the_vote():
    model = referendum(intercept=5, turnout=0.55, turnout_sd=0.05, min_turnout=0.5)
    p = model.p_pass(np.zeros((1, 2), dtype=int))[0]
    assert np.isclose(p, stats.norm.sf(0.5, 0.55, 0.05) * 1.0, atol=1e-6)


def test_legislature_is_a_sum_of_binomials():
    body = Legislature(kind="legislature", seats=10, pass_votes=6,
                       blocs={"a": {"seats": 4, "intercept": 1.0},
                              "b": {"seats": 6, "intercept": -0.5}})
    model = LegislatureModel.build(body, ISSUES)
    pa, pb = 1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(0.5))
    want = sum(stats.binom.pmf(i, 4, pa) * stats.binom.pmf(j, 6, pb)
               for i in range(5) for j in range(7) if i + j >= 6)
    got = model.p_pass(np.zeros((1, 2), dtype=int))[0]
    assert np.isclose(got, want, atol=1e-12)
    assert np.isclose(model.yes_share(np.zeros((1, 2), dtype=int))[0], (4 * pa + 6 * pb) / 10)


def test_legislature_swing_integrates_the_mood():
    body = Legislature(kind="legislature", seats=1, pass_votes=1, intercept=0.4, swing_sd=1.0)
    model = LegislatureModel.build(body, ISSUES)
    z = np.linspace(-10, 10, 200001)
    want = np.trapezoid(stats.norm.pdf(z) / (1 + np.exp(-(0.4 + z))), z)
    assert np.isclose(model.p_pass(np.zeros((1, 2), dtype=int))[0], want, atol=1e-6)


def test_a_large_chamber_with_a_strong_mood_is_integrated_accurately():
    body = Legislature(kind="legislature", seats=1000, pass_votes=667, intercept=0.9,
                       swing_sd=4.0)
    model = LegislatureModel.build(body, {"g": Issue(levels=["a", "b"])})
    got = model.p_pass(np.zeros((1, 1), dtype=int))[0]

    def integrand(z):
        p = 1 / (1 + np.exp(-(0.9 + 4.0 * z)))
        return stats.norm.pdf(z) * stats.binom.sf(666, 1000, p)

    want = integrate.quad(integrand, -8, 8, points=[-0.2, -0.1, 0.0], limit=400)[0]
    assert got == pytest.approx(want, abs=1e-6)


def test_a_few_votes_tail_is_not_cut_off():
    body = Legislature(kind="legislature", seats=1000, pass_votes=4, intercept=float(
        np.log(1e-4 / (1 - 1e-4))))
    model = LegislatureModel.build(body, {"g": Issue(levels=["a", "b"])})
    got = model.p_pass(np.zeros((1, 1), dtype=int))[0]
    assert got == pytest.approx(stats.binom.sf(3, 1000, 1e-4), rel=1e-6)
