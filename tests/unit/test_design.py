"""Designs: the SPEC grammar, what fits which design, and the points each design makes."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import seeds
from sim.experiments import design
from sim.experiments.design import SpecError, parse, points

R = "parties.russia.reservation"


def test_the_spec_grammar():
    assert parse(f"{R}=0.3:0.6:4").params == pytest.approx((0.3, 0.4, 0.5, 0.6))
    assert parse(f"{R}=0.3:0.6") == design.Uncertainty(R, "uniform", (0.3, 0.6))
    assert parse("a.b=x, y ,true,2,2.5").params == ("x", "y", True, 2, 2.5)
    assert parse("a.b=normal(0.4, 0.05)") == design.Uncertainty("a.b", "normal", (0.4, 0.05))
    assert parse("a.b=triangular(0.3,0.4,0.6)").kind == "triangular"
    assert parse("a.b=choice(zone, dmz)").params == ("zone", "dmz")
    assert parse("a.b=beta(2, 5)").params == (2.0, 5.0)


@pytest.mark.parametrize("text,says", [
    ("nopath", "write PATH=SPEC"),
    ("a b=1:2", "not a dotted path"),
    ("a.b=2:1", "lo <= hi"),
    ("a.b=0:1:1", "whole n of at least 2"),
    ("a.b=0:1:2.5", "whole n"),
    ("a.b=x:1", "'x' is not a number"),
    ("a.b=0:1:2:3", "write lo:hi"),
    ("a.b=gamma(1, 2)", "unknown distribution 'gamma'; valid: uniform"),
    ("a.b=normal(1)", "normal takes 2 numbers"),
    ("a.b=normal(1, 0)", "sd > 0"),
    ("a.b=triangular(0.5, 0.4, 0.6)", "low <= mode <= high"),
    ("a.b=choice()", "at least one value"),
])
def test_a_bad_spec_says_why(text, says):
    with pytest.raises(SpecError, match=says):
        parse(text)


def test_a_spec_that_does_not_fit_the_design_says_why():
    with pytest.raises(SpecError, match="a grid takes lo:hi:n or a list"):
        points([parse("a.b=0:1")], "grid", None, 0)
    with pytest.raises(SpecError, match="--design lhs samples: give a range"):
        points([parse("a.b=0:1:3")], "lhs", 8, 0)
    with pytest.raises(SpecError, match="power of 2 .*: 8 or 16, not 10"):
        points([parse("a.b=0:1")], "sobol", 10, 0)
    with pytest.raises(SpecError, match="needs --samples"):
        points([parse("a.b=0:1")], "mc", None, 0)
    with pytest.raises(SpecError, match="--samples is for sampled designs"):
        points([parse("a.b=0:1:3")], "grid", 5, 0)
    with pytest.raises(SpecError, match="varied twice"):
        points([parse("a.b=0:1"), parse("a.b=2:3")], "mc", 3, 0)
    with pytest.raises(SpecError, match="unknown design 'fancy'"):
        points([parse("a.b=0:1")], "fancy", 3, 0)


def test_a_grid_is_every_combination_in_order():
    got = points([parse("a=1,2"), parse("b=x,y,z")], "grid", None, 0)
    assert got == [{"a": a, "b": b} for a in (1, 2) for b in "xyz"]


@given(st.integers(1, 40), st.integers(0, 10**6))
def test_latin_hypercube_puts_one_point_in_each_slice(n, seed):
    got = points([parse("a=0:1"), parse("b=choice(p, q)")], "lhs", n, seed)
    a = np.array([p["a"] for p in got])
    assert sorted((a * n).astype(int)) == list(range(n))  # one in each 1/n slice
    assert abs(sum(p["b"] == "p" for p in got) - n / 2) <= 1  # the choice's halves too


def test_sobol_in_powers_of_two_is_balanced():
    got = points([parse("a=0:1"), parse("b=normal(0, 1)")], "sobol", 64, 3)
    a = np.array([p["a"] for p in got])
    assert np.histogram(a, bins=8, range=(0, 1))[0].tolist() == [8] * 8
    assert abs(np.mean([p["b"] for p in got])) < 0.1


def test_the_same_seed_gives_the_same_points_and_another_seed_others():
    for kind, n in (("lhs", 5), ("sobol", 8), ("mc", 5)):
        us = [parse("a=0:1"), parse("b=triangular(0, 1, 3)")]
        assert points(us, kind, n, 9) == points(us, kind, n, 9)
        assert points(us, kind, n, 9) != points(us, kind, n, 10)


def test_monte_carlo_draws_point_i_from_its_own_stream_in_path_order():
    us = [parse("z.b=normal(0, 1)"), parse("a.c=uniform(0, 1)")]
    got = points(us, "mc", 4, 7)
    rng = seeds.generator(7, 0, 2)  # point 2: a.c first (sorted), then z.b
    assert got[2] == {"a.c": float(rng.uniform(0, 1)), "z.b": float(rng.normal(0, 1))}
    assert got[:3] == points(list(reversed(us)), "mc", 3, 7)  # order and count do not matter


def test_the_design_stream_is_none_of_the_runs():
    first = seeds.design(5).random()
    assert all(first != seeds.generator(5, p, r).random() for p in range(3) for r in range(3))


def test_saltelli_makes_the_points_salibs_sobol_estimator_needs():
    got = points([parse("a=0:1"), parse("b=normal(0, 1)"), parse("c=choice(x, y)")],
                 "saltelli", 16, 1)
    assert len(got) == 16 * (3 + 2)  # first-order and total indices of 3 inputs
    assert all(0 <= p["a"] <= 1 and np.isfinite(p["b"]) and p["c"] in "xy" for p in got)
    assert got == points([parse("a=0:1"), parse("b=normal(0, 1)"), parse("c=choice(x, y)")],
                         "saltelli", 16, 1)
    with pytest.raises(SpecError, match="saltelli needs --samples a power of 2"):
        points([parse("a=0:1")], "saltelli", 12, 1)


def test_morris_makes_trajectories_on_four_inner_levels():
    got = points([parse("a=0:1"), parse("b=normal(0, 1)")], "morris", 5, 2)
    assert len(got) == 5 * (2 + 1)
    assert {round(p["a"], 6) for p in got} <= {0.125, 0.375, 0.625, 0.875}
    assert all(np.isfinite(p["b"]) for p in got)
    for t in range(5):  # along a trajectory, one input moves at a time
        rows = got[3 * t:3 * t + 3]
        for x, y in zip(rows, rows[1:], strict=False):
            assert sum(x[k] != y[k] for k in ("a", "b")) == 1


def test_a_grid_holds_the_values_a_reader_expects():
    assert design.spec_of("x", "0.2:0.4:3").params == (0.2, 0.3, 0.4)
    assert design.spec_of("x", "0:1:11").params[3] == 0.3
