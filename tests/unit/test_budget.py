"""Counts that would run past the time budget are estimated, marked so, and honest: the 95%
intervals cover the true count at their stated rate, and never fall below what is known."""

import json
import subprocess
import sys

import numpy as np
import pytest

import sim
from sim import intervals, seeds, space
from sim.solver import solve
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from problems import random_scenario  # noqa: E402


def _problem(n_issues=4, levels=5, parties=3, reservation=0.45, seed=0):
    data = random_scenario(n_issues, levels=levels, parties=parties, seed=seed)
    for party in data["parties"].values():
        party["reservation"] = reservation
    return sim.compile_problem(sim.from_dict(data))


def test_the_interval_covers_the_true_count_at_its_stated_rate():
    problem = _problem()
    true = space.count_acceptable(problem).value
    assert 0 < true < problem.total
    covered = 0
    for seed in range(200):
        est = space.estimate_acceptable(problem, seeds.generator(seed), n=400)
        lo, hi = est.interval
        covered += lo <= true <= hi
        assert not est.exact and lo <= est.value <= hi
    assert covered / 200 >= 0.92  # Wilson's 95% interval; 200 draws leave some room


def test_past_the_deadline_the_count_is_an_estimate_and_never_below_the_frontier():
    problem = _problem(n_issues=9, reservation=0.6, seed=3)  # 2 million deals: sampled
    exact = solve(problem, method="issue")
    rushed = space.count_acceptable(problem, deadline=0.0, rng=seeds.generator(0),
                                    known=len(exact.pareto), most=exact.feasible)
    assert exact.acceptable_exact and not rushed.exact
    lo, hi = rushed.interval
    assert len(exact.pareto) <= lo <= rushed.value <= hi <= exact.feasible
    assert lo <= exact.acceptable <= hi


def test_a_frontier_past_the_deadline_is_refused_not_guessed():
    with pytest.raises(sim.InputError, match="could not be computed within the"):
        solve(_problem(n_issues=9), method="issue", budget=1e-9)


def test_a_rare_acceptable_set_is_not_estimated_below_what_is_known():
    problem = _problem(n_issues=9, reservation=0.7, seed=1)
    count = space.count_acceptable(problem, deadline=0.0, rng=seeds.generator(0), known=17)
    assert not count.exact and count.value >= 17 and count.interval[0] >= 17


def test_an_estimate_never_exceeds_the_space_or_the_feasible_deals():
    problem = _problem(n_issues=9, reservation=0.0)  # every deal acceptable: hits == n
    count = space.estimate_acceptable(problem, seeds.generator(0), most=problem.total - 5)
    assert count.hits == count.sampled
    assert count.value == count.interval[1] == problem.total - 5
    huge = _problem(n_issues=240, levels=20, parties=2, reservation=0.0)  # 20^240 deals
    count = space.estimate_acceptable(huge, seeds.generator(0), n=1000)
    assert count.value == count.interval[1] == huge.total  # exact integers, no float


def test_a_space_no_larger_than_the_sample_is_counted_exactly():
    problem = _problem()
    count = space.count_acceptable(problem, deadline=0.0)
    assert count.exact and count.value == space.count_acceptable(problem).value


def test_estimates_are_reproducible():
    problem = _problem(n_issues=9)
    a = space.count_acceptable(problem, deadline=0.0, rng=seeds.generator(5))
    b = space.count_acceptable(problem, deadline=0.0, rng=seeds.generator(5))
    assert a == b


