"""The compiled Problem as a dynamic engine reads it: reservations from a no-deal outlook,
ratification at a mood shift, a compiler whose memory lives in the compiler, and the votes'
tables and memory."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.compile import Compiler
from sim.problem import Factor, Remembered, allows_table, passes
from tests.builders import tariff_talks, with_issue, with_party
from tests.conftest import SCENARIOS

DEFAULT = SCENARIOS / "berlin-open.yaml"


@pytest.fixture(scope="module")
def berlin():
    return sim.compile_problem(sim.load(DEFAULT))


def _mixed():
    """A derived exporter (a power curve on a numeric term, an interaction the outlook
    decides) and a fixed importer."""
    data = with_issue(tariff_talks(), "share", {"range": [0, 1], "step": 0.1},
                      {"linear": "increasing", "exponent": 0.7})
    data = with_party(data, "exporter", weights={"share": 0.37}, reservation="derived",
                      interactions=[{"when": {"tariff": "mid", "quota": "small"}, "add": -0.05}])
    data = with_party(data, "importer", weights={"share": 0.2},
                      values={"share": {"points": [[0, 1.0], [0.5, 0.6], [1, 0.0]]}})
    data["no_deal"] = {"outlook": {"share": 0.3, "tariff": "mid", "quota": "small"},
                       "cost": {"exporter": 0.04}}
    return sim.compile_problem(sim.from_dict(data))


def _by_hand(problem, p):
    """A derived reservation summed from the value tables, in the outlook's order."""
    u = 0.0
    idx = np.zeros(len(problem.issues), dtype=np.int64)
    for k in problem.outlook_issues:
        x = problem.outlook[k]
        idx[k] = problem.level_of(k, x) if problem.kinds[k] == "numeric" else int(x)
        u += problem.weights[p, k] * problem.values[k][p, idx[k]]
    for q, factor in problem.interactions:
        if q == p and set(factor.issues) <= set(problem.outlook_issues):
            u += float(factor.at(idx[None])[0])
    return u - problem.cost[p]


@pytest.mark.parametrize("which", ["mixed", "berlin"])
def test_the_nominal_outlook_gives_the_reservations_summed_from_the_tables(which, berlin):
    problem = _mixed() if which == "mixed" else berlin
    for p in np.flatnonzero(problem.derived):
        assert problem.reservation[p] == _by_hand(problem, p)
    r = problem.reservation_at(problem.outlook[None, :], problem.cost[None, :])
    assert np.array_equal(r[0], problem.reservation)  # batched or not, the same bytes


def test_reservations_are_vectorised_over_outlooks_and_costs(berlin):
    outlooks = np.repeat(berlin.outlook[None, :], 5, axis=0)
    costs = berlin.cost + np.linspace(0, 0.2, 5)[:, None]
    r = berlin.reservation_at(outlooks, costs)
    assert r.shape == (5, len(berlin.parties))
    assert np.allclose(r[0] - r[-1], 0.2)  # a derived reservation falls one for one


def test_a_numeric_outlook_term_moves_between_grid_points(berlin):
    k = berlin.issues.index("territory_kept")
    grid = np.asarray(berlin.levels[k], dtype=float)
    lo, hi = grid[1], grid[2]
    at = np.repeat(berlin.outlook[None, :], 3, axis=0)
    at[:, k] = [lo, (lo + hi) / 2, hi]
    r = berlin.reservation_at(at)
    p = berlin.parties.index("ukraine")
    assert r[0, p] < r[1, p] < r[2, p]
    assert r[1, p] == pytest.approx((r[0, p] + r[2, p]) / 2)  # a linear value curve


def test_a_fixed_reservation_ignores_the_outlook_and_the_cost():
    problem = _mixed()
    exporter, importer = problem.parties.index("exporter"), problem.parties.index("importer")
    assert problem.derived[exporter] and not problem.derived[importer]
    k = problem.issues.index("share")
    moved = problem.outlook.copy()
    moved[k] = 0.85  # between grid points, on the exporter's power curve
    r = problem.reservation_at(moved, problem.cost + 0.1)
    assert r[importer] == problem.reservation[importer] == 0.3
    w = problem.weights[exporter, k]
    want = problem.reservation[exporter] + w * (0.85**0.7 - 0.3**0.7) - 0.1
    assert r[exporter] == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize(("issue", "value", "words"), [
    ("share", np.nan, "missing"), ("tariff", 1.5, "level indices"),
    ("tariff", 3, "level indices"), ("share", 1.2, "outside its range")])
