"""A sweep's folder: `manifest.json` (what was run, fixed before the first run) and Parquet
parts streamed as runs complete, each written under a temporary name and renamed, so a crash
loses nothing that finished and never leaves half a part. Every part has the schema the
manifest fixes. The folder reads in pandas (`read(DIR)`, or `pd.read_parquet(DIR,
ignore_prefixes=IGNORE)`: the manifest and the summary are not parts) and DuckDB
(`select * from 'DIR/*.parquet'`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import InputError
from sim.parquet import write_whole

MANIFEST = "manifest.json"
IGNORE = [".", "_", "manifest", "summary"]  # what a reader of the parts skips: temporary
# parts, the manifest, and what `sim results` writes (summary.md, summary-*.png)
TYPES = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}


class Store:
    def __init__(self, folder: Path, manifest: dict):
        self.folder, self.manifest = folder, manifest
        self.schema = pa.schema([(name, TYPES[kind]) for name, kind in manifest["schema"]])

    @classmethod
    def open(cls, folder: Path, manifest: dict, resume: bool) -> Store:
        """A new store, or with `resume` the existing one if it holds the same sweep (an
        InputError saying what differs otherwise)."""
        manifest = json.loads(json.dumps(manifest))  # as it reads back: lists, not tuples
        if folder.exists() and not folder.is_dir():
            raise InputError(f"--out: {folder} is a file, not a folder")
        path = folder / MANIFEST
        if path.exists():
            old = read_manifest(folder, "--out")
            if not resume:
                raise InputError(f"--out: {folder} already holds a sweep; give --resume to "
                                 "finish it, or another folder")
            differs = [k for k in sorted(set(old) | set(manifest))
                       if k in manifest["compared"] and old.get(k) != manifest.get(k)]
            if differs:
                raise InputError(f"--resume: {folder} holds a different sweep (its "
                                 f"{', '.join(differs)} differ); give another --out")
            return cls(folder, old)
        if folder.exists() and any(folder.glob("*.parquet")):
            raise InputError(f"--out: {folder} holds Parquet files but no {MANIFEST}; give "
                             "an empty folder")
        if resume and folder.exists() and any(folder.iterdir()):
            raise InputError(f"--resume: {folder} has no {MANIFEST}: not a sweep's folder")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise InputError(f"--out: cannot write to {folder}: {e.strerror}") from None
        store = cls(folder, manifest)
        store._write_manifest()
        return store

    def done(self) -> set[int]:
        """The run ids already stored."""
        return {int(r) for r in read_parts(self.folder, ["run"], "--resume")["run"]}

    def write(self, rows: list[dict]) -> Path:
        """One part with these rows (sorted by run), under a temporary name then renamed."""
        index = len(parts(self.folder))
        final = self.folder / f"part-{index:05d}.parquet"
        while final.exists():
            index += 1
            final = self.folder / f"part-{index:05d}.parquet"
        names = self.schema.names
        kinds = dict(self.manifest["schema"])
        table = pa.Table.from_pylist([{k: _as(kinds[k], r.get(k)) for k in names}
                                      for r in sorted(rows, key=lambda r: r["run"])],
                                     schema=self.schema)
        return write_whole(table, final)

    def finish(self, **fields) -> None:
        self.manifest = {**self.manifest, **fields}
        self._write_manifest()

    def _write_manifest(self) -> None:
        temp = self.folder / f".{MANIFEST}.tmp"
        temp.write_text(json.dumps(self.manifest, indent=1, sort_keys=True))
        os.replace(temp, self.folder / MANIFEST)


def read_manifest(folder: Path, option: str = "") -> dict:
    """A sweep folder's manifest (an InputError saying why when there is none, or when it
    is not a sweep's)."""
    where = f"{option}: " if option else ""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise InputError(f"{where}{folder}: no such folder (give a sweep's --out folder)")
    try:
        manifest = json.loads(path.read_text())
        manifest["schema"], manifest["compared"], manifest["spec"]  # noqa: B018 - it has them
    except FileNotFoundError:
        raise InputError(f"{where}{folder}: no {MANIFEST}, not a sweep's folder") from None
    except (ValueError, TypeError, KeyError, OSError):
        raise InputError(f"{where}{path} is not a sweep's manifest") from None
    return manifest


def parts(folder: Path) -> list[Path]:
    """The folder's parts, in the order they were written (anything else in it is not)."""
    return sorted(folder.glob("part-*.parquet"))


def read_parts(folder: Path, columns: list[str] | None = None, option: str = ""):
    """These columns of every part, one pandas DataFrame sorted by run (an InputError
    naming a part that cannot be read, or that lacks a column)."""
    import pandas as pd

    tables = []
    for p in parts(folder):
        try:
            tables.append(pq.read_table(p, columns=columns))
        except (pa.ArrowInvalid, OSError, KeyError, ValueError):
            where = f"{option}: " if option else ""
            raise InputError(f"{where}{p} cannot be read as one of this sweep's parts (not "
                             "written whole by it?): remove it and resume") from None
    if not tables:
        return pd.DataFrame({c: [] for c in columns or ["run"]})
    try:
        table = pa.concat_tables(tables)
    except pa.ArrowInvalid:
        raise InputError(f"{folder}: its parts do not share one schema") from None
    return table.to_pandas().sort_values("run").reset_index(drop=True)


def stored(folder: str | Path) -> int:
    """How many runs the folder's parts hold (0 for a folder with none)."""
    return sum(pq.ParquetFile(p).metadata.num_rows for p in parts(Path(folder)))


def read(folder: str | Path):
    """The sweep's table as a pandas DataFrame, one row per run, sorted by run (the same
    as `pd.read_parquet(DIR, ignore_prefixes=IGNORE)`, without reading what else is in the
    folder)."""
    return read_parts(Path(folder))


def _as(kind: str, value):
    """A value in its column's type (a column mixing numbers and words holds words)."""
    if value is None:
        return None
    if kind == "str":
        return str(value)
    if kind == "float" and not isinstance(value, bool):
        return float(value)
    return value
