"""The war as a process of the model: each step the no-deal outlook moves, the cost of
conflict moves, scheduled events happen, and the reservations follow.

The outlook's numeric terms take a random walk (drift plus normal noise per step, kept within
the issue's range); its discrete terms move only by events. `no_deal.cost` is the present
value of continuing the conflict, as the solver reads it; it drifts too. A derived reservation
is then `Problem.reservation_at(outlook, cost)`, the solver's formula, so at the nominal
outlook the model starts exactly where the solver stands. What one step of conflict costs a
party is its cost times (1 - patience): an endless war at that rate, discounted by patience
per step, costs exactly `no_deal.cost`.
"""

from __future__ import annotations

import numpy as np

from sim.problem import Problem


class War:
    def __init__(self, problem: Problem, rng: np.random.Generator):
        self.problem, self.rng = problem, rng
        d = problem.dynamics
        self.outlook = problem.outlook.copy()
        self.cost = problem.cost.copy()
        self.fixed = problem.reservation.copy()  # fixed reservations; events may set them
        self.reservation = problem.reservation.copy()
        self.paid = np.zeros(len(problem.parties))  # what the steps so far cost, undiscounted
        self._walks = np.flatnonzero((d.outlook_drift != 0) | (d.outlook_noise != 0))
        self._costs = bool((d.cost_drift != 0).any() or (d.cost_noise != 0).any())
        levels = problem.levels
        self._lo = np.array([float(lv[0]) if kind == "numeric" else 0.0
                             for lv, kind in zip(levels, problem.kinds, strict=True)])
        self._hi = np.array([float(lv[-1]) if kind == "numeric" else 0.0
                             for lv, kind in zip(levels, problem.kinds, strict=True)])

    @property
    def step_cost(self) -> np.ndarray:
        """(P,) what one more step of conflict costs each party now."""
        return self.cost * (1 - self.problem.patience)

    def step(self, t: int) -> list[str]:
        """Move to step t; returns the notes of the events that happened."""
        d, moved, notes = self.problem.dynamics, False, []
        self.paid += self.step_cost
        if len(self._walks):
            k = self._walks
            move = d.outlook_drift[k] + d.outlook_noise[k] * self.rng.standard_normal(len(k))
            self.outlook[k] = np.clip(self.outlook[k] + move, self._lo[k], self._hi[k])
            moved = True
        if self._costs:
            n = len(self.cost)
            self.cost = self.cost + d.cost_drift + d.cost_noise * self.rng.standard_normal(n)
            moved = True
        for e in d.events:
            if e.step != t or e.what == "mood":
                continue
            if e.what == "outlook":
                self.outlook[e.index] = e.value
            elif e.what == "cost":
                self.cost[e.index] = e.value
            else:
                self.fixed[e.index] = e.value
            moved = True
            notes.append(e.note)
        if moved:
            r = self.problem.reservation_at(self.outlook, self.cost)
            self.reservation = np.where(self.problem.derived, r, self.fixed)
        return notes
