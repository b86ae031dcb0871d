"""Shapley values on games whose answers are known: the axioms, and small games by hand."""

import itertools
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import shapley


def game(values: dict[frozenset, float]):
    """A game from {coalition of player numbers: value}; the empty coalition is worth 0."""
    def value(mask: int) -> np.ndarray:
        members = frozenset(i for i in range(8) if mask >> i & 1)
        return np.array([values.get(members, 0.0)])
    return value


def by_orders(n: int, value) -> np.ndarray:
    """The definition, literally: the mean marginal contribution over all n! orders."""
    total = np.zeros(n)
    for order in itertools.permutations(range(n)):
        mask = 0
        for i in order:
            total[i] += value(mask | 1 << i)[0] - value(mask)[0]
            mask |= 1 << i
    return total / math.factorial(n)


def test_two_players_with_an_interaction_by_hand():
    # v(1) = 1, v(2) = 2, v(1, 2) = 6: the interaction (3) is split equally on top of what
    # each brings alone: 1 + 1.5 and 2 + 1.5.
    v = game({frozenset({0}): 1, frozenset({1}): 2, frozenset({0, 1}): 6})
    assert np.allclose(shapley.exact(2, v)[:, 0], [2.5, 3.5])


def test_three_players_by_hand():
    # Glove game: player 0 holds a left glove, 1 and 2 right ones; a pair is worth 1.
    # Known answer: 2/3 to the scarce glove, 1/6 to each of the others.
    pairs = {frozenset(s): 1.0 for s in ({0, 1}, {0, 2}, {0, 1, 2})}
    assert np.allclose(shapley.exact(3, game(pairs))[:, 0], [2 / 3, 1 / 6, 1 / 6])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.lists(st.floats(-10, 10), min_size=32, max_size=32))
def test_exact_is_the_mean_over_orders_and_efficient(n, numbers):
    table = {frozenset(i for i in range(n) if m >> i & 1): numbers[m] for m in range(1, 1 << n)}
    v = game(table)
    phi = shapley.exact(n, v)[:, 0]
    assert np.allclose(phi, by_orders(n, v))
    assert math.isclose(phi.sum(), v((1 << n) - 1)[0] - v(0)[0], abs_tol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5), st.lists(st.floats(-10, 10), min_size=32, max_size=32),
       st.integers(0, 2**32 - 1))
def test_a_null_player_gets_nothing_and_symmetric_players_the_same(n, numbers, seed):
    # Player n-1 never changes the value; players 0 and 1 are interchangeable.
    def v(mask: int) -> np.ndarray:
        mask &= ~(1 << (n - 1))  # the null player
        a, b = mask & 1, mask >> 1 & 1
        swapped = (mask & ~3) | (b | a << 1)  # 0 and 1 swapped: the same value
        return np.array([numbers[min(mask, swapped)]])
    phi = shapley.exact(n, v)[:, 0]
    assert abs(phi[n - 1]) < 1e-9
    if n > 2:
        assert math.isclose(phi[0], phi[1], abs_tol=1e-9)
    est, _, _ = shapley.sampled(n, v, np.random.default_rng(seed), orders=20)
    assert abs(est[n - 1]) < 1e-9  # sampled: a null player's marginals are all 0
    assert math.isclose(est.sum(), phi.sum(), abs_tol=1e-9)  # every order is efficient


def test_sampling_converges_to_the_exact_values_and_is_seeded():
    rng = np.random.default_rng(3)
    table = {frozenset(i for i in range(6) if m >> i & 1): float(x)
             for m, x in enumerate(rng.normal(size=64)) if m}
    v = game(table)
    exact = shapley.exact(6, v)[:, 0]
    mean, se, used = shapley.sampled(6, v, np.random.default_rng(7), orders=2000)
    assert used == 2000
    assert np.all(np.abs(mean[:, 0] - exact) <= 4 * se[:, 0] + 1e-9)
    again, _, _ = shapley.sampled(6, v, np.random.default_rng(7), orders=2000)
    assert np.array_equal(mean, again)


def test_sampling_stops_at_its_deadline_after_one_pair():
    v = game({frozenset({0}): 1.0})
    _, se, used = shapley.sampled(3, v, np.random.default_rng(0), deadline=0.0, orders=100)
    assert used == 2 and np.isnan(se).all()
