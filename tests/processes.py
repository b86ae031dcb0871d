"""Real processes for the tests that kill them: start `python -m sim ...` and wait until it
has written some Parquet parts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def start_sim(*args: str) -> subprocess.Popen:
    """`python -m sim ARGS` in the repository, its output discarded."""
    return subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=ROOT, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_parts(proc: subprocess.Popen, folder: Path, count: int,
                   timeout: float = 120) -> None:
    """Until `folder` holds `count` parts; fails if the process ends first or time runs out."""
    deadline = time.monotonic() + timeout
    while len(list(folder.glob("part-*.parquet"))) < count:
        assert proc.poll() is None, "the process ended before it was killed"
        assert time.monotonic() < deadline, f"fewer than {count} parts within {timeout:g} s"
        time.sleep(0.05)