def test_a_space_too_large_to_count_answers_within_its_budget(tmp_path):
    """A hang guard (30 s against a budget of 2 s): 5^40 deals, reservations at 0.4."""
    import yaml

    data = random_scenario(40, levels=5, parties=2, seed=0)
    for party in data["parties"].values():
        party["reservation"] = 0.4
    path = tmp_path / "huge.yaml"
    path.write_text(yaml.safe_dump(data))
    proc = subprocess.run([sys.executable, "-m", "sim", "solve", str(path), "--json",
                           "--time-budget", "2"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    deals = json.loads(proc.stdout)["deals"]
    assert deals["acceptable_exact"] is False
    lo, hi = deals["acceptable_interval"]
    assert lo <= deals["acceptable"] <= hi <= deals["total"] == 5**40
    assert json.loads(proc.stdout)["provenance"]["seed"] == 0


def test_the_budget_must_be_positive():
    with pytest.raises(sim.InputError, match="positive"):
        sim.solve(sim.from_dict(random_scenario(2, 3, 2)), time_budget=0)
    assert np.isfinite(intervals.wilson(0, 10)[1])


def test_validate_warns_when_a_space_is_too_large_to_treat_exactly(tmp_path):
    import yaml
    from typer.testing import CliRunner

    from sim.cli import app

    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(random_scenario(9, levels=10, parties=3)))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0
    assert "1,000,000,000 deals" in result.stderr and "method: issue" in result.stderr
    small = tmp_path / "small.yaml"
    small.write_text(yaml.safe_dump(random_scenario(3, levels=3, parties=2)))
    assert "warning" not in CliRunner().invoke(app, ["validate", str(small)]).stderr


def test_an_enumeration_past_the_budget_is_refused_clearly(tmp_path):
    """A hang guard (30 s against a budget of 2 s): 30 issues chained by rules, so that the
    frontier must enumerate about 10^21 deals."""
    import yaml

    data = random_scenario(30, levels=5, parties=2, seed=0)
    names = list(data["issues"])
    data["rules"] = [{"when": {a: "v0"}, "require": {b: {"in": ["v0", "v1", "v2", "v3"]}}}
                     for a, b in zip(names, names[1:], strict=False)]
    path = tmp_path / "chain.yaml"
    path.write_text(yaml.safe_dump(data))
    proc = subprocess.run([sys.executable, "-m", "sim", "solve", str(path), "--time-budget",
                           "2"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "could not be computed within the 2 s time budget" in proc.stderr


def test_a_feasibility_check_that_cannot_finish_in_its_budget_is_a_warning_not_a_verdict():
    """Constraints that cannot be counted by elimination are enumerated to find one feasible
    deal; past the budget, compiling goes on and says so instead of hanging or failing."""
    from unittest import mock

    from tests.builders import tariff_talks

    data = tariff_talks(rules=[{"forbid": {"tariff": "high", "quota": "small"}}])
    with mock.patch("sim.space.ELIMINATION_CELLS", 0), \
            mock.patch("sim.compile.FEASIBLE_CHECK", -1.0):
        problem = sim.compile_problem(sim.from_dict(data))
    assert sim.warnings(problem) == ["no feasible deal found within -1 s: the rules may "
                                     "exclude every deal"]
    assert sim.warnings(sim.compile_problem(sim.from_dict(data))) == []


def test_a_feasible_count_past_the_deadline_is_an_estimate_marked_so():
    """When the constraints cannot be counted by elimination and enumerating them runs past
    the budget, the feasible deals are estimated, said so in the text and the JSON, and the
    acceptable ones are no longer capped by an exact figure."""
    from unittest import mock

    from sim.report.text import solve_result
    from tests.builders import tariff_talks, with_red_line

    data = with_red_line(tariff_talks(), "exporter", {"tariff": "high", "quota": "small"})
    problem = sim.compile_problem(sim.from_dict(data))
    exact = solve(problem, method="enumerate")
    assert exact.feasible_exact and exact.feasible == 5
    with mock.patch.object(space, "count", side_effect=space.OutOfTime):
        # a problem of its own: `problem` remembers its exact count (Problem.memo)
        rushed = solve(sim.compile_problem(sim.from_dict(data)), method="enumerate")
    assert not rushed.feasible_exact
    lo, hi = rushed.feasible_interval
    assert lo <= 5 <= hi and rushed.feasible == 5  # a six-deal space: the sample sees it all
    assert rushed.to_dict()["deals"]["feasible_exact"] is False
    assert "feasible (an estimate" in solve_result(rushed)
