"""The solver on small scenarios: refinement, parties without a veto, bodies that always fail."""

import sim
from sim.api import solve
from tests.builders import tariff_talks, with_body, with_party


def test_a_body_that_reads_no_issue_and_always_fails_means_no_deal():
    data = with_body(tariff_talks(), "senate", {"kind": "legislature", "seats": 100,
                                                "pass_votes": 67, "intercept": -3})
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
    data = with_party(tariff_talks(), "exporter", veto=False)
    data = with_party(data, "importer", veto=False)
    result = solve(sim.from_dict(data))
    assert result.acceptable == 6 and result.solutions["nash"] is not None
