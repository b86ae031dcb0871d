"""Hostile and odd input: bounded reads, bounded expansion, short quotes, no silent overflow.

Hang guards: the tests that read devices and pipes run real processes with a generous timeout
(30 s, against an answer in well under a second) and say so; speed itself is in bench/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.scenario import yamlio
from tests.builders import tariff_talks, with_party, with_red_line, write_yaml

HANG_GUARD = 30  # seconds: a hang guard, not a speed test


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          timeout=HANG_GUARD, cwd=cwd)


def errors(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("error:")]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_read_only_up_to_the_cap(device):
    proc = run("validate", device)  # hang guard: /dev/zero never ends
    assert proc.returncode == 2
    assert "more than 2 MB" in proc.stderr and "Traceback" not in proc.stderr


def test_a_pipe_is_read_only_up_to_the_cap(tmp_path):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"yes 'name: x' > {fifo}"],
                              stderr=subprocess.DEVNULL)
    try:
        proc = run("validate", str(fifo))  # hang guard: the writer never stops
    finally:
        writer.kill()
        writer.wait()
    assert proc.returncode == 2 and "more than 2 MB" in proc.stderr


@pytest.mark.parametrize(("target", "words"), [
    ("folder", "is a directory"), ("/dev/null", "is not a regular file"),
    ("loop", "is a symlink loop"), ("missing.yaml", "not found")])
def test_extends_takes_regular_files_only(tmp_path, target, words):
    (tmp_path / "folder").mkdir()
    os.symlink(tmp_path / "loop2", tmp_path / "loop")
    os.symlink(tmp_path / "loop", tmp_path / "loop2")
    path = write_yaml(tmp_path, {"extends": target, "name": "x"}, "child.yaml")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    first = errors(result.stderr)[0]
    assert f"{path}:1: extends: base scenario '{target}' {words}" in first


def test_a_file_that_is_not_a_scenario_is_one_short_line(tmp_path):
    # the shape of /etc/shadow: each line a key (colons, no spaces) with an empty value
    lines = [f"user{i}{'x' * 200}:*:20228:0:99999:7:::" for i in range(30)]
    (tmp_path / "shadow").write_text("\n".join(lines) + "\n")
    path = write_yaml(tmp_path, {"extends": str(tmp_path / "shadow"), "name": "x"}, "a.yaml")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    found = errors(result.stderr)
    assert len(found) == 1 and "not a scenario" in found[0] and "29 more" in found[0]
    assert len(found[0]) < 250 and "x" * 50 not in found[0]


def test_an_alias_bomb_is_measured_without_being_expanded():
    text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10))
    loader = yamlio._FastLoader(text)
    node = loader.get_single_node()
    size, visited = yamlio.expanded_size(node)
    assert size > yamlio.MAX_NODES  # 10^10 nodes once expanded...
    assert visited < 100  # ...found out by visiting each of the few distinct nodes once
    with pytest.raises(sim.InputError, match="expands to more than"):
        yamlio.parse(text + "name: bomb\n")


def test_a_self_containing_document_is_refused():
    loader = yamlio._FastLoader("a: &a [1, *a]\n")
    size, _ = yamlio.expanded_size(loader.get_single_node())
    assert size > yamlio.MAX_NODES


def test_utf16_is_named(tmp_path):
    path = tmp_path / "u16.yaml"
    path.write_bytes(yaml.safe_dump(tariff_talks()).encode("utf-16"))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "UTF-16" in result.stderr


def test_long_names_are_refused_and_never_echoed_whole(tmp_path):
    path = write_yaml(tmp_path, tariff_talks())
    long = "q" * 10_000
    result = CliRunner().invoke(app, ["evaluate", str(path), "--deal", f"{long}=1"])
    assert result.exit_code == 2
    assert all(len(line) < 300 for line in result.stderr.splitlines())
    data = tariff_talks(issues={"tariff": {"levels": ["low", "l" * 81]},
                                "quota": {"levels": ["small", "large"]}})
    with pytest.raises(sim.InputError, match="at most 80 characters"):
        sim.from_dict(data)


def test_huge_weights_are_normalised_without_overflow():
    data = with_party(tariff_talks(), "exporter", weights={"tariff": 1e308, "quota": 1e308})
    problem = sim.compile_problem(sim.from_dict(data))
    assert problem.weights[0].tolist() == [0.5, 0.5]
    best = sim.evaluate(problem, {"tariff": "low", "quota": "large"})
    assert best.parties[0].utility == pytest.approx(1.0)


def test_an_unreachable_reservation_is_a_warning_that_names_it(tmp_path):
    path = write_yaml(tmp_path, with_party(tariff_talks(), "exporter", reservation=1.3))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0
    assert (f"warning: {path}: parties.exporter.reservation: 1.3 is above the most "
            "'exporter' can get") in result.stderr
    assert sim.warnings(sim.load(path)) and not sim.warnings(sim.from_dict(tariff_talks()))


def test_smaller_command_line_defects(tmp_path):
    path = write_yaml(tmp_path, tariff_talks())
    runner = CliRunner()
    twice = runner.invoke(app, ["evaluate", str(path), "--deal", "tariff=low,tariff=mid"])
    assert twice.exit_code == 2 and "'tariff' is given twice" in twice.stderr
    lone_map = runner.invoke(app, ["solve", str(path), "--map", "tariff,quota"])
    assert lone_map.exit_code == 2 and "give --plot DIR" in lone_map.stderr
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout.strip() == f"sim {sim.__version__}"
    helped = runner.invoke(app, ["solve", "--help"], env={"COLUMNS": "100"})
    line = next(ln for ln in helped.stdout.splitlines() if "--json" in ln)
    assert "<bool>" not in line
    from sim.report.text import level, table

    assert level(-0.0) == "0" and "-0.000" not in table(["x"], [[-1e-9]])


def _thirty_issues() -> dict:
    data = tariff_talks(issues={f"i{k}": {"levels": ["a", "b", "c"]} for k in range(30)})
    for party in data["parties"].values():
        party["weights"] = {"i0": 1}
        party["values"] = {f"i{k}": {"a": 0, "b": 0.5, "c": 1} for k in range(30)}
    return data


@pytest.mark.parametrize("where", ["rule", "red line"])
def test_a_condition_over_too_many_issues_is_refused_before_allocating(tmp_path, where):
    """Hang and memory guard: a table over 30 three-level issues would need petabytes."""
    data = _thirty_issues()
    wide = {"all": [{f"i{k}": "a"} for k in range(30)]}
    if where == "rule":
        data["rules"] = [{"forbid": wide}]
    else:
        data = with_red_line(data, "exporter", wide, "never all a")
    path = write_yaml(tmp_path, data)
    proc = run("validate", str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cells; at most 20,000,000" in proc.stderr and str(path) in proc.stderr


def test_a_vote_over_thirty_issues_is_evaluated_untabulated_within_the_budget(tmp_path):
    """Hang and memory guard: a referendum reading 30 three-level issues (2 x 10^14 deals)
    is never tabulated: validate accepts it with a word on its size, and solve answers or
    says what it could not compute within its budget."""
    data = _thirty_issues()
    data["ratification"] = {"vote": {"kind": "referendum", "effects": {
        f"i{k}": {"a": 0.1} for k in range(30)}}}
    path = write_yaml(tmp_path, data)
    proc = run("validate", str(path))
    assert proc.returncode == 0 and "method: enumerate" in proc.stderr
    proc = run("solve", str(path), "--time-budget", "2")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "could not be computed within the 2 s time budget" in proc.stderr


def test_a_solve_at_a_terminal_shows_that_it_works_against_its_budget():
    """On a terminal (here a pseudo-terminal made by util-linux's `script`, essential in
    Debian), long work shows
    progress on stderr, with the time elapsed and the budget; stdout keeps the answer."""
    from tests.conftest import SCENARIOS

    command = f"{sys.executable} -m sim solve {SCENARIOS / 'trade-deal.yaml'} > /dev/null"
    proc = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True,
                          text=True, timeout=HANG_GUARD)
    assert proc.returncode == 0
    assert "solving (time budget 10 s)" in proc.stdout  # the terminal's output, stderr's bar
