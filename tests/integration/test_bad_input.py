"""Every kind of bad input exits 2 with one or two lines naming file, line and path."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sim.cli import app
from tests.builders import DROP, tariff_talks, with_party, write_yaml
from tests.conftest import SCENARIOS

# The smallest scenario as literal text, for the cases whose point is the YAML text itself
# (its bytes and line numbers); test_the_literal_text_is_the_built_scenario keeps it equal to
# tests.builders.tariff_talks().
GOOD = """\
name: tariff-talks
issues:
  tariff: {levels: [low, mid, high]}
  quota: {levels: [small, large]}
parties:
  exporter:
    weights: {tariff: 0.6, quota: 0.4}
    values:
      tariff: {low: 1.0, mid: 0.5, high: 0.0}
      quota: {small: 0.0, large: 1.0}
    reservation: 0.3
  importer:
    weights: {tariff: 0.5, quota: 0.5}
    values:
      tariff: {low: 0.0, mid: 0.6, high: 1.0}
      quota: {small: 1.0, large: 0.2}
    reservation: 0.3
"""


def _bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def _exporter(**fields) -> dict:
    return with_party(tariff_talks(), "exporter", **fields)


# (case, file text or bytes or data, expected line, expected path, words the message must
# contain). The YAML-level cases are literal text; the others are data, written by
# write_yaml, whose block style puts exporter's weights on line 14 (tariff 15), its values'
# tariff table on 18-21 (mid 20), its quota table on 22-24 and its reservation on 25.
CASES = [
    ("malformed", GOOD.replace("[low, mid, high]}", "[low, mid, high}"), 3, "",
     "invalid YAML"),
    ("tab", GOOD.replace("    reservation: 0.3\n  importer", "\treservation: 0.3\n  importer"),
     11, "", "tab"),
    ("duplicate key", GOOD.replace("    reservation: 0.3\n  importer",
                                   "    reservation: 0.3\n    reservation: 0.4\n  importer"),
     12, "parties.exporter.reservation", "duplicate key"),
    ("unknown key", _exporter(reservation=DROP, reservaton=0.3),
     25, "parties.exporter.reservaton", "did you mean 'reservation'"),
    ("missing field", _exporter(reservation=DROP),
     13, "parties.exporter.reservation", "missing required field"),
    ("wrong type", _exporter(weights=[0.6, 0.4]),
     14, "parties.exporter.weights", "valid dictionary"),
    ("nan", _exporter(values={"tariff": {"low": 1.0, "mid": math.nan, "high": 0.0}}), 20,
     "parties.exporter.values.tariff.mid", "not a finite number"),
    ("infinity", _exporter(reservation=math.inf),
     25, "parties.exporter.reservation", "not a finite number"),
    ("negative weight", _exporter(weights={"tariff": -0.6}), 15,
     "parties.exporter.weights.tariff", "greater than or equal to 0"),
    ("all-zero weights", _exporter(weights={"tariff": 0, "quota": 0}), 14,
     "parties.exporter.weights", "all zero"),
    ("value above one", _exporter(values={"quota": {"small": 0.0, "large": 1.5}}), 24,
     "parties.exporter.values.quota.large", "less than or equal to 1"),
    ("unknown level", _exporter(values={"tariff": {"low": 1.0, "med": 0.5, "high": 0.0}}), 20,
     "parties.exporter.values.tariff.med", "did you mean 'mid'"),
    ("no feasible deal",
     tariff_talks(rules=[{"forbid": {"quota": "small"}}, {"forbid": {"quota": "large"}}]),
     0, "", "no deal is feasible"),
    ("missing extends", {"extends": "nowhere.yaml", **tariff_talks()}, 1, "extends",
     "not found"),
    ("alias bomb", _bomb(), 0, "", "nested aliases"),
    ("python tag", GOOD.replace("name: tariff-talks", "name: !!python/object/apply:os.system [ls]"),
     1, "name", "unsupported YAML tag"),
    ("empty", "", 0, "", "empty"),
    ("only comments", "# nothing\n# here\n", 0, "", "empty"),
    ("not a mapping", "- a\n- b\n", 1, "", "mapping"),
    ("binary", bytes(range(256)) * 4, 0, "", "binary"),
    ("not utf-8", b"name: caf\xe9\n", 0, "", "UTF-8"),
]


def _write(tmp_path: Path, content: str | bytes | dict, name: str = "bad.yaml") -> Path:
    if isinstance(content, dict):
        return write_yaml(tmp_path, content, name)
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


@pytest.mark.parametrize(("case", "content", "line", "path", "words"), CASES,
                         ids=[c[0] for c in CASES])
def test_bad_input_exits_2_with_a_located_message(tmp_path, case, content, line, path, words):
    file = _write(tmp_path, content)
    result = CliRunner().invoke(app, ["validate", str(file)])
    assert result.exit_code == 2, result.output
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert 1 <= len(errors) <= 2, result.stderr
    first = errors[0]
    assert str(file) in first
    if line:
        assert f"{file}:{line}:" in first, first
    if path:
        assert f" {path}:" in first, first
    assert words.lower() in first.lower(), first
    assert "Traceback" not in result.output


def test_the_literal_text_is_the_built_scenario():
    assert yaml.safe_load(GOOD) == tariff_talks()


def test_huge_file_is_refused_before_parsing(tmp_path):
    file = write_yaml(tmp_path, tariff_talks(), "huge.yaml")
    with file.open("a") as f:
        f.write("# padding\n" * 3_000_000)  # about 30 MB
    result = CliRunner().invoke(app, ["validate", str(file)])
    assert result.exit_code == 2
    assert "MB" in result.stderr and "under" in result.stderr


def test_circular_extends_is_named(tmp_path):
    write_yaml(tmp_path, {"extends": "b.yaml", **tariff_talks()}, "a.yaml")
    write_yaml(tmp_path, {"extends": "a.yaml", "name": "b"}, "b.yaml")
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "a.yaml")])
    assert result.exit_code == 2
    assert "circular extends: a.yaml -> b.yaml -> a.yaml" in result.stderr


def test_yes_no_on_off_stay_words(tmp_path):
    # literal text: the words must be unquoted (a YAML dumper would quote them)
    text = """\
