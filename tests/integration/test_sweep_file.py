"""`sim sweep SCENARIO --spec FILE`: a sweep file gives the same sweep as the command line it
stands for, and a bad one is refused as a bad scenario is: located, saying what is valid."""

import textwrap

from typer.testing import CliRunner

from sim.cli import app
from sim.experiments import store
from tests.conftest import SCENARIOS

TRADE = str(SCENARIOS / "trade-deal.yaml")


def sweep(*args):
    return CliRunner().invoke(app, ["sweep", TRADE, "--quiet", *args])


def write(tmp_path, text: str):
    path = tmp_path / "sweep.yaml"
    path.write_text(textwrap.dedent(text))
    return str(path)


def test_a_sweep_file_is_the_command_line_it_stands_for(tmp_path):
    spec = write(tmp_path, """\
        # yaml-language-server: $schema=../scenarios/sweep.schema.json
        note: where the exporter's bar closes the zone
        design: lhs
        samples: 12
        seed: 5
        replicates: 2
        vary:
          parties.exporter.reservation: "0.3:0.9"
          parties.importer.weights.tariff: {uniform: [0.2, 0.4]}
          parties.exporter.patience: {choice: [0.8, 0.9]}
        """)
    assert sweep("--spec", spec, "--out", str(tmp_path / "file")).exit_code == 0
    r = sweep("--vary", "parties.exporter.reservation=0.3:0.9",
              "--vary", "parties.importer.weights.tariff=uniform(0.2, 0.4)",
              "--vary", "parties.exporter.patience=choice(0.8, 0.9)", "--design", "lhs",
              "--samples", "12", "--seed", "5", "--replicates", "2",
              "--out", str(tmp_path / "line"))
    assert r.exit_code == 0, r.stderr
    a, b = store.read(tmp_path / "file"), store.read(tmp_path / "line")
    assert len(a) == 24 and a.equals(b)


def test_a_grid_from_lists_in_the_file(tmp_path):
    spec = write(tmp_path, """\
        vary:
          parties.exporter.reservation: [0.3, 0.5]
          parties.importer.reservation: "0.2:0.4:3"
        """)
    assert sweep("--spec", spec, "--out", str(tmp_path / "s")).exit_code == 0
    table = store.read(tmp_path / "s")
    assert sorted(zip(table["in.parties.exporter.reservation"],
                      table["in.parties.importer.reservation"], strict=True)) == [
        (a, b) for a in (0.3, 0.5) for b in (0.2, 0.3, 0.4)]


def test_a_bad_sweep_file_is_refused_with_its_line_and_what_is_valid(tmp_path):
    spec = write(tmp_path, """\
        desing: lhs
        samples: 0
        vary:
          parties.exporter.reservation: "0.9:0.3"
        """)
    r = sweep("--spec", spec, "--out", str(tmp_path / "s"))
    assert r.exit_code == 2
    assert "sweep.yaml:1: desing: unknown key 'desing'; did you mean 'design'?" in r.stderr
    assert "sweep.yaml:2: samples:" in r.stderr and "greater than or equal to 1" in r.stderr
    spec = write(tmp_path, """\
        vary:
          parties.exporter.reservation: "0.9:0.3"
        """)
    r = sweep("--spec", spec, "--out", str(tmp_path / "s"))
    assert r.exit_code == 2 and "sweep.yaml:2: vary.parties" in r.stderr
    assert "lo <= hi" in r.stderr and "Traceback" not in r.stderr


def test_the_design_is_given_in_the_file_or_on_the_command_line_not_both(tmp_path):
    spec = write(tmp_path, "vary: {parties.exporter.reservation: [0.3, 0.5]}\n")
    r = sweep("--spec", spec, "--seed", "3", "--out", str(tmp_path / "s"))
    assert r.exit_code == 2 and "--seed also given" in r.stderr
    r = sweep("--spec", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "s"))
    assert r.exit_code == 2 and "not found" in r.stderr


def test_mistakes_a_newcomer_makes_are_told_in_one_line_each(tmp_path):
    """Found by a newcomer's run: a misspelled distribution leaked pydantic's union tags, a
    bare number was 'not a valid string', a scenario given as the sweep file gave a line per
    section."""
    spec = write(tmp_path, """\
        vary:
          parties.importer.reservation: {unifrom: [0.2, 0.7]}
          parties.exporter.reservation: 0.5
        """)
    r = sweep("--spec", spec, "--out", str(tmp_path / "s"))
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert lines == [
        f"error: {spec}:2: vary.parties.importer.reservation.unifrom: unknown key 'unifrom'; "
        "did you mean 'uniform'? valid: uniform, normal, triangular, beta, choice, note",
        f"error: {spec}:3: vary.parties.exporter.reservation: a SPEC is text, such as "
        "\"0.3:0.6\" or \"normal(0.4, 0.05)\"; for one value write a list, [0.5]"]
    r = sweep("--spec", TRADE, "--out", str(tmp_path / "s"))
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "not a sweep file" in r.stderr
    r = sweep("--vary", "parties.exporter.reservation=0.2-0.5", "--out", str(tmp_path / "s"))
    assert r.exit_code == 2 and "with a colon, lo:hi" in r.stderr


def test_a_path_the_scenario_cannot_vary_is_located_in_the_file(tmp_path):
    spec = write(tmp_path, """\
        replicates: 2
        vary:
          parties.exporter.reservaton: "0.2:0.4"
        """)
    r = sweep("--spec", spec, "--out", str(tmp_path / "s"))
    assert r.exit_code == 2
    assert f"{spec}:3: vary.parties.exporter.reservaton: path does not resolve" in r.stderr
    assert "did you mean" in r.stderr or "valid:" in r.stderr
    (tmp_path / "empty.yaml").write_text("# nothing\n")
    r = sweep("--spec", str(tmp_path / "empty.yaml"), "--out", str(tmp_path / "s"))
    assert r.exit_code == 2 and "expected a sweep file mapping" in r.stderr
    spec = write(tmp_path, "replicates: true\n")
    r = sweep("--spec", spec, "--out", str(tmp_path / "s"))
    assert r.exit_code == 2 and "replicates: Input should be a valid integer" in r.stderr
