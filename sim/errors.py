"""The one exception type for mistakes a user can make, and where each one is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EXCERPT = 40  # characters of a user's text a message quotes at most
LISTED = 12  # names a message lists before "and N more"


def excerpt(text: Any, limit: int = EXCERPT) -> str:
    """`text` as a message quotes it: at most `limit` characters."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def listing(names, most: int = LISTED) -> str:
    """Names as a message lists them: at most `most`, then how many more."""
    names = [str(n) for n in names]
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


@dataclass(frozen=True)
class Where:
    """A place in the input: file, line (1-based, 0 when unknown) and dotted path."""

    file: str = ""
    line: int = 0
    path: str = ""

    def __str__(self) -> str:
        head = self.file or "<input>"
        if self.line:
            head += f":{self.line}"
        return f"{head}: {self.path}" if self.path else head


@dataclass(frozen=True)
class Problem:
    where: Where
    message: str

    def __str__(self) -> str:
        if self.where == Where():
            return self.message
        return f"{self.where}: {self.message}"


class InputError(Exception):
    """Bad input: a scenario, a deal or an option. Carries every problem found, in order."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(Where(), problems)]
        elif isinstance(problems, list) and problems and isinstance(problems[0], str):
            problems = [Problem(Where(), p) for p in problems]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def in_file(self, file: str) -> InputError:
        """The same complaints, those that name no file naming `file`."""
        return InputError([p if p.where.file else Problem(Where(file, p.where.line, p.where.path),
                                                         p.message) for p in self.problems])
