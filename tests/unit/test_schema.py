import json

from sim.scenario.model import json_schema
from tests.conftest import SCENARIOS


def test_committed_schema_equals_generated():
    committed = json.loads((SCENARIOS / "schema.json").read_text())
    assert committed == json_schema(), "regenerate with: ./run schema > scenarios/schema.json"


def test_every_scenario_carries_the_modeline():
    for path in SCENARIOS.glob("*.yaml"):
        first = path.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=./schema.json", path.name


def test_committed_sweep_file_schema_equals_generated():
    from sim.experiments.sweepfile import json_schema as sweep_schema

    committed = json.loads((SCENARIOS / "sweep.schema.json").read_text())
    assert committed == sweep_schema(), \
        "regenerate with: ./run schema --sweep > scenarios/sweep.schema.json"
