"""The screens a document quotes: each `$ ./run ...` command in a fenced block, with the
lines it is shown printing, so that a test can run the command and compare."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```[\w-]*\n(.*?)^```[ \t]*$", re.S | re.M)


@dataclass(frozen=True)
class Screen:
    doc: str
    command: str
    lines: tuple[str, ...]  # as shown, without the "..." that mark trimmed output

    @property
    def args(self) -> list[str]:
        return shlex.split(self.command)[1:]  # after ./run

    def __str__(self) -> str:
        return f"{self.doc}: $ {self.command}"


def screens(path: Path, root: Path, piped: bool = False) -> list[Screen]:
    """Every quoted `./run` command with the output shown under it: those piped to another
    program (jq) with `piped`, the others without."""
    out = []
    for block in FENCE.findall(path.read_text()):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *lines = chunk.rstrip("\n").split("\n")
            if not command.startswith("./run ") or ("|" in command) != piped:
                continue
            shown = tuple(ln.rstrip() for ln in lines if ln.strip() and "..." not in ln)
            out.append(Screen(str(path.relative_to(root)), command, shown))
    return out


def missing(shown: tuple[str, ...], printed: str) -> list[str]:
    """The shown lines not printed, in order (each shown line must come after the one
    before it)."""
    got = [ln.rstrip() for ln in printed.splitlines()]
    at, lost = 0, []
    for line in shown:
        try:
            at = got.index(line, at) + 1
        except ValueError:
            lost.append(line)
    return lost