def test_a_malformed_outlook_is_refused(issue, value, words):
    problem = _mixed()
    at = problem.outlook.copy()
    at[problem.issues.index(issue)] = value
    with pytest.raises(ValueError, match=words):
        problem.reservation_at(at)


def test_an_outlook_may_not_add_a_term_the_scenario_leaves_out(berlin):
    problem = sim.compile_problem(sim.from_dict(tariff_talks(no_deal={
        "outlook": {"tariff": "mid"}})))
    at = problem.outlook.copy()
    at[problem.issues.index("quota")] = 1
    with pytest.raises(ValueError, match="not in the scenario's no-deal outlook"):
        problem.reservation_at(at)


def test_ratification_at_zero_shift_is_the_solver_table(berlin):
    idx = np.concatenate(list(berlin.enumerate(chunk=1 << 16)))[::97]
    applies, p = berlin.ratification(idx)
    applies0, p0 = berlin.ratification(idx, shift=np.zeros(len(berlin.bodies)))
    assert np.array_equal(applies, applies0) and np.array_equal(p, p0)
    for b in berlin.bodies:
        assert np.array_equal(b.model.p_pass(idx), b.p_pass.at(idx))


def test_a_better_mood_raises_every_vote_and_the_shifted_tables_agree(berlin):
    idx = np.concatenate(list(berlin.enumerate(chunk=1 << 16)))[::251]
    B = len(berlin.bodies)
    _, low = berlin.ratification(idx, shift=np.full(B, -0.5))
    _, base = berlin.ratification(idx)
    _, high = berlin.ratification(idx, shift=np.full(B, 0.5))
    assert (low <= base + 1e-12).all() and (base <= high + 1e-12).all()
    assert (high > low + 1e-6).any()
    moved = berlin.at_mood(np.full(B, 0.5))
    assert np.allclose(moved.ratification(idx)[1], high, atol=1e-12)
    assert berlin.bodies[0].p_pass is not moved.bodies[0].p_pass  # the original is untouched


def test_contributions_are_weight_times_value_and_sum_to_the_utility(berlin):
    idx = np.concatenate(list(berlin.enumerate(chunk=1 << 16)))[::1009]
    total = sum(c[idx[:, k]] for k, c in enumerate(berlin.contributions))
    for p, factor in berlin.interactions:
        total[:, p] += factor.at(idx)
    assert np.array_equal(total, berlin.utility(idx))


def test_a_compiler_remembers_bodies_and_a_fresh_one_builds_equal_tables():
    scenario = sim.load(DEFAULT)
    compiler = Compiler()
    a, b = compiler.compile(scenario), compiler.compile(scenario)
    assert all(x.p_pass is y.p_pass for x, y in zip(a.bodies, b.bodies, strict=True))
    fresh = Compiler().compile(scenario)
    for x, y in zip(a.bodies, fresh.bodies, strict=True):
        assert x.p_pass is not y.p_pass
        assert np.array_equal(x.p_pass.table, y.p_pass.table)


def _containers() -> dict[str, int]:
    """The size of every module-level container and function cache in sim."""
    import importlib
    import pkgutil

    import sim as package

    sizes = {}
    for info in pkgutil.walk_packages(package.__path__, "sim."):
        if info.name == "sim.__main__":  # importing it runs the CLI
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, dict | list | set) and not name.startswith("__"):
                sizes[f"{info.name}.{name}"] = len(value)
            elif hasattr(value, "cache_info"):
                sizes[f"{info.name}.{name}"] = value.cache_info().currsize
    return sizes


def test_no_module_keeps_a_cache():
    """Caches live with what they cache: running the verbs grows no module-level container."""
    before = _containers()
    for name in ("trade-deal.yaml", "berlin-no-referendum.yaml"):
        scenario = sim.load(SCENARIOS / name)
        sim.solve(scenario)
        sim.evaluate(scenario, package=next(iter(scenario.packages)))
    sim.solve(sim.load(SCENARIOS / "trade-deal.yaml"), samples=3)
    after = _containers()
    assert {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v} == {}


