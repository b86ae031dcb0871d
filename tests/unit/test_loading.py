"""Loading: the design's smallest scenario, extends overlays, dotted paths, compiled arrays."""

import numpy as np
import pytest

import sim
from sim.scenario import paths
from sim.scenario.load import merge
from tests.integration.test_bad_input import GOOD


@pytest.fixture
def tariff(tmp_path):
    path = tmp_path / "tariff.yaml"
    path.write_text(GOOD)
    return path


def test_the_smallest_scenario_loads_exactly_as_written(tariff):
    s = sim.load(tariff)
    assert list(s.issues) == ["tariff", "quota"]
    assert s.issues["tariff"].levels == ["low", "mid", "high"]
    assert s.parties["exporter"].reservation == 0.3
    assert s.parties["importer"].veto is True
    p = sim.compile_problem(s)
    assert np.allclose(p.weights, [[0.6, 0.4], [0.5, 0.5]])
    idx = np.concatenate(list(p.enumerate()))
    assert idx.shape == (6, 2)
    # exporter: 0.6 v_tariff + 0.4 v_quota; importer: 0.5 v_tariff + 0.5 v_quota
    assert np.allclose(p.utility(idx)[:, 0], [0.6, 1.0, 0.3, 0.7, 0.0, 0.4])
    assert np.allclose(p.utility(idx)[:, 1], [0.5, 0.1, 0.8, 0.4, 1.0, 0.6])
    assert p.acceptable(idx).tolist() == [True, False, True, True, False, True]


def test_extends_overrides_merge_and_null_deletes(tmp_path, tariff):
    (tmp_path / "v.yaml").write_text(
        "extends: tariff.yaml\nname: variant\nparties:\n  importer:\n    reservation: 0.5\n"
        "    power: 2\n")
    s = sim.load(tmp_path / "v.yaml")
    assert s.name == "variant"
    assert s.parties["importer"].reservation == 0.5
    assert s.parties["importer"].power == 2
    assert s.parties["importer"].weights == {"tariff": 0.5, "quota": 0.5}
    assert s.extends is None
    assert merge({"a": {"b": 1, "c": 2}}, {"a": {"c": None, "d": 3}}) == {"a": {"b": 1, "d": 3}}


def test_errors_in_a_variant_point_at_the_file_that_wrote_the_value(tmp_path, tariff):
    (tmp_path / "v.yaml").write_text(
        "extends: tariff.yaml\nparties:\n  importer:\n    reservation: oops\n")
    with pytest.raises(sim.InputError) as e:
        sim.load(tmp_path / "v.yaml")
    where = e.value.problems[0].where
    assert where.file.endswith("v.yaml") and where.line == 4
    (tmp_path / "w.yaml").write_text("extends: tariff.yaml\nissues:\n  tariff: null\n")
    with pytest.raises(sim.InputError) as e:
        sim.load(tmp_path / "w.yaml")
    assert all(p.where.file.endswith("tariff.yaml") for p in e.value.problems)
    assert "unknown issue 'tariff'" in str(e.value)


def test_dotted_paths_get_and_set():
    data = {"parties": {"a": {"reservation": 0.3, "weights": {"x": 1}}}, "rules": [{"n": 1}]}
    assert paths.get(data, "parties.a.reservation") == 0.3
    assert paths.get(data, "rules.0.n") == 1
    changed = paths.set_values(data, {"parties.a.weights.x": 2})
    assert changed["parties"]["a"]["weights"]["x"] == 2
    assert data["parties"]["a"]["weights"]["x"] == 1  # the original is untouched
    with pytest.raises(KeyError, match="'b' not found under parties; valid: a"):
        paths.get(data, "parties.b.reservation")


def test_uncertainty_paths_must_resolve(tariff, tmp_path):
    (tmp_path / "u.yaml").write_text(GOOD + "uncertainty:\n  parties.exporter.reservaton: "
                                            "{uniform: [0.1, 0.2]}\n")
    with pytest.raises(sim.InputError, match="path does not resolve"):
        sim.load(tmp_path / "u.yaml")


def test_packages_must_be_complete_and_feasible(tmp_path):
    (tmp_path / "p.yaml").write_text(
        GOOD + "rules:\n  - when: {tariff: low}\n    require: {quota: small}\n    note: link\n"
        "packages:\n  a: {terms: {tariff: low, quota: large}}\n  b: {terms: {tariff: low}}\n")
    with pytest.raises(sim.InputError) as e:
        sim.load(tmp_path / "p.yaml")
    text = str(e.value)
    assert "packages.b.terms: no level for issue(s) quota" in text


