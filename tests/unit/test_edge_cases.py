"""Edge cases a code review reproduced, each pinned: crashes on valid input, wrong answers."""

import copy

import numpy as np
import pytest
from scipy import integrate, stats
from typer.testing import CliRunner

import sim
from sim.api import solve
from sim.cli import app
from sim.experiments.robustness import robustness
from sim.ratify import LegislatureModel
from sim.scenario.model import Issue, Legislature
from sim.solver.noncoop import alternating, random_proposer
from tests.conftest import SCENARIOS

BASE = {
    "name": "tariff-talks",
    "issues": {"tariff": {"levels": ["low", "mid", "high"]},
               "quota": {"levels": ["small", "large"]}},
    "parties": {
        "exporter": {"weights": {"tariff": 0.6, "quota": 0.4},
                     "values": {"tariff": {"low": 1.0, "mid": 0.5, "high": 0.0},
                                "quota": {"small": 0.0, "large": 1.0}},
                     "reservation": 0.3},
        "importer": {"weights": {"tariff": 0.5, "quota": 0.5},
                     "values": {"tariff": {"low": 0.0, "mid": 0.6, "high": 1.0},
                                "quota": {"small": 1.0, "large": 0.2}},
                     "reservation": 0.3},
    },
}


def base(**changes):
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def test_a_body_that_reads_no_issue_and_always_fails_means_no_deal(tmp_path):
    data = base(ratification={"senate": {"kind": "legislature", "seats": 100,
                                         "pass_votes": 67, "intercept": -3}})
    result = solve(sim.from_dict(data))
    assert result.acceptable == 0 and result.solutions["nash"] is None


def test_refinement_never_trades_the_nash_deal_for_one_with_a_zero_gain():
    data = {"name": "g", "issues": {"x": {"range": [0, 10], "step": 10.0}}, "parties": {
        "a": {"weights": {"x": 1}, "values": {"x": {"points": [[0, 0.835], [5.0, 0.145],
                                                               [10, 0.595]]}},
              "reservation": 0.0},
        "b": {"weights": {"x": 1}, "values": {"x": {"linear": "increasing"}},
              "reservation": 0.0}}}
    scenario = sim.from_dict(data)
    grid, refined = solve(scenario, refine=False), solve(scenario)
    product = lambda d: d.utility["a"] * d.utility["b"]  # noqa: E731
    assert product(refined.solutions["nash"]) >= product(grid.solutions["nash"]) - 1e-12


def test_a_scenario_where_nobody_has_a_veto_still_solves():
    data = base()
    for party in data["parties"].values():
        party["veto"] = False
    result = solve(sim.from_dict(data))
    assert result.acceptable == 6 and result.solutions["nash"] is not None


def test_plotting_a_scenario_with_no_acceptable_deal(tmp_path):
    result = CliRunner().invoke(app, ["solve", str(SCENARIOS / "berlin-no-congress.yaml"),
                                      "--plot", str(tmp_path)])
    assert result.exit_code == 1, result.stderr
    assert (tmp_path / "frontier.png").exists()


def test_uncertainty_may_not_change_the_deal_space():
    data = base(issues={"tariff": {"levels": ["low", "mid", "high"]},
                        "quota": {"levels": ["small", "large"]},
                        "share": {"range": [0, 1], "step": 0.5}},
                uncertainty={"issues.share.step": {"choice": [0.5, 0.1]}})
    for party in data["parties"].values():
        party["values"]["share"] = {"linear": "increasing"}
    with pytest.raises(sim.InputError, match="deal space"):
        sim.from_dict(data)


def test_uncertainty_reaches_into_lists():
    data = base(issues={"share": {"range": [0, 1], "step": 0.5}}, uncertainty={
        "parties.a.values.share.points.1.1": {"uniform": [0.2, 0.4]}})
    data["parties"] = {
        "a": {"weights": {"share": 1}, "values": {"share": {"points": [[0, 0], [1, 1]]}},
              "reservation": 0},
        "b": {"weights": {"share": 1}, "values": {"share": {"linear": "decreasing"}},
              "reservation": 0}}
    result = robustness(sim.from_dict(data), 4, seed=0)
    assert result.valid == 4