def test_mood_changes_compose_on_every_path(berlin):
    idx = np.concatenate(list(berlin.enumerate(chunk=1 << 16)))[::331]
    B = len(berlin.bodies)
    want = berlin.ratification(idx, shift=1.0)[1]  # a scalar moves every body
    assert np.allclose(berlin.ratification(idx, shift=np.full(B, 1.0))[1], want, atol=1e-12)
    moved = berlin.at_mood(0.4)
    assert np.allclose(moved.ratification(idx, shift=0.6)[1], want, atol=1e-12)
    assert np.allclose(moved.at_mood(0.6).ratification(idx)[1], want, atol=1e-12)
    back = moved.at_mood(-0.4)
    assert np.allclose(back.ratification(idx)[1], berlin.ratification(idx)[1], atol=1e-12)
    assert all(b.shift == pytest.approx(0.0) for b in back.bodies)
    # a tiny change stays tiny: no jump back to the compiled mood
    nudged = moved.ratification(idx, shift=1e-300)[1]
    assert np.allclose(nudged, moved.ratification(idx)[1], atol=1e-12)


@pytest.mark.parametrize("name", ["berlin-open", "berlin-no-referendum",
                                  "berlin-no-congress"])
def test_votes_left_untabulated_give_the_tabulated_answers(name):
    """A vote reading too many issues to tabulate is evaluated on the deals at hand instead;
    forcing that on every body of the shipped scenarios changes no answer. Only what each
    body excludes alone (reported when nothing is acceptable) becomes a sampled estimate."""
    from sim.compile import Compiler

    scenario = sim.load(SCENARIOS / f"{name}.yaml")
    tabulated = sim.solve(scenario, time_budget=None).to_dict()
    problem = Compiler(vote_cells=0).compile(scenario)
    assert problem.bodies and not any(b.p_pass.tabulated or b.yes_share.tabulated
                                      or problem.body_allows(b).tabulated
                                      for b in problem.bodies)
    lazy = sim.solve(problem, time_budget=None).to_dict()
    if tabulated["gap"]:
        exact = {b["name"]: b for b in tabulated["gap"].pop("blockers")}
        for b in lazy["gap"].pop("blockers"):
            if b["kind"] == "ratification":
                assert not b["exact"]
                assert b["excludes"] == pytest.approx(exact[b["name"]]["excludes"],
                                                      abs=0.01 * tabulated["deals"]["total"])
            else:
                assert b == exact[b["name"]]
    assert_close(lazy, tabulated)


