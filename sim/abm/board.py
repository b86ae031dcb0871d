"""What every run of the talks reads, computed once per Problem: the candidate deals, their
utilities, and their P(pass) at any mood the electorate can reach.

The model never enumerates the deal space while it runs: it proposes from candidates computed
once, the feasible deals not dominated in utility and support (so for any reservations and
moods every deal worth proposing is one of them or matched by one), and each step
re-evaluates only what moves over them. A deal voted down is struck off the table, which
can make a deal it dominated worth proposing: so where a binding body votes and the space
has at most LAYERED_UP_TO deals, the board keeps the first LAYERS layers of non-dominated
deals, which hold every deal worth proposing after any strikes of deals in the first two;
otherwise the first layer (without a vote nothing is ever struck).

P(pass) moves with the mood; it is tabulated over a grid of mood shifts covering where the
mood can go and read by linear interpolation, so a step costs O(candidates), not a
vote model's evaluation. The grid is 0.05 logits fine unless that would hold more than
TABLE_CELLS values (very many candidates), when it coarsens to fit. The deal a party agrees
to is checked exactly (`p_pass_exact`), so the grid only decides what is offered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.problem import Problem

MOOD_STEP = 0.05  # logits between tabulated moods: interpolation error below 1e-4 in P
MOOD_SPAN = 8.0  # logits either side at most: beyond, P(pass) is 0 or 1 to many decimals
LAYERS = 3  # layers of the frontier kept where the space is small enough to enumerate
LAYERED_UP_TO = 1 << 23  # deals (the default scenario has 6.4M): beyond, the first layer only
TABLE_CELLS = 1 << 23  # P(pass) values tabulated at most (64 MB): past it the grid coarsens


@dataclass(frozen=True)
class Board:
    problem: Problem
    idx: np.ndarray  # (C, K) the candidate deals
    utility: np.ndarray  # (C, P)
    applies: np.ndarray  # (C, B) which binding bodies vote on each candidate
    moods: np.ndarray  # (G,) the tabulated mood shifts, evenly spaced
    p_pass: np.ndarray  # (G, C, B) P(pass) at each, 1 where a body does not vote

    @classmethod
    def of(cls, problem: Problem, steps: int) -> Board:
        """The board for runs of `steps` steps (the moods tabulated are those reachable)."""
        from sim.solver.frontier import candidates, layered_candidates

        # Only a failed vote strikes a deal: without a binding body, one layer is enough.
        layered = bool(problem.bodies) and problem.total <= LAYERED_UP_TO
        found = layered_candidates(problem, LAYERS) if layered else candidates(problem)
        reach = min(_mood_reach(problem, steps), MOOD_SPAN)
        per_mood = max(1, len(found.idx) * len(problem.bodies))
        step = max(MOOD_STEP, 2 * reach * per_mood / TABLE_CELLS)  # memory stays bounded
        half = math.ceil(reach / step)
        moods = step * np.arange(-half, half + 1)
        applies = problem.ratification(found.idx)[0]
        p = np.stack([problem.ratification(found.idx, m)[1] for m in moods])
        return cls(problem, found.idx, found.utility, applies, moods, p)

    @cached_property
    def total(self) -> np.ndarray:
        """(C,) the candidates' utility summed over parties (what breaks ties)."""
        return self.utility.sum(axis=1)

    def __len__(self) -> int:
        return len(self.idx)

    def p_pass_at(self, mood: float) -> np.ndarray:
        """(C, B) P(pass) of every candidate at a mood shift, interpolated."""
        if len(self.moods) == 1:
            return self.p_pass[0]
        step = self.moods[1] - self.moods[0]
        x = (min(max(mood, self.moods[0]), self.moods[-1]) - self.moods[0]) / step
        i = min(int(x), len(self.moods) - 2)
        w = x - i
        return (1 - w) * self.p_pass[i] + w * self.p_pass[i + 1]

    def p_pass_exact(self, c: int, mood: float) -> np.ndarray:
        """(B,) P(pass) of candidate c at a mood, from the bodies' models."""
        return self.problem.ratification(self.idx[c:c + 1], mood)[1][0]


def _mood_reach(problem: Problem, steps: int) -> float:
    """How far the mood can move in `steps` steps: the drift, five sd of the noise, and the
    events' shocks (beyond five sd the mood is read at the grid's edge)."""
    d = problem.dynamics
    if not problem.bodies:
        return 0.0
    shocks = sum(abs(e.value) for e in d.events if e.what == "mood")
    return abs(d.mood_drift) * steps + 5 * d.mood_noise * math.sqrt(steps) + shocks
