"""Sweeps on Dask: a real scheduler and workers on 127.0.0.1, started here, give the local
executor's table; a worker killed mid-sweep changes nothing; so does a LocalCluster. Under
CI=true a missing Dask fails these tests instead of skipping them."""

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments import store
from tests.conftest import ROOT, SCENARIOS
from tests.processes import wait_for_parts

TRADE = SCENARIOS / "trade-deal.yaml"
ARGS = ["--vary", "parties.exporter.reservation=0.1:0.6", "--design", "lhs", "--samples",
        "40", "--seed", "2", "--quiet"]
DASK = Path(sys.executable).parent / "dask"


def _need_dask():
    if not DASK.exists() or shutil.which("dask", path=str(DASK.parent)) is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Dask is missing (the dask extra): CI must run these tests")
        pytest.skip("Dask is not installed (pip install -e '.[dask]')")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cluster():
    """A scheduler and two single-process workers, each its own process group."""
    _need_dask()
    port = _port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env,
             "cwd": ROOT, "start_new_session": True}
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port",
                               str(port), "--no-dashboard"], **quiet)]
    workers = [subprocess.Popen([str(DASK), "worker", address, "--nworkers", "1",
                                 "--nthreads", "1", "--no-dashboard"], **quiet)
               for _ in range(2)]
    procs += workers
    try:
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, workers
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def local_table(tmp_path):
    assert CliRunner().invoke(app, ["sweep", str(TRADE), *ARGS, "--out",
                                    str(tmp_path / "local")]).exit_code == 0
    return store.read(tmp_path / "local")


def test_a_dask_cluster_gives_the_local_table(cluster, tmp_path):
    address, _ = cluster
    r = CliRunner().invoke(app, ["sweep", str(TRADE), *ARGS, "--scheduler", address,
                                 "--out", str(tmp_path / "dask")])
    assert r.exit_code == 0, r.stderr
    pd.testing.assert_frame_equal(store.read(tmp_path / "dask"), local_table(tmp_path))


def test_a_worker_killed_mid_sweep_changes_nothing(cluster, tmp_path):
    address, workers = cluster
    out = tmp_path / "dask"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    sweep = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(TRADE), *ARGS,
                              "--scheduler", address, "--out", str(out)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_parts(sweep, out, 2)
    os.killpg(workers[0].pid, signal.SIGKILL)
    stdout, stderr = sweep.communicate(timeout=300)
    assert sweep.returncode == 0, stderr
    pd.testing.assert_frame_equal(store.read(out), local_table(tmp_path))


def test_a_local_dask_cluster_gives_the_local_table(tmp_path):
    _need_dask()
    r = CliRunner().invoke(app, ["sweep", str(TRADE), *ARGS, "--scheduler", "local",
                                 "--workers", "2", "--out", str(tmp_path / "dask")])
    assert r.exit_code == 0, r.stderr
    pd.testing.assert_frame_equal(store.read(tmp_path / "dask"), local_table(tmp_path))


def test_an_unreachable_scheduler_is_bad_input(tmp_path):
    _need_dask()
    r = CliRunner().invoke(app, ["sweep", str(TRADE), *ARGS, "--scheduler",
                                 f"tcp://127.0.0.1:{_port()}", "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "--scheduler: cannot reach" in r.stderr
