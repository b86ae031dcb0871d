"""What many runs of the talks show: how often they agree and ratify, by when, how they end
and why, which deals they reach, and their trajectories. A frozen Result, no Problem inside.

Shares carry Wilson 95% intervals (sim.intervals). Time to agreement is a Kaplan-Meier
curve (Kaplan and Meier 1958): runs that end without agreement (at the deadline, by a
walk-out) are censored at their last step, so the curve is the chance of still talking, had
nothing else ended the talks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from sim.intervals import Share
from sim.results import Provenance, Scalar, named

REASONS = ("ratified", "rejected", "collapsed", "deadline", "talking")
"""How a run ends: a deal ratified; a vote failed and that ended the talks; a veto party walked
out; the deadline passed; or the run's last step came first (still talking: censored)."""
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)  # the fan charts' bands
KEEP_TRAJECTORIES = 1000  # runs whose per-step rows the summary keeps (memory stays bounded)


def kaplan_meier(times: np.ndarray, event: np.ndarray) -> list[tuple[int, float]]:
    """(step, share still without agreement after it) at each step an agreement happened."""
    out, surviving = [], 1.0
    for t in np.unique(times[event]):
        at_risk = int((times >= t).sum())
        surviving *= 1 - int(((times == t) & event).sum()) / at_risk
        out.append((int(t), surviving))
    return out


@dataclass(frozen=True)
class Reached:
    """A deal runs ended on: its terms, U, mean EU at the step of agreement, how often."""

    terms: dict
    utility: dict[str, float]
    expected_utility: dict[str, float]
    count: int
    ratified: int

    def to_dict(self) -> dict:
        return {"terms": self.terms, "utility": self.utility,
                "expected_utility": self.expected_utility, "count": self.count,
                "ratified": self.ratified}


@dataclass(frozen=True)
class SimulationResult:
    name: str
    parties: tuple[str, ...]
    unit: str
    runs: int  # runs done (fewer than asked when the budget ran out)
    asked: int
    steps: int
    seed: int
    agreed: Share
    ratified: Share
    by_step: dict[str, np.ndarray]  # "agreed", "ratified": cumulative shares per step
    ended: dict[str, int]
    why: dict[str, int]  # "<reason>: <detail>" -> runs
    reneged: int  # runs in which a party reneged on a signed deal before the votes
    failed_votes: int  # runs in which a vote failed and the talks resumed or ended
    cost_paid: dict[str, float]  # mean over runs of what the conflict cost during the talks
    events: tuple[tuple[int, str], ...]  # the scheduled events: (step, note)
    deals: tuple[Reached, ...]
    quartiles: tuple[float, float, float] | None  # steps to agreement among runs agreeing
    survival: tuple[tuple[int, float], ...]
    trajectories: dict[str, np.ndarray] = field(repr=False)  # name -> (steps, quantiles)
    provenance: Provenance | None = None

    def to_dict(self) -> dict:
        return {
            "name": self.name, "runs": self.runs, "runs_asked": self.asked,
            "steps": self.steps, "unit": self.unit, "seed": self.seed,
            "agreed": self.agreed.to_dict(), "ratified": self.ratified.to_dict(),
            "by_step": {k: [float(x) for x in v] for k, v in self.by_step.items()},
            "ended": self.ended, "why": self.why, "reneged": self.reneged,
            "failed_votes": self.failed_votes, "cost_paid": self.cost_paid,
            "events": [{"step": t, "note": note} for t, note in self.events],
            "deals": [d.to_dict() for d in self.deals],
            "time_to_agreement": {
                "quartiles": list(self.quartiles) if self.quartiles else None,
                "kaplan_meier": [{"step": s, "still_talking": p} for s, p in self.survival]},
            "trajectories": {
                "quantiles": list(QUANTILES),
                "series": {k: [[_number(x) for x in row] for row in v]
                           for k, v in self.trajectories.items()}},
            "provenance": self.provenance.to_dict() if self.provenance else None,
        }

    def metrics(self) -> dict[str, Scalar]:
        out: dict[str, Scalar] = {
            "runs": self.runs, "agreed": self.agreed.share, "ratified": self.ratified.share,
            "median_steps_to_agreement": self.quartiles[1] if self.quartiles else None}
        out.update({f"ended.{r}": self.ended.get(r, 0) / max(1, self.runs) for r in REASONS})
        return out

    def to_frame(self):
        """The trajectories: one row per step, a column per series and quantile."""
        import pandas as pd

        cols = {f"{k}.q{int(q * 100):02d}": v[:, j] for k, v in self.trajectories.items()
                for j, q in enumerate(QUANTILES)}
        return pd.DataFrame(cols, index=pd.RangeIndex(1, self.steps + 1, name="step"))


