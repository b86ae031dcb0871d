"""Bargaining solutions over a set of utility vectors: small pure functions that compose.

Each takes gains over the disagreement point (the reservations), shape (n, P), and returns
the index of the chosen row. All are monotone, so their maximisers lie on the Pareto
frontier, and they are computed there. Ties (within 1e-12) are broken by the larger sum of
everyone's utility, then by the first row (the frontier is sorted by level indices), so the
choice is deterministic and Pareto-optimal.

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


def _pick(score: np.ndarray, total: np.ndarray) -> int:
    best = score.max()
    if not np.isfinite(best):
        candidates = np.arange(len(score))
    else:
        candidates = np.flatnonzero(score >= best - TIE * max(1.0, abs(best)))
    sums = total[candidates]
    return int(candidates[np.flatnonzero(sums >= sums.max() - TIE * max(1.0, abs(sums.max())))[0]])


def _active(gains: np.ndarray) -> np.ndarray:
    return gains.max(axis=0) > TIE


def nash(gains: np.ndarray, total: np.ndarray, power: np.ndarray | None = None) -> int:
    active = _active(gains)
    a = np.ones(gains.shape[1]) if power is None else np.asarray(power, float)
    g = gains[:, active]
    with np.errstate(divide="ignore"):
        score = (a[active] * np.log(np.where(g > TIE, g, 0.0))).sum(axis=1)
    return _pick(score, total)


def kalai_smorodinsky(gains: np.ndarray, total: np.ndarray) -> int:
    active = _active(gains)
    ideal = gains[:, active].max(axis=0)
    score = (gains[:, active] / ideal).min(axis=1) if active.any() else np.zeros(len(gains))
    return _pick(score, total)


def egalitarian(gains: np.ndarray, total: np.ndarray) -> int:
    active = _active(gains)
    score = gains[:, active].min(axis=1) if active.any() else np.zeros(len(gains))
    return _pick(score, total)


def utilitarian(gains: np.ndarray, total: np.ndarray) -> int:
    return _pick(gains.sum(axis=1), total)
