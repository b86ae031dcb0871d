"""`sim results DIR`: what drives a sweep's outcome. Shares match the stored rows with
Wilson intervals; the rank correlations, Sobol and Morris indices single out the input that
decides and give nothing to one the outcome ignores; PRIM's box ends where a direct solve
finds the ZOPA closing; the summary and figures are written beside the data without
breaking a reader of the parts; a folder that is not a finished sweep is bad input."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.experiments import store
from sim.intervals import wilson
from tests.conftest import SCENARIOS

TRADE = SCENARIOS / "trade-deal.yaml"
DECIDES = "parties.exporter.reservation"
IGNORED = "parties.exporter.patience"  # moves bargaining power, not which deals are acceptable


def sweep(tmp_path, name: str, *args) -> str:
    out = tmp_path / name
    r = CliRunner().invoke(app, ["sweep", str(TRADE), "--quiet", "--out", str(out), *args])
    assert r.exit_code == 0, r.stderr
    return str(out)


def results(*args):
    return CliRunner().invoke(app, ["results", *args])


def zopa_closes_at() -> float:
    """The exporter's reservation at which the ZOPA closes, by direct solves on a fine grid."""
    data = sim.load(TRADE).model_dump(mode="json", exclude={"extends"})
    last = None
    for r in np.round(np.arange(0.8, 0.95, 0.002), 3):
        data["parties"]["exporter"]["reservation"] = float(r)
        if not sim.solve(sim.from_dict(data)).metrics()["zopa"]:
            return last
        last = float(r)
    raise AssertionError("the ZOPA never closes on the grid")


@pytest.fixture(scope="module")
def lhs(tmp_path_factory):
    folder = sweep(tmp_path_factory.mktemp("lhs"), "s", "--vary", f"{DECIDES}=0.4:0.95",
                   "--vary", f"{IGNORED}=0.8:0.99",
                   "--design", "lhs", "--samples", "120", "--seed", "3")
    return folder


def test_shares_are_the_stored_rows_with_their_wilson_intervals(lhs):
    a = sim.drivers(lhs)
    table = store.read(lhs)
    zopa = next(s for s in a.shares if s.name == "zopa")
    assert zopa.share == table["zopa"].mean() and zopa.of == 120
    assert zopa.interval == wilson(table["zopa"].sum(), 120)
    assert {"zopa", "acceptable", "deal_ratified", "nash.tariff", "nash.dispute_panel"} <= {
        o.name for o in a.outcomes}  # a numeric and a true/false term of the Nash deal
    package = next(s for s in a.shares if s.name.startswith("package."))
    assert package.share == table[package.name].mean()


def test_replicates_of_the_solver_add_no_points_to_a_share(tmp_path, lhs):
    """The solver draws nothing: its replicates are the same run again, so a share's
    interval is over the design points, not the runs."""
    again = sweep(tmp_path, "r", "--vary", f"{DECIDES}=0.4:0.95", "--vary",
                  f"{IGNORED}=0.8:0.99", "--design", "lhs", "--samples", "120", "--seed", "3",
                  "--replicates", "3")
    one, three = sim.drivers(lhs), sim.drivers(again)
    assert len(store.read(again)) == 360
    assert [s.to_dict() for s in three.shares] == [s.to_dict() for s in one.shares]


def test_on_a_saltelli_design_shares_and_correlations_read_the_independent_rows(tmp_path):
    """Its A and B rows are independent draws; the rows between repeat one of them but for
    one input, which would make a p-value of a rank correlation far too small."""
    folder = sweep(tmp_path, "s", "--vary", f"{DECIDES}=0.4:0.95", "--vary",
                   f"{IGNORED}=0.8:0.99", "--design", "saltelli", "--samples", "16")
    a = sim.drivers(folder)
    table = store.read(folder)
    rows = table[table["point"].isin(range(0, 64, 4)) | table["point"].isin(range(3, 64, 4))]
    zopa = next(s for s in a.shares if s.name == "zopa")
    assert zopa.of == 32 and zopa.share == rows["zopa"].mean()
    assert any("32 of 64 saltelli points" in n for n in a.notes_for(None))


def test_the_deciding_input_ranks_first_and_prim_bounds_it_where_the_zopa_closes(lhs):
    a = sim.drivers(lhs)
    first = a.ranked("zopa")[0]
    assert first.input == DECIDES and first.spearman < -0.5  # a higher bar closes the zone
    box = a.boxes[0]
    assert set(box.restricts()) == {DECIDES}
    lo, hi = box.limits[DECIDES]
    assert lo is None and hi == pytest.approx(zopa_closes_at(), abs=0.02)
    assert box.density == 1.0 and box.coverage == 1.0


def test_results_writes_its_summary_beside_parts_a_reader_still_reads(lhs, tmp_path):
    r = results(lhs)
    assert r.exit_code == 0, r.stderr
    assert "What decides whether a ZOPA exists" in r.stdout
    assert f"{DECIDES} <=" in r.stdout  # the box, in words
    folder = store.Path(lhs)
    summary = (folder / "summary.md").read_text()
    assert "## What decides whether a ZOPA exists" in summary and DECIDES in summary
    for name in ("responses", "heatmap", "drivers"):
        assert (folder / f"summary-{name}.png").read_bytes()[:4] == b"\x89PNG"
    assert len(store.read(lhs)) == 120  # the figures are not read as parts
    data = json.loads(results(lhs, "--json").stdout)
    assert data["key"] == "zopa" and data["boxes"][0]["limits"][DECIDES][0] is None
    frame = sim.drivers(lhs).table()
    assert list(frame.columns[:4]) == ["outcome", "input", "spearman", "p_value"]
    assert frame.iloc[0]["input"] == DECIDES


