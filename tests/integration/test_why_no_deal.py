"""docs/why-no-deal.md: every screen it quotes is what its command prints now."""

import re

import pytest
from typer.testing import CliRunner

from sim.cli import app
from tests.conftest import ROOT

DOC = ROOT / "docs" / "why-no-deal.md"


def _screens() -> list[tuple[list[str], list[str]]]:
    """(the command's arguments, the lines it is quoted as printing), per command."""
    out = []
    for block in re.findall(r"```console\n(.*?)```", DOC.read_text(), re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *lines = chunk.rstrip("\n").split("\n")
            out.append((command.split()[1:], [ln for ln in lines if ln != "..."]))
    return out


def test_the_page_quotes_five_commands():
    assert [args[0] for args, _ in _screens()] == ["solve", "sweep", "results", "simulate",
                                                   "simulate"]


@pytest.mark.parametrize("k", [0, 2, 3, 4])
def test_each_quoted_line_is_printed(k, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    screens = _screens()
    args, lines = screens[k]
    if args[0] == "results":  # it reads the sweep the page runs before it: run that here
        sweep = screens[k - 1][0]
        folder = sweep[sweep.index("--out") + 1]
        sweep = [str(tmp_path / "sweep") if a == folder else a for a in sweep]
        sweep[sweep.index("--workers") + 1] = "1"  # the same table on any worker count
        assert CliRunner().invoke(app, sweep).exit_code == 0
        args = [str(tmp_path / "sweep") if a == folder else a for a in args]
    got = CliRunner().invoke(app, args)
    assert got.exit_code in (0, 1), got.output
    printed = got.stdout.splitlines()
    for line in lines:
        assert line in printed, line
