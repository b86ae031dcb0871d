"""Ratification models (Putnam's level II): P(ratified | deal) for each body.

Both models share a logit acceptance model: P(yes) = sigmoid(intercept + sum of the deal's
effects), per segment of an electorate or bloc of a legislature. A common `swing_sd` shock
shifts every voter's logit at once (the national mood on the day), which is what makes a
vote's outcome uncertain: independent voters alone would make a large electorate certain.

- Referendum: the yes share is the segment-weighted mean of P(yes). It passes when the yes
  share reaches `pass_share` and turnout reaches `min_turnout` (turnout ~ Normal(turnout,
  turnout_sd), independent of the vote).
- Legislature: members of a bloc vote independently given the mood; the number of yes votes
  is a sum of binomials; it passes with at least `pass_votes` yes votes. The mood is
  integrated out with Gauss-Hermite quadrature.

All functions are vectorised over deals given as level-index arrays of shape (N, n_issues).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special  # scipy.stats would add 0.8 s to every command's start

from sim.scenario.model import Legislature, Logit, Referendum, Slope
from sim.scenario.terms import grid, level_index

_QUAD_NODES, _QUAD_WEIGHTS = np.polynomial.hermite_e.hermegauss(40)
_QUAD_WEIGHTS = _QUAD_WEIGHTS / _QUAD_WEIGHTS.sum()  # expectation over a standard normal


@dataclass(frozen=True)
class LinearPredictor:
    """intercept + per-issue effects, as one array per issue (zeros where no effect)."""

    intercept: float
    effects: tuple[tuple[int, np.ndarray], ...]  # (issue index, effect per level)

    @classmethod
    def build(cls, parts: list[Logit], issues: dict) -> LinearPredictor:
        names = list(issues)
        total: dict[int, np.ndarray] = {}
        for part in parts:
            for issue, effect in part.effects.items():
                k = names.index(issue)
                levels = grid(issues[issue])
                if isinstance(effect, Slope):
                    arr = effect.slope * np.asarray(levels, dtype=float)
                else:
                    arr = np.zeros(len(levels))
                    for ref, b in effect.items():
                        arr[level_index(issues[issue], ref, levels)] += b
                total[k] = total.get(k, 0) + arr
        return cls(sum(p.intercept for p in parts), tuple(sorted(total.items())))

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        eta = np.full(idx.shape[:-1], self.intercept, dtype=float)
        for k, arr in self.effects:
            eta = eta + arr[idx[..., k]]
        return eta

    @property
    def issues(self) -> frozenset[int]:
        return frozenset(k for k, _ in self.effects)


@dataclass(frozen=True)
class ReferendumModel:
    shares: np.ndarray  # (G,)
    groups: tuple[LinearPredictor, ...]
    swing_sd: float
    pass_share: float
    p_valid: float

    @classmethod
    def build(cls, body: Referendum, issues: dict) -> ReferendumModel:
        segments = list(body.segments.values()) or [None]
        groups = tuple(
            LinearPredictor.build([body] + ([seg] if seg else []), issues) for seg in segments
        )
        shares = np.array([seg.share if seg else 1.0 for seg in segments])
        if body.turnout_sd > 0:
            p_valid = float(special.ndtr((body.turnout - body.min_turnout) / body.turnout_sd))
        else:
            p_valid = float(body.turnout >= body.min_turnout)
        return cls(shares, groups, body.swing_sd, body.pass_share, p_valid)

    @property
    def issues(self) -> frozenset[int]:
        return frozenset().union(*(g.issues for g in self.groups))

    def _yes(self, eta: np.ndarray, shift: np.ndarray | float) -> np.ndarray:
        return (special.expit(eta + shift) * self.shares).sum(axis=-1)

    def yes_share(self, idx: np.ndarray) -> np.ndarray:
        eta = np.stack([g(idx) for g in self.groups], axis=-1)
        return self._yes(eta, 0.0)

    def p_pass(self, idx: np.ndarray) -> np.ndarray:
        eta = np.stack([g(idx) for g in self.groups], axis=-1)
        if self.swing_sd == 0:
            majority = (self._yes(eta, 0.0) >= self.pass_share).astype(float)
        else:
            # The yes share rises with the mood z; find z* where it equals pass_share.
            lo = np.full(eta.shape[:-1], -60.0)
            hi = np.full(eta.shape[:-1], 60.0)
            for _ in range(80):
                mid = (lo + hi) / 2
                above = self._yes(eta, self.swing_sd * mid[..., None]) >= self.pass_share
                hi = np.where(above, mid, hi)
                lo = np.where(above, lo, mid)
            majority = special.ndtr(-hi)
        return majority * self.p_valid


@dataclass(frozen=True)
class LegislatureModel:
    seats: np.ndarray  # (G,)
    groups: tuple[LinearPredictor, ...]
    swing_sd: float
    pass_votes: int

    @classmethod
    def build(cls, body: Legislature, issues: dict) -> LegislatureModel:
        blocs = list(body.blocs.values()) or [None]
        groups = tuple(
            LinearPredictor.build([body] + ([b] if b else []), issues) for b in blocs
        )
        seats = np.array([b.seats if b else body.seats for b in blocs])
        return cls(seats, groups, body.swing_sd, body.pass_votes)

    @property
    def issues(self) -> frozenset[int]:
        return frozenset().union(*(g.issues for g in self.groups))

    def yes_share(self, idx: np.ndarray) -> np.ndarray:
        eta = np.stack([g(idx) for g in self.groups], axis=-1)
        return (special.expit(eta) * self.seats).sum(axis=-1) / self.seats.sum()

    def p_pass(self, idx: np.ndarray) -> np.ndarray:
        eta = np.stack([g(idx) for g in self.groups], axis=-1)  # (N, G)
        if self.swing_sd == 0:
            return self._p_enough(special.expit(eta))
        out = np.zeros(eta.shape[:-1])
        for z, w in zip(_QUAD_NODES, _QUAD_WEIGHTS, strict=True):
            out += w * self._p_enough(special.expit(eta + self.swing_sd * z))
        return out

    def _p_enough(self, p: np.ndarray) -> np.ndarray:
        """P(at least pass_votes yes) when bloc g casts Binomial(seats_g, p_g) yes votes."""
        pmf = np.ones(p.shape[:-1] + (1,))
        for g, n in enumerate(self.seats):
            bloc = _binom_pmf(n, p[..., g : g + 1])
            new = np.zeros(p.shape[:-1] + (pmf.shape[-1] + n,))
            for j in range(n + 1):
                new[..., j : j + pmf.shape[-1]] += pmf * bloc[..., j : j + 1]
            pmf = new
        return np.clip(pmf[..., self.pass_votes :].sum(axis=-1), 0.0, 1.0)


def _binom_pmf(n: int, p: np.ndarray) -> np.ndarray:
    """Binomial(n, p) probabilities of 0..n along the last axis."""
    k = np.arange(n + 1)
    log_comb = special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
    return np.exp(log_comb + special.xlogy(k, p) + special.xlog1py(n - k, -p))


def build(body: Referendum | Legislature, issues: dict) -> ReferendumModel | LegislatureModel:
    if isinstance(body, Referendum):
        return ReferendumModel.build(body, issues)
    return LegislatureModel.build(body, issues)