def test_derived_reservation_is_outlook_utility_minus_cost(tmp_path):
    text = GOOD.replace("    reservation: 0.3\n  importer", "    reservation: derived\n  importer")
    text += "no_deal:\n  outlook: {tariff: high, quota: large}\n  cost: {exporter: 0.1}\n"
    (tmp_path / "d.yaml").write_text(text)
    p = sim.compile_problem(sim.load(tmp_path / "d.yaml"))
    assert np.isclose(p.reservation[0], 0.6 * 0.0 + 0.4 * 1.0 - 0.1)


def test_a_package_that_breaks_a_rule_is_rejected(tmp_path):
    (tmp_path / "p.yaml").write_text(
        GOOD + "rules:\n  - when: {tariff: low}\n    require: {quota: small}\n    note: link\n"
        "packages:\n  a: {terms: {tariff: low, quota: large}}\n")
    with pytest.raises(sim.InputError, match=r"packages.a.terms: breaks rule 0 \(link\)"):
        sim.load(tmp_path / "p.yaml")


def test_folded_notes_are_stripped_and_numeric_dates_read_as_text(tmp_path):
    text = GOOD.replace("    reservation: 0.3\n  importer",
                        "    reservation: 0.3\n    red_lines:\n      - when: {tariff: low}\n"
                        "        note: >\n          folded text\n  importer")
    text += "sources:\n  s1: {title: A poll, date: 2025}\n"
    (tmp_path / "n.yaml").write_text(text)
    s = sim.load(tmp_path / "n.yaml")
    assert s.parties["exporter"].red_lines[0].note == "folded text"
    assert s.sources["s1"].date == "2025"


def test_a_numeric_distribution_cannot_replace_a_derived_reservation(tmp_path):
    text = GOOD.replace("    reservation: 0.3\n  importer", "    reservation: derived\n  importer")
    text += ("no_deal:\n  outlook: {tariff: high, quota: large}\n"
             "uncertainty:\n  parties.exporter.reservation: {uniform: [0.1, 0.2]}\n")
    (tmp_path / "u.yaml").write_text(text)
    with pytest.raises(sim.InputError, match="'derived', not a number"):
        sim.load(tmp_path / "u.yaml")


def test_the_public_api_names_work_as_the_design_says():
    import importlib

    from tests.conftest import SCENARIOS

    importlib.import_module("sim.solver.frontier")  # importing an engine shadows no verb
    scenario = sim.load(SCENARIOS / "trade-deal.yaml")
    result = sim.solve(scenario)
    assert result.solutions["nash"] is not None
    assert sim.evaluate(scenario, result.solutions["nash"].terms).acceptable


def test_a_party_without_a_veto_binds_nobody(tmp_path):
    text = GOOD.replace("    reservation: 0.3\n  importer",
                        "    reservation: 0.3\n    veto: false\n    red_lines:\n"
                        "      - when: {tariff: high}\n        note: never high\n"
                        "    ratified_by: [senate]\n  importer")
    text += ("ratification:\n  senate:\n    kind: legislature\n    seats: 10\n"
             "    pass_votes: 10\n    intercept: -5\n")
    (tmp_path / "v.yaml").write_text(text)
    problem = sim.compile_problem(sim.load(tmp_path / "v.yaml"))
    assert not problem.red_lines and not problem.bodies  # both advisory
    ev = sim.evaluate(problem, {"tariff": "high", "quota": "small"})
    assert ev.acceptable
    assert ev.parties[0].red_lines == ["never high"]
    assert ev.bodies[0].party == "exporter" and not ev.bodies[0].binds
    veto = text.replace("    veto: false\n", "")
    (tmp_path / "w.yaml").write_text(veto)
    ev = sim.evaluate(sim.load(tmp_path / "w.yaml"), {"tariff": "high", "quota": "small"})
    assert not ev.acceptable
    assert "exporter red line: never high" in map(str, ev.reasons)
    assert any(str(r).startswith("senate passes it") for r in ev.reasons)


def test_a_body_ratifies_for_one_party(tmp_path):
    text = GOOD.replace("    reservation: 0.3\n  importer",
                        "    reservation: 0.3\n    ratified_by: [senate]\n  importer")
    text += ("ratification:\n  senate:\n    kind: legislature\n    party: importer\n"
             "    seats: 10\n    pass_votes: 6\n")
    (tmp_path / "b.yaml").write_text(text)
    with pytest.raises(sim.InputError, match="'senate' ratifies for 'importer'"):
        sim.load(tmp_path / "b.yaml")
