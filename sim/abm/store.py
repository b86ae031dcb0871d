"""Runs of the talks on disk: Parquet parts written as batches finish, each under a temporary
name and renamed, so an interrupted run loses nothing it finished. `runs/part-N.parquet` has a
row per run; `steps/part-N.parquet` a row per run and step. Both read directly in pandas
(`pd.read_parquet(DIR / "runs")`) and DuckDB (`select * from 'DIR/runs/*.parquet'`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from sim.parquet import write_whole


def write_part(out: Path, i: int, problem, board, chunk: list) -> None:
    _write(out / "runs", i, _runs_table(problem, board, chunk))
    _write(out / "steps", i, _steps_table(problem, board, chunk))


def _write(folder: Path, i: int, table: pa.Table) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_whole(table, folder / f"part-{i:05d}.parquet")


def _runs_table(problem, board, chunk: list) -> pa.Table:
    cols: dict[str, list] = {"run": [r.run for r in chunk], "ended": [r.ended for r in chunk],
                             "ended_at": [r.ended_at for r in chunk],
                             "detail": [r.detail for r in chunk],
                             "agreed_at": [r.agreed_at for r in chunk],
                             "failed_votes": [r.failed_votes for r in chunk],
                             "reneged": [r.reneged for r in chunk]}
    for k, issue in enumerate(problem.issues):
        values = [None if r.deal is None else problem.levels[k][int(board.idx[r.deal, k])]
                  for r in chunk]
        cols[f"deal.{issue}"] = [None if v is None else str(v) for v in values]
    for p, party in enumerate(problem.parties):
        cols[f"utility.{party}"] = [None if r.utility is None else float(r.utility[p])
                                    for r in chunk]
        cols[f"expected_utility.{party}"] = [None if r.expected is None else float(r.expected[p])
                                             for r in chunk]
        cols[f"cost_paid.{party}"] = [float(r.cost_paid[p]) for r in chunk]
    return pa.table(cols)


def _steps_table(problem, board, chunk: list) -> pa.Table:
    lengths = [len(r.mood) for r in chunk]
    cols: dict[str, np.ndarray] = {
        "run": np.repeat([r.run for r in chunk], lengths),
        "step": np.concatenate([np.arange(1, n + 1) for n in lengths])}
    for p, party in enumerate(problem.parties):
        cols[f"aspiration.{party}"] = np.concatenate([r.aspiration[:, p] for r in chunk])
        cols[f"reservation.{party}"] = np.concatenate([r.reservation[:, p] for r in chunk])
    for k in problem.outlook_issues:
        cols[f"outlook.{problem.issues[k]}"] = np.concatenate([r.outlook[:, k] for r in chunk])
    cols["mood"] = np.concatenate([r.mood for r in chunk])
    offers = np.concatenate([r.offer for r in chunk])
    for p, party in enumerate(problem.parties):
        u = np.where(offers >= 0, board.utility[np.maximum(offers, 0), p], np.nan)
        cols[f"offer.utility.{party}"] = u
    return pa.table(cols)
