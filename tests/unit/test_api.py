"""The house's contracts: every verb in sim.api, one-way imports, results a sweep can store."""

import inspect
import json
import subprocess
import sys

import numpy as np
import pytest

import sim
from sim import api, seeds
from sim.results import Result, metric_count
from tests.conftest import ROOT, SCENARIOS

DEFAULT = SCENARIOS / "berlin-open.yaml"
TRADE = SCENARIOS / "trade-deal.yaml"


@pytest.fixture(scope="module")
def berlin():
    return sim.load(DEFAULT)


@pytest.fixture(scope="module")
def berlin_result(berlin):
    return sim.solve(berlin)


def test_every_verb_is_a_plain_function_in_api_and_re_exported():
    import sim.abm.run  # noqa: F401  importing an engine's submodule shadows no verb
    import sim.solver.frontier  # noqa: F401

    for verb in ("load", "validate", "evaluate", "solve", "simulate", "sweep", "compare",
                 "acceptability_map"):
        fn = getattr(sim, verb)
        assert inspect.isfunction(fn), verb
        assert fn is getattr(api, verb)
    with pytest.raises(sim.InputError, match="at least two"):
        sim.compare(SCENARIOS / "trade-deal.yaml")


def _loaded_after(statement: str) -> set[str]:
    code = (f"import sys; {statement}; "
            "print(' '.join(m for m in sys.modules if m.startswith('sim')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


def test_the_scenario_language_imports_no_problem_compiler_or_engine():
    loaded = _loaded_after("import sim.scenario; sim.scenario.load('scenarios/trade-deal.yaml')")
    assert "sim.scenario.load" in loaded
    for layer in ("sim.problem", "sim.compile", "sim.ratify", "sim.evaluation", "sim.solver",
                  "sim.api", "sim.experiments", "sim.report"):
        assert layer not in loaded, layer


def test_compiling_loads_no_engine():
    loaded = _loaded_after("import sim; sim.compile_problem(sim.load('scenarios/trade-deal.yaml'))")
    assert "sim.problem" in loaded and "sim.space" in loaded
    assert not any(m.startswith(("sim.solver", "sim.experiments", "sim.report")) for m in loaded)


def test_the_cli_starts_without_the_model():
    loaded = _loaded_after("import sim.cli")
    assert not any(m.startswith(("sim.solver", "sim.problem", "sim.scenario")) for m in loaded)


def test_results_are_frozen_carry_no_problem_and_follow_the_protocol(berlin_result):
    from dataclasses import FrozenInstanceError, fields

    assert isinstance(berlin_result, Result)
    with pytest.raises(FrozenInstanceError):
        berlin_result.total = 0
    for f in fields(berlin_result):
        assert not isinstance(getattr(berlin_result, f.name), sim.Problem), f.name


def test_solve_metrics_are_one_flat_row(berlin, berlin_result):
    row = berlin_result.metrics()
    assert all(isinstance(v, bool | int | float | str | None) for v in row.values())
    assert row["total"] == 6_400_000 and row["zopa"] is True
    assert row["acceptable"] == berlin_result.acceptable > 0
    nash = berlin_result.solutions["nash"]
    for issue in berlin.issues:
        assert row[f"nash.{issue}"] == nash.terms[issue]
    for party in berlin.parties:
        assert row[f"nash.u.{party}"] == nash.utility[party]
        assert row[f"nash.eu.{party}"] == nash.expected_utility[party]
    for name, standing in berlin_result.packages.items():
        assert row[f"package.{name}.acceptable"] is standing.acceptable
    empty = sim.solve(sim.load(SCENARIOS / "berlin-2025-12.yaml")).metrics()
    assert empty["zopa"] is False and empty["nash.donbas"] is None


def test_counts_beyond_int64_become_floats():
    assert metric_count(2**63 - 1) == 2**63 - 1 and isinstance(metric_count(2**63 - 1), int)
    assert isinstance(metric_count(5**40), float) and metric_count(5**40) == pytest.approx(
        5.0**40)


def test_the_frontier_as_a_frame(berlin_result):
    frame = berlin_result.to_frame()
    assert len(frame) == len(berlin_result.pareto)
    first = berlin_result.pareto[0]
    assert frame.loc[0, "donbas"] == first.terms["donbas"]
    assert frame.loc[0, "expected_utility.ukraine"] == first.expected_utility["ukraine"]


def test_utility_means_the_deals_own_in_every_json(berlin, berlin_result):
    out = berlin_result.to_dict()
    nash = out["solutions"]["nash"]
    assert nash["p_ratified"] < 1
    assert nash["utility"]["ukraine"] > nash["expected_utility"]["ukraine"]
    ev = sim.evaluate(berlin, nash["terms"]).to_dict()
    ukraine = next(p for p in ev["parties"] if p["party"] == "ukraine")
    assert ukraine["utility"] == pytest.approx(nash["utility"]["ukraine"], abs=1e-12)
    assert ukraine["expected_utility"] == pytest.approx(nash["expected_utility"]["ukraine"],
                                                        abs=1e-12)
    for deal in out["pareto"]:
        p, r = deal["p_ratified"], out["reference"]
        for party, u in deal["utility"].items():
            eu = p * u + (1 - p) * r[party]["reservation"]
            assert deal["expected_utility"][party] == pytest.approx(eu, abs=1e-11)


def test_every_json_carries_its_provenance(berlin):
    trade = sim.load(TRADE)
    solved = sim.solve(trade, samples=3, seed=5).to_dict()["provenance"]
    assert solved["sim_version"] == sim.__version__ and solved["format_version"] == 2
    assert solved["seed"] == 5
    plain = sim.solve(trade).to_dict()["provenance"]
    assert "seed" not in plain and plain["scenario_hash"] == solved["scenario_hash"]
    evaluated = sim.evaluate(berlin, package="twenty-point").to_dict()["provenance"]
    assert evaluated["scenario_hash"] != plain["scenario_hash"]
    mapped = sim.acceptability_map(trade).to_dict()["provenance"]
    assert mapped["scenario_hash"] == plain["scenario_hash"]
    json.dumps(solved, allow_nan=False)


def test_the_scenario_hash_follows_the_content_not_the_file(tmp_path):
    import yaml

    data = yaml.safe_load(TRADE.read_text())
    (tmp_path / "same.yaml").write_text(yaml.safe_dump(data, sort_keys=True))
    (tmp_path / "overlay.yaml").write_text(f"extends: {TRADE}\n")
    data["parties"]["exporter"]["reservation"] = 0.36
    (tmp_path / "moved.yaml").write_text(yaml.safe_dump(data))
    hashes = {name: sim.compile_problem(sim.load(tmp_path / name)).scenario_hash
              for name in ("same.yaml", "overlay.yaml", "moved.yaml")}
    original = sim.compile_problem(sim.load(TRADE)).scenario_hash
    assert hashes["same.yaml"] == hashes["overlay.yaml"] == original
    assert hashes["moved.yaml"] != original


def test_evaluate_merges_a_packages_terms_with_changes(berlin):
    base = sim.evaluate(berlin, package="twenty-point")
    changed = sim.evaluate(berlin, {"foreign_forces": "no_western_troops"},
                           package="twenty-point")
    assert changed.terms == {**base.terms, "foreign_forces": "no_western_troops"}
    assert changed.package == "twenty-point, changed: foreign_forces=no_western_troops"
    with pytest.raises(sim.InputError, match="unknown package 'nope'"):
        sim.evaluate(berlin, package="nope")
    with pytest.raises(sim.InputError, match="give --package"):
        sim.evaluate(berlin)


def test_robustness_needs_the_scenario_and_bad_options_are_input_errors():
    trade = sim.load(TRADE)
    with pytest.raises(sim.InputError, match="pass the Scenario"):
        sim.solve(sim.compile_problem(trade), samples=2)
    with pytest.raises(sim.InputError, match="unknown method"):
        sim.solve(trade, method="fast")


def test_a_feasibility_error_names_the_file(tmp_path):
    import yaml

    data = yaml.safe_load(TRADE.read_text())
    data["rules"] = [{"forbid": {"quota": q}} for q in data["issues"]["quota"]["levels"]]
    data.pop("packages", None)
    path = tmp_path / "none.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(sim.InputError, match=f"{path}: no deal is feasible"):
        sim.validate(path)


def test_seeds_are_one_recipe_and_depend_only_on_their_coordinates():
    a = seeds.generator(7, 2, 3).random(4)
    assert np.array_equal(a, seeds.generator(7, 2, 3).random(4))
    for other in ((8, 2, 3), (7, 3, 3), (7, 2, 4)):
        assert not np.array_equal(a, seeds.generator(*other).random(4))
    assert np.array_equal(a, np.random.default_rng(np.random.SeedSequence((7, 2, 3))).random(4))
    with pytest.raises(ValueError, match=r"in \[0, 2\^32\)"):
        seeds.generator(-1)
    with pytest.raises(ValueError, match=r"in \[0, 2\^32\)"):  # (2^32, 0, 0) would be (0, 1, 0)
        seeds.generator(2**32)
