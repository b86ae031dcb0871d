"""The solver on small scenarios: refinement, parties without a veto, bodies that always fail."""

import pytest

import sim
from sim.api import solve
from tests.builders import tariff_talks, with_body, with_party, with_red_line


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


def _schedule() -> dict:
    """Two parties, four tariff lines of 0-45% in steps of 5, opposed linear values."""
    issues = {k: {"range": [0, 45], "step": 5} for k in ("steel", "cars", "dairy", "wine")}
    weights = [{"steel": 9, "cars": 14, "dairy": 10, "wine": 5},
               {"steel": 12, "cars": 9, "dairy": 14, "wine": 3}]
    curves = ["decreasing", "increasing"]
    parties = {name: {"weights": w, "reservation": 0.45,
                      "values": {k: {"linear": c, "exponent": 0.6 if k == "dairy" else 1.0}
                                 for k in issues}}
               for name, w, c in zip(("exporter", "importer"), weights, curves, strict=True)}
    return {"name": "schedule", "issues": issues, "parties": parties}


def test_refined_terms_at_a_bound_are_the_bound_itself():
    """SLSQP stops a hair inside a bound (1e-16 for 0%): the refined terms say 0, not 3.7e-16,
    and every other term stays strictly inside its range."""
    result = solve(sim.from_dict(_schedule()))
    refined = [d for d in result.solutions.values() if d is not None and d.refined]
    assert refined
    for deal in refined:
        for x in deal.terms.values():
            assert x in (0.0, 45.0) or 1e-9 * 45 < x < 45 - 1e-9 * 45


def test_no_refine_keeps_every_solution_on_the_grid(tmp_path):
    import json

    from typer.testing import CliRunner

    from sim.cli import app
    from tests.builders import write_yaml

    path = write_yaml(tmp_path, _schedule())
    runs = {flag: CliRunner().invoke(app, ["solve", str(path), "--json", *flag])
            for flag in ((), ("--no-refine",))}
    assert all(r.exit_code == 0 for r in runs.values())
    refined, grid = (json.loads(runs[f].stdout)["solutions"] for f in ((), ("--no-refine",)))
    assert any(d.get("refined") for d in refined.values())
    assert not any(d.get("refined") for d in grid.values())
    assert all(x % 5 == 0 for d in grid.values() for x in d["terms"].values())


def test_a_scenario_where_nobody_has_a_veto_still_solves():
    data = with_party(tariff_talks(), "exporter", veto=False)
    data = with_party(data, "importer", veto=False)
    result = solve(sim.from_dict(data))
    assert result.acceptable == 6 and result.solutions["nash"] is not None


def _empty_zopa():
    """No deal: only (mid, small) reaches the importer's reservation of 0.7, and the exporter
    has a red line on a mid tariff."""
    data = with_red_line(tariff_talks(), "exporter", {"tariff": "mid"}, "no mid tariff")
    data = with_party(data, "importer", reservation=0.7)
    return sim.compile_problem(sim.from_dict(data))


def test_what_alone_opens_a_zopa_is_confirmed_by_solving_again():
    from dataclasses import replace

    import numpy as np

    problem = _empty_zopa()
    result = sim.solve(problem)
    assert result.acceptable == 0
    found = {(o.kind, o.name): o for o in result.gap.openers}
    # the importer's reservation alone: lowered by the drop, some deal gets through
    res = found[("reservation", "importer")]
    assert res.drop == pytest.approx(0.1, abs=1e-12)  # (high, large) gives it 0.6
    lower = problem.reservation.copy()
    lower[1] -= res.drop
    idx = np.concatenate(list(problem.enumerate()))
    assert res.opens == int(problem.with_reservation(lower).acceptable(idx).sum()) > 0
    # the exporter's red line alone
    line = found[("red line", "exporter: no mid tariff")]
    assert line.opens == int(replace(problem, red_lines=()).acceptable(idx).sum()) == 1
    assert line.example == {"tariff": "mid", "quota": "small"}


def test_when_nothing_alone_opens_a_zopa_none_is_named():
    # each asks more than any deal gives it: no concession by one side alone is enough
    data = with_party(tariff_talks(), "exporter", reservation=1.1)
    data = with_party(data, "importer", reservation=1.1)
    result = sim.solve(sim.from_dict(data))
    assert result.acceptable == 0 and result.gap.openers == ()
    assert result.gap.joint_drop > 0 and set(result.gap.drop_alone.values()) == {None}


