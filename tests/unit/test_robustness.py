"""Robustness draws: seeded per sample, reproducible, and consistent with direct evaluation."""

import json

import numpy as np
import pytest

import sim
from sim.experiments.robustness import robustness, sample_values
from sim.scenario import paths
from tests.builders import read_yaml, tariff_talks, write_yaml
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def trade():
    return sim.load(SCENARIOS / "trade-deal.yaml")


def test_a_draw_depends_only_on_seed_and_index(trade):
    assert sample_values(trade, 7, 3) == sample_values(trade, 7, 3)
    assert sample_values(trade, 7, 3) != sample_values(trade, 7, 4)
    assert sample_values(trade, 7, 3) != sample_values(trade, 8, 3)
    lo, hi = trade.uncertainty["parties.exporter.reservation"].uniform
    draws = [sample_values(trade, 0, i)["parties.exporter.reservation"] for i in range(200)]
    assert lo <= min(draws) and max(draws) <= hi


def test_same_seed_same_bytes_and_a_prefix_of_samples_is_stable(trade):
    a = robustness(trade, 12, seed=3)
    b = robustness(trade, 12, seed=3)
    assert json.dumps(a.to_dict(), sort_keys=True) == json.dumps(b.to_dict(), sort_keys=True)


def test_package_shares_match_evaluating_each_draw(trade):
    result = robustness(trade, 15, seed=1)
    data = trade.model_dump(mode="python", exclude={"extends"})
    hits = 0
    for i in range(15):
        s = sim.from_dict(paths.set_values(data, sample_values(trade, 1, i)))
        p = sim.compile_problem(s)
        hits += bool(p.acceptable(p.packages["mediator-text"][None, :])[0])
    assert result.packages["mediator-text"] == pytest.approx(hits / 15)
    assert result.valid + result.invalid == 15
    shares = np.array([d.p_acceptable for d in result.deals])
    assert ((shares >= 0) & (shares <= 1)).all()


def test_invalid_draws_are_counted_not_fatal(tmp_path):
    data = read_yaml(SCENARIOS / "trade-deal.yaml")
    uncertainty = data["uncertainty"]
    assert uncertainty.pop("parties.exporter.reservation") == {"uniform": [0.25, 0.45]}
    uncertainty["parties.exporter.weights.tariff"] = {"normal": [0.0, 1.0]}
    result = robustness(sim.load(write_yaml(tmp_path, data, "t.yaml")), 20, seed=0)
    assert 0 < result.invalid < 20  # a negative weight is rejected like a file would be


def test_uncertainty_reaches_into_lists():
    data = tariff_talks(
        issues={"share": {"range": [0, 1], "step": 0.5}},
        uncertainty={"parties.a.values.share.points.1.1": {"uniform": [0.2, 0.4]}},
        parties={
            "a": {"weights": {"share": 1}, "values": {"share": {"points": [[0, 0], [1, 1]]}},
                  "reservation": 0},
            "b": {"weights": {"share": 1}, "values": {"share": {"linear": "decreasing"}},
                  "reservation": 0}})
    result = robustness(sim.from_dict(data), 4, seed=0)
    assert result.valid == 4


def test_long_work_reports_its_progress(trade):
    calls = []
    sim.solve(trade, samples=4, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_many_draws_are_compiled_again_rather_than_kept_with_the_same_answer(trade):
    """Memory stays bounded: past KEEP_DRAWS, a draw's problem is not kept between the two
    passes but compiled again, which gives the same answer (compiling is deterministic)."""
    from unittest import mock

    from sim.experiments import robustness as module

    kept = robustness(trade, 12, seed=3).to_dict()
    with mock.patch.object(module, "KEEP_DRAWS", 0):
        recompiled = robustness(trade, 12, seed=3).to_dict()
    assert recompiled == kept


def test_the_draws_give_the_same_answer_on_two_worker_processes(trade):
    """Robustness runs on the sweep's executors: 60 draws in batches on 2 real processes,
    the answer byte for byte the one drawn in this process."""
    alone = robustness(trade, 60, seed=3).to_dict()
    assert robustness(trade, 60, seed=3, workers=2).to_dict() == alone
    assert sim.solve(trade, samples=60, seed=3, workers=2).robustness.to_dict() == alone