def _number(x: float) -> float | None:
    """A band as JSON has it: null where no run had a value (no offer on the table)."""
    return None if x != x else float(x)


def summarise(problem, board, runs: list, asked: int, steps: int, seed: int,
              kept: dict[str, list]) -> SimulationResult:
    """The result of `runs` (Run records without their step arrays) and the per-step series
    of the first KEEP_TRAJECTORIES runs (`kept`: name -> list of (steps,) arrays)."""
    n = len(runs)
    agreed_at = np.array([r.agreed_at if r.agreed_at is not None else 0 for r in runs])
    did = agreed_at > 0
    ratified = np.array([r.ended == "ratified" for r in runs], dtype=bool)
    ended_at = np.array([r.ended_at for r in runs])
    t = np.arange(1, steps + 1)
    by_step = {"agreed": ((did[None] & (agreed_at[None] <= t[:, None])).mean(axis=1)
                          if n else np.zeros(steps)),
               "ratified": ((ratified[None] & (ended_at[None] <= t[:, None])).mean(axis=1)
                            if n else np.zeros(steps))}
    ended = {reason: c for reason in REASONS if (c := sum(r.ended == reason for r in runs))}
    why = dict(Counter(f"{r.ended}: {r.detail}" for r in runs if r.detail).most_common())
    groups: dict[int, list] = {}
    for r in runs:
        if r.deal is not None:
            groups.setdefault(r.deal, []).append(r)
    deals = tuple(sorted((Reached(
        terms=problem.terms(board.idx[c]),
        utility=named(problem.parties, board.utility[c]),
        expected_utility=named(problem.parties, np.mean([r.expected for r in rs], axis=0)),
        count=len(rs), ratified=sum(r.ended == "ratified" for r in rs))
        for c, rs in groups.items()), key=lambda d: -d.count))
    quartiles = (tuple(float(q) for q in np.quantile(agreed_at[did], (0.25, 0.5, 0.75)))
                 if did.any() else None)
    times = np.where(did, agreed_at, ended_at)
    trajectories = _bands(kept, steps)
    return SimulationResult(
        name=problem.name, parties=problem.parties,
        unit=problem.dynamics.unit, runs=n, asked=asked, steps=steps, seed=seed,
        agreed=Share(int(did.sum()), n), ratified=Share(int(ratified.sum()), n),
        by_step=by_step, ended=ended, why=why, reneged=sum(r.reneged > 0 for r in runs),
        failed_votes=sum(r.failed_votes > 0 for r in runs), deals=deals,
        cost_paid=named(problem.parties, np.mean([r.cost_paid for r in runs], axis=0)
                        if n else np.zeros(len(problem.parties))),
        events=tuple((e.step, e.note or f"{e.what} set") for e in problem.dynamics.events),
        quartiles=quartiles,
        survival=tuple(kaplan_meier(times, did)), trajectories=trajectories,
        provenance=Provenance(problem.scenario_hash, seed=seed))


def _bands(kept: dict[str, list[np.ndarray]], steps: int) -> dict[str, np.ndarray]:
    """name -> (steps, quantiles) over runs (a run that ended early holds its last value),
    every series in one vectorised pass."""
    if not kept or not next(iter(kept.values())):
        return {k: np.full((steps, len(QUANTILES)), np.nan) for k in kept}
    held = np.stack([[np.concatenate([s, np.full(steps - len(s), s[-1] if len(s) else np.nan)])
                      for s in series] for series in kept.values()])  # (series, runs, steps)
    n, runs = held.shape[:2]
    bands = nan_quantiles(held.transpose(1, 0, 2).reshape(runs, n * steps), QUANTILES)
    bands = bands.reshape(len(QUANTILES), n, steps).transpose(1, 2, 0)
    return dict(zip(kept, bands, strict=True))


def nan_quantiles(x: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """np.nanquantile(x, qs, axis=0) (linear interpolation), vectorised over the columns:
    numpy's own loops over them in Python."""
    ordered = np.sort(x, axis=0)  # NaN sorts last
    n = (~np.isnan(x)).sum(axis=0)
    out = np.full((len(qs), x.shape[1]), np.nan)
    has = n > 0
    if not has.any():
        return out
    cols = np.flatnonzero(has)
    for i, q in enumerate(qs):
        pos = q * (n[cols] - 1)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, n[cols] - 1)
        w = pos - lo
        out[i, cols] = (1 - w) * ordered[lo, cols] + w * ordered[hi, cols]
    return out
