"""The shipped scenarios: valid, calibrated to the polls, and answering through the CLI."""

import json

import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from tests.conftest import SCENARIOS

DEFAULT = SCENARIOS / "berlin-2025-12.yaml"
OPEN = SCENARIOS / "berlin-open.yaml"  # the default with four red lines given up

# KIIS decided yes-shares, accept / (accept + reject), from docs/domain/kiis-polls.csv.
# The two Dec-29 rows gave one side only; docs/calibration.md derives the other side from the
# companion poll's don't-know share.
POLLS = {
    "kiis-freeze-guarantees": 0.72 / (0.72 + 0.14),
    "kiis-russian-plan": 0.17 / (0.17 + 0.75),
    "kiis-freeze-guarantees-no-recognition": 0.69 / (0.69 + 0.17),
    "kiis-withdrawal-army-cap": 0.18 / (0.18 + 0.74),
    "kiis-de-jure-recognition": 0.24 / (0.24 + 0.68),
    "kiis-transfer-territory": 0.15 / (0.15 + 0.78),
    "kiis-de-facto-control": 0.43 / (0.43 + 0.48),
}


def test_every_scenario_validates():
    files = sorted(str(p) for p in SCENARIOS.glob("*.yaml"))
    assert len(files) >= 5
    result = CliRunner().invoke(app, ["validate", *files])
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(("package", "poll"), POLLS.items())
def test_the_electorate_reproduces_each_poll_within_five_points(package, poll):
    scenario = sim.load(DEFAULT)
    terms = {**scenario.packages[package].terms, "referendum": True}
    ev = sim.evaluate(sim.compile_problem(scenario), terms)
    body = next(b for b in ev.bodies if b.body == "ukraine_referendum")
    assert body.applies
    assert body.yes_share == pytest.approx(poll, abs=0.05)


def test_every_package_of_the_default_scenario_evaluates():
    scenario = sim.load(DEFAULT)
    assert {"twenty-eight-point", "twenty-point", "european-counter-draft"} <= set(
        scenario.packages)
    for name in scenario.packages:
        result = CliRunner().invoke(app, ["evaluate", str(DEFAULT), "--package", name])
        assert result.exit_code in (0, 1), (name, result.stderr)
        assert "Parties" in result.stdout and "ukraine_referendum" in result.stdout
        assert ("Acceptable:" in result.stdout) == (result.exit_code == 0)


