"""The solver's invariants over generated scenarios (tests/strategies.py)."""

from __future__ import annotations

import copy
from dataclasses import replace
from unittest.mock import patch

import numpy as np
from hypothesis import assume, example, given
from hypothesis import strategies as st

import sim
from sim import space
from sim.api import solve
from sim.problem import Factor
from sim.solver import choose
from sim.solver import solutions as sol
from sim.solver.frontier import by_enumeration, by_issue
from sim.solver.pareto import nondominated
from tests.strategies import body_dicts, scenario_dicts


def problem_of(data):
    return sim.compile_problem(sim.from_dict(data))


def all_deals(problem):
    return np.concatenate(list(problem.enumerate()))


def brute_frontier(problem):
    """Reference: every acceptable deal, then the all-pairs filter on expected utility."""
    idx = all_deals(problem)
    idx = idx[problem.acceptable(idx)]
    if not len(idx):
        return idx
    from sim.solver.pareto import nondominated_naive

    return idx[nondominated_naive(problem.expected_utility(idx))]


def as_set(idx):
    return {tuple(map(int, row)) for row in idx}


# Found by hypothesis: the free frontier's bound summed the issues before the current one,
# not after, and pruned every deal of this scenario.
BOUND_BUG = {
    "name": "generated",
    "issues": {"i0": {"type": "boolean"}, "i1": {"type": "boolean"},
               "i2": {"levels": ["l0", "l1", "l2", "l3"]}, "i3": {"type": "boolean"}},
    "parties": {
        "p0": {"weights": {"i0": 1.0, "i1": 0.0, "i2": 0.0, "i3": 0.0},
               "values": {"i0": {"false": 0.0, "true": 0.0}, "i1": {"false": 0.0, "true": 0.0},
                          "i2": {"l0": 0.0, "l1": 0.0, "l2": 0.0, "l3": 0.0},
                          "i3": {"false": 0.0, "true": 0.0}},
               "reservation": 0.0},
        "p1": {"weights": {"i0": 0.0, "i1": 0.0, "i2": 0.001, "i3": 0.0},
               "values": {"i0": {"false": 0.0, "true": 0.0}, "i1": {"false": 0.0, "true": 0.0},
                          "i2": {"l0": 0.0, "l1": 0.0, "l2": 0.0, "l3": 0.001},
                          "i3": {"false": 0.0, "true": 0.0}},
               "reservation": 0.001},
    },
}


@given(scenario_dicts())
@example(BOUND_BUG)
def test_both_frontier_methods_equal_brute_force(data):
    problem = problem_of(data)
    want = as_set(brute_frontier(problem))
    a, b = by_enumeration(problem), by_issue(problem)
    with patch.object(space, "KEEP_ALLOWED", 0):  # the branch and bound, not the known deals
        walked = by_enumeration(problem_of(data))
    for name in ("idx", "utility", "expected", "p_ratified", "count", "feasible_count"):
        assert np.array_equal(getattr(a, name), getattr(walked, name)), name
    assert as_set(a.idx) == want
    assert as_set(b.idx) == want
    assert np.array_equal(a.idx, b.idx) and np.array_equal(a.expected, b.expected)
    assert a.acceptable == b.acceptable == int(problem.acceptable(all_deals(problem)).sum())
    assert a.feasible == b.feasible == int(problem.feasible(all_deals(problem)).sum())


@given(scenario_dicts(max_issues=3), st.integers(1, 9))
def test_chunked_equals_whole(data, chunk):
    problem = problem_of(data)
    with patch.object(space, "KEEP_ALLOWED", 0):  # chunks matter to the branch and bound only
        whole = by_enumeration(problem, chunk=1 << 20)
        chunked = by_enumeration(problem, chunk=chunk)
    assert np.array_equal(whole.idx, chunked.idx)
    assert whole.acceptable == chunked.acceptable


@given(scenario_dicts())
def test_every_solution_is_acceptable_and_pareto_optimal(data):
    problem = problem_of(data)
    result = solve(problem, refine=False)
    frontier = as_set(brute_frontier(problem))
    for name, deal in result.solutions.items():
        if deal is None:
            assert not frontier
            continue
        idx = problem.deal_index(deal.terms)
        assert problem.acceptable(idx[None, :])[0], name
        assert tuple(map(int, idx)) in frontier, name


