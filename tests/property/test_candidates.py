"""The reservation-free candidate set the agent-based model proposes from: computed once, it
must hold every acceptable Pareto frontier the talks can produce, whatever the reservations,
the minimum P(ratified) and the mood shifts of the ratification bodies."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.solver.frontier import by_enumeration, candidates, support
from sim.solver.pareto import nondominated_naive
from tests.strategies import scenario_dicts, unit


def as_set(idx):
    return {tuple(map(int, row)) for row in idx}


def problem_of(data):
    return sim.compile_problem(sim.from_dict(data))


@st.composite
def moved(draw, problem):
    """Reservations, a minimum P(ratified) and a mood shift per body, all drawn."""
    reservation = np.array([draw(unit) * 0.8 for _ in problem.parties])
    minimum = draw(st.sampled_from([0.0, 0.2, 0.5, 0.9]))
    shift = np.array([draw(st.integers(-30, 30)) / 10 for _ in problem.bodies])
    return reservation, minimum, shift


@given(scenario_dicts(), st.data())
def test_every_acceptable_frontier_lies_inside_the_candidates(data, more):
    problem = problem_of(data)
    have = as_set(candidates(problem).idx)
    for _ in range(3):
        reservation, minimum, shift = more.draw(moved(problem))
        world = replace(problem.at_mood(shift).with_reservation(reservation),
                        min_ratification_probability=minimum)
        front = by_enumeration(world)
        assert as_set(front.idx) <= have, (reservation, minimum, shift)


@given(scenario_dicts())
def test_candidates_are_the_feasible_deals_no_other_beats_in_utility_and_support(data):
    problem = problem_of(data)
    got = candidates(problem)
    idx = np.concatenate(list(problem.enumerate()))
    idx = idx[problem.feasible(idx)]
    u = problem.utility(idx)
    points = np.concatenate([u, support(problem, idx)], axis=1)
    strict = np.arange(points.shape[1]) < u.shape[1]
    assert as_set(got.idx) == as_set(idx[nondominated_naive(points, strict)])
    assert np.array_equal(got.utility, problem.utility(got.idx))


def test_the_default_scenario_has_a_small_candidate_set():
    from tests.conftest import SCENARIOS

    problem = sim.compile_problem(sim.load(SCENARIOS / "berlin-2025-12.yaml"))
    got = candidates(problem)
    front = by_enumeration(problem)
    assert as_set(front.idx) <= as_set(got.idx)
    assert len(front.idx) < len(got.idx) < int(problem.feasible(
        np.concatenate(list(problem.enumerate()))).sum())
