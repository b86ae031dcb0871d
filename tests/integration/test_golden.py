"""Every shipped scenario's `sim solve` answer, pinned: the text byte for byte, the JSON with
numbers to 1e-9 (the last digits of a float may move with a numpy release). A change that is
meant to move an answer regenerates them with scripts/update_golden.py and says why."""

import json
import math
import os
import sys

import pytest

from tests.conftest import ROOT, SCENARIOS

sys.path.insert(0, str(ROOT / "scripts"))
from update_golden import GOLDEN, outputs  # noqa: E402

NAMES = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


def close(a, b, where="") -> list[str]:
    """Where two JSON values differ, numbers compared to 1e-9."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{where}: keys {sorted(a.keys() ^ b.keys())}"]
        return [d for k in a for d in close(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items, not {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in close(x, y, f"{where}.{i}")]
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return [] if math.isclose(a, b, rel_tol=0, abs_tol=1e-9) else [f"{where}: {a} != {b}"]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


@pytest.mark.parametrize("name", NAMES)
def test_solve_gives_the_golden_answer(name, monkeypatch):
    monkeypatch.chdir(ROOT)
    text, data = outputs(SCENARIOS / f"{name}.yaml")
    assert text == (GOLDEN / f"{name}.txt").read_text()
    want = json.loads((GOLDEN / f"{name}.json").read_text())
    want["provenance"].pop("sim_version"), data["provenance"].pop("sim_version")
    assert close(data, want) == []


def test_every_shipped_scenario_has_a_golden_answer():
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == NAMES
    assert os.path.isfile(GOLDEN / f"{NAMES[0]}.json")


def test_a_file_written_for_the_first_format_keeps_its_answers():
    """bench/fixtures/berlin-2025-12.yaml is the default scenario as first written (no red
    line names, no `holds:`, eleven issues): it loads and solves as it did then."""
    import sim

    r = sim.solve(sim.load(ROOT / "bench" / "fixtures" / "berlin-2025-12.yaml"))
    assert (r.total, r.feasible, r.acceptable) == (1_920_000, 960, 176)
    assert r.solutions["nash"].terms["donbas"] == "free_economic_zone"
    assert r.provenance.scenario_hash == (
        "6057f9bd78236b04d72d7379260dfc6b04b9a4f6e93631415943c3cfe7d13665")