def assert_close(a, b, path="", tol=1e-12):
    """Equal structures; floats equal to `tol` (a vote's FFT over another batch of deals can
    move the last bit)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            assert_close(a[k], b[k], f"{path}.{k}", tol)
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_close(x, y, f"{path}[{i}]", tol)
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, abs=tol), path
    else:
        assert a == b, path


def test_an_untabulated_vote_takes_an_empty_batch_of_deals():
    """Found in review: no deals at all (an empty candidate set in a robustness draw) crashed
    a vote evaluated on the deals at hand."""
    from sim.compile import Compiler

    problem = Compiler(vote_cells=0).compile(sim.load(DEFAULT))
    none = np.zeros((0, len(problem.issues)), dtype=np.int64)
    assert problem.acceptable(none).shape == (0,) and problem.p_ratified(none).shape == (0,)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=60), st.integers(0, 2**31))
def test_a_remembered_vote_answers_as_its_function_and_asks_it_once_per_combination(
        picks, seed):
    # A vote over issues 0 and 2 of a (4, 3, 5) space, asked about deals in several rounds:
    # every answer is the function's, and the function sees each combination once.
    sizes, issues = (4, 3, 5), (0, 2)
    rng = np.random.default_rng(seed)
    asked: list[tuple] = []

    def fn(idx):
        asked.extend(map(tuple, idx[..., list(issues)].reshape(-1, 2)))
        return idx[..., 0] * 10.0 + idx[..., 2] ** 2

    memo = Remembered(fn, issues, sizes)
    for n in picks:
        deals = np.stack([rng.integers(0, s, size=n + 1) for s in sizes], axis=-1)
        assert np.array_equal(memo(deals), deals[:, 0] * 10.0 + deals[:, 2] ** 2)
    assert len(asked) == len(set(asked))


def test_a_remembered_vote_stops_remembering_at_its_limit(monkeypatch):
    monkeypatch.setattr(Remembered, "LIMIT", 5)
    calls = []
    memo = Remembered(lambda idx: calls.append(len(idx)) or idx[:, 0] * 1.0, (0,), (20,))
    memo(np.arange(4)[:, None])
    memo(np.arange(10)[:, None])  # 6 new: past the limit, answered but not kept
    memo(np.arange(10)[:, None])
    assert np.array_equal(memo(np.arange(10)[:, None]), np.arange(10.0))
    assert calls == [4, 6, 6, 6]


def test_allows_tables_combine_by_broadcasting_as_by_indexing(berlin):
    # The broadcast table (both factors tabulated) equals the one indexing every combination
    # of the union's levels gives.
    for body in berlin.bodies:
        fast = allows_table(body, berlin.sizes, 0.5)
        slow = Factor.tabulate(fast.issues, berlin.sizes, lambda idx, b=body: ~b.applies.at(idx)
                               | passes(b.p_pass.at(idx), 0.5))
        if fast.tabulated:  # the broadcast table equals the indexed one
            assert fast.issues == slow.issues and np.array_equal(fast.table, slow.table)
        else:  # too large to tabulate: the same answers on the deals at hand
            idx = np.stack(np.unravel_index(np.arange(0, slow.table.size, 97),
                                            slow.table.shape), axis=-1)
            deals = np.zeros((len(idx), len(berlin.sizes)), dtype=np.int64)
            deals[:, list(slow.issues)] = idx
            assert np.array_equal(fast.at(deals), slow.at(deals))
        assert slow.table.any() and not slow.table.all()


def test_the_allowed_deals_are_remembered_for_the_same_constraints_only(berlin):
    from dataclasses import replace

    from sim import space

    allowed = space.allowed(berlin)
    assert allowed is not None and len(allowed) == int(berlin.feasible(allowed).sum())
    assert space.allowed(berlin.rescaled(0, 2.0, 0.1)) is allowed  # utilities only: shared
    assert space.allowed(replace(berlin, reservation=berlin.reservation + 0.1)) is allowed
    unvoted = replace(berlin, bodies=())  # the votes' own constraints gone: more deals
    assert len(space.allowed(unvoted)) > len(allowed)
    assert np.array_equal(space.allowed(berlin), allowed)  # its own again, made anew
    moved = berlin.at_mood(-2.0)  # every vote less likely: fewer deals pass
    assert len(space.allowed(moved)) < len(allowed)


def test_a_factor_over_more_issues_keeps_its_own_axes_whatever_their_order():
    table = np.arange(6.0).reshape(2, 3)  # axis 0: issue 2, axis 1: issue 0
    factor = Factor((2, 0), table)
    view = factor.over((0, 1, 2))
    assert view.shape == (3, 1, 2)
    for i in range(3):
        for k in range(2):
            assert view[i, 0, k] == table[k, i]


def test_a_problem_with_votes_too_large_to_tabulate_pickles_with_the_same_answers():
    """The agent-based model sends the Problem to its workers: an untabulated vote is a
    class, not a closure (found when the default grew to 6.4 million deals)."""
    import pickle

    problem = sim.compile_problem(sim.load(SCENARIOS / "berlin-open.yaml"))
    allows = [problem.body_allows(b) for b in problem.bodies]
    assert not all(a.tabulated for a in allows)  # the case in point
    copy = pickle.loads(pickle.dumps(problem))
    idx = next(problem.enumerate())[::97]
    assert np.array_equal(problem.feasible(idx), copy.feasible(idx))
    assert np.array_equal(problem.ratifiable(idx), copy.ratifiable(idx))
    assert np.allclose(problem.ratification(idx)[1], copy.ratification(idx)[1])
