"""Shapley values of a game given by its value on coalitions, for every outcome at once.

A coalition is a bit mask over n players; `value(mask)` returns one number per outcome. The
Shapley value of player i is its marginal contribution v(S + i) - v(S) averaged over the
orders in which the players can join (Shapley 1953). It is the one attribution that sums to
v(all) - v(none) (efficiency), gives equal shares to players who contribute alike
(symmetry), nothing to a player who never changes the value (null player) and adds over
games (additivity).

- `exact`: every coalition, 2^n values (a few players).
- `sampled`: seeded random orders, each with its reverse (antithetic pairs cancel much of
  the order's noise), until a deadline or a number of orders (Castro, Gomez and Tejada
  2009): unbiased, and efficient exactly for every order, so the mean is too.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

Value = Callable[[int], np.ndarray]
ORDERS = 200  # orders `sampled` draws at most, by default


def exact(n: int, value: Value) -> np.ndarray:
    """(n, M): each player's Shapley value for each of the M outcomes, from all 2^n
    coalitions (the player of bit i is row i)."""
    v = np.array([np.asarray(value(mask), dtype=float) for mask in range(1 << n)])
    weight = np.array([math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n)
                       for s in range(n)])
    sizes = np.array([bin(mask).count("1") for mask in range(1 << n)])
    out = np.zeros((n, v.shape[1]))
    for i in range(n):
        without = np.array([m for m in range(1 << n) if not m >> i & 1], dtype=np.int64)
        out[i] = (weight[sizes[without]][:, None] * (v[without | 1 << i] - v[without])).sum(0)
    return out


def sampled(n: int, value: Value, rng: np.random.Generator, deadline: float | None = None,
            orders: int = ORDERS) -> tuple[np.ndarray, np.ndarray, int]:
    """(mean, standard error, orders used): the Shapley values (n, M) estimated over random
    orders of the players, drawn with `rng` in antithetic pairs (an order, then its
    reverse), at most `orders` of them and none started past `deadline` (time.monotonic();
    at least one pair is always made). The standard error is over the pairs."""
    pairs: list[np.ndarray] = []
    while len(pairs) * 2 < orders:
        if pairs and deadline is not None and time.monotonic() > deadline:
            break
        order = rng.permutation(n)
        pair = _marginals(order, value) + _marginals(order[::-1], value)
        pairs.append(pair / 2)
    stack = np.array(pairs)
    se = (stack.std(axis=0, ddof=1) / math.sqrt(len(stack)) if len(stack) > 1
          else np.full(stack.shape[1:], np.nan))
    return stack.mean(axis=0), se, 2 * len(stack)


def _marginals(order: np.ndarray, value: Value) -> np.ndarray:
    """Each player's marginal contribution when the players join in `order`."""
    mask, before = 0, np.asarray(value(0), dtype=float)
    out = np.zeros((len(order), len(before)))
    for i in order:
        mask |= 1 << int(i)
        after = np.asarray(value(mask), dtype=float)
        out[i] = after - before
        before = after
    return out
