"""The agent-based model: a Mesa-style smoke test, reproducibility, the runner and the
result's statistics, the scenario section."""

import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.abm import concession
from sim.abm.board import Board
from sim.abm.model import Talks
from sim.abm.result import QUANTILES, _bands, kaplan_meier, nan_quantiles
from sim.abm.run import one, simulate
from sim.errors import InputError
from sim.intervals import wilson
from sim.scenario import model as scenario_model
from tests.builders import tariff_talks
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def berlin():
    return sim.compile_problem(sim.load(SCENARIOS / "berlin-open.yaml"))


@pytest.fixture(scope="module")
def berlin_board(berlin):
    return Board.of(berlin, 30)


def test_the_model_runs_ten_steps(berlin_board):
    m = Talks(berlin_board, 30, np.random.default_rng(0))  # the deadline: step 30
    for _ in range(10):
        m.step()
    rows = m.datacollector.get_table_dataframe("steps")
    assert list(rows["step"]) == list(range(1, 11))
    assert len(rows) == 10 and m.steps == 10 and m.running
    aspiration = np.array(rows["aspiration"].tolist())
    reservation = np.array(rows["reservation"].tolist())
    best = berlin_board.utility.max(axis=0)
    assert (aspiration >= reservation - 1e-12).all() and (aspiration <= best + 1e-12).all()


def test_with_nothing_moving_time_dependent_aspirations_never_rise():
    problem = sim.compile_problem(sim.from_dict(_with_dynamics(tariff_talks(), {})))
    r = one(Board.of(problem, 12), 12, 0, 0)
    assert (np.diff(r.aspiration, axis=0) <= 1e-12).all()
    assert r.agreed and r.agreed_at > 1  # Boulware holds firm at first


def test_a_run_is_the_same_alone_or_among_others(berlin_board):
    together = {r.run: r for chunk in [[one(berlin_board, 30, 7, i) for i in range(4)]]
                for r in chunk}
    alone = one(berlin_board, 30, 7, 3)
    assert alone.ended == together[3].ended and alone.deal == together[3].deal
    assert np.array_equal(alone.aspiration, together[3].aspiration)


def test_the_same_seed_gives_the_same_json_on_one_or_two_workers(berlin):
    noisy = sim.compile_problem(sim.from_dict(_with_dynamics(
        sim.load(SCENARIOS / "berlin-open.yaml").model_dump(mode="json", exclude_none=True),
        {"electorate": {"noise": 0.2}, "default_strategy": "random_conceder"})))
    serial = simulate(noisy, runs_=12, steps=30, seed=3)
    parallel = simulate(noisy, runs_=12, steps=30, seed=3, workers=2)
    assert json.dumps(serial.to_dict(), sort_keys=True) == json.dumps(parallel.to_dict(),
                                                                     sort_keys=True)
    other = simulate(noisy, runs_=12, steps=30, seed=4)
    assert json.dumps(other.to_dict()) != json.dumps(serial.to_dict())


def _with_dynamics(data: dict, dynamics: dict) -> dict:
    data = dict(data)
    data.pop("extends", None)
    data["dynamics"] = dynamics
    return data


def test_wilson_interval_matches_the_formula_by_hand():
    lo, hi = wilson(8, 10)  # Wilson (1927); also Agresti and Coull (1998), table 1 style
    assert (round(lo, 4), round(hi, 4)) == (0.4902, 0.9433)
    assert wilson(0, 20)[0] == 0.0 and wilson(20, 20)[1] == 1.0
    # rounding once put the upper end at 0.9999999999999999 for 30 of 30
    assert all(lo <= k / n <= hi for n in range(1, 400) for k in range(n + 1)
               for lo, hi in [wilson(k, n)])


