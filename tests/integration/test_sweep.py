"""`sim sweep`: design points validated before any run, rows that match the engine called
directly, the same table on one or two worker processes, errors recorded, and a sweep killed
half way that --resume completes row for row."""

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.errors import InputError
from sim.experiments import store
from tests.conftest import ROOT, SCENARIOS
from tests.processes import ENV, start_sim, wait_for_parts

TRADE = SCENARIOS / "trade-deal.yaml"
GRID = ["--vary", "parties.exporter.reservation=0.2:0.5:4",
        "--vary", "parties.importer.reservation=0.2,0.4"]


def sweep(*args):
    return CliRunner().invoke(app, ["sweep", str(TRADE), "--quiet", *args])


def test_a_grid_sweep_stores_a_row_per_run_that_the_engine_would_give(tmp_path):
    r = sweep(*GRID, "--out", str(tmp_path / "s"))
    assert r.exit_code == 0, r.stderr
    table = store.read(tmp_path / "s")
    assert list(table["run"]) == list(range(8)) and table["error"].isna().all()
    assert list(zip(table["in.parties.exporter.reservation"],
                    table["in.parties.importer.reservation"], strict=True)) == [
        (a, b) for a in (0.2, 0.3, 0.4, 0.5) for b in (0.2, 0.4)]
    data = sim.load(TRADE).model_dump(mode="json", exclude={"extends"})
    data["parties"]["exporter"]["reservation"] = 0.4
    data["parties"]["importer"]["reservation"] = 0.2
    direct = sim.solve(sim.from_dict(data)).metrics()
    row = table.iloc[4]
    assert row["acceptable"] == direct["acceptable"] and row["zopa"] == direct["zopa"]
    assert row["nash.u.exporter"] == pytest.approx(direct["nash.u.exporter"])
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["points"] == 8 and manifest["ended"] and manifest["spec"]["design"] == "grid"


def test_the_same_table_on_one_worker_or_two(tmp_path):
    args = ["--vary", "parties.exporter.reservation=0.1:0.5", "--design", "lhs",
            "--samples", "12", "--replicates", "2", "--seed", "4"]
    assert sweep(*args, "--out", str(tmp_path / "one")).exit_code == 0
    assert sweep(*args, "--out", str(tmp_path / "two"), "--workers", "2").exit_code == 0
    pd.testing.assert_frame_equal(store.read(tmp_path / "one"), store.read(tmp_path / "two"))
    assert len(store.read(tmp_path / "one")) == 24


def test_an_invalid_design_point_is_reported_before_any_run(tmp_path):
    r = sweep("--vary", "parties.exporter.weights.tariff=-1,0.5", "--out", str(tmp_path / "s"))
    assert r.exit_code == 2
    assert "design point 0 (parties.exporter.weights.tariff=-1)" in r.stderr
    assert "no run was started" in r.stderr
    assert not list((tmp_path / "s").glob("*.parquet"))


def test_invalid_points_among_many_are_found_on_the_workers_before_any_run(tmp_path):
    """Over CHECK_CHUNK points the validation runs on the pool; the report is the same."""
    values = ",".join(["0.5"] * 299 + ["-1"] + ["0.4"] * 300)  # point 299 is invalid
    r = sweep("--vary", f"parties.exporter.weights.tariff={values}", "--workers", "2",
              "--out", str(tmp_path / "s"))
    assert r.exit_code == 2, r.stdout
    assert "design point 299 (parties.exporter.weights.tariff=-1)" in r.stderr
    assert "1 of 600 design points are invalid; no run was started" in r.stderr
    assert not list((tmp_path / "s").glob("*.parquet"))


def test_bad_specs_and_paths_say_why(tmp_path):
    r = sweep("--vary", "issues.tariff.step=1:2:2", "--out", str(tmp_path / "a"))
    assert r.exit_code == 2 and "the same at every design point" in r.stderr
    r = sweep("--vary", "parties.nobody.reservation=0:1:2", "--out", str(tmp_path / "b"))
    assert r.exit_code == 2 and "'nobody' not found under parties" in r.stderr
    r = sweep("--vary", "parties.exporter.reservation=0:1", "--design", "grid",
              "--out", str(tmp_path / "c"))
    assert r.exit_code == 2 and "a grid takes lo:hi:n or a list" in r.stderr


@pytest.mark.parametrize("failing", [1, 0], ids=["a later run", "the first run"])
def test_a_run_that_raises_is_stored_with_its_error(tmp_path, monkeypatch, failing):
    """Also the first, whose columns would have fixed the schema: the next run fixes it."""
    from sim.experiments import sweep as sweep_module

    real = sweep_module._metrics
    fails_at = (0.2, 0.3, 0.4)[failing]

    def flaky(problem, spec, run, sequence):
        if abs(problem.reservation[0] - fails_at) < 1e-9:
            raise RuntimeError("boom")
        return real(problem, spec, run, sequence)

    monkeypatch.setattr(sweep_module, "_metrics", flaky)
    result = sim.sweep(sim.load(TRADE), vary=["parties.exporter.reservation=0.2:0.4:3"],
                       out=tmp_path / "s")
    table = store.read(tmp_path / "s")
    assert result.errors == 1 and table["error"].notna().sum() == 1
    assert table.loc[failing, "error"] == "RuntimeError: boom"
    assert pd.isna(table.loc[failing, "acceptable"])
    assert table.drop(index=failing)["zopa"].all()


