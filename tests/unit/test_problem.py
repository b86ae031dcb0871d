"""The compiled Problem as a dynamic engine reads it: reservations from a no-deal outlook,
ratification at a mood shift, and a compiler whose memory lives in the compiler."""

import numpy as np
import pytest

import sim
from sim.compile import Compiler
from tests.conftest import SCENARIOS

DEFAULT = SCENARIOS / "berlin-2025-12.yaml"


@pytest.fixture(scope="module")
def berlin():
    return sim.compile_problem(sim.load(DEFAULT))


def test_the_nominal_outlook_gives_the_reservations_the_solver_uses(berlin):
    assert berlin.derived.any()
    assert np.array_equal(berlin.reservation_at(), berlin.reservation)
    assert np.array_equal(berlin.reservation_at(berlin.outlook, berlin.cost), berlin.reservation)


def test_reservations_are_vectorised_over_outlooks_and_costs(berlin):
    outlooks = np.repeat(berlin.outlook[None, :], 5, axis=0)
    costs = berlin.cost + np.linspace(0, 0.2, 5)[:, None]
    r = berlin.reservation_at(outlooks, costs)
    assert r.shape == (5, len(berlin.parties))
    drop = r[0] - r[-1]
    # a derived reservation falls one for one with the cost; a fixed one does not move
    assert np.allclose(drop[berlin.derived], 0.2)
    assert np.allclose(drop[~berlin.derived], 0.0)


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


def test_a_fixed_reservation_ignores_the_outlook():
    problem = sim.compile_problem(sim.load(SCENARIOS / "trade-deal.yaml"))
    assert not problem.derived.any()
    r = problem.reservation_at(np.zeros(len(problem.issues)), np.ones(len(problem.parties)))
    assert np.array_equal(r[~problem.derived], problem.reservation[~problem.derived])


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


def test_no_module_keeps_a_cache():
    import sim.compile
    import sim.problem
    import sim.ratify

    for module in (sim.problem, sim.compile, sim.ratify):
        caches = [n for n, v in vars(module).items()
                  if isinstance(v, dict | list | set) and not n.startswith("__")]
        assert caches == [], module.__name__
