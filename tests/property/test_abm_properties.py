"""Properties of the agent-based model over generated scenarios (tests/strategies.py): every
agreement is acceptable when it is made; with complete information and nothing moving, the
engines agree; no run agrees where no deal is acceptable, nor before the war opens a zone;
private information delays agreement."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import sim
from sim.abm.board import Board
from sim.abm.run import one
from sim.problem import at_least
from sim.solver.pareto import nondominated
from tests.builders import tariff_talks
from tests.strategies import scenario_dicts

SMALL = {"max_issues": 3, "max_parties": 3, "max_levels": 3}


def acceptable_deals(problem):
    idx = np.concatenate(list(problem.enumerate()))
    return idx[problem.acceptable(idx)]


def distance(u: np.ndarray, frontier: np.ndarray) -> float:
    """Over the frontier deals giving every party at least u, the least of the largest gain
    any party gets (0 on the frontier, or when no frontier deal gives everyone as much)."""
    above = frontier[(frontier >= u - 1e-9).all(axis=1)]
    return float((above - u).max(axis=1).min()) if len(above) else 0.0


@settings(max_examples=25)
@given(scenario_dicts(**SMALL), st.sampled_from([None, "neutral"]))
def test_with_complete_information_and_nothing_moving_the_engines_agree(data, mediator):
    data["dynamics"] = {"default_strategy": "linear"}
    if mediator:
        data["dynamics"]["mediator"] = {"by": mediator}
    problem = sim.compile_problem(sim.from_dict(data))
    zone = acceptable_deals(problem)
    assume(len(zone))
    board = Board.of(problem, 20)
    runs = [one(board, 20, 0, r) for r in range(3)]
    assert sum(r.agreed for r in runs) >= 0.95 * len(runs)
    u_zone = problem.utility(zone)
    frontier = u_zone[nondominated(u_zone)]
    gaps = []
    for r in runs:
        deal = board.idx[r.deal]
        assert problem.acceptable(deal[None])[0]  # in the solver's acceptable set
        gaps.append(distance(problem.utility(deal[None])[0], frontier))
    assert np.mean(gaps) <= 0.02


@settings(max_examples=25)
@given(scenario_dicts(**SMALL), st.integers(1, 12), st.floats(0, 0.6), st.integers(0, 3))
def test_every_agreement_is_acceptable_at_the_step_it_is_made(data, at, to, seed):
    party = next(iter(data["parties"]))
    data["dynamics"] = {
        "default_strategy": "random_conceder", "proposers": "by_power",
        "electorate": {"noise": 0.3},
        "events": [{"at": at, "set": f"parties.{party}.reservation", "to": round(to, 3)}]}
    problem = sim.compile_problem(sim.from_dict(data))
    board = Board.of(problem, 15)
    for run in range(3):
        r = one(board, 15, seed, run)
        if r.deal is None:
            continue
        t = r.signed_at - 1  # the row of the step it was signed
        deal = board.idx[r.deal][None]
        u = problem.utility(deal)[0]
        assert at_least(u[problem.veto], r.reservation[t][problem.veto]).all()
        assert problem.feasible(deal)[0]
        p = problem.ratification(deal, r.mood[t])[1]
        assert problem.passes(p).all()


@settings(max_examples=25)
@given(scenario_dicts(**SMALL))
def test_no_run_agrees_when_no_deal_is_acceptable(data):
    data["dynamics"] = {"default_strategy": "conceder"}
    problem = sim.compile_problem(sim.from_dict(data))
    assume(not len(acceptable_deals(problem)))
    board = Board.of(problem, 10)
    assert not any(one(board, 10, 0, r).agreed for r in range(2))


def test_no_run_agrees_before_the_war_opens_a_zone():
    """The exporter's reservation is above every deal until an event at step 6 lowers it."""
    data = tariff_talks()
    data["parties"]["exporter"]["reservation"] = 0.99
    data["dynamics"] = {"default_strategy": "conceder", "electorate": {"noise": 0.2},
                        "events": [{"at": 6, "set": "parties.exporter.reservation",
                                    "to": 0.2}]}
    problem = sim.compile_problem(sim.from_dict(data))
    r = sim.simulate(problem, runs=20, steps=20, seed=1)
    assert r.agreed.count == 20
    assert r.by_step["agreed"][4] == 0 and r.quartiles[0] >= 6


def test_private_information_delays_or_prevents_agreement():
    """Fearon (1995): when each side believes the other would settle for less than it would
    (mutual optimism), each asks for more than the zone holds, so agreement comes later or
    not at all, although the same talks agree under complete information."""
    base = {"name": "split", "issues": {"x": {"range": [0, 1], "step": 0.01}},
            "parties": {"one": {"weights": {"x": 1}, "values": {"x": {"linear": "increasing"}},
                                "reservation": 0.3},
                        "two": {"weights": {"x": 1}, "values": {"x": {"linear": "decreasing"}},
                                "reservation": 0.4}}}
    complete = dict(base, dynamics={"default_strategy": "linear", "deadline": 30})
    private = dict(base, dynamics={"default_strategy": "linear", "deadline": 30,
                                   "information": "private",
                                   "beliefs": {"bias": -0.25, "noise": 0.05}})
    c = sim.simulate(sim.from_dict(complete), runs=20, steps=30, seed=2)
    p = sim.simulate(sim.from_dict(private), runs=20, steps=30, seed=2)
    assert c.agreed.share == 1.0
    assert p.agreed.share < c.agreed.share or p.quartiles[1] > c.quartiles[1]


def test_no_run_agrees_before_the_war_opens_the_zone():
    """Party one's reservation is derived from an outlook the war moves against it, with
    noise: the zone opens at a different step in each run, and no run agrees before it."""
    data = {
        "name": "war opens the zone", "issues": {"x": {"range": [0, 1], "step": 0.01}},
        "parties": {
            "one": {"weights": {"x": 1}, "values": {"x": {"linear": "increasing"}},
                    "reservation": "derived"},
            "two": {"weights": {"x": 1}, "values": {"x": {"linear": "decreasing"}},
                    "reservation": 0.5}},
        "no_deal": {"outlook": {"x": 0.9}, "cost": {"one": 0.05}},
        "dynamics": {"default_strategy": "conceder", "deadline": 40,
                     "war": {"outlook": {"x": {"drift": -0.02, "noise": 0.01}}}}}
    problem = sim.compile_problem(sim.from_dict(data))
    board = Board.of(problem, 40)
    u = board.utility
    opened_at = []
    for run in range(30):
        r = one(board, 40, 5, run)
        zone = [(at_least(u, res).all(axis=1)).any() for res in r.reservation]
        first = zone.index(True) + 1 if any(zone) else None  # steps are 1-based
        assert first is not None and first > 5  # closed at the start
        assert r.agreed and r.agreed_at >= first
        opened_at.append(first)
    assert len(set(opened_at)) > 1  # the noise moves when it opens


def test_the_dynamics_defaults_can_be_uncertain():
    data = tariff_talks()
    data["dynamics"] = {}
    data["uncertainty"] = {"dynamics.default_strategy.exponent": {"uniform": [2, 6]},
                           "dynamics.electorate.noise": {"uniform": [0, 0.1]}}
    scenario = sim.from_dict(data)  # the paths resolve against the section's defaults
    assert set(scenario.uncertainty) == set(data["uncertainty"])
