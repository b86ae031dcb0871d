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
    """The war's path over the whole run, drawn when the run starts: nothing at the table
    moves the front, so the outlook, the costs and the reservations of every step are known
    in advance and the reservations come from one vectorised `reservation_at` call."""

    def __init__(self, problem: Problem, steps: int, rng: np.random.Generator):
        self.problem = problem
        d = problem.dynamics
        n_parties = len(problem.parties)
        outlook = np.repeat(problem.outlook[None], steps + 1, axis=0)  # row t: after step t
        cost = np.repeat(problem.cost[None], steps + 1, axis=0)
        fixed = np.repeat(problem.reservation[None], steps + 1, axis=0)
        walks = np.flatnonzero((d.outlook_drift != 0) | (d.outlook_noise != 0))
        costs = bool((d.cost_drift != 0).any() or (d.cost_noise != 0).any())
        lo, hi = _ranges(problem)
        shocks = rng.standard_normal((steps, len(walks))) if len(walks) else None
        cost_shocks = rng.standard_normal((steps, n_parties)) if costs else None
        for t in range(1, steps + 1):
            outlook[t], cost[t], fixed[t] = outlook[t - 1], cost[t - 1], fixed[t - 1]
            if shocks is not None:
                move = d.outlook_drift[walks] + d.outlook_noise[walks] * shocks[t - 1]
                outlook[t, walks] = np.clip(outlook[t, walks] + move, lo[walks], hi[walks])
            if cost_shocks is not None:
                cost[t] = cost[t] + d.cost_drift + d.cost_noise * cost_shocks[t - 1]
            for e in d.events:
                if e.step == t and e.what != "mood":
                    {"outlook": outlook, "cost": cost, "reservation": fixed}[e.what][
                        t, e.index] = e.value
        self.outlooks, self.costs = outlook, cost
        moved = shocks is not None or costs or any(e.what != "mood" for e in d.events)
        self.reservations = (np.where(problem.derived, problem.reservation_at(outlook, cost),
                                      fixed) if moved else fixed)
        self._moves = np.r_[False, (self.reservations[1:] != self.reservations[:-1]).any(
            axis=1)]
        self.outlook, self.cost = self.outlooks[0], self.costs[0]
        self.reservation = self.reservations[0]

    def step(self, t: int) -> bool:
        """Move to step t; True if a reservation moved."""
        self.outlook, self.cost = self.outlooks[t], self.costs[t]
        self.reservation = self.reservations[t]
        return bool(self._moves[t])


def _ranges(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Each numeric issue's range (0, 0 for the others, which never walk)."""
    pairs = [(float(lv[0]), float(lv[-1])) if kind == "numeric" else (0.0, 0.0)
             for lv, kind in zip(problem.levels, problem.kinds, strict=True)]
    return np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])
