"""Rubinstein (1982) and Baron-Ferejohn (1989) reproduced by the fixed-point solver, and
the solver at their edges (no discounting, a proposer's own share)."""

import itertools
import time

import numpy as np
import pytest

from sim.solver.noncoop import (
    alternating,
    baron_ferejohn_shares,
    random_proposer,
    rubinstein_share,
)


def pie(step_count: int) -> np.ndarray:
    x = np.linspace(0, 1, step_count + 1)
    return np.stack([x, 1 - x], axis=1)


@pytest.mark.parametrize(("d1", "d2", "want"), [(0.9, 0.8, 0.714286), (0.9, 0.9, 0.526316),
                                                (0.95, 0.9, 0.689655)])
def test_rubinstein_on_a_pie(d1, d2, want):
    eq = alternating(pie(10), np.array([d1, d2]))
    assert eq.values[0] == pytest.approx(want, abs=1e-6)
    assert rubinstein_share(d1, d2) == pytest.approx(want, abs=1e-6)
    assert eq.values.sum() == pytest.approx(1.0)
    # the second mover, proposing first instead, gets (1 - delta1) / (1 - delta1 delta2)
    swapped = alternating(pie(10), np.array([d1, d2]), first=1)
    assert swapped.values[1] == pytest.approx((1 - d1) / (1 - d1 * d2), abs=1e-9)


def simplex(n: int, denominator: int) -> np.ndarray:
    """All splits of a unit pie among n players in multiples of 1/denominator (stars and
    bars: n - 1 bar positions among denominator + n - 1 slots)."""
    bars = np.array(list(itertools.combinations(range(denominator + n - 1), n - 1)))
    edges = np.column_stack([np.full(len(bars), -1), bars,
                             np.full(len(bars), denominator + n - 1)])
    return (np.diff(edges, axis=1) - 1) / denominator


@pytest.mark.parametrize(("n", "quota", "delta", "denominator"),
                         [(3, 2, 1.0, 30), (5, 3, 0.9, 50), (5, 5, 0.9, 50)])
def test_baron_ferejohn_closed_rule(n, quota, delta, denominator):
    gains = simplex(n, denominator)
    eq = random_proposer(gains, np.full(n, delta), np.ones(n), np.zeros(n, dtype=bool), quota)
    assert eq.converged
    keep, partner = baron_ferejohn_shares(n, quota, delta)
    for i in range(n):
        # the proposer keeps its share; every partner it buys gets delta / n
        assert eq.payoffs[i, i] == pytest.approx(keep, abs=1e-9)
    assert eq.values == pytest.approx(np.full(n, 1 / n), abs=1e-9)
    mix = eq.proposals[0]
    offered = gains[mix > 0]
    bought = (offered[:, 1:] > 1e-12).sum(axis=1)
    assert np.all(bought == quota - 1)
    assert np.allclose(offered[:, 1:][offered[:, 1:] > 1e-12], partner)


def test_baron_ferejohn_seven_players_quota_four():
    # Splits (a, b, b, b, 0, 0, 0) and their permutations, in 35ths: a set that holds the
    # equilibrium proposals (proposer 23/35, three partners 4/35 each).
    rows = []
    for b in range(12):
        for proposer in range(7):
            for partners in itertools.combinations([j for j in range(7) if j != proposer], 3):
                row = np.zeros(7)
                row[proposer] = (35 - 3 * b) / 35
                row[list(partners)] = b / 35
                rows.append(row)
    gains = np.unique(np.array(rows), axis=0)
    eq = random_proposer(gains, np.full(7, 0.8), np.ones(7), np.zeros(7, dtype=bool), 4)
    assert eq.converged
    assert eq.payoffs[0, 0] == pytest.approx(0.657143, abs=1e-6)
    offered = gains[eq.proposals[0] > 0]
    assert np.allclose(np.sort(offered[:, 1:], axis=1)[:, -3:], 0.114286, atol=1e-6)


def test_alternating_offers_convexify_a_non_concave_frontier():
    # Deals on u2 = (1 - u1)^2 lie below the chord from (0, 1) to (1, 0); lotteries between
    # the two ends make the chord the frontier, so the linear-pie answer applies.
    x = np.linspace(0, 1, 21)
    deals = np.stack([x, (1 - x) ** 2], axis=1)
    eq = alternating(deals, np.array([0.9, 0.8]))
    assert eq.values[0] == pytest.approx((1 - 0.8) / (1 - 0.9 * 0.8), abs=1e-9)


def test_the_alternating_offer_is_a_lottery_over_neighbouring_deals():
    eq = alternating(pie(10), np.array([0.9, 0.8]))
    mix = eq.proposals[0]
    assert mix.sum() == pytest.approx(1.0)
    assert sorted(np.flatnonzero(mix)) == [7, 8]  # x = 0.7 and 0.8 around 0.714286
    assert mix @ pie(10)[:, 0] == pytest.approx(rubinstein_share(0.9, 0.8))


def test_a_proposer_never_offers_itself_less_than_waiting():
    eq = random_proposer(np.array([[0.1, 0.9], [0.9, 0.1]]), np.array([0.99, 0.99]),
                         np.ones(2), np.array([True, True]))
    for i in range(2):
        assert eq.payoffs[i, i] >= 0.99 * eq.values[i] - 1e-9


def test_alternating_offers_without_discounting_is_the_limit_of_equal_patience():
    x = np.linspace(0, 1, 11)
    eq = alternating(np.stack([x, 1 - x], axis=1), np.array([1.0, 1.0]))
    assert eq.values[0] == pytest.approx(0.5, abs=1e-6)


# Three deals on which the fixed point cycles: each proposer's best accepted deal switches as
# the values move, and no stationary equilibrium in these strategies settles it.
CYCLING = np.array([[1.0, 0.1, 0.9], [0.3, 0.4, 0.8], [0.8, 0.5, 0.3]])


def test_a_cycling_fixed_point_stops_unsettled_and_says_by_how_much():
    eq = random_proposer(CYCLING, np.full(3, 0.9), np.ones(3), np.ones(3, dtype=bool))
    assert not eq.converged
    assert eq.residual > 1e-6


def test_the_fixed_point_stops_at_its_deadline():
    eq = random_proposer(CYCLING, np.full(3, 0.9), np.ones(3), np.ones(3, dtype=bool),
                         deadline=time.monotonic() - 1)
    assert not eq.converged and eq.residual > 0


def test_solve_reports_an_unsettled_prediction_in_words():
    from sim.api import from_dict, solve
    from sim.report.text import solve_result

    parties = {f"p{i}": {"weights": {"deal": 1.0}, "reservation": 0.0, "patience": 0.9,
                         "values": {"deal": dict(zip("abc", CYCLING[:, i], strict=True))}}
               for i in range(3)}
    r = solve(from_dict({"name": "cycle", "issues": {"deal": {"levels": list("abc")}},
                         "parties": parties}))
    assert not r.noncooperative.converged
    assert r.to_dict()["noncooperative"]["residual"] == r.noncooperative.residual > 1e-6
    assert "not settled" in solve_result(r)
