"""Loading: the design's smallest scenario, extends overlays, dotted paths, compiled arrays."""

import numpy as np
import pytest

import sim
from sim.scenario import paths
from sim.scenario.load import merge
from sim.scenario.model import Issue
from tests.builders import (
    tariff_talks,
    with_body,
    with_issue,
    with_party,
    with_red_line,
    write_yaml,
)

LINK = {"when": {"tariff": "low"}, "require": {"quota": "small"}, "note": "link"}


@pytest.fixture
def tariff(tmp_path):
    return write_yaml(tmp_path, tariff_talks(), "tariff.yaml")


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
    both = paths.set_values(data, {"rules.0.n": 5, "parties.a.weights.x": 3,
                                   "parties.a.reservation": 0.5})
    assert both["rules"] == [{"n": 5}] and data["rules"] == [{"n": 1}]
    assert both["parties"]["a"] == {"reservation": 0.5, "weights": {"x": 3}}
    assert data == {"parties": {"a": {"reservation": 0.3, "weights": {"x": 1}}},
                    "rules": [{"n": 1}]}
    with pytest.raises(KeyError, match="'y' not found"):
        paths.set_values(data, {"parties.a.weights.y": 1})
    with pytest.raises(KeyError, match="'b' not found under parties; valid: a"):
        paths.get(data, "parties.b.reservation")


def test_uncertainty_paths_must_resolve(tariff, tmp_path):
    data = tariff_talks(uncertainty={"parties.exporter.reservaton": {"uniform": [0.1, 0.2]}})
    with pytest.raises(sim.InputError, match="path does not resolve"):
        sim.load(write_yaml(tmp_path, data, "u.yaml"))


def test_packages_must_be_complete_and_feasible(tmp_path):
    packages = {"a": {"terms": {"tariff": "low", "quota": "large"}},
                "b": {"terms": {"tariff": "low"}}}
    data = tariff_talks(rules=[LINK], packages=packages)
    with pytest.raises(sim.InputError) as e:
        sim.load(write_yaml(tmp_path, data, "p.yaml"))
    text = str(e.value)
    assert "packages.b.terms: no level for issue(s) quota" in text


def test_derived_reservation_is_outlook_utility_minus_cost(tmp_path):
    data = tariff_talks(no_deal={"outlook": {"tariff": "high", "quota": "large"},
                                 "cost": {"exporter": 0.1}})
    data = with_party(data, "exporter", reservation="derived")
    p = sim.compile_problem(sim.load(write_yaml(tmp_path, data, "d.yaml")))
    assert np.isclose(p.reservation[0], 0.6 * 0.0 + 0.4 * 1.0 - 0.1)


def test_a_package_that_breaks_a_rule_is_rejected(tmp_path):
    data = tariff_talks(rules=[LINK],
                        packages={"a": {"terms": {"tariff": "low", "quota": "large"}}})
    with pytest.raises(sim.InputError, match=r"packages.a.terms: breaks rule 0 \(link\)"):
        sim.load(write_yaml(tmp_path, data, "p.yaml"))


def test_folded_notes_are_stripped_and_numeric_dates_read_as_text(tmp_path, tariff):
    # The YAML forms are the point (a folded block, a bare year), so the variant over the
    # built scenario is literal text.
    (tmp_path / "n.yaml").write_text(
        "extends: tariff.yaml\nparties:\n  exporter:\n    red_lines:\n"
        "      - when: {tariff: low}\n        note: >\n          folded text\n"
        "sources:\n  s1: {title: A poll, date: 2025}\n")
    s = sim.load(tmp_path / "n.yaml")
    assert s.parties["exporter"].red_lines[0].note == "folded text"
    assert s.sources["s1"].date == "2025"


def test_a_numeric_distribution_cannot_replace_a_derived_reservation(tmp_path):
    data = tariff_talks(no_deal={"outlook": {"tariff": "high", "quota": "large"}},
                        uncertainty={"parties.exporter.reservation": {"uniform": [0.1, 0.2]}})
    data = with_party(data, "exporter", reservation="derived")
    with pytest.raises(sim.InputError, match="'derived', not a number"):
        sim.load(write_yaml(tmp_path, data, "u.yaml"))


def test_the_public_api_names_work_as_the_design_says():
    import importlib

    from tests.conftest import SCENARIOS

    importlib.import_module("sim.solver.frontier")  # importing an engine shadows no verb
    scenario = sim.load(SCENARIOS / "trade-deal.yaml")
    result = sim.solve(scenario)
    assert result.solutions["nash"] is not None
    assert sim.evaluate(scenario, result.solutions["nash"].terms).acceptable