name: tariff-talks
issues:
  tariff: {levels: [low, mid, high]}
  quota: {levels: [yes, no, on, off]}
parties:
  exporter:
    weights: {tariff: 0.6, quota: 0.4}
    values:
      tariff: {low: 1.0, mid: 0.5, high: 0.0}
      quota: {yes: 0.0, no: 1.0, on: 0.5, off: 0.2}
    reservation: 0.3
  importer:
    weights: {tariff: 0.5, quota: 0.5}
    values:
      tariff: {low: 0.0, mid: 0.6, high: 1.0}
      quota: {yes: 1.0, no: 0.2, on: 0.1, off: 0.3}
    reservation: 0.3
"""
    import sim

    scenario = sim.load(_write(tmp_path, text, "words.yaml"))
    assert scenario.issues["quota"].levels == ["yes", "no", "on", "off"]
    result = CliRunner().invoke(app, ["evaluate", str(tmp_path / "words.yaml"),
                                      "--deal", "tariff=mid,quota=on"])
    assert "quota   on" in result.stdout


def test_a_real_process_prints_no_traceback(tmp_path):
    file = write_yaml(tmp_path, with_party(tariff_talks(), "exporter", weights={"tariff": -0.6}))
    proc = subprocess.run([sys.executable, "-m", "sim", "validate", str(file)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    # line 15 of the written file: exporter's weights.tariff (see CASES)
    assert proc.stderr.startswith(f"error: {file}:15: parties.exporter.weights.tariff:")


def test_bad_deal_on_the_command_line(tmp_path):
    file = write_yaml(tmp_path, tariff_talks(), "good.yaml")
    for deal, words in [("tariff=mid", "no level for quota"),
                        ("tariff=middle,quota=large", "did you mean 'mid'"),
                        ("tariff", "is not issue=level")]:
        result = CliRunner().invoke(app, ["evaluate", str(file), "--deal", deal])
        assert result.exit_code == 2, (deal, result.output)
        assert words in result.stderr, (deal, result.stderr)
    result = CliRunner().invoke(app, ["evaluate", str(file), "--package", "nope"])
    assert result.exit_code == 2 and "unknown package 'nope'" in result.stderr


def test_a_negative_seed_is_bad_input():
    result = CliRunner().invoke(app, ["solve", str(SCENARIOS / "trade-deal.yaml"),
                                      "--samples", "2", "--seed", "-1"])
    assert result.exit_code == 2