@given(scenario_dicts(bodies=False), st.data())
def test_nash_and_ks_survive_a_positive_affine_rescaling(data, draw):
    problem = problem_of(data)
    party = draw.draw(st.integers(0, len(problem.parties) - 1))
    a = draw.draw(st.sampled_from([0.25, 0.5, 2.0, 3.0, 10.0]))
    b = draw.draw(st.sampled_from([-1.0, 0.0, 0.5, 4.0]))
    before = choose(problem, by_enumeration(problem))
    after = choose(problem.rescaled(party, a, b), by_enumeration(problem.rescaled(party, a, b)))
    for name in ("nash", "kalai_smorodinsky"):
        assert before[name] == after[name], name


def mirrored(data):
    """Two parties whose values are each other's mirror image: a symmetric problem."""
    two = copy.deepcopy(data)
    p0 = two["parties"]["p0"]
    p1 = copy.deepcopy(p0)
    for k, issue in two["issues"].items():
        fn = p0["values"][k]
        if "range" in issue:
            if "linear" in fn:
                fn["linear"] = "increasing"
                p1["values"][k] = {"linear": "decreasing"}
            else:
                hi = issue["range"][1]
                p1["values"][k] = {"points": [[hi - x, v] for x, v in fn["points"][::-1]]}
        else:
            keys = list(fn)
            p1["values"][k] = {key: fn[other] for key, other in zip(keys, keys[::-1],
                                                                   strict=True)}
    p0.pop("red_lines", None)
    p0.pop("interactions", None)
    p1.pop("red_lines", None)
    p1.pop("interactions", None)
    two["parties"] = {"p0": p0, "p1": p1}
    two.pop("rules", None)
    two.pop("ratification", None)
    return two


@given(scenario_dicts(max_parties=2))
def test_symmetric_problems_give_symmetric_solutions(data):
    problem = problem_of(mirrored(data))
    front = by_enumeration(problem)
    assume(len(front.idx))
    gains = front.expected - problem.reservation
    scores = sol.scores(gains, problem.power)
    rows = choose(problem, front)
    for name in ("nash", "kalai_smorodinsky", "egalitarian", "utilitarian"):
        u = front.expected[rows[name]]
        # The mirror image of the chosen point is also a maximiser.
        mirror = np.flatnonzero(np.isclose(front.expected, u[::-1], atol=1e-12).all(axis=1))
        assert len(mirror), name
        best = scores[name].max()
        assert np.isclose(scores[name][mirror[0]], best, atol=1e-9), name


@given(scenario_dicts(), st.data())
def test_removing_other_deals_keeps_the_nash_deal(data, draw):
    problem = problem_of(data)
    front = by_enumeration(problem)
    assume(len(front.idx) > 1)
    nash = front.idx[choose(problem, front)["nash"]]
    gains = problem.expected_utility(nash[None, :])[0] - problem.reservation
    assume((gains[problem.veto] > 1e-9).all())
    others = [i for i in range(len(front.idx)) if not np.array_equal(front.idx[i], nash)]
    drop = draw.draw(st.lists(st.sampled_from(others), min_size=1, unique=True))
    table = np.ones(problem.sizes, dtype=bool)
    for i in drop:
        table[tuple(front.idx[i])] = False
    smaller = replace(problem, rules=(*problem.rules,
                                      Factor(tuple(range(len(problem.sizes))), table)))
    front2 = by_enumeration(smaller)
    assert np.array_equal(front2.idx[choose(smaller, front2)["nash"]], nash)


@given(scenario_dicts(), st.randoms(use_true_random=False))
def test_permuting_parties_changes_nothing(data, rnd):
    names = list(data["parties"])
    shuffled = names[:]
    rnd.shuffle(shuffled)
    other = {**data, "parties": {n: data["parties"][n] for n in shuffled}}
    a, b = solve(problem_of(data), refine=False), solve(problem_of(other), refine=False)
    assert a.acceptable == b.acceptable
    key = lambda d: sorted(d.terms.items(), key=str)  # noqa: E731
    assert sorted(map(key, a.pareto)) == sorted(map(key, b.pareto))
    for name, deal in a.solutions.items():
        other_deal = b.solutions.get(name)
        assert (deal is None) == (other_deal is None)
        if deal is not None:
            assert deal.terms == other_deal.terms, name