def test_solve_json_keeps_the_design_contract():
    result = CliRunner().invoke(app, ["solve", str(OPEN), "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["scenario"] == "berlin-open"
    assert out["parties"] == ["ukraine", "russia", "united_states", "europe"]
    assert set(out["deals"]) >= {"total", "feasible", "acceptable"}
    assert out["deals"]["total"] >= out["deals"]["feasible"] >= out["deals"]["acceptable"] > 0
    assert len(out["pareto"]) >= 1
    for deal in out["pareto"]:
        assert set(deal["utility"]) == set(out["parties"])
        assert isinstance(deal["terms"]["territory_kept"], float)  # numeric levels are numbers
        assert isinstance(deal["terms"]["donbas"], str)  # discrete levels their names
    for name in ("nash", "kalai_smorodinsky", "egalitarian", "utilitarian"):
        assert set(out["solutions"][name]) >= {"terms", "utility"}


def test_the_default_as_the_sources_state_it_has_no_feasible_deal_and_says_so():
    """Issue 11: with the red lines as the sources state them no deal is even feasible, and
    no single red line given up opens a zone; the four that the uncertainty reads both ways,
    given up together (berlin-open), do."""
    result = CliRunner().invoke(app, ["solve", str(DEFAULT)])
    assert result.exit_code == 1, result.stderr
    assert "6,400,000 deals, 0 feasible, 0 acceptable" in result.stdout
    assert "ZOPA is empty" in result.stdout
    assert "Nothing alone would open a ZOPA" in result.stdout
    assert "no deal passes every veto party's red lines" in result.stdout
    assert "excludes most deals" in result.stdout
    scenario = sim.load(DEFAULT)
    switches = [p for p in scenario.uncertainty if p.endswith(".holds")]
    assert len(switches) == 4
    assert all(sim.load(OPEN).uncertainty.get(p) is None for p in switches)
    assert sim.solve(sim.load(OPEN)).acceptable > 0


def test_every_red_line_read_both_ways_names_a_red_line_the_sources_state():
    """The switches address red lines by name, and each holds in the default (the sources'
    reading); the reading that gives it up is the other draw."""
    from sim.scenario import paths

    scenario = sim.load(DEFAULT)
    data = scenario.model_dump(mode="python")
    for path, dist in scenario.uncertainty.items():
        if path.endswith(".holds"):
            assert paths.get(data, path) is True
            assert sorted(dist.choice) == [False, True]
            assert "." + paths.get(data, path.rsplit(".", 1)[0])["name"] + "." in path


def test_a_senate_that_will_not_ratify_is_named_first():
    result = CliRunner().invoke(app, ["solve", str(SCENARIOS / "berlin-no-congress.yaml"),
                                      "--json"])
    openers = json.loads(result.stdout)["gap"]["openers"]
    assert openers[0]["kind"] == "ratification" and openers[0]["name"] == "us_congress"
    assert openers[0]["opens"] > 0 and openers[0]["example"]["guarantee"].startswith("art5")


def _doc_rows(heading: str) -> list[list[str]]:
    """The rows of the first table under a heading of docs/calibration.md."""
    from tests.conftest import ROOT

    text = (ROOT / "docs" / "calibration.md").read_text().split(f"## {heading}\n", 1)[1]
    rows = [line for line in text.split("\n## ", 1)[0].splitlines() if line.startswith("| ")]
    return [[c.strip() for c in row.strip("|").split("|")] for row in rows[1:]]


def test_calibrations_out_of_sample_tables_are_what_the_fit_script_computes():
    import importlib.util
    import sys

    from tests.conftest import ROOT

    script = ROOT / "scripts" / "fit_electorate.py"
    spec = importlib.util.spec_from_file_location("fit_electorate", script)
    fit = importlib.util.module_from_spec(spec)
    sys.modules["fit_electorate"] = fit  # its dataclasses look their module up
    spec.loader.exec_module(fit)
    electorate = fit.Electorate(DEFAULT)
    loo = [[p, f"{poll:.3f}", f"{model:.3f}", f"{error:+.3f}"]
           for p, poll, model, error in fit.leave_one_out(electorate)]
    assert _doc_rows("Out of sample: each poll left out") == loo
    levels = [[i, lv, f"{b:.2f}", str(half), str(double)]
              for i, lv, b, _, half, double in fit.unpolled(electorate)]
    assert _doc_rows("Levels no poll uses") == levels
    # out of sample, every poll is still within 20 points; the in-sample fit within 5
    assert max(abs(float(row[3])) for row in loo) < 0.20


def test_the_project_lists_every_source_its_scenarios_cite():
    """docs/sources.md names every `sources:` entry of the shipped scenarios (by key or URL),
    every `docs/sources.md §N` a scenario or document cites is a section of it, and no
    shipped file points outside the repository (issue 11: the project stands alone)."""
    import re

    from tests.conftest import ROOT

    doc = (ROOT / "docs" / "sources.md").read_text()
    sections = set(re.findall(r"^## (\d+)\.", doc, re.M))
    files = [*SCENARIOS.glob("*.yaml"), *(ROOT / "docs").rglob("*.md"), ROOT / "README.md"]
    for path in SCENARIOS.glob("*.yaml"):
        for key, source in sim.load(path).sources.items():
            assert f"[{key}]" in doc or (source.url and source.url in doc), (path.name, key)
    for path in files:
        text = path.read_text()
        for n in re.findall(r"sources\.md`? §(\d+)", text):
            assert n in sections, (path.name, n)
        assert "../shared" not in text and "/work/" not in text, path.name
