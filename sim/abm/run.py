"""Our runner: many seeded runs of the talks, serially or in worker processes.

Run r draws from `seeds.generator(seed, 0, r)` (in a sweep, `(seed, point, r)` with the
replicates' runs numbered on), so its outcome is the same whether it runs
alone, among others, on one worker or on many. The board (candidates and their tables) is
built once on the driver and sent to each worker. Runs are batched per task; each run comes
back as a `Run` (a few numbers and its per-step arrays), never as a Mesa model.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from sim import seeds
from sim.abm import store
from sim.abm.board import Board
from sim.abm.model import Talks
from sim.problem import Problem


@dataclass(frozen=True)
class Run:
    """One run: how it ended, the deal, and its trajectory (one row per step)."""

    run: int
    ended: str  # ratified | rejected | collapsed | deadline | talking (at the horizon)
    ended_at: int
    detail: str
    agreed_at: int | None  # the first step every veto party signed
    signed_at: int | None  # when the deal it ended on was signed
    deal: int | None  # board row of the deal it ended on: ratified, rejected, or awaiting votes
    utility: np.ndarray | None  # (P,) U of the deal
    expected: np.ndarray | None  # (P,) EU at the step of agreement (P(ratified) then)
    failed_votes: int
    reneged: int
    cost_paid: np.ndarray  # (P,) what the steps of conflict during the talks cost each party
    aspiration: np.ndarray | None  # (T, P); None once summarised
    reservation: np.ndarray  # (T, P)
    outlook: np.ndarray  # (T, K) NaN off the outlook
    mood: np.ndarray  # (T,)
    offer: np.ndarray  # (T,) board row, -1 for none

    @property
    def agreed(self) -> bool:
        return self.agreed_at is not None


def one(board: Board, steps: int, seed: int, run: int, point: int = 0) -> Run:
    """Run `run` of the seed (of design point `point` in a sweep), to the end of the talks
    or `steps` steps."""
    m = Talks(board, steps, seeds.generator(seed, point, run)).run()
    rows = m.datacollector.tables["steps"]
    ending = m.ending
    utility = expected = None
    if m.deal is not None:
        utility = board.utility[m.deal].copy()
        at = m.signed_at  # the step this deal was signed: its EU then
        r = np.asarray(rows["reservation"][at - 1])
        p = float(np.prod(board.p_pass_exact(m.deal, float(rows["mood"][at - 1]))))
        expected = p * utility + (1 - p) * r
    return Run(run=run, ended=ending.reason, ended_at=int(ending.step), detail=ending.detail,
               agreed_at=m.agreed_at, signed_at=m.signed_at, deal=m.deal, utility=utility,
               expected=expected,
               failed_votes=m.failed_votes, reneged=m.reneged,
               cost_paid=m.war.costs[1:ending.step + 1].sum(axis=0) * (1 - m.problem.patience),
               aspiration=np.array(rows["aspiration"], dtype=float),
               reservation=np.array(rows["reservation"], dtype=float),
               outlook=np.array(rows["outlook"], dtype=float),
               mood=np.array(rows["mood"], dtype=float),
               offer=np.array([-1 if o is None else o for o in rows["offer"]], dtype=np.int64))


def batch(board: Board, steps: int, seed: int, runs: range, point: int = 0) -> list[Run]:
    return [one(board, steps, seed, r, point) for r in runs]


_BOARD: Board | None = None  # a worker process's board, set once by its initializer


def _start(board: Board) -> None:
    global _BOARD
    _BOARD = board


def _batch_in_worker(steps: int, seed: int, runs: range, point: int) -> list[Run]:
    return batch(_BOARD, steps, seed, runs, point)


def runs(problem: Problem | Board, n: int, steps: int, seed: int, workers: int = 1,
         budget: float | None = None, progress=None, point: int = 0, first: int = 0):
    """Yield batches of Runs for runs 0..n-1, in run order. Past `budget` seconds no new batch
    starts (the caller reports how many ran). `progress(done, n)` follows."""
    board = problem if isinstance(problem, Board) else Board.of(problem, steps)
    size = max(1, min(50, n // max(1, 4 * workers)))
    chunks = [range(first + i, first + min(i + size, n)) for i in range(0, n, size)]
    start, done = time.monotonic(), 0

    def late() -> bool:
        return budget is not None and time.monotonic() - start > budget

    if workers <= 1:
        for chunk in chunks:
            if late():
                return
            out = batch(board, steps, seed, chunk, point)
            done += len(out)
            if progress:
                progress(done, n)
            yield out
        return
    # forkserver: forking a process that holds threads (a BLAS pool, a notebook) can deadlock
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.abm.run"])  # workers fork with sim and Mesa loaded
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start,
                             initargs=(board,)) as pool:
        pending = [pool.submit(_batch_in_worker, steps, seed, c, point) for c in chunks]
        try:
            for future in pending:
                if late():
                    break
                out = future.result()
                done += len(out)
                if progress:
                    progress(done, n)
                yield out
        finally:
            for future in pending:
                future.cancel()


def simulate(problem: Problem, *, runs_: int, steps: int, seed: int = 0, point: int = 0,
             first: int = 0, workers: int = 1,
             budget: float | None = None, out: Path | None = None, progress=None):
    """The agent-based engine: `runs_` seeded runs of `steps` steps, summarised; with `out`,
    every run's row and every step's row streamed to Parquet parts as batches finish. A sweep
    gives its design `point` and the number of the `first` run (replicates number on), so
    no two runs of a sweep share a stream."""
    from sim.abm.result import KEEP_TRAJECTORIES, summarise

    board = Board.of(problem, steps)
    done: list[Run] = []
    kept: dict[str, list] = {}
    for i, chunk in enumerate(runs(board, runs_, steps, seed, workers, budget, progress,
                                   point, first)):
        for r in chunk:
            if r.run < first + KEEP_TRAJECTORIES:
                for name, series in trajectory(problem, board, r).items():
                    kept.setdefault(name, []).append(series)
        if out is not None:
            store.write_part(out, i, problem, board, chunk)
        done.extend(replace(r, aspiration=None, reservation=None, outlook=None, mood=None,
                            offer=None) for r in chunk)
    return summarise(problem, board, done, runs_, steps, seed, kept)


def trajectory(problem: Problem, board: Board, r: Run) -> dict[str, np.ndarray]:
    """A run's per-step series by name: aspirations, reservations, the outlook's numeric
    terms, the mood, and each binding body's expected yes share of the latest text put on the
    table (at the mood of each step)."""
    out = {}
    for p, party in enumerate(problem.parties):
        out[f"aspiration.{party}"] = r.aspiration[:, p]
        out[f"reservation.{party}"] = r.reservation[:, p]
    d = problem.dynamics
    moved = {e.index for e in d.events if e.what == "outlook"}
    for k in problem.outlook_issues:  # the numeric terms the war moves
        if problem.kinds[k] == "numeric" and (d.outlook_drift[k] or d.outlook_noise[k]
                                              or k in moved):
            out[f"outlook.{problem.issues[k]}"] = r.outlook[:, k]
    out["mood"] = r.mood
    # The text on the table: the latest offer, which stays on it while its votes are awaited
    # and after the run ends (a finished run holds its last value).
    latest = np.maximum.accumulate(np.where(r.offer >= 0, np.arange(len(r.offer)), -1))
    on = latest >= 0
    text = r.offer[latest[on]]
    for b in problem.bodies:
        yes = np.full(len(r.offer), np.nan)
        if on.any():
            yes[on] = b.model.yes_share(board.idx[text], (b.shift + r.mood[on])[:, None])
        out[f"yes_share.{b.name}"] = yes
    return out