def test_resume_refuses_a_different_sweep(tmp_path):
    assert sweep(*GRID, "--out", str(tmp_path / "s")).exit_code == 0
    r = sweep("--vary", "parties.exporter.reservation=0.2:0.5:3", "--out", str(tmp_path / "s"),
              "--resume")
    assert r.exit_code == 2 and "holds a different sweep (its points, schema, spec differ)" \
        in r.stderr
    r = sweep(*GRID, "--out", str(tmp_path / "s"))
    assert r.exit_code == 2 and "give --resume" in r.stderr


def test_the_simulate_engine_sweeps_too(tmp_path):
    r = sweep("--vary", "parties.exporter.reservation=0.2,0.5", "--engine", "simulate",
              "--runs", "3", "--steps", "10", "--out", str(tmp_path / "s"))
    assert r.exit_code == 0, r.stderr
    table = store.read(tmp_path / "s")
    assert list(table["runs"]) == [3, 3] and table["agreed"].between(0, 1).all()


def test_a_killed_sweep_resumes_to_the_uninterrupted_table(tmp_path):
    """A real process, SIGKILLed once it has stored some parts; --resume then runs only what
    is missing, and the table equals an uninterrupted sweep's, row for row."""
    args = ["--vary", "parties.exporter.reservation=0.1:0.6", "--design", "mc",
            "--samples", "80", "--seed", "3", "--quiet"]
    whole = tmp_path / "whole"
    assert sweep(*args, "--out", str(whole)).exit_code == 0
    cut = tmp_path / "cut"
    command = ["sweep", str(TRADE), *args, "--out", str(cut)]
    proc = start_sim(*command)
    try:
        wait_for_parts(proc, cut, 3)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    partial = len(store.read(cut))
    assert 0 < partial < 80
    done = subprocess.run([sys.executable, "-m", "sim", *command, "--resume"], cwd=ROOT,
                          env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"({80 - partial} this time" in done.stdout
    pd.testing.assert_frame_equal(store.read(cut), store.read(whole))
    assert np.array_equal(store.read(cut)["run"], np.arange(80))


def test_an_interrupted_sweep_says_what_it_stored_and_how_to_finish(tmp_path):
    """Ctrl-C (SIGINT to the process group, workers included): exit 130, one line saying how
    many runs are stored, and those runs are in the folder."""
    out = tmp_path / "s"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "sweep", str(TRADE), "--vary",
         "parties.exporter.reservation=0.1:0.9", "--design", "mc", "--samples", "5000",
         "--workers", "2", "--quiet", "--out", str(out)],
        cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wait_for_parts(proc, out, 2)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert f"interrupted: {len(store.read(out))} runs stored in {out}" in err
    assert "--resume" in err and "Traceback" not in err


def test_sweep_checks_its_arguments(tmp_path):
    with pytest.raises(InputError, match="--engine: unknown engine 'nope'"):
        sim.sweep(sim.load(TRADE), vary=["parties.exporter.reservation=0.2,0.3"],
                  engine="nope", out=tmp_path / "s")


def test_inputs_a_review_found_crashing_are_bad_input(tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "manifest.json").write_text("not json")
    (tmp_path / "stale").mkdir()
    (tmp_path / "stale" / "part-00000.parquet").write_text("x")
    cases = [
        (["--vary", "parties.exporter.reservation=,"], "an empty value in the list"),
        (["--vary", "parties.exporter.reservation=0.2,0.3", "--out", str(tmp_path / "file"),
          "--resume"], "is a file, not a folder"),
        (["--vary", "parties.exporter.reservation=0.2,0.3", "--out", str(tmp_path / "bad"),
          "--resume"], "is not a sweep's manifest"),
        (["--vary", "parties.exporter.reservation=0.2,0.3", "--out", str(tmp_path / "stale")],
         "holds Parquet files but no manifest.json"),
        (["--vary", "parties.exporter.reservation=0:1", "--design", "mc", "--samples",
          "100000000"], "at most 100,000"),
        (["--vary", "parties.exporter.reservation=0.2,0.3", "--scheduler",
          "tcp://127.0.0.1:notaport", "--out", str(tmp_path / "never")], "--scheduler"),
        (["--vary", "parties.exporter.reservation=0.2,0.3", "--seed", str(2**32)],
         "[0, 2^32)"),
        (["--vary", "dynamics.proposers=alternating,by_power"], "write `dynamics: {}`"),
    ]
    for args, says in cases:
        r = sweep(*args) if "--out" in args else sweep(*args, "--out", str(tmp_path / "o"))
        assert r.exit_code == 2 and says in r.stderr, (args, r.stderr, r.exception)
    assert not (tmp_path / "never").exists()  # the scheduler is reached before anything


def test_a_column_mixing_types_holds_words_and_metrics_keep_their_columns(tmp_path):
    r = sweep("--vary", "parties.exporter.reservation=true,0.3",
              "--vary", "parties.importer.power=1,2", "--out", str(tmp_path / "s"))
    assert r.exit_code == 0, r.stderr
    table = store.read(tmp_path / "s")
    assert list(table["in.parties.exporter.reservation"]) == ["True", "True", "0.3", "0.3"]
    assert table["error"].isna().all()
    # reservation 1 (true) leaves no deal; at 0.3 the symmetric Nash deal exists only where
    # the powers differ: its columns are there even though run 0 has none of them
    assert table["nash_symmetric.u.exporter"].notna().tolist() == [False, False, False, True]