def test_value_table_keys_are_level_names_exactly_and_booleans_take_yes_no():
    data = base()
    data["issues"]["tariff"] = {"levels": ["Low", "low", "high"]}
    data["parties"]["exporter"]["values"]["tariff"] = {"Low": 1.0, "low": 0.5, "high": 0.0}
    data["parties"]["importer"]["values"]["tariff"] = {"Low": 0.0, "low": 0.6, "high": 1.0}
    p = sim.compile_problem(sim.from_dict(data))
    assert p.values[0][0].tolist() == [1.0, 0.5, 0.0]
    data = base()
    data["issues"]["panel"] = {"type": "boolean"}
    data["parties"]["exporter"]["values"]["panel"] = {"yes": 1.0, "no": 0.0}
    data["parties"]["importer"]["values"]["panel"] = {True: 0.0, "false": 1.0}
    p = sim.compile_problem(sim.from_dict(data))
    assert p.values[2].tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_one_level_given_twice_under_two_spellings_is_an_error():
    data = base()
    data["issues"]["t"] = {"levels": ["1", "2"]}
    for party in data["parties"].values():
        party["values"]["t"] = {1: 0.0, "1": 0.9, 2: 1.0}
    with pytest.raises(sim.InputError, match="level '1' is given twice"):
        sim.from_dict(data)


def test_booleans_are_not_numbers_and_all_any_not_are_not_issue_names():
    data = base(issues={**BASE["issues"], "n": {"range": [0, 1], "step": 1}},
                rules=[{"forbid": {"n": False}}])
    for party in data["parties"].values():
        party["values"]["n"] = {"linear": "increasing"}
    with pytest.raises(sim.InputError, match="False is not a number"):
        sim.from_dict(data)
    data = base(issues={**BASE["issues"], "not": {"levels": ["a", "b"]}})
    for party in data["parties"].values():
        party["values"]["not"] = {"a": 0, "b": 1}
    with pytest.raises(sim.InputError, match="reserved"):
        sim.from_dict(data)


def test_a_proposer_never_offers_itself_less_than_waiting():
    eq = random_proposer(np.array([[0.1, 0.9], [0.9, 0.1]]), np.array([0.99, 0.99]),
                         np.ones(2), np.array([True, True]))
    for i in range(2):
        assert eq.payoffs[i, i] >= 0.99 * eq.values[i] - 1e-9


def test_alternating_offers_without_discounting_is_the_limit_of_equal_patience():
    x = np.linspace(0, 1, 11)
    eq = alternating(np.stack([x, 1 - x], axis=1), np.array([1.0, 1.0]))
    assert eq.values[0] == pytest.approx(0.5, abs=1e-6)


def test_a_large_chamber_with_a_strong_mood_is_integrated_accurately():
    body = Legislature(kind="legislature", seats=1000, pass_votes=667, intercept=0.9,
                       swing_sd=4.0)
    model = LegislatureModel.build(body, {"g": Issue(levels=["a", "b"])})
    got = model.p_pass(np.zeros((1, 1), dtype=int))[0]

    def integrand(z):
        p = 1 / (1 + np.exp(-(0.9 + 4.0 * z)))
        return stats.norm.pdf(z) * stats.binom.sf(666, 1000, p)

    want = integrate.quad(integrand, -8, 8, points=[-0.2, -0.1, 0.0], limit=400)[0]
    assert got == pytest.approx(want, abs=1e-6)


def test_a_few_votes_tail_is_not_cut_off():
    body = Legislature(kind="legislature", seats=1000, pass_votes=4, intercept=float(
        np.log(1e-4 / (1 - 1e-4))))
    model = LegislatureModel.build(body, {"g": Issue(levels=["a", "b"])})
    got = model.p_pass(np.zeros((1, 1), dtype=int))[0]
    assert got == pytest.approx(stats.binom.sf(3, 1000, 1e-4), rel=1e-6)


def test_yaml_merge_keys_work_as_in_safe_load(tmp_path):
    (tmp_path / "m.yaml").write_text(
        "name: m\nissues:\n  tariff: {levels: [low, high]}\nparties:\n"
        "  a: &a\n    weights: {tariff: 1}\n    values: {tariff: {low: 1, high: 0}}\n"
        "    reservation: 0.1\n  b:\n    <<: *a\n    values: {tariff: {low: 0, high: 1}}\n")
    s = sim.load(tmp_path / "m.yaml")
    assert s.parties["b"].reservation == 0.1 and s.parties["b"].values["tariff"]["high"] == 1


def test_a_negative_seed_is_bad_input():
    result = CliRunner().invoke(app, ["solve", str(SCENARIOS / "trade-deal.yaml"),
                                      "--samples", "2", "--seed", "-1"])
    assert result.exit_code == 2


def test_tiny_ranges_keep_distinct_grid_points():
    from sim.scenario.terms import grid

    points = grid(Issue(range=(0, 1e-10), step=2e-11))
    assert len(set(points)) == len(points) == 6