def test_a_party_without_a_veto_binds_nobody(tmp_path):
    senate = {"kind": "legislature", "seats": 10, "pass_votes": 10, "intercept": -5}
    data = with_body(tariff_talks(), "senate", senate)
    data = with_red_line(data, "exporter", {"tariff": "high"}, "never high")
    veto = with_party(data, "exporter", ratified_by=["senate"])
    no_veto = with_party(veto, "exporter", veto=False)
    problem = sim.compile_problem(sim.load(write_yaml(tmp_path, no_veto, "v.yaml")))
    assert not problem.red_lines and not problem.bodies  # both advisory
    ev = sim.evaluate(problem, {"tariff": "high", "quota": "small"})
    assert ev.acceptable
    assert ev.parties[0].red_lines == ["never high"]
    assert ev.bodies[0].party == "exporter" and not ev.bodies[0].binds
    ev = sim.evaluate(sim.load(write_yaml(tmp_path, veto, "w.yaml")),
                      {"tariff": "high", "quota": "small"})
    assert not ev.acceptable
    assert "exporter red line: never high" in map(str, ev.reasons)
    assert any(str(r).startswith(("senate passes it", "senate never passes it"))
               for r in ev.reasons)


def test_a_body_ratifies_for_one_party(tmp_path):
    data = with_body(tariff_talks(), "senate", {"kind": "legislature", "party": "importer",
                                                "seats": 10, "pass_votes": 6})
    data = with_party(data, "exporter", ratified_by=["senate"])
    with pytest.raises(sim.InputError, match="'senate' ratifies for 'importer'"):
        sim.load(write_yaml(tmp_path, data, "b.yaml"))


def test_uncertainty_may_not_change_the_deal_space():
    data = tariff_talks(uncertainty={"issues.share.step": {"choice": [0.5, 0.1]}})
    data = with_issue(data, "share", {"range": [0, 1], "step": 0.5}, {"linear": "increasing"})
    with pytest.raises(sim.InputError, match="deal space"):
        sim.from_dict(data)


def test_value_table_keys_are_level_names_exactly_and_booleans_take_yes_no():
    data = with_issue(tariff_talks(), "tariff", {"levels": ["Low", "low", "high"]},
                      {"Low": 1.0, "low": 0.5, "high": 0.0})
    data = with_party(data, "importer", values={"tariff": {"Low": 0.0, "low": 0.6, "high": 1.0}})
    p = sim.compile_problem(sim.from_dict(data))
    assert p.values[0][0].tolist() == [1.0, 0.5, 0.0]
    data = with_issue(tariff_talks(), "panel", {"type": "boolean"}, {"yes": 1.0, "no": 0.0})
    data = with_party(data, "importer", values={"panel": {True: 0.0, "false": 1.0}})
    p = sim.compile_problem(sim.from_dict(data))
    assert p.values[2].tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_one_level_given_twice_under_two_spellings_is_an_error():
    data = with_issue(tariff_talks(), "t", {"levels": ["1", "2"]}, {1: 0.0, "1": 0.9, 2: 1.0})
    with pytest.raises(sim.InputError, match="level '1' is given twice"):
        sim.from_dict(data)


def test_booleans_are_not_numbers_and_all_any_not_are_not_issue_names():
    data = with_issue(tariff_talks(rules=[{"forbid": {"n": False}}]), "n",
                      {"range": [0, 1], "step": 1}, {"linear": "increasing"})
    with pytest.raises(sim.InputError, match="False is not a number"):
        sim.from_dict(data)
    data = with_issue(tariff_talks(), "not", {"levels": ["a", "b"]}, {"a": 0, "b": 1})
    with pytest.raises(sim.InputError, match="reserved"):
        sim.from_dict(data)


def test_an_issue_may_not_take_the_name_of_a_solutions_metric():
    data = with_issue(tariff_talks(), "p_ratified", {"levels": ["a", "b"]}, {"a": 0, "b": 1})
    with pytest.raises(sim.InputError, match="'p_ratified' is reserved"):
        sim.from_dict(data)


def test_yaml_merge_keys_work_as_in_safe_load(tmp_path):
    # literal text: the merge key (<<) is the point
    (tmp_path / "m.yaml").write_text(
        "name: m\nissues:\n  tariff: {levels: [low, high]}\nparties:\n"
        "  a: &a\n    weights: {tariff: 1}\n    values: {tariff: {low: 1, high: 0}}\n"
        "    reservation: 0.1\n  b:\n    <<: *a\n    values: {tariff: {low: 0, high: 1}}\n")
    s = sim.load(tmp_path / "m.yaml")
    assert s.parties["b"].reservation == 0.1 and s.parties["b"].values["tariff"]["high"] == 1


def test_tiny_ranges_keep_distinct_grid_points():
    from sim.scenario.terms import grid

    points = grid(Issue(range=(0, 1e-10), step=2e-11))
    assert len(set(points)) == len(points) == 6


# --- red lines read both ways (issue 11): names, `holds`, list edits by name ------------------

def _named_lines() -> dict:
    data = with_red_line(tariff_talks(), "importer", {"tariff": "low"}, "no low tariff")
    data["parties"]["importer"]["red_lines"][0]["name"] = "low_tariff"
    return with_red_line(data, "importer", {"quota": "large"}, "no large quota")


