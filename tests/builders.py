"""Small scenarios built as plain data, instead of editing YAML text.

    data = tariff_talks(rules=[{"forbid": {"quota": "small"}}])
    data = with_party(data, "exporter", reservation="derived", veto=False)
    path = write_yaml(tmp_path, data)

Every helper returns a new deep copy and leaves its argument alone. Tests whose point is a
particular YAML text (tabs, duplicate keys, aliases, line numbers of a hand-written file) keep
that text literally instead.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from sim.scenario import yamlio

# The design's smallest scenario, as YAML would load it.
TARIFF_TALKS: dict[str, Any] = {
    "name": "tariff-talks",
    "issues": {
        "tariff": {"levels": ["low", "mid", "high"]},
        "quota": {"levels": ["small", "large"]},
    },
    "parties": {
        "exporter": {
            "weights": {"tariff": 0.6, "quota": 0.4},
            "values": {"tariff": {"low": 1.0, "mid": 0.5, "high": 0.0},
                       "quota": {"small": 0.0, "large": 1.0}},
            "reservation": 0.3,
        },
        "importer": {
            "weights": {"tariff": 0.5, "quota": 0.5},
            "values": {"tariff": {"low": 0.0, "mid": 0.6, "high": 1.0},
                       "quota": {"small": 1.0, "large": 0.2}},
            "reservation": 0.3,
        },
    },
}

DROP = object()
"""Give a field this value in `with_party` to remove the field."""


def tariff_talks(**changes: Any) -> dict:
    """The smallest scenario with top-level keys replaced or added (added keys go last)."""
    data = copy.deepcopy(TARIFF_TALKS)
    data.update(copy.deepcopy(changes))
    return data


def with_party(data: dict, name: str, **fields: Any) -> dict:
    """`data` with party `name` changed (or added): a mapping given for a mapping field
    (`weights`, `values`) updates it key by key, one level deep, so `values={"tariff": ...}`
    replaces the tariff table only; any other field is replaced or added; `DROP` removes it."""
    data = copy.deepcopy(data)
    party = data["parties"].setdefault(name, {})
    for field, value in fields.items():
        if value is DROP:
            party.pop(field, None)
        elif isinstance(value, dict) and isinstance(party.get(field), dict):
            party[field].update(copy.deepcopy(value))
        else:
            party[field] = copy.deepcopy(value)
    return data


def with_issue(data: dict, name: str, issue: dict, values: Any) -> dict:
    """`data` with issue `name` set to `issue` (replaced in place if it exists), and every
    party given the value function `values` for it. Weights are left alone: an issue a
    party does not weigh counts 0 for it."""
    data = copy.deepcopy(data)
    data["issues"][name] = copy.deepcopy(issue)
    for party in data["parties"].values():
        party["values"][name] = copy.deepcopy(values)
    return data


def with_red_line(data: dict, party: str, when: dict, note: str = "") -> dict:
    """`data` with one more red line for `party`."""
    data = copy.deepcopy(data)
    line = {"when": copy.deepcopy(when)}
    if note:
        line["note"] = note
    data["parties"][party].setdefault("red_lines", []).append(line)
    return data


def with_body(data: dict, name: str, body: dict) -> dict:
    """`data` with ratification body `name` set to `body` (it ratifies for no party unless
    `body` says `party:`, or a party lists it in `ratified_by`)."""
    data = copy.deepcopy(data)
    data.setdefault("ratification", {})[name] = copy.deepcopy(body)
    return data


def read_yaml(path: Path) -> dict:
    """A scenario file as plain data, read as `sim.load` reads it (yes/no stay words)."""
    return yamlio.parse(path.read_text(), str(path))[0]


def write_yaml(tmp_path: Path, data: dict, name: str = "s.yaml") -> Path:
    """Write `data` as YAML to `tmp_path / name` and return that path."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
