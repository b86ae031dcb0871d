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
  integrated out on a fine grid (P(pass | mood) is nearly a step for a large chamber, where
Gauss-Hermite quadrature converges slowly).

All functions are vectorised over deals given as level-index arrays of shape (N, n_issues).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.scenario.model import Legislature, Logit, Referendum, Slope
from sim.scenario.terms import grid, level_index


def mood_grid(seats: int, swing_sd: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights for E[f(Z)], Z ~ N(0, 1), by the trapezoid rule on [-6, 6] (the
    tails beyond weigh 2e-9). P(pass | mood) rises from 0 to 1 over a mood interval of about
    2 / (swing_sd sqrt(seats)); the rule is spectrally accurate once the spacing is below
    about 3/4 of that, so larger chambers and moods get more nodes (81 at least: the default
    scenario's 100-seat Senate with swing_sd 1 then agrees with 20001 nodes to 1e-9)."""
    width = 2.0 / (max(swing_sd, 1e-12) * math.sqrt(seats))
    n = int(min(20001, max(81, math.ceil(12.0 / (0.75 * width)) + 1)))
    z = np.linspace(-6.0, 6.0, n)
    w = np.exp(-z**2 / 2)
    return z, w / w.sum()


def expit(x: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def normal_sf(x: np.ndarray | float) -> np.ndarray:
    """P(Z > x) for a standard normal."""
    from scipy.special import erfc

    return 0.5 * erfc(np.asarray(x, dtype=float) / math.sqrt(2))


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


def _groups(body: Logit, parts: list, issues: dict) -> tuple[LinearPredictor, ...]:
    """One predictor per segment or bloc: the body's terms plus the group's own."""
    return tuple(LinearPredictor.build([body, *([g] if g else [])], issues) for g in parts)


class _Groups:
    """Shared by both models: the voter groups' linear predictors, evaluated together."""

    groups: tuple[LinearPredictor, ...]

    @property
    def issues(self) -> frozenset[int]:
        return frozenset().union(*(g.issues for g in self.groups))

    def eta(self, idx: np.ndarray) -> np.ndarray:
        """(..., G) linear predictors of every group for each deal."""
        return np.stack([g(idx) for g in self.groups], axis=-1)


@dataclass(frozen=True)
class ReferendumModel(_Groups):
    """An electorate of segments (shares sum to 1), each with its own logit predictor; a
    common N(0, swing_sd) shock on the day; valid with probability `p_valid` (turnout)."""

    shares: np.ndarray  # (G,)
    groups: tuple[LinearPredictor, ...]
    swing_sd: float
    pass_share: float
    p_valid: float

    @classmethod
    def build(cls, body: Referendum, issues: dict) -> ReferendumModel:
        segments = list(body.segments.values()) or [None]
        groups = _groups(body, segments, issues)
        shares = np.array([seg.share if seg else 1.0 for seg in segments])
        if body.turnout_sd > 0:
            p_valid = float(normal_sf((body.min_turnout - body.turnout) / body.turnout_sd))
        else:
            p_valid = float(body.turnout >= body.min_turnout)
        return cls(shares, groups, body.swing_sd, body.pass_share, p_valid)

    def _yes(self, eta: np.ndarray, shift: np.ndarray | float) -> np.ndarray:
        return (expit(eta + shift) * self.shares).sum(axis=-1)

    def yes_share(self, idx: np.ndarray, shift: float = 0.0) -> np.ndarray:
        """Expected yes share of each deal, with `shift` added to every voter's logit."""
        return self._yes(self.eta(idx) + shift, 0.0)

    def p_pass(self, idx: np.ndarray, shift: float = 0.0) -> np.ndarray:
        """P(the deal passes) with `shift` added to every voter's logit."""
        if self.swing_sd == 0:  # no shock: the yes share on the day is the expected one
            yes = self._yes(self.eta(idx), shift)
            return (yes >= self.pass_share).astype(float) * self.p_valid
        return self.pass_at(self.threshold(idx), shift)

    def threshold(self, idx: np.ndarray) -> np.ndarray:
        """For each deal, the mood m* (a logit added to every voter's) at which its yes share
        reaches pass_share; +inf where none does, -inf where any does. What the turnout and
        the size of the shock do not change: `pass_at` maps it to P(pass)."""
        return _per_unique_row(self.eta(idx), self._threshold)

    def _threshold(self, eta: np.ndarray) -> np.ndarray:
        # The yes share rises with the mood; beyond `reach` every voter's P(yes) is within
        # e^-60 of 0 or 1. Bisection to 2^-52 of the bracket: P(pass) to about 1e-12.
        reach = 60.0 + np.abs(eta).max(axis=-1)
        lo, hi = -reach, reach.copy()
        for _ in range(52):
            mid = (lo + hi) / 2
            above = self._yes(eta, mid[..., None]) >= self.pass_share
            hi = np.where(above, mid, hi)
            lo = np.where(above, lo, mid)
        hi[self._yes(eta, reach[..., None]) < self.pass_share] = np.inf
        hi[self._yes(eta, -reach[..., None]) >= self.pass_share] = -np.inf
        return hi

    def pass_at(self, threshold: np.ndarray, shift: float | np.ndarray = 0.0) -> np.ndarray:
        """P(pass) of deals with these thresholds, with `shift` added to every voter's logit:
        the shock N(0, swing_sd) must carry the mood past m*, and the vote must be valid."""
        return normal_sf((np.asarray(threshold) - shift) / self.swing_sd) * self.p_valid


@dataclass(frozen=True)
class LegislatureModel(_Groups):
    """A chamber of blocs (seats), members voting independently given a common mood shock;
    passes with at least `pass_votes` yes votes."""

    seats: np.ndarray  # (G,)
    groups: tuple[LinearPredictor, ...]
    swing_sd: float
    pass_votes: int

    @classmethod
    def build(cls, body: Legislature, issues: dict) -> LegislatureModel:
        blocs = list(body.blocs.values()) or [None]
        groups = _groups(body, blocs, issues)
        seats = np.array([b.seats if b else body.seats for b in blocs])
        return cls(seats, groups, body.swing_sd, body.pass_votes)

    def yes_share(self, idx: np.ndarray, shift: float = 0.0) -> np.ndarray:
        """Expected share of members voting yes, with `shift` added to every member's logit."""
        return (expit(self.eta(idx) + shift) * self.seats).sum(axis=-1) / self.seats.sum()

    def p_pass(self, idx: np.ndarray, shift: float = 0.0) -> np.ndarray:
        """P(at least pass_votes yes) with `shift` added to every member's logit."""
        return _per_unique_row(self.eta(idx) + shift, self._p_pass)

    def _p_pass(self, eta: np.ndarray) -> np.ndarray:
        if self.swing_sd == 0:
            return self._p_enough(expit(eta))
        z, w = mood_grid(int(self.seats.sum()), self.swing_sd)
        shifted = eta[None] + self.swing_sd * z[:, None, None]  # (nodes, N, G)
        return np.tensordot(w, self._p_enough(expit(shifted)), axes=1)

    def _p_enough(self, p: np.ndarray) -> np.ndarray:
        """P(at least pass_votes yes) when bloc g casts Binomial(seats_g, p_g) yes votes: the
        blocs' distributions convolved by FFT. Only where the vote is in doubt: more than 8
        standard deviations plus 10 votes from the threshold (the margin covers the skewed
        few-votes regime) the answer is 0 or 1 to within about 1e-13."""
        flat = p.reshape(-1, p.shape[-1])
        mean = flat @ self.seats
        sd = np.sqrt((flat * (1 - flat)) @ self.seats)
        out = (mean >= self.pass_votes).astype(float)
        doubt = np.abs(mean - self.pass_votes) <= 8 * sd + 10
        if doubt.any():
            q = flat[doubt]
            votes = int(self.seats.sum()) + 1
            size = 1 << (votes - 1).bit_length()  # a power of two: no wrap-around, fast FFT
            spectrum = np.ones((len(q), size // 2 + 1), dtype=complex)
            for g, n in enumerate(self.seats):
                spectrum *= np.fft.rfft(_binom_pmf(int(n), q[:, g : g + 1]), n=size)
            pmf = np.fft.irfft(spectrum, n=size)[:, :votes]
            out[doubt] = np.clip(pmf[:, self.pass_votes :].sum(axis=-1), 0.0, 1.0)
        return out.reshape(p.shape[:-1])


def _binom_pmf(n: int, p: np.ndarray) -> np.ndarray:
    """Binomial(n, p) probabilities of 0..n along the last axis (p has a trailing axis of 1)."""
    from scipy.special import gammaln

    k = np.arange(n + 1)
    log_comb = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)  # log C(n, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p = np.where(k > 0, k * np.log(p), 0.0)
        log_q = np.where(k < n, (n - k) * np.log1p(-p), 0.0)
    return np.exp(log_comb + log_p + log_q)


def _per_unique_row(eta: np.ndarray, fn) -> np.ndarray:
    """fn on each distinct row of eta only: many deals share the same linear predictors.
    (A lexsort of the few columns: much faster than np.unique(axis=0).)"""
    flat = eta.reshape(-1, eta.shape[-1])
    if not len(flat):
        return np.zeros(eta.shape[:-1])
    order = np.lexsort(flat.T[::-1])
    ranked = flat[order]
    new = np.r_[True, (ranked[1:] != ranked[:-1]).any(axis=1)]
    out = np.empty(len(flat))
    out[order] = fn(ranked[new])[np.cumsum(new) - 1]
    return out.reshape(eta.shape[:-1])


def build(body: Referendum | Legislature, issues: dict) -> ReferendumModel | LegislatureModel:
    if isinstance(body, Referendum):
        return ReferendumModel.build(body, issues)
    return LegislatureModel.build(body, issues)
