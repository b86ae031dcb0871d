"""`sim report`'s page in a real browser (Debian's headless chromium): its tables are there,
every figure loads from the page itself, and nothing is fetched from the network. Outside CI
the test skips when chromium is missing, saying why; under CI=true it fails instead (./test
installs chromium with apt: scripts/need-chromium)."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from sim.cli import app
from tests.conftest import SCENARIOS

# Run after the page has loaded: what the browser made of it, written into the DOM.
PROBE = """<script>
window.addEventListener("load", () => {
  const images = [...document.images].map(i => i.complete ? i.naturalWidth : 0);
  const tables = [...document.querySelectorAll("table")].map(t => t.rows.length);
  document.body.setAttribute("data-probe", JSON.stringify({images, tables,
    title: document.title, headings: document.querySelectorAll("h2").length}));
});
</script>"""


def browser() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: ./test installs it with apt (scripts/need-"
                        "chromium); see its line on stderr")
        pytest.skip("Debian's chromium is not installed (./test installs it with apt)")
    return found


def rendered(chromium: str, page) -> dict:
    probe = page.with_name("probe.html")
    probe.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, check=True).stdout
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, "the page's load event never ran"
    return json.loads(html.unescape(found.group(1)))


def test_the_default_scenarios_report_renders_with_every_table_and_figure(tmp_path):
    chromium = browser()
    got = CliRunner().invoke(app, ["report", str(SCENARIOS / "berlin-2025-12.yaml"),
                                   "--out", str(tmp_path), "--runs", "20"])
    assert got.exit_code == 0, got.output
    page = tmp_path / "report.html"
    text = page.read_text()
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?:', text)  # no network
    seen = rendered(chromium, page)
    figures = sorted(p.name for p in tmp_path.glob("*.png"))
    assert len(figures) >= 4  # frontier, acceptability and the simulation's
    assert len(seen["images"]) == len(figures)
    assert all(width > 100 for width in seen["images"]), seen["images"]
    # parties, issues, what each wants, ratification, packages, solutions: all parsed
    assert len(seen["tables"]) == text.count("<table>") == 6
    assert all(rows >= 2 for rows in seen["tables"])
    assert seen["title"] == "berlin-2025-12" and seen["headings"] >= 9
    md = (tmp_path / "report.md").read_text()
    assert md.count("![") == len(figures) and "## The packages on the table" in md


def test_a_sweeps_report_renders_its_drivers(tmp_path):
    chromium = browser()
    folder = tmp_path / "sweep"
    made = CliRunner().invoke(app, ["sweep", str(SCENARIOS / "trade-deal.yaml"), "--vary",
                                    "parties.exporter.reservation=0.2:0.8:7", "--out",
                                    str(folder), "--quiet"])
    assert made.exit_code == 0, made.output
    got = CliRunner().invoke(app, ["report", str(folder), "--out", str(tmp_path / "page")])
    assert got.exit_code == 0, got.output
    seen = rendered(chromium, tmp_path / "page" / "report.html")
    assert seen["images"] and all(width > 100 for width in seen["images"])
    assert len(seen["tables"]) >= 2
    assert seen["title"].startswith("What drives the outcome")
