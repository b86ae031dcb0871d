"""The agents: a negotiator per party, the mediator, and the electorate (one agent holding
every ratification body's P(pass) over the candidates as arrays).

Deals are rows of the board (the candidate set); every choice is a vectorised pass over them.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.abm.concession import Situation, Strategy, SubgamePerfect, plan
from sim.problem import ACCEPT_TOL, at_least

TIE = 1e-12  # scores this close are tied; the total utility breaks the tie


def pick(key: np.ndarray, total: np.ndarray, allowed: np.ndarray) -> int | None:
    """The allowed row with the highest key, the highest total among ties (None if none)."""
    k = np.where(allowed, key, -np.inf)
    top = k.max() if len(k) else -np.inf
    if top == -np.inf:
        return None
    tied = np.flatnonzero(k >= top - TIE)
    return int(tied[0]) if len(tied) == 1 else int(tied[np.argmax(total[tied])])


class Negotiator(mesa.Agent):
    """A party at the table: an aspiration set by its strategy, an acceptance rule, and with
    private information a belief about the others' reservations (held as its error about
    each, so that what the war does in public moves the belief too)."""

    def __init__(self, model, party: int, strategy: Strategy, error: np.ndarray):
        super().__init__(model)
        self.party, self.strategy = party, strategy
        self.others = model.veto & (np.arange(len(model.veto)) != party)  # who must agree
        self.error = error  # (P,) believed minus true reservation of each party; 0: known
        self.aspiration = np.inf
        self._memos: dict[str, tuple[tuple, object]] = {}  # name -> (read at, value)
        self._fresh = False  # an offer from another arrived since it last conceded
        self.learned = 0  # counts the belief updates
        self.previous: float | None = None
        self.received: list[float] = []

    # --- what it believes -----------------------------------------------------------------

    def believed(self) -> np.ndarray:
        return self.model.war.reservation + self.error

    def _memo(self, name: str, compute):
        """What compute() gives, computed again only when what is open, a reservation or a
        belief has moved since it last was."""
        key = (self.model.table_moved, self.learned)
        got = self._memos.get(name)
        if got is None or got[0] != key:
            got = self._memos[name] = (key, compute())
        return got[1]

    def best(self) -> float:
        """The most it believes it can get: the best open deal every other veto party would
        accept at the reservations it believes (its best open deal if there is none)."""
        return self._memo("best", self._read_best)

    def _read_best(self) -> float:
        m, p, others = self.model, self.party, self.others
        believed_ok = at_least(m.board.utility[:, others], self.believed()[others]).all(axis=1)
        u = m.board.utility[:, p]
        zone = m.open & believed_ok
        pool = zone if zone.any() else m.open
        return float(u[pool].max()) if pool.any() else float(m.war.reservation[p])

    # --- each step --------------------------------------------------------------------------

    def concede(self) -> None:
        m, p = self.model, self.party
        memory = self.strategy.classifier["memory"]
        # Steps so far: 0 at the first step, the deadline's at the last, so a strategy asks
        # for its best at the first step and its reservation at the deadline.
        s = Situation(step=m.steps - 1, deadline=m.deadline - 1, best=self.best(),
                      reservation=float(m.war.reservation[p]), previous=self.previous,
                      received=tuple(self.received[-memory:]) if memory and self._fresh
                      else (), planned=self.planned())
        self._fresh = False  # each offer received moves a reactive strategy once
        self.previous = self.aspiration = self.strategy.aspiration(s, m.rng)

    def planned(self) -> float | None:
        """What subgame-perfect play to the deadline gives it now, planned on the open deals
        and the reservations it believes (made again when either moves); None unless it plays
        that strategy and the bargainers propose in turn without a mediator."""
        m = self.model
        d = m.problem.dynamics
        if (not isinstance(self.strategy, SubgamePerfect) or d.mediator is not None
                or d.proposers != "alternating" or m.steps > m.deadline):
            return None
        start, values = self._memo("plan", self._read_plan)
        return float(values[m.steps - start, self.party])

    def _read_plan(self) -> tuple[int, np.ndarray]:
        m, t = self.model, self.model.steps
        proposers = m.order[(np.arange(t, m.deadline + 1) - 1) % len(m.order)]
        return t, plan(m.board.utility, m.open, self.believed(), m.problem.patience, m.veto,
                       proposers)

    def propose(self) -> int | None:
        """The open deal worth its aspiration to it that is best for the others: the least
        share, over the other veto parties, of the way from their believed reservation to
        their best, then the total utility."""
        m, p = self.model, self.party
        allowed = m.open & at_least(m.board.utility[:, p], self.aspiration)
        return pick(self._for_others(), m.board.total, allowed)

    def _for_others(self) -> np.ndarray:
        """(C,) how good each candidate is for the others (see `propose`)."""
        return self._memo("score", self._read_score)

    def _read_score(self) -> np.ndarray:
        m, others = self.model, self.others
        u = m.board.utility
        if not others.any():
            return u[:, self.party]
        return ((u[:, others] - self.believed()[others]) / m.span[others]).min(axis=1)

    def accepts(self, c: int) -> bool:
        """Worth its aspiration and its reservation now (ratifiability is the model's test)."""
        u = float(self.model.board.utility[c, self.party])
        bar = max(self.aspiration, float(self.model.war.reservation[self.party]))
        return u >= bar - ACCEPT_TOL  # at_least, on one number

    def hear(self, c: int, proposer: int | None, accepted: np.ndarray) -> None:
        """Learn from an offer and the answers: an offer from another is remembered (tit for
        tat reads it); with private information, an acceptance bounds a party's reservation
        (it accepts only deals worth at least that) and a rejection moves the belief up
        toward the offer's value to it, by the `learning` rate times the share of the time to
        the deadline gone: early on a rejection shows what a party asks for, near the
        deadline what it needs."""
        m = self.model
        if proposer != self.party:
            self.received.append(float(m.board.utility[c, self.party]))
            self._fresh = True
        if not m.problem.dynamics.private:
            return
        value = m.board.utility[c] - m.war.reservation  # the offer's worth over each truth
        said = m.veto & (np.arange(len(value)) != self.party)
        up = said & ~accepted
        weight = m.problem.dynamics.learning * min(1.0, m.steps / m.deadline)
        self.error[up] += weight * np.maximum(0.0, value[up] - self.error[up])
        down = said & accepted
        self.error[down] = np.minimum(self.error[down], value[down])
        self.learned += 1


class Mediator(mesa.Agent):
    """The single negotiating text (Fisher's procedure, used at Camp David; Raiffa 1982): the
    mediator drafts one text, every side objects by saying what it still needs (its
    aspiration), and the mediator revises, each step, toward what all could accept. A neutral
    mediator drafts the open text that leaves the least satisfied veto party the largest share
    of its range above its demand (the total utility breaks ties, so the text is never beaten
    for everyone); a party mediating drafts, among the texts that meet every demand, the one
    it likes best."""

    def __init__(self, model, party: int | None):
        super().__init__(model)
        self.party = party  # None: neutral

    def draft(self) -> int | None:
        m = self.model
        u = m.board.utility
        demand = np.array([n.aspiration for n in m.negotiators])
        who = m.bargainers  # the veto parties, or everyone if none has a veto
        if self.party is not None:
            meets = m.open & at_least(u[:, who], demand[who]).all(axis=1) & at_least(
                u[:, self.party], demand[self.party])
            if meets.any():
                return pick(u[:, self.party], m.board.total, meets)
        score = ((u[:, who] - demand[who]) / m.span[who]).min(axis=1)
        return pick(score, m.board.total, m.open)


class Electorate(mesa.Agent):
    """The voters of every binding body, as arrays: a mood (a logit added to every voter's)
    that drifts with war fatigue and noise and jumps at events, the candidates' P(pass) at it,
    and the votes. Like the war, the mood's path is drawn when the run starts."""

    def __init__(self, model, steps: int):
        super().__init__(model)
        d = model.problem.dynamics
        moves = d.mood_drift + d.mood_noise * (model.rng.standard_normal(steps)
                                               if d.mood_noise else np.zeros(steps))
        for e in d.events:
            if e.what == "mood" and e.step <= steps:
                moves[e.step - 1] += e.value
        self.moods = np.concatenate([[0.0], np.cumsum(moves)])  # row t: after step t
        self.mood = 0.0
        self.p_pass = model.board.p_pass_at(0.0)  # (C, B)

    def step(self, t: int) -> bool:
        """Move to step t; True if the mood moved."""
        if self.moods[t] == self.mood:
            return False
        self.mood = float(self.moods[t])
        self.p_pass = self.model.board.p_pass_at(self.mood)
        return True

    def ratifiable(self) -> np.ndarray:
        """(C,) every binding body passes the candidate with P at least the minimum, now."""
        return self.model.problem.passes(self.p_pass).all(axis=1)

    def confirms(self, c: int) -> bool:
        """The exact test of one deal at the current mood (the table is interpolated)."""
        return bool(self.model.problem.passes(self.model.board.p_pass_exact(c, self.mood)).all())

    def vote(self, c: int) -> tuple[bool, list[str]]:
        """Each body that votes on the deal passes it with its P(pass) now; the bodies vote
        independently. Returns (ratified, the bodies that rejected it)."""
        m = self.model
        p = m.board.p_pass_exact(c, self.mood)
        draws = m.rng.random(len(p))
        failed = [b.name for b, applies, pi, x in zip(m.problem.bodies, m.board.applies[c], p,
                                                      draws, strict=True)
                  if applies and not x < pi]
        return not failed, failed
