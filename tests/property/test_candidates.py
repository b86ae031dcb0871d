"""The reservation-free candidate set the agent-based model proposes from: computed once, it
must hold every acceptable Pareto frontier the talks can produce, whatever the reservations,
the minimum P(ratified) and the mood shifts of the ratification bodies: each frontier deal is
a candidate, or an acceptable candidate is as good for every party up to the acceptance
tolerance (a deal within 1e-9 of a reservation, or tied after the 12-decimal rounding)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.problem import ACCEPT_TOL
from sim.solver.frontier import by_enumeration, candidates, support
from sim.solver.pareto import nondominated_naive
from tests.builders import tariff_talks, with_body
from tests.strategies import scenario_dicts, unit

SLACK = 2 * ACCEPT_TOL  # the tolerance, and the 1e-12 rounding on both sides


def as_set(idx):
    return {tuple(map(int, row)) for row in idx}


def problem_of(data):
    return sim.compile_problem(sim.from_dict(data))


def escaped(world, have_idx):
    """Frontier deals of `world` that are not candidates and that no acceptable candidate
    matches for every party within SLACK (the guarantee's failures)."""
    front = by_enumeration(world)
    inside = as_set(have_idx)
    ok = have_idx[world.acceptable(have_idx)] if len(have_idx) else have_idx
    eu = world.expected_utility(ok) if len(ok) else np.zeros((0, len(world.parties)))
    out = []
    for row, e in zip(front.idx, front.expected, strict=True):
        if tuple(map(int, row)) in inside:
            continue
        if not (eu >= e - SLACK).all(axis=1).any():
            out.append(tuple(map(int, row)))
    return out, front


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
    have = candidates(problem).idx
    for _ in range(3):
        reservation, minimum, shift = more.draw(moved(problem))
        if more.draw(st.booleans()):  # a reservation exactly at some deal's utility
            deal = problem.utility(have[more.draw(st.integers(0, len(have) - 1))][None])[0]
            reservation = np.where(problem.veto, deal, reservation)
        world = replace(problem.at_mood(shift).with_reservation(reservation),
                        min_ratification_probability=minimum)
        assert escaped(world, have)[0] == [], (reservation, minimum, shift)


def _two_levels(exporter: dict, importer: dict, effects: dict | None, **body) -> dict:
    data = tariff_talks(issues={"x": {"levels": ["a", "b"]}})
    data["parties"]["exporter"].update(weights={"x": 1}, values={"x": exporter}, reservation=0)
    data["parties"]["importer"].update(weights={"x": 1}, values={"x": importer}, reservation=0)
    return with_body(data, "vote", {"kind": "referendum", "effects": effects or {}, **body})


def test_a_deal_within_the_tolerance_of_a_reservation_may_escape_but_is_matched():
    # a and b give the exporter 0.5, b passes more often and gives the importer more; with the
    # exporter's reservation 5e-10 above 0.5 (inside the tolerance), a better chance of
    # ratification costs it a little, so the frontier keeps a, which b dominates as a candidate
    data = _two_levels({"a": 0.5, "b": 0.5}, {"a": 0.0, "b": 1.0},
                       {"x": {"a": -1.0, "b": 1.0}}, swing_sd=1.0)
    problem = problem_of(data)
    have = candidates(problem).idx
    assert as_set(have) == {(1,)}
    world = replace(problem.with_reservation(np.array([0.5 + 5e-10, 0.0])),
                    min_ratification_probability=0.0)
    missed, front = escaped(world, have)
    assert as_set(front.idx) == {(0,), (1,)} and missed == []


def test_a_deal_tied_after_rounding_may_escape_but_is_matched():
    # P(ratified) about 1e-23: b's gain of 0.001 for the importer rounds away in expected
    # utility, so the frontier keeps a and b as a tie; b dominates a as a candidate
    data = _two_levels({"a": 1.0, "b": 1.0}, {"a": 0.0, "b": 0.001}, None, intercept=-3.0,
                       swing_sd=0.3)
    problem = problem_of(data)
    have = candidates(problem).idx
    assert as_set(have) == {(1,)}
    world = replace(problem, min_ratification_probability=0.0)
    missed, front = escaped(world, have)
    assert as_set(front.idx) == {(0,), (1,)} and missed == []


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


def test_the_open_reading_has_a_small_candidate_set():
    from sim import space
    from tests.conftest import SCENARIOS

    problem = sim.compile_problem(sim.load(SCENARIOS / "berlin-open.yaml"))
    got = candidates(problem)
    front = by_enumeration(problem)
    assert as_set(front.idx) <= as_set(got.idx)
    assert len(front.idx) < len(got.idx) < space.count(problem) == 1360


@given(st.lists(st.lists(st.integers(0, 4), min_size=3, max_size=3), max_size=40),
       st.integers(1, 4))
def test_first_layers_peel_like_the_naive_filter(rows, layers):
    from sim.solver.pareto import first_layers

    points = np.array(rows, dtype=float).reshape(-1, 3)
    left, want = np.arange(len(points)), []
    for _ in range(layers):
        if not len(left):
            break
        top = left[nondominated_naive(points[left])]
        want += list(top)
        left = np.setdiff1d(left, top)
    assert list(first_layers(points, layers)) == sorted(want)


@given(scenario_dicts(max_issues=3, max_parties=3, max_levels=4), st.data())
def test_after_strikes_in_the_first_two_layers_the_rest_still_holds_every_deal(data, draw):
    """The board keeps three layers: strike any deals of the first two and the deals no
    remaining feasible deal dominates (in utility and support) are all still on it."""
    from sim.solver.frontier import layered_candidates
    from sim.solver.pareto import first_layers

    problem = problem_of(data)
    idx = np.concatenate(list(problem.enumerate()))
    idx = idx[problem.feasible(idx)]
    keys = np.concatenate([problem.utility(idx), support(problem, idx)], axis=1)
    strict = np.arange(keys.shape[1]) < len(problem.parties)
    board = as_set(layered_candidates(problem, 3).idx)
    assert board == as_set(idx[first_layers(keys, 3, strict)])  # chunked equals at once
    assert as_set(candidates(problem).idx) <= board
    two = [tuple(map(int, r)) for r in idx[first_layers(keys, 2, strict)]]
    struck = set(draw.draw(st.lists(st.sampled_from(two), unique=True))) if two else set()
    rest = np.array([i for i, r in enumerate(map(tuple, idx.tolist())) if r not in struck],
                    dtype=int)
    if not len(rest):
        return
    front = as_set(idx[rest][nondominated_naive(keys[rest], strict)])
    assert front <= board - struck
