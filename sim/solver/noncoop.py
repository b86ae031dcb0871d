"""Non-cooperative bargaining: the stationary equilibrium over a set of deals.

Gains are measured from the reservations (perpetual disagreement). A responder j accepts a
proposal when its gain is at least delta_j W_j, the discounted value of rejecting: W_j is j's
expected gain at the start of the next round. Each proposer offers the deal best for itself
among those the needed responders accept, mixing uniformly over equally good deals (which is
what makes symmetric equilibria come out symmetric). The W are found by fixed-point
iteration; a proposer who can satisfy nobody lets the round pass.

- `alternating` (Rubinstein 1982): two parties take turns, the first proposing first. For a
  pie of 1 the first proposer gets (1 - delta_2) / (1 - delta_1 delta_2).
- `random` (Baron and Ferejohn 1989): each round a proposer is drawn with the recognition
  probabilities; a proposal needs every veto party, and `quota` yes votes in all (proposer
  included) when a quota is set. With n players, recognition 1/n and quota q, the proposer
  keeps 1 - (q - 1) delta / n and buys q - 1 votes at delta / n.

The maximiser of a proposer's problem can be taken on the Pareto frontier, so the engine
passes the frontier; the functions here work on any (m, n) array of gains.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

TOL = 1e-12
MAX_ROUNDS = 5_000  # fixed-point rounds at most: a discrete set can make them cycle
STALL = 100  # rounds without a smaller residual before the full step is first halved


@dataclass(frozen=True)
class Equilibrium:
    """A stationary equilibrium over a set of deals, in gains over the reservations."""

    values: np.ndarray  # (n,) expected gain at the start of a round (random) or of the game
    proposals: list[np.ndarray]  # per proposer: weights over deals (a mixed proposal)
    payoffs: np.ndarray  # (n proposers, n) expected gains when each proposes
    converged: bool
    residual: float = 0.0  # how far the values still moved in the last round (0: settled)


def _proposal(gains: np.ndarray, i: int, ok: np.ndarray, required: np.ndarray,
              quota: int) -> np.ndarray | None:
    """Mixed proposal of proposer i under a quota: uniform over its best deals among those
    accepted. `ok` (m, n) says who accepts each deal: gain at least the discounted value of
    waiting. (Without a quota every proposer is taken at once: `_unanimous_round`.)"""
    others = np.arange(gains.shape[1]) != i
    accept = ok[:, required & others].all(axis=1) & ok[:, i]  # nor below its own value
    accept &= ok[:, others].sum(axis=1) >= quota - 1
    if not accept.any():
        return None
    own = np.where(accept, gains[:, i], -np.inf)
    best = own.max()
    ties = own >= best - TOL * max(1.0, abs(best))
    return ties / ties.sum()


def random_proposer(gains: np.ndarray, patience: np.ndarray, recognition: np.ndarray,
                    veto: np.ndarray, quota: int | None = None, max_iter: int = MAX_ROUNDS,
                    deadline: float | None = None) -> Equilibrium:
    """Baron-Ferejohn stationary equilibrium over the rows of `gains` (m deals, n parties).

    On a discrete set the values can cycle between a few proposals instead of settling (no
    stationary equilibrium in these strategies need exist there); the step is then halved
    whenever the residual stops falling, and once it is below 1/64, after
    `max_iter` rounds, or past `deadline` (time.monotonic()), it stops with `converged` False
    and the last round's `residual`."""
    m, n = gains.shape
    recognition = recognition / recognition.sum()
    w = np.zeros(n)
    damping, best, stalled = 1.0, np.inf, 0
    for _ in range(max_iter):
        payoffs, proposals = _round(gains, patience * w, veto, quota, patience * w)
        new = recognition @ payoffs
        residual = float(np.abs(new - w).max())
        if residual < 1e-13:
            return Equilibrium(new, proposals(), payoffs, True)
        if deadline is not None and time.monotonic() > deadline:
            break
        if residual < best:
            best, stalled = residual, 0
        else:
            stalled += 1
        # No progress: a cycle. Take smaller steps toward its middle, quicker once damped.
        if stalled == (STALL if damping == 1 else STALL // 4):
            damping, best, stalled = damping / 2, residual, 0
            if damping < 1 / 64:
                break
        w = (1 - damping) * w + damping * new
    return Equilibrium(w, proposals(), payoffs, False, residual)


def _round(gains, threshold, veto, quota, fallback):
    """(each proposer's expected gains when it proposes (n, n), a function giving the mixed
    proposals, weights over every deal or None)."""
    n = gains.shape[1]
    if quota is None:
        return _unanimous_round(gains, threshold, veto, fallback)
    ok = gains >= threshold - TOL  # one test per round, shared by every proposer
    payoffs = np.zeros((n, n))
    proposals = []
    for i in range(n):
        mix = _proposal(gains, i, ok, veto, quota)
        payoffs[i] = fallback if mix is None else mix @ gains
        proposals.append(mix)
    return payoffs, lambda: proposals


def _unanimous_round(gains, threshold, veto, fallback):
    """`_round` without a quota, every proposer at once. Only deals every veto party accepts
    are open to anyone; among those, proposer i needs only its own acceptance (a veto
    proposer's is implied), so each proposer's best deals are one column-wise maximum."""
    m, n = gains.shape
    rows = np.flatnonzero((gains[:, veto] >= threshold[veto] - TOL).all(axis=1))
    g = gains[rows]
    ok = g >= threshold - TOL
    own = np.where(ok, g, -np.inf)
    best = own.max(axis=0) if len(g) else np.full(n, -np.inf)
    ties = ok & (own >= best - TOL * np.maximum(1.0, np.abs(best)))
    counts = ties.sum(axis=0)
    payoffs = np.where((counts > 0)[:, None], (ties.T @ g) / np.maximum(counts, 1)[:, None],
                       fallback)

    def proposals() -> list[np.ndarray | None]:  # weights over every deal, as passed in
        return [np.bincount(rows, weights=ties[:, i] / counts[i], minlength=m) if counts[i]
                else None for i in range(n)]

    return payoffs, proposals


def alternating(gains: np.ndarray, patience: np.ndarray, first: int = 0) -> Equilibrium:
    """Rubinstein's alternating offers between the two columns of `gains`.

    The stationary equilibrium makes each responder indifferent: with phi the frontier
    (party 2's best gain given party 1's, any lottery over deals allowed, so phi is the upper
    concave hull of the deals' gains), party 1 proposing first gets the root a of
    phi(a) = delta_2 phi(delta_1 a), unique because phi is concave and decreasing. Solved by
    Brent's method; exact for a linear pie."""
    from scipy.optimize import brentq

    assert gains.shape[1] == 2, "alternating offers is a two-party protocol"
    g = gains if first == 0 else gains[:, ::-1]
    # With no discounting at all the game has no unique equilibrium; take the limit of
    # patience tending to 1 (equal rates: the split of the symmetric Nash solution).
    d1, d2 = np.minimum(patience if first == 0 else patience[::-1], 1 - 1e-9)
    xs, ys, rows = _concave_frontier(g)

    def phi(a):
        return np.interp(a, xs, ys)  # flat below the first point (free disposal)

    lo, hi = 0.0, float(xs[-1])
    h_lo, h_hi = phi(lo) - d2 * phi(d1 * lo), phi(hi) - d2 * phi(d1 * hi)
    if h_lo <= 0:
        a = lo
    elif h_hi >= 0:
        a = hi
    else:
        a = brentq(lambda t: phi(t) - d2 * phi(d1 * t), lo, hi, xtol=1e-14, rtol=1e-14)
    own = np.array([a, phi(a)])  # what the first proposer's offer gives (proposer, responder)
    other = np.array([d1 * a, phi(d1 * a)])  # the other's offer, as (first, second)
    payoffs = np.array([own, other])
    if first == 1:
        payoffs = payoffs[:, ::-1]
    proposals = [_lottery(xs, rows, len(gains), a), _lottery(xs, rows, len(gains), d1 * a)]
    return Equilibrium(payoffs[0], proposals, payoffs, True)


def _lottery(xs: np.ndarray, rows: np.ndarray, m: int, a: float) -> np.ndarray:
    """Weights over the deals of the hull segment whose lottery gives party 1 gain a."""
    mix = np.zeros(m)
    j = int(np.clip(np.searchsorted(xs, a), 1, len(xs) - 1)) if len(xs) > 1 else 0
    if len(xs) == 1 or a <= xs[0]:
        mix[rows[0]] = 1.0
        return mix
    w = (a - xs[j - 1]) / (xs[j] - xs[j - 1])
    mix[rows[j - 1]] += 1 - w
    mix[rows[j]] += w
    return mix


def _concave_frontier(g: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertices of the upper concave hull of the points on its non-increasing part (the
    frontier of all lotteries over the deals; Andrew's monotone chain), as (x, y, row)."""
    _, first = np.unique(g, axis=0, return_index=True)  # one row per distinct point
    order = first[np.lexsort((g[first, 1], g[first, 0]))]
    hull: list[int] = []
    for i in order[::-1]:  # right to left keeps the upper hull; collinear points stay, so a
        while len(hull) >= 2 and _turn(g[hull[-2]], g[hull[-1]], g[i]) < 0:  # lottery mixes
            hull.pop()  # neighbouring deals
        hull.append(int(i))
    rows = np.array(hull[::-1])
    top = int(np.argmax(g[rows, 1]))  # left of the highest point, more for party 1 is free
    rows = rows[top:]
    return g[rows, 0], g[rows, 1], rows


def _turn(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """> 0 when o -> a -> b turns counter-clockwise."""
    return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))


def rubinstein_share(delta1: float, delta2: float) -> float:
    """First proposer's share of a unit pie (Rubinstein 1982)."""
    return (1 - delta2) / (1 - delta1 * delta2)


def baron_ferejohn_shares(n: int, quota: int, delta: float) -> tuple[float, float]:
    """(proposer's share, each coalition partner's share) with recognition 1/n."""
    return 1 - (quota - 1) * delta / n, delta / n