def test_kaplan_meier_treats_runs_without_agreement_as_censored():
    times = np.array([2, 3, 3, 5, 8])
    event = np.array([True, True, False, True, False])
    # at 2: 1 of 5 -> 0.8; at 3: 1 of 4 -> 0.6; at 5: 1 of 2 -> 0.3 (the 3 censored left)
    curve = kaplan_meier(times, event)
    assert [s for s, _ in curve] == [2, 3, 5]
    assert np.allclose([p for _, p in curve], [0.8, 0.6, 0.3])


def test_the_scenario_strategies_are_the_engines_strategies():
    union = scenario_model.Concession.__origin__.__args__
    names = {m.model_fields["strategy"].annotation.__args__[0]: m for m in union}
    assert set(names) == set(concession.STRATEGIES)
    assert set(scenario_model.StrategyName.__args__) == set(concession.STRATEGIES)
    for name, fields in names.items():
        params = {k: f.default for k, f in fields.model_fields.items() if k != "strategy"}
        built = concession.build(name, **params)  # every parameter the format takes is real
        for k, v in params.items():
            assert getattr(built, k) == v


def test_a_dynamics_section_is_checked_with_paths():
    bad = _with_dynamics(tariff_talks(), {
        "strategies": {"nobody": "linear"}, "mediator": {"by": "someone"},
        "events": [{"at": 3, "set": "parties.exporter.weights.tariff", "to": 0.5}]})
    with pytest.raises(InputError) as e:
        sim.from_dict(bad)
    text = str(e.value)
    assert "dynamics.strategies.nobody" in text and "unknown party" in text
    assert "dynamics.mediator.by" in text
    assert "dynamics.events.0.set" in text and "cannot move during talks" in text


def test_an_absent_dynamics_section_leaves_the_scenario_hash_alone():
    data = tariff_talks()
    plain = sim.compile_problem(sim.from_dict(data))
    spelled = sim.compile_problem(sim.from_dict(_with_dynamics(data, {})))
    assert plain.scenario_hash != spelled.scenario_hash  # written, it is part of the scenario
    assert plain.dynamics.strategies == spelled.dynamics.strategies


def test_simulate_checks_its_arguments(berlin):
    with pytest.raises(InputError, match="--runs"):
        sim.simulate(berlin, runs=0)
    with pytest.raises(InputError, match="--time-budget"):
        sim.simulate(berlin, time_budget=0)


def test_the_json_has_what_the_contract_names(berlin):
    r = sim.simulate(berlin, runs=5, steps=45, seed=1).to_dict()
    for key in ("runs", "steps", "seed", "agreed", "ratified", "by_step", "ended", "deals",
                "time_to_agreement"):
        assert key in r
    assert r["agreed"]["low"] <= r["agreed"]["share"] <= r["agreed"]["high"]
    assert len(r["by_step"]["agreed"]) == 45
    assert sum(r["ended"].values()) == 5
    assert sum(d["count"] for d in r["deals"]) <= r["agreed"]["count"]  # standing deals only
    assert sum(d["ratified"] for d in r["deals"]) == r["ratified"]["count"]
    assert set(r["deals"][0]) == {"terms", "utility", "expected_utility", "count", "ratified"}
    assert not math.isnan(r["by_step"]["ratified"][-1])


@given(st.lists(st.lists(st.one_of(st.floats(-5, 5), st.just(float("nan"))), min_size=4,
                         max_size=4), min_size=1, max_size=12))
def test_nan_quantiles_are_numpys(rows):
    x = np.array(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column
        want = np.nanquantile(x, QUANTILES, axis=0)
    assert np.allclose(nan_quantiles(x, QUANTILES), want, equal_nan=True)


def test_fan_bands_hold_a_finished_runs_last_value():
    bands = _bands({"a": [np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])]}, 3)["a"]
    assert np.allclose(bands[:, 2], [2.0, 3.0, 3.5])  # medians of (1,3), (2,4), (2,5)


