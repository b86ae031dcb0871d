"""`sim simulate` from the command line: the screen, the JSON, the Parquet parts and plots,
bad input, a time budget, and a run killed half way that keeps what it finished."""

import json
import signal

import pandas as pd
from typer.testing import CliRunner

from sim.cli import app
from tests.conftest import SCENARIOS
from tests.processes import start_sim, wait_for_parts

BERLIN = SCENARIOS / "berlin-open.yaml"
TRADE = SCENARIOS / "trade-deal.yaml"


def test_the_open_reading_on_one_screen():
    r = CliRunner().invoke(app, ["simulate", str(BERLIN), "--runs", "20", "--steps", "52"])
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "20 runs of up to 52 weeks" in out
    for words in ("ratified deal", "weeks to agreement", "How runs ended", "Deals reached"):
        assert words in out
    assert len(out.splitlines()) <= 40  # one screen


def test_json_parquet_and_plots(tmp_path):
    r = CliRunner().invoke(app, ["simulate", str(TRADE), "--runs", "6", "--steps", "20",
                                 "--json", "--out", str(tmp_path / "data"),
                                 "--plot", str(tmp_path / "plots")])
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    runs = pd.read_parquet(tmp_path / "data" / "runs")
    steps = pd.read_parquet(tmp_path / "data" / "steps")
    assert len(runs) == data["runs"] == 6 and sorted(runs["run"]) == list(range(6))
    assert (runs["ended"] == "ratified").sum() == data["ratified"]["count"]
    assert len(steps) == runs["ended_at"].sum()  # a row per run and step it ran
    assert not list((tmp_path / "data" / "runs").glob(".*"))  # no temporary part left
    for name in ("agreement.png",):
        assert (tmp_path / "plots" / name).read_bytes().startswith(b"\x89PNG")


def test_a_bad_dynamics_section_is_bad_input(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(TRADE.read_text() + "\ndynamics:\n  default_strategy: boulwar\n")
    r = CliRunner().invoke(app, ["simulate", str(path)])
    assert r.exit_code == 2
    assert "dynamics.default_strategy: unknown strategy 'boulwar'; did you mean 'boulware'" \
        in r.stderr
    assert "Traceback" not in r.stderr


def test_past_the_time_budget_it_says_how_many_runs_it_did():
    r = CliRunner().invoke(app, ["simulate", str(BERLIN), "--runs", "5000", "--steps", "52",
                                 "--time-budget", "0.5", "--json"])
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert 0 < data["runs"] < data["runs_asked"] == 5000


def test_a_killed_run_keeps_the_parts_it_finished(tmp_path):
    """A real process, killed with SIGKILL once its first parts are on disk: every part left
    reads, and none is half written."""
    out = tmp_path / "data"
    proc = start_sim("simulate", str(BERLIN), "--runs", "20000", "--steps", "52", "--out",
                     str(out))
    try:
        wait_for_parts(proc, out / "steps", 2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    runs = pd.read_parquet(out / "runs")
    assert len(runs) >= 50 and runs["run"].is_unique
    assert len(pd.read_parquet(out / "steps")) > 0


def test_json_where_no_run_ever_has_an_offer_on_the_table():
    """No ZOPA: the yes-share bands have no value at some steps; they are null, not NaN."""
    r = CliRunner().invoke(app, ["simulate", str(SCENARIOS / "berlin-hard-russia.yaml"),
                                 "--runs", "10", "--steps", "20", "--json"])
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["ratified"]["count"] == 0
    assert "NaN" not in r.stdout
