"""`sim compare` from the command line: one screen, JSON, Markdown, figures, and bad input
answered with exit 2 and a short message."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sim.cli import app
from tests.builders import tariff_talks, with_party, write_yaml
from tests.conftest import SCENARIOS

runner = CliRunner()
DEFAULT = str(SCENARIOS / "berlin-open.yaml")  # the default has no deal: its open reading
NO_REFERENDUM = str(SCENARIOS / "berlin-no-referendum.yaml")


def test_the_open_reading_against_no_referendum_says_what_changed_and_why():
    got = runner.invoke(app, ["compare", DEFAULT, NO_REFERENDUM])
    assert got.exit_code == 0, got.output
    out = got.stdout
    for words in ("removed  ratification.ukraine_referendum",
                  "added    ratification.verkhovna_rada",
                  "added    rules.7",
                  "acceptable (the ZOPA)   425",
                  "530 deal(s) enter the acceptable set and 425 leave",
                  "referendum*", "acceptable deals: +105, explained by",
                  "- rules.7: -345 (-329% of the change)"):
        assert words in out, words
    assert len(out.splitlines()) < 110  # a screen or two, however many outcomes move


def test_json_markdown_and_figures(tmp_path):
    a = write_yaml(tmp_path, tariff_talks(), "a.yaml")
    b = write_yaml(tmp_path, with_party(tariff_talks(), "exporter", reservation=0.6), "b.yaml")
    got = runner.invoke(app, ["compare", str(a), str(b), "--json"])
    assert got.exit_code == 0, got.output
    data = json.loads(got.stdout)
    assert data["against_baseline"][0]["differences"] == [
        {"path": "parties.exporter.reservation", "kind": "changed", "old": 0.3, "new": 0.6}]
    outcome = data["attribution"]["outcomes"]["acceptable"]
    assert outcome["by_player"] == {"parties.exporter.reservation": outcome["change"]}
    assert outcome["change"] < 0
    md = runner.invoke(app, ["compare", str(a), str(b), "--markdown", "--plot",
                             str(tmp_path / "figs")])
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith(f"# {a} against {b}\n")
    assert "| acceptable deals |" in md.stdout
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == [
        "compare-attribution.png", "compare-outcomes.png"]


def test_three_files_compare_against_the_first_without_attribution():
    got = runner.invoke(app, ["compare", DEFAULT, NO_REFERENDUM,
                              str(SCENARIOS / "berlin-hard-russia.yaml"), "--json"])
    assert got.exit_code == 0, got.output
    data = json.loads(got.stdout)
    assert len(data["variants"]) == 3 and data["attribution"] is None
    assert [v["variant"] for v in data["against_baseline"]] == [
        NO_REFERENDUM, str(SCENARIOS / "berlin-hard-russia.yaml")]


def test_bad_input_exits_2_with_a_short_message(tmp_path):
    one = runner.invoke(app, ["compare", DEFAULT])
    assert one.exit_code == 2 and "at least two scenario files" in one.stderr
    broken = write_yaml(tmp_path, with_party(tariff_talks(), "exporter", reservation="lots"))
    bad = runner.invoke(app, ["compare", DEFAULT, str(broken)])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert "reservation" in bad.stderr
    budget = runner.invoke(app, ["compare", DEFAULT, NO_REFERENDUM, "--time-budget", "0"])
    assert budget.exit_code == 2 and "--time-budget" in budget.stderr
