"""Every screen the README, the tutorial and the notes in docs/ quote from a shipped file is
what its command prints now: a stale number in a document fails here."""

import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from sim.cli import app
from tests.conftest import ROOT
from tests.screens import missing, screens

DOCS = [ROOT / "README.md", ROOT / "docs" / "tutorial.md", ROOT / "docs" / "why-no-deal.md"]
# Files a reader writes while following the tutorial are not in the repository.
RUNNABLE = [s for doc in DOCS for s in screens(doc, ROOT)
            if s.lines and "mine/" not in s.command and "--help" not in s.command
            and s.args[0] != "results"]


def test_the_documents_quote_screens():
    assert len(RUNNABLE) >= 10


@pytest.mark.parametrize("screen", RUNNABLE, ids=str)
def test_a_quoted_screen_is_what_its_command_prints(screen, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    args = list(screen.args)
    for flag in ("--out", "--plot"):  # written into a scratch folder, not the repository
        if flag in args:
            args[args.index(flag) + 1] = str(tmp_path / flag.strip("-"))
    got = CliRunner().invoke(app, args)
    shows_error = any(line.startswith("error:") for line in screen.lines)
    assert got.exit_code == 2 if shows_error else got.exit_code in (0, 1), got.output
    assert missing(screen.lines, got.output) == []


PIPED = [s for doc in DOCS for s in screens(doc, ROOT, piped=True)
         if s.lines and "mine/" not in s.command]


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq, which these screens pipe to, "
                    "is not installed")
@pytest.mark.parametrize("screen", PIPED, ids=str)
def test_a_quoted_screen_piped_to_jq_is_what_the_pipe_prints(screen):
    got = subprocess.run(screen.command, shell=True, cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert got.returncode == 0, got.stderr
    assert missing(screen.lines, got.stdout) == []