def test_the_mood_table_is_interpolated_and_bounded(monkeypatch):
    from sim.abm import board as board_module

    noisy = sim.compile_problem(sim.from_dict(_with_dynamics(
        sim.load(SCENARIOS / "trade-deal.yaml").model_dump(mode="json", exclude_none=True),
        {"electorate": {"noise": 0.3}})))
    assert noisy.bodies
    fine = Board.of(noisy, 50)
    exact = noisy.ratification(fine.idx, 0.737)[1]
    assert np.abs(fine.p_pass_at(0.737) - exact).max() < 1e-3
    cells = len(fine) * len(noisy.bodies)
    monkeypatch.setattr(board_module, "TABLE_CELLS", 10 * cells)
    coarse = Board.of(noisy, 50)
    assert coarse.p_pass.size <= 11 * cells < fine.p_pass.size
    assert np.abs(coarse.p_pass_at(0.737) - exact).max() < 0.2  # coarser, but read right


def _two(**dynamics) -> dict:
    return {"name": "split", "issues": {"x": {"range": [0, 1], "step": 0.05}},
            "parties": {"a": {"weights": {"x": 1}, "values": {"x": {"linear": "increasing"}},
                              "reservation": 0.2},
                        "b": {"weights": {"x": 1}, "values": {"x": {"linear": "decreasing"}},
                              "reservation": 0.2}},
            "dynamics": dynamics}


def test_a_deadline_beyond_the_horizon_is_the_deadline_and_the_run_is_cut():
    short = one(Board.of(p := sim.compile_problem(sim.from_dict(_two(deadline=40))), 10),
                10, 0, 0)
    full = one(Board.of(p, 40), 40, 0, 0)
    assert short.ended == "talking" and short.ended_at == 10 and not short.agreed
    assert np.allclose(short.aspiration, full.aspiration[:10])  # conceding toward step 40
    assert full.agreed


def test_tit_for_tat_returns_each_concession_once():
    """Alternating offers: a tit-for-tat party hears an offer every other step; each
    improvement is returned once, not again at the steps with no new offer."""
    problem = sim.compile_problem(sim.from_dict(_two(
        deadline=30, strategies={"a": "tit_for_tat", "b": "linear"})))
    r = one(Board.of(problem, 30), 30, 0, 0)
    board = Board.of(problem, 30)
    offers = [board.utility[c, 0] for t, c in enumerate(r.offer) if c >= 0 and t % 2 == 1]
    conceded = r.aspiration[0, 0] - r.aspiration[:, 0].min()
    returned = sum(max(0.0, b - a) for a, b in zip(offers, offers[1:], strict=False))
    assert conceded <= returned + 1e-9


def test_subgame_perfect_plans_on_beliefs_under_private_information():
    base = _two(default_strategy="subgame_perfect", deadline=10)
    private = _two(default_strategy="subgame_perfect", deadline=10, information="private",
                   beliefs={"bias": 0.3, "noise": 0.0})
    first = [one(Board.of(sim.compile_problem(sim.from_dict(d)), 10), 10, 0, 0).aspiration[0]
             for d in (base, private)]
    assert not np.allclose(first[0], first[1])


def test_a_neutral_mediator_without_veto_parties_drafts_for_everyone():
    data = _two(mediator={"by": "neutral"})
    for party in data["parties"].values():
        party["veto"] = False
    r = sim.simulate(sim.compile_problem(sim.from_dict(data)), runs=2, steps=10)
    assert r.agreed.count == 2


def test_nothing_is_on_the_table_while_a_signed_deal_awaits_its_votes():
    problem = sim.compile_problem(sim.from_dict(_two(deadline=10, ratification_delay=3)))
    r = one(Board.of(problem, 20), 20, 0, 0)
    assert r.ended == "ratified" and r.ended_at == r.signed_at + 3
    assert (r.offer[r.signed_at:r.ended_at] == -1).all()  # the steps after the signature


def test_a_cost_of_conflict_moves_only_derived_reservations():
    data = _two(war={"cost": {"a": {"drift": 0.01}}})
    with pytest.raises(InputError, match="dynamics.war.cost.a: a's reservation is a fixed"):
        sim.from_dict(data)