def test_sobol_indices_put_the_total_effect_on_the_input_that_decides(tmp_path):
    folder = sweep(tmp_path, "s", "--vary", f"{DECIDES}=0.4:0.95", "--vary",
                   f"{IGNORED}=0.8:0.99", "--design", "saltelli", "--samples", "32")
    a = sim.drivers(folder)
    assert a.points == 32 * 4
    by = {d.input: d for d in a.ranked("acceptable")}
    assert by[DECIDES].st > 0.8 and by[DECIDES].st_conf is not None
    assert abs(by[IGNORED].st) < 0.05 and abs(by[IGNORED].s1) < 0.05
    assert "S1" in results(folder).stdout
    assert sim.drivers(folder).drivers == a.drivers  # the bootstrap is seeded, seed 0 too


def test_morris_mu_star_is_zero_for_an_input_the_outcome_ignores(tmp_path):
    folder = sweep(tmp_path, "s", "--vary", f"{DECIDES}=0.4:0.95", "--vary",
                   f"{IGNORED}=0.8:0.99", "--design", "morris", "--samples", "10")
    a = sim.drivers(folder)
    by = {d.input: d for d in a.ranked("acceptable")}
    assert by[IGNORED].mu_star == 0.0 and by[DECIDES].mu_star > 0
    assert a.ranked("acceptable")[0].input == DECIDES


def test_an_agent_based_sweep_is_read_by_its_agreement_rate(tmp_path):
    folder = sweep(tmp_path, "s", "--vary", f"{DECIDES}=0.3,0.9", "--engine", "simulate",
                   "--runs", "4", "--steps", "10")
    a = sim.drivers(folder)
    assert a.key == "agreed" and [s.name for s in a.shares] == ["agreed", "ratified"]
    table = store.read(folder)
    agreed = next(s for s in a.shares if s.name == "agreed")
    # over the 2 design points: a point's runs are not independent of each other
    assert agreed.of == 2 and agreed.share == pytest.approx(table["agreed"].mean())
    assert results(folder).exit_code == 0


def test_a_folder_that_is_not_a_finished_sweep_is_bad_input(tmp_path, lhs):
    assert results(str(tmp_path / "nowhere")).exit_code == 2
    (tmp_path / "empty").mkdir()
    r = results(str(tmp_path / "empty"))
    assert r.exit_code == 2 and "manifest.json" in r.stderr
    r = results(lhs, "--outcome", "acceptable")
    assert r.exit_code == 2 and "valid: zopa" in r.stderr


def test_a_partial_sweep_is_analysed_and_says_what_it_lacks(tmp_path):
    folder = sweep(tmp_path, "s", "--vary", f"{DECIDES}=0.4:0.95", "--vary",
                   f"{IGNORED}=0.8:0.99", "--design", "saltelli", "--samples", "8")
    parts = sorted(store.Path(folder).glob("part-*.parquet"))
    parts[-1].unlink()  # as if killed before the last part
    a = sim.drivers(folder)
    assert any("not stored yet" in n for n in a.notes_for(None))
    assert all(d.st is None for d in a.drivers)  # the indices need every point
    assert a.ranked("zopa")[0].spearman is not None


def test_the_tutorials_sweep_file_gives_the_output_it_shows(tmp_path):
    """docs/tutorial.md section 11 prints `sim results` of its example sweep file: the same
    command gives the same screen (the line naming the files written aside)."""
    from tests.conftest import ROOT

    spec = ROOT / "docs" / "examples" / "sweeps" / "trade-bars.yaml"
    r = CliRunner().invoke(app, ["sweep", str(TRADE), "--spec", str(spec), "--quiet",
                                 "--out", str(tmp_path / "s")])
    assert r.exit_code == 0, r.stderr
    shown = (ROOT / "docs" / "tutorial.md").read_text().split(
        "./run results results/trade-bars\n```\n\n```\n", 1)[1].split("\n```", 1)[0]
    screen = results(str(tmp_path / "s")).stdout.split("\n\nWritten:")[0]
    assert screen.rstrip() == shown.rstrip()


def test_a_damaged_folder_is_bad_input_and_strangers_in_it_are_left_alone(tmp_path, lhs):
    """Found in review: a stray file, a part that is not Parquet or lacks a column, or a
    manifest with a key missing made `sim results` fail with an internal error."""
    import json
    import shutil

    import pyarrow.parquet as pq

    def copy(name):
        shutil.copytree(lhs, tmp_path / name, ignore=shutil.ignore_patterns("summary*"))
        return tmp_path / name

    stray = copy("stray")
    (stray / "notes.txt").write_text("mine")
    (stray / "part-extra.json").write_text("{}")
    assert results(str(stray)).exit_code == 0
    bad = copy("bad")
    (bad / "part-09999.parquet").write_text("not parquet")
    r = results(str(bad))
    assert r.exit_code == 2 and "part-09999.parquet cannot be read" in r.stderr
    short = copy("short")
    part = sorted(short.glob("part-*.parquet"))[0]
    pq.write_table(pq.read_table(part).drop(["zopa"]), part)
    assert results(str(short)).exit_code == 2
    for broken in ({"spec": 1}, {"spec": {}}, {"points": "many"}):
        folder = copy(f"manifest-{len(list(tmp_path.iterdir()))}")
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest.update(broken)
        (folder / "manifest.json").write_text(json.dumps(manifest))
        r = results(str(folder))
        assert r.exit_code == 2 and "not a sweep's manifest" in r.stderr, broken
