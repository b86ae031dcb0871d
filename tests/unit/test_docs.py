"""The docs that are generated or runnable stay in step with the code."""

import importlib.util

import pytest

import sim
from tests.conftest import ROOT

EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.yaml"))


def _generator():
    spec = importlib.util.spec_from_file_location("gen_reference",
                                                  ROOT / "scripts" / "gen_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_reference_equals_generated():
    committed = (ROOT / "docs" / "reference.md").read_text()
    assert committed == _generator().render(), (
        "docs/reference.md is out of date; regenerate with: "
        ".venv/bin/python scripts/gen_reference.py")


def test_reference_covers_every_section_of_the_schema():
    defs = set(sim.json_schema()["$defs"])
    assert defs <= set(_generator().SECTIONS)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_tutorial_examples_load(path):
    sim.load(path)


@pytest.mark.parametrize("path", sorted((ROOT / "docs" / "examples" / "sweeps").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_example_sweep_files_load(path):
    from sim.experiments import sweepfile

    spec, uncertainties = sweepfile.read(path)
    assert uncertainties and spec.note


def test_the_tutorials_comparison_is_what_sim_compare_prints(monkeypatch):
    """Section 12's screen, line for line (the "..." elides the solutions and packages)."""
    from typer.testing import CliRunner

    from sim.cli import app

    text = (ROOT / "docs" / "tutorial.md").read_text()
    block = text.split("$ ../../run compare talks.yaml talks-cautious.yaml\n", 1)[1]
    shown = [line for line in block.split("```", 1)[0].splitlines() if line != "..."]
    monkeypatch.chdir(ROOT / "docs" / "examples")
    got = CliRunner().invoke(app, ["compare", "talks.yaml", "talks-cautious.yaml"])
    assert got.exit_code == 0, got.output
    lines = got.stdout.splitlines()
    for line in shown:
        assert line in lines, line
