"""Parquet parts written whole or not at all: under a temporary name starting with a dot
(which readers skip), flushed to disk, then renamed. A crash, of the process or of the
machine, leaves the whole part or none. Both stores (a simulation's, a sweep's) write so."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def write_whole(table: pa.Table, final: Path) -> Path:
    temp = final.with_name(f".{final.name}.tmp")
    pq.write_table(table, temp)
    with open(temp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(temp, final)
    return final
