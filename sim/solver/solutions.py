"""Bargaining solutions over a set of utility vectors: small pure functions that compose.

Each score function takes gains over the disagreement point (the reservations), shape (n, P),
and returns one score per row; `pick` chooses the row. All four criteria are monotone, so
their maximisers lie on the Pareto frontier, and they are computed there. Ties (within
1e-12) go to a row no other tied row dominates, the first such (the frontier is sorted by
level indices): the choice is deterministic, Pareto-optimal, and unchanged when one party's
utility is rescaled.

- Nash (1950): max prod g_p^a_p with powers a (equal powers: the symmetric solution).
- Kalai-Smorodinsky (1975): max min_p g_p / I_p, I the ideal gains; on a continuous frontier
  this is the point on the segment from d to the ideal point.
- Egalitarian (Kalai 1977): max min_p g_p.
- Utilitarian: max sum_p g_p.
Parties whose best acceptable gain is zero cannot gain from any deal and are left out of the
products and minima (their gain is zero everywhere).
"""

from __future__ import annotations

import numpy as np

TIE = 1e-12


def active(gains: np.ndarray) -> np.ndarray:
    """Parties some row gives a positive gain."""
    return gains.max(axis=0) > TIE


def nash_score(gains: np.ndarray, power: np.ndarray, use: np.ndarray) -> np.ndarray:
    g = gains[:, use]
    with np.errstate(divide="ignore", invalid="ignore"):
        return (power[use] * np.log(np.where(g > TIE, g, 0.0))).sum(axis=1)


def ks_score(gains: np.ndarray, ideal: np.ndarray, use: np.ndarray) -> np.ndarray:
    if not use.any():
        return np.zeros(len(gains))
    return (gains[:, use] / ideal[use]).min(axis=1)


def egalitarian_score(gains: np.ndarray, use: np.ndarray) -> np.ndarray:
    return gains[:, use].min(axis=1) if use.any() else np.zeros(len(gains))


def utilitarian_score(gains: np.ndarray) -> np.ndarray:
    return gains.sum(axis=1)


def pick(score: np.ndarray, utility: np.ndarray) -> int:
    """The best row; among ties, the first row no other tied row dominates in `utility`."""
    from sim.solver.pareto import nondominated

    best = score.max()
    if not np.isfinite(best):
        candidates = np.arange(len(score))
    else:
        candidates = np.flatnonzero(score >= best - TIE * max(1.0, abs(best)))
    return int(candidates[nondominated(utility[candidates])[0]])


def scores(gains: np.ndarray, power: np.ndarray, ideal: np.ndarray | None = None,
           use: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every criterion's score per row; `ideal` defaults to the rows' best gains and `use`
    (the parties that count) to those some row gives a positive gain."""
    use = active(gains) if use is None else use
    ideal = gains.max(axis=0) if ideal is None else ideal
    equal = np.ones(gains.shape[1])
    return {
        "nash": nash_score(gains, power / power.sum(), use),
        "nash_symmetric": nash_score(gains, equal / equal.sum(), use),
        "kalai_smorodinsky": ks_score(gains, ideal, use),
        "egalitarian": egalitarian_score(gains, use),
        "utilitarian": utilitarian_score(gains),
    }