def test_an_unfinished_search_never_claims_that_nothing_alone_opens_a_zopa():
    from dataclasses import replace

    from sim.report.text import solve_result
    from sim.solver.engine import apart

    problem = _empty_zopa()
    result = sim.solve(problem)
    rushed = replace(result, gap=apart(problem, deadline=0.0))  # the budget already spent
    assert rushed.gap.note and rushed.gap.openers == ()
    text = solve_result(rushed)
    assert f"({rushed.gap.note})" in text and "Nothing alone" not in text


def test_branch_and_bound_keeps_deals_a_veto_party_accepts_within_the_tolerance():
    """Found in review: a veto party accepts a deal up to 1e-9 below its reservation, and its
    expected utility P U + (1 - P) r then exceeds U; the pruning bound assumed it could not,
    and dropped such deals from the frontier. Checked against brute force."""
    import numpy as np

    from sim.solver import frontier, pareto

    def flag(a, b):
        return {"false": a, "true": b}

    data = {"name": "tol", "issues": {k: {"type": "boolean"} for k in "xzy"},
            "parties": {
                "A": {"weights": {"x": 0.5, "z": 0.5, "y": 0}, "reservation": 0.5,
                      "values": {"x": flag(1 - 1e-9, 0.5 - 1.8e-9), "z": flag(0, 0.5),
                                 "y": flag(0, 0)},
                      "red_lines": [{"when": {"x": False, "z": True}}]},
                "B": {"weights": {"x": 1, "z": 0, "y": 0}, "reservation": 0.3,
                      "values": {"x": flag(1, 0.5), "z": flag(0, 0), "y": flag(0, 0)}}},
            "settings": {"min_ratification_probability": 0.2},
            "ratification": {"vote": {"kind": "referendum", "intercept": -0.5, "swing_sd": 1.0,
                                      "effects": {"x": flag(0, 0)},
                                      "applies_when": {"x": True}}}}
    problem = sim.compile_problem(sim.from_dict(data))
    idx = np.concatenate(list(problem.enumerate()))
    idx = idx[problem.acceptable(idx)]
    want = set(map(tuple, idx[pareto.nondominated_naive(problem.expected_utility(idx))].tolist()))
    for chunk in (2, 1 << 18):
        got = frontier.by_enumeration(problem, chunk=chunk).idx
        assert set(map(tuple, got.tolist())) == want


def test_the_prediction_is_made_even_when_the_counts_spent_the_budget():
    """Found in review: with the budget spent, the fixed point ran one round and reported the
    reservations as everyone's value; it now has a second of its own."""
    import time

    from sim.solver import engine
    from sim.solver.frontier import frontier
    from tests.conftest import SCENARIOS

    problem = sim.compile_problem(sim.load(SCENARIOS / "berlin-open.yaml"))
    front = frontier(problem)
    late, free = engine.predict(problem, front, time.monotonic() - 1), engine.predict(problem,
                                                                                      front)
    assert late.converged and late.value == free.value


def _distance_by_scanning_every_deal(problem):
    """The oracle: the smallest reservation drops, from every deal of the space."""
    import numpy as np

    from sim.problem import at_least

    veto = np.flatnonzero(problem.veto)
    r = problem.reservation[veto]
    best, alone = np.inf, {int(p): np.inf for p in veto}
    for idx in problem.enumerate():
        idx = idx[problem.feasible(idx) & problem.ratifiable(idx)]
        if not len(idx):
            continue
        u = problem.utility(idx)[:, veto]
        short = np.maximum(r - u, 0.0)
        best = min(best, float(short.max(axis=1).min()))
        for col, p in enumerate(veto):
            fine = np.delete(at_least(u, r), col, axis=1).all(axis=1)
            if fine.any():
                alone[int(p)] = min(alone[int(p)], float(short[fine, col].min()))
    return best, {problem.parties[p]: (None if v == np.inf else v) for p, v in alone.items()}


@pytest.mark.parametrize("raised", [(0.2, 0.0), (0.0, 0.3), (0.25, 0.25)])
def test_how_far_apart_visits_only_feasible_deals_and_finds_what_a_scan_of_all_finds(raised):
    """gap.distance walks the deals the constraints allow instead of every deal of the space
    (issue 11: a default with no feasible deal took five seconds to say so)."""
    import numpy as np

    from sim.solver.gap import distance

    data = with_red_line(tariff_talks(), "exporter", {"quota": "small", "tariff": "high"})
    problem = sim.compile_problem(sim.from_dict(data))
    problem = problem.with_reservation(problem.reservation + np.array(raised))
    drop, _, alone = distance(problem)
    want, want_alone = _distance_by_scanning_every_deal(problem)
    assert drop == pytest.approx(want) and alone.keys() == want_alone.keys()
    for party, value in alone.items():
        assert value == pytest.approx(want_alone[party]) if value is not None \
            else want_alone[party] is None
