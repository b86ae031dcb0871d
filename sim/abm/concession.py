"""Concession strategies: how a negotiator's aspiration moves from step to step.

A strategy is a small frozen dataclass, its parameters plus one method, `aspiration`: the
utility the negotiator asks for at a step, given what it knows then (`Situation`). A negotiator
proposes the candidate deal it likes best among those worth at least its aspiration to it, and
accepts an offer worth at least its aspiration (and its reservation; the agents check the rest).
The aspiration always lies between the current reservation and the best the negotiator can get:
no strategy ever asks for less than walking away.

Each class carries a `classifier`, as Axelrod's strategies do, that tests and users filter on:
`stochastic` (draws from the generator it is given), `memory` (how many received offers it
reads: 0, 1, 2, ...), `reacts_to_offers` (its aspiration depends on what others offered).

The time-dependent family follows Faratin, Sierra and Jennings (1998): the share of the way from
the best to the reservation conceded by step t of T is (t / T)^e, so e > 1 holds firm until
late (Boulware), e = 1 concedes evenly (linear), e < 1 concedes early (Conceder). Tit for tat
is their relative (behaviour-dependent) tactic in utility terms: concede as much as the others'
latest offer improved on their previous one, as the negotiator values them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np


@dataclass(frozen=True)
class Situation:
    """What a negotiator knows when it sets its aspiration at a step."""

    step: int  # 0, 1, ...: steps of talks before this one
    deadline: int  # the step by which talks end, counted the same way (0: this is the last)
    best: float  # the most it can get from any candidate deal
    reservation: float  # what it gets without a deal, now (a war may move it)
    previous: float | None = None  # its aspiration at the previous step (None at the start)
    received: tuple[float, ...] = ()  # what the offers it received were worth to it, oldest first
    planned: float | None = None  # what subgame-perfect play gives it now (see `plan`)

    @property
    def progress(self) -> float:
        """Share of the time to the deadline gone, in [0, 1]."""
        if self.deadline <= 0:
            return 1.0
        return min(max(self.step / self.deadline, 0.0), 1.0)


class Strategy:
    """The contract every strategy keeps (tests/unit/test_concession.py checks it for each)."""

    name: ClassVar[str]
    classifier: ClassVar[dict[str, object]]

    def aspiration(self, s: Situation, rng: np.random.Generator) -> float:
        raise NotImplementedError

    @staticmethod
    def _within(x: float, s: Situation) -> float:
        """Between the reservation and the best (the reservation wins if they cross: a party
        whose reservation the war lifted above every deal asks for it and accepts nothing)."""
        return float(max(min(x, s.best), s.reservation))


@dataclass(frozen=True)
class TimeDependent(Strategy):
    """Concedes (t / T)^exponent of the way from its best to its reservation by step t."""

    exponent: float = 1.0
    name: ClassVar[str] = "time_dependent"
    classifier: ClassVar[dict[str, object]] = {"stochastic": False, "memory": 0,
                                               "reacts_to_offers": False}

    def __post_init__(self) -> None:
        if not self.exponent > 0:
            raise ValueError(f"exponent must be positive, got {self.exponent}")

    def aspiration(self, s: Situation, rng: np.random.Generator) -> float:
        top = max(s.best, s.reservation)
        return self._within(top - (top - s.reservation) * s.progress ** self.exponent, s)


@dataclass(frozen=True)
class Boulware(TimeDependent):
    """Holds firm until late (Faratin et al.'s Boulware: a large exponent)."""

    exponent: float = 4.0
    name: ClassVar[str] = "boulware"


@dataclass(frozen=True)
class Linear(TimeDependent):
    """Concedes evenly to its reservation at the deadline."""

    exponent: float = 1.0
    name: ClassVar[str] = "linear"


@dataclass(frozen=True)
class Conceder(TimeDependent):
    """Concedes early (Faratin et al.'s Conceder: a small exponent)."""

    exponent: float = 0.25
    name: ClassVar[str] = "conceder"


@dataclass(frozen=True)
class HardLiner(Strategy):
    """Never concedes: asks for its best at every step."""

    name: ClassVar[str] = "hard_liner"
    classifier: ClassVar[dict[str, object]] = {"stochastic": False, "memory": 0,
                                               "reacts_to_offers": False}

    def aspiration(self, s: Situation, rng: np.random.Generator) -> float:
        return self._within(s.best, s)


@dataclass(frozen=True)
class TitForTat(Strategy):
    """Concedes what the others conceded: its aspiration falls by `share` times how much the
    latest offer it received improved, to it, on the one before (never rises again)."""

    share: float = 1.0
    name: ClassVar[str] = "tit_for_tat"
    classifier: ClassVar[dict[str, object]] = {"stochastic": False, "memory": 2,
                                               "reacts_to_offers": True}

    def __post_init__(self) -> None:
        if not self.share >= 0:
            raise ValueError(f"share must be at least 0, got {self.share}")

    def aspiration(self, s: Situation, rng: np.random.Generator) -> float:
        before = s.best if s.previous is None else s.previous
        gain = s.received[-1] - s.received[-2] if len(s.received) >= 2 else 0.0
        return self._within(before - self.share * max(gain, 0.0), s)


@dataclass(frozen=True)
class RandomConceder(Strategy):
    """Concedes a random share, uniform up to `most`, of what is left to concede each step (a
    stochastic strategy: noise in how fast a side gives ground)."""

    most: float = 0.2
    name: ClassVar[str] = "random_conceder"
    classifier: ClassVar[dict[str, object]] = {"stochastic": True, "memory": 0,
                                               "reacts_to_offers": False}

    def __post_init__(self) -> None:
        if not 0 <= self.most <= 1:
            raise ValueError(f"most must be within [0, 1], got {self.most}")

    def aspiration(self, s: Situation, rng: np.random.Generator) -> float:
        before = s.best if s.previous is None else s.previous
        return self._within(before - rng.uniform(0, self.most) * (before - s.reservation), s)


@dataclass(frozen=True)
class SubgamePerfect(Strategy):
    """Asks what the subgame-perfect equilibrium of alternating offers to the deadline gives
    it at this step (`plan`): as proposer, its share of the offer the next responder cannot
    refuse; as responder, the discounted value of proposing next. Without a plan (another
    protocol), it holds out for its best."""

    name: ClassVar[str] = "subgame_perfect"
    classifier: ClassVar[dict[str, object]] = {"stochastic": False, "memory": 0,
                                               "reacts_to_offers": False}

    def aspiration(self, s: Situation, rng: np.random.Generator) -> float:
        return self._within(s.best if s.planned is None else s.planned, s)


def plan(utility: np.ndarray, allowed: np.ndarray, reservation: np.ndarray,
         patience: np.ndarray, veto: np.ndarray, proposers: np.ndarray) -> np.ndarray:
    """Backward induction over alternating offers (Stahl 1972): the value (steps, P) each party
    asks for at each remaining step, `proposers[t]` proposing at step t.

    After the last step every party gets its reservation r. At step t the responders accept a
    deal worth at least r + delta (W(t+1) - r), the discounted gain of going on; the proposer
    offers, among the `allowed` deals all of them accept and that give it that much too, the
    best for itself (the others' total breaks ties), so W(t) is that deal's utilities, or the
    discounted W(t+1) if there is none. Rubinstein's split is the limit as the deadline
    recedes. Each party's row t is its threshold as a responder, and as the proposer its
    share of W(t)."""
    steps, n = len(proposers), utility.shape[1]
    asked = np.empty((steps, n))
    after = reservation.astype(float)
    total = utility.sum(axis=1)
    for t in range(steps - 1, -1, -1):
        threshold = reservation + patience * (after - reservation)
        ok = allowed & (utility >= threshold - 1e-12)[:, veto | (np.arange(n) == proposers[t])
                                                       ].all(axis=1)
        asked[t] = threshold
        if ok.any():
            mine = np.where(ok, utility[:, proposers[t]], -np.inf)
            top = mine.max()
            best = np.flatnonzero(ok & (mine >= top - 1e-12))
            after = utility[best[np.argmax(total[best])]]
        else:
            after = threshold
        asked[t, proposers[t]] = after[proposers[t]]
    return asked


STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls for cls in (Boulware, Linear, Conceder, TimeDependent, HardLiner, TitForTat,
                              RandomConceder, SubgamePerfect)}
"""Every strategy by the name a scenario's `dynamics:` section gives it."""


def build(name: str, **parameters: float) -> Strategy:
    """The strategy `name` with its parameters (ValueError naming what is valid)."""
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy '{name}'; valid: {', '.join(STRATEGIES)}")
    try:
        return STRATEGIES[name](**parameters)
    except TypeError:
        allowed = [f.name for f in fields(STRATEGIES[name])]
        raise ValueError(f"strategy '{name}' takes {', '.join(allowed) or 'no parameters'}"
                         ) from None


def filtered(**classifier: object) -> list[type[Strategy]]:
    """The strategies whose classifier matches, e.g. filtered(stochastic=False)."""
    return [cls for cls in STRATEGIES.values()
            if all(cls.classifier.get(k) == v for k, v in classifier.items())]


__all__ = ["STRATEGIES", "Boulware", "Conceder", "HardLiner", "Linear", "RandomConceder",
           "Situation", "Strategy", "SubgamePerfect", "TimeDependent", "TitForTat", "build",
           "filtered", "plan"]