@given(scenario_dicts(), st.data())
def test_lowering_a_reservation_never_shrinks_the_acceptable_set(data, draw):
    problem = problem_of(data)
    party = draw.draw(st.integers(0, len(problem.parties) - 1))
    lower = problem.reservation.copy()
    lower[party] -= draw.draw(st.sampled_from([0.01, 0.1, 0.5]))
    idx = all_deals(problem)
    before = problem.acceptable(idx)
    after = replace(problem, reservation=lower).acceptable(idx)
    assert not (before & ~after).any()


@given(scenario_dicts(bodies=False), st.data())
def test_adding_a_ratification_body_never_grows_the_acceptable_set(data, draw):
    with_body = copy.deepcopy(data)
    with_body["ratification"] = {"vote": draw.draw(body_dicts(data["issues"],
                                                              list(data["parties"])))}
    try:
        bigger = problem_of(with_body)
    except sim.InputError:
        return  # the body made every deal infeasible... it cannot; but keep the test honest
    idx = all_deals(bigger)
    assert not (bigger.acceptable(idx) & ~problem_of(data).acceptable(idx)).any()


@given(st.integers(1, 60), st.integers(2, 5), st.integers(0, 10 ** 6))
def test_nondominated_matches_all_pairs(n, d, seed):
    from sim.solver.pareto import nondominated_naive

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, (n, d)) / 3
    assert np.array_equal(nondominated(y), nondominated_naive(y))


@given(st.integers(150, 2500), st.integers(2, 6), st.integers(0, 10 ** 6), st.booleans())
def test_nondominated_matches_all_pairs_past_the_bitset_threshold(n, d, seed, strict_some):
    """Sizes that take the screen and bitset path, with and without a mask of strict columns
    (some columns holding infinities, as candidate support does)."""
    from sim.solver.pareto import nondominated_naive

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 6, (n, d)) / 5
    strict = None
    if strict_some:
        strict = np.arange(d) < rng.integers(1, d)
        y[rng.random(n) < 0.1, -1] = np.inf
    assert np.array_equal(nondominated(y, strict), nondominated_naive(y, strict))


@given(st.integers(150, 2500), st.integers(3, 12), st.integers(0, 10 ** 6), st.booleans())
def test_nondominated_in_boxes_matches_all_pairs(n, d, seed, strict_some):
    """The boxed path that large sets take (forced here at small sizes), up to 12 columns
    (beyond 10, only the first ten are binned), with ties, strict columns and infinities."""
    from unittest import mock

    from sim.solver import pareto

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 8, (n, d)) / 7
    y[:, -1] = y[:, :-1].sum(axis=1) % 1  # anti-correlated: a large frontier, as in practice
    strict = None
    if strict_some:
        strict = np.arange(d) < rng.integers(1, d)
        y[rng.random(n) < 0.1, -1] = np.inf
    with mock.patch.object(pareto, "_PER_BOX", 8):
        got = pareto.nondominated(y, strict)
    assert np.array_equal(got, pareto.nondominated_naive(y, strict))


@given(scenario_dicts())
def test_what_it_takes_makes_every_deal_acceptable_or_says_a_rule_forbids_it(data):
    """evaluate checks its own list by evaluating the deal again with every change made; here:
    one change per failing reason, none for an acceptable deal, and no list for a broken rule."""
    from sim.evaluation import evaluate
    from sim.results import RuleBroken

    problem = problem_of(data)
    for idx in all_deals(problem)[:40]:
        ev = evaluate(problem, idx)
        if ev.acceptable:
            assert ev.to_accept == ()
        elif any(isinstance(r, RuleBroken) for r in ev.reasons):
            assert ev.to_accept is None
        else:
            assert len(ev.to_accept) == len(ev.reasons) > 0
