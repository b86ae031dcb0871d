"""Rewrite the golden outputs of `sim solve` for every shipped scenario (tests/golden/).

    .venv/bin/python scripts/update_golden.py

Run it when a change is meant to move an answer (a scenario edited, a model corrected), and
say in the commit what moved and why; tests/integration/test_golden.py fails on anything else.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.cli import app  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"


def outputs(path: Path) -> tuple[str, dict]:
    runner = CliRunner()
    text = runner.invoke(app, ["solve", str(path.relative_to(ROOT))]).stdout
    data = json.loads(runner.invoke(app, ["solve", str(path.relative_to(ROOT)), "--json"]).stdout)
    return text, data


def main() -> None:
    import os

    os.chdir(ROOT)
    GOLDEN.mkdir(exist_ok=True)
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        text, data = outputs(path)
        (GOLDEN / f"{path.stem}.txt").write_text(text)
        (GOLDEN / f"{path.stem}.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        print(f"wrote tests/golden/{path.stem}.txt and .json", file=sys.stderr)


if __name__ == "__main__":
    main()
