"""The talks as a Mesa model: one step is one round of offers.

A step, in this order (explicit stages, not a random activation):
  1. the war moves the no-deal outlook and the costs; reservations follow;
  2. the electorate's mood moves; the candidates' P(pass) follow;
  3. a deal signed `ratification_delay` steps ago goes to the votes, after each veto party
     checks it is still worth its reservation (a party for whom it no longer is reneges);
  4. otherwise the negotiators set their aspirations, the mediator drafts a text or the
     proposer of the step makes an offer, and every veto party answers; the text is signed
     when all accept and every binding body would pass it with at least the scenario's
     minimum P at the current mood; with no delay it goes to the votes at once;
  5. the talks end when a deal is ratified, a vote fails and failure ends them, a veto party
     has had nothing on the table worth its reservation for `walk_out_after` steps, or the
     deadline passes.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from sim.abm import concession
from sim.abm.agents import Electorate, Mediator, Negotiator
from sim.abm.board import Board
from sim.abm.war import War
from sim.problem import at_least

STEP_COLUMNS = ("step", "aspiration", "reservation", "outlook", "mood", "offer")
"""The per-step table: aspirations and reservations per party, the outlook per issue (NaN off
it), the mood, and the candidate on the table (None when nobody offered)."""


@dataclass(frozen=True)
class Ending:
    """How a run ended: `reason` is ratified, rejected, collapsed, deadline, talking (the
    run's last step came first), or None while the talks go on."""

    reason: str | None = None
    step: int | None = None
    detail: str = ""


class Talks(mesa.Model):
    def __init__(self, board: Board, steps: int, rng: np.random.Generator):
        super().__init__(rng=rng)
        self.board, self.problem = board, board.problem
        d, p = self.problem.dynamics, self.problem
        self.horizon = steps  # the run stops here; the talks end at the deadline
        self.deadline = d.deadline or steps
        self.veto = p.veto.copy()
        self.bargainers = p.bargainers  # the veto parties, or everyone if none has a veto
        self.order = np.flatnonzero(self.bargainers)  # who proposes, in turn
        u = board.utility
        self.span = np.maximum(u.max(axis=0) - u.min(axis=0), 1e-9) if len(u) else np.ones(
            len(p.parties))
        self.war = War(p, steps, self.rng)
        self.electorate = Electorate(self, steps)
        self.struck = np.zeros(len(board), dtype=bool)  # deals voted down
        self.open = self._open()
        self.table_moved = 0  # counts the changes of what is open or the reservations
        n = len(p.parties)
        errors = (d.belief_bias + d.belief_noise * self.rng.standard_normal((n, n))
                  if d.private else np.zeros((n, n)))
        np.fill_diagonal(errors, 0.0)  # a party knows its own reservation
        self.negotiators = [Negotiator(self, i, concession.build(name, **params), errors[i])
                            for i, (name, params) in enumerate(d.strategies)]
        self.mediator = (None if d.mediator is None
                         else Mediator(self, None if d.mediator < 0 else d.mediator))
        self.ending = Ending()
        self.signed: int | None = None  # the deal awaiting its votes
        self.signed_at: int | None = None
        self.agreed_at: int | None = None  # the first step at which all signed
        self.deal: int | None = None  # the deal signed and not since reneged on or voted down
        self.offer: int | None = None
        self.failed_votes = 0
        self.reneged = 0
        self._empty_for = np.zeros(n, dtype=int)
        # One row per step in a DataCollector table: the values are fresh tuples and floats,
        # so nothing needs the deep copy Mesa makes of a model reporter's value.
        self.datacollector = mesa.DataCollector(tables={"steps": list(STEP_COLUMNS)})

    # --- the step ---------------------------------------------------------------------------

    def step(self) -> None:
        if self.ending.reason is not None:  # the talks are over (`running` is False)
            return
        t = self.steps
        self.offer = None
        if self.war.step(t):  # a reservation moved
            self.table_moved += 1
        if self.electorate.step(t):  # the mood moved: what is open may have
            self._reopen()
        if self.signed is not None and t >= self.signed_at + self.problem.dynamics \
                .ratification_delay:
            self._ratify(t)
        elif self.signed is None:
            self._talk(t)
        if self.ending.reason is None:
            self._walk_out(t)
        if self.ending.reason is None and t >= self.deadline and self.signed is None:
            zone = self._zone().any()
            self._end("deadline", t, "a zone of agreement was open" if zone
                      else "no deal was acceptable to every veto party")
        self.datacollector.add_table_row("steps", {
            "step": t, "aspiration": tuple(a.aspiration for a in self.negotiators),
            "reservation": tuple(self.war.reservation.tolist()),
            "outlook": tuple(self.war.outlook.tolist()), "mood": self.electorate.mood,
            "offer": self.offer})

    def _talk(self, t: int) -> None:
        for n in self.negotiators:
            n.concede()
        proposer = None
        if self.mediator is not None:
            c = self.mediator.draft()
        else:
            proposer = self._proposer(t)
            c = self.negotiators[proposer].propose()
        self.offer = c
        if c is None:
            return
        accepted = np.array([n.accepts(c) if self.veto[n.party] else True
                             for n in self.negotiators])
        for n in self.negotiators:
            n.hear(c, proposer, accepted)
        if accepted.all() and self.electorate.confirms(c):
            self.signed, self.signed_at, self.deal = c, t, c
            if self.agreed_at is None:
                self.agreed_at = t
            if self.problem.dynamics.ratification_delay == 0:
                self._ratify(t)

    def _ratify(self, t: int) -> None:
        c, self.signed = self.signed, None
        u = self.board.utility[c]
        if not at_least(u[self.veto], self.war.reservation[self.veto]).all():
            self.reneged += 1  # the war moved a reservation above the deal: back to talks
            self.deal = None
            return
        ratified, failed = self.electorate.vote(c)
        if ratified:
            self._end("ratified", t)
            return
        self.failed_votes += 1
        self.struck[c] = True
        self._reopen()
        if self.problem.dynamics.collapse_on_rejection:
            self._end("rejected", t, ", ".join(failed))
        else:
            self.deal = None

    def _walk_out(self, t: int) -> None:
        after = self.problem.dynamics.walk_out_after
        if after is None:
            return
        u = self.board.utility
        has = (self.open[:, None] & at_least(u, self.war.reservation)).any(axis=0)
        self._empty_for = np.where(has, 0, self._empty_for + 1)
        out = np.flatnonzero(self.veto & (self._empty_for >= after))
        if len(out):
            self._end("collapsed", t, self.problem.parties[out[0]])

    def _end(self, reason: str, t: int, detail: str = "") -> None:
        self.ending = Ending(reason, t, detail)
        self.running = False

    # --- helpers ----------------------------------------------------------------------------

    def _reopen(self) -> None:
        now = self._open()
        if not np.array_equal(now, self.open):
            self.open = now
            self.table_moved += 1

    def _open(self) -> np.ndarray:
        """Candidates on the table: every binding body would pass them now, not voted down."""
        return self.electorate.ratifiable() & ~self.struck

    def _zone(self) -> np.ndarray:
        """Open candidates every veto party accepts at its reservation now."""
        u = self.board.utility
        return self.open & at_least(u[:, self.veto], self.war.reservation[self.veto]).all(
            axis=1)

    def _proposer(self, t: int) -> int:
        """The bargainers in turn, or one drawn by power (`dynamics.proposers`)."""
        if self.problem.dynamics.proposers == "alternating":
            return int(self.order[(t - 1) % len(self.order)])
        power = self.problem.power[self.order]
        return int(self.rng.choice(self.order, p=power / power.sum()))

    def run(self) -> Talks:
        while self.running and self.steps < self.horizon:
            self.step()
        if self.ending.reason is None:  # the run's horizon came before the talks ended
            self._end("talking", self.steps,
                      "a signed deal awaits its votes" if self.signed is not None else "")
        return self