def test_a_list_entry_is_named_by_its_place_or_its_name():
    data = _named_lines()
    data["parties"]["importer"]["red_lines"][0]["holds"] = True  # as a scenario dumps it
    assert paths.get(data, "parties.importer.red_lines.low_tariff.when") == {"tariff": "low"}
    assert paths.get(data, "parties.importer.red_lines.0") is paths.get(
        data, "parties.importer.red_lines.low_tariff")
    moved = paths.set_values(data, {"parties.importer.red_lines.low_tariff.holds": False})
    assert moved["parties"]["importer"]["red_lines"][0]["holds"] is False
    assert data["parties"]["importer"]["red_lines"][0]["holds"] is True  # the original kept
    with pytest.raises(KeyError, match="valid: 0 to 1, or a name: low_tariff"):
        paths.get(data, "parties.importer.red_lines.high_tariff")


def test_a_red_line_that_does_not_hold_binds_no_deal(tmp_path):
    data = _named_lines()
    held = sim.compile_problem(sim.from_dict(data))
    data["parties"]["importer"]["red_lines"][0]["holds"] = False
    dropped = sim.compile_problem(sim.from_dict(data))
    assert len(held.red_lines) == 2 and len(dropped.red_lines) == 1
    assert dropped.red_lines[0].note == "no large quota"
    idx = np.array([[0, 0], [0, 1]])  # low tariff with a small, then a large quota
    assert held.feasible(idx).tolist() == [False, False]
    assert dropped.feasible(idx).tolist() == [True, False]


def test_two_red_lines_of_a_party_may_not_share_a_name(tmp_path):
    data = _named_lines()
    data["parties"]["importer"]["red_lines"][1]["name"] = "low_tariff"
    with pytest.raises(sim.InputError, match="red_lines.1.name: 'low_tariff' already names "
                                             "red line 0"):
        sim.from_dict(data)


def test_a_variant_edits_a_named_entry_and_keeps_the_rest_of_the_list(tmp_path):
    write_yaml(tmp_path, _named_lines(), "base.yaml")
    (tmp_path / "v.yaml").write_text(
        "extends: base.yaml\nname: v\nparties:\n  importer:\n    red_lines:\n"
        "      low_tariff: {holds: false}\n")
    lines = sim.load(tmp_path / "v.yaml").parties["importer"].red_lines
    assert [(r.name, r.holds, r.note) for r in lines] == [
        ("low_tariff", False, "no low tariff"), (None, True, "no large quota")]
    assert merge([{"name": "a", "x": 1}, {"y": 2}], {"a": None}) == [{"y": 2}]
    where, message = _edit_error(tmp_path, "w.yaml", "low_tarif: {holds: false}")
    assert where.file.endswith("w.yaml") and where.line == 6
    assert "no entry of the base's list is named 'low_tarif'; named: low_tariff" in message
    # a bad value in a named edit points at the edit
    where, message = _edit_error(tmp_path, "x.yaml", "low_tariff: {holds: maybe}")
    assert where.file.endswith("x.yaml") and where.line == 6
    assert "red_lines.0.holds" in message


def _edit_error(tmp_path, name: str, edit: str):
    """(where, message) of the first problem loading a variant of base.yaml that edits the
    importer's red lines with `edit` (written on line 6)."""
    (tmp_path / name).write_text(
        f"extends: base.yaml\nname: {name[0]}\nparties:\n  importer:\n    red_lines:\n"
        f"      {edit}\n")
    with pytest.raises(sim.InputError) as e:
        sim.load(tmp_path / name)
    return e.value.problems[0].where, str(e.value)


def test_red_lines_alone_leaving_no_deal_are_a_finding_not_an_error():
    """Only the rules can make a scenario invalid for want of a deal: red lines that exclude
    every deal are what the parties' positions say, and solve reports it."""
    data = with_red_line(tariff_talks(), "exporter", {"tariff": {"at_least": "mid"}})
    data = with_red_line(data, "importer", {"tariff": "low"})
    result = sim.solve(sim.from_dict(data))
    assert result.feasible == 0 and result.acceptable == 0
    no_tariff = tariff_talks(rules=[{"forbid": {"tariff": t}} for t in ("low", "mid", "high")])
    with pytest.raises(sim.InputError, match="the rules exclude every deal"):
        sim.compile_problem(sim.from_dict(no_tariff))


def test_a_red_lines_new_fields_at_their_defaults_leave_the_hash_as_it_was(tmp_path):
    data = with_red_line(tariff_talks(), "importer", {"tariff": "low"})
    before = sim.compile_problem(sim.from_dict(data)).scenario_hash
    data["parties"]["importer"]["red_lines"][0]["holds"] = True
    assert sim.compile_problem(sim.from_dict(data)).scenario_hash == before
    data["parties"]["importer"]["red_lines"][0]["holds"] = False
    assert sim.compile_problem(sim.from_dict(data)).scenario_hash != before
