"""PRIM (sim.experiments.prim) finds boxes that are known because the data were made from
them: a region of two numeric inputs and one categorical level, among inputs that do not
matter, with and without noise, and two separate regions found one after the other."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.experiments.prim import discover


def uniform_inputs(n: int, d: int, seed: int = 1) -> dict[str, np.ndarray]:
    x = np.random.default_rng(seed).random((n, d))
    return {f"x{i}": x[:, i] for i in range(d)}


def test_finds_the_box_the_cases_were_made_from():
    inputs = uniform_inputs(4000, 4)
    inputs["colour"] = np.random.default_rng(2).choice(["red", "green", "blue"], 4000)
    y = (inputs["x0"] > 0.6) & (inputs["x1"] < 0.4) & (inputs["colour"] != "green")
    box = discover(inputs, y)[0]
    assert set(box.restricts()) == {"x0", "x1", "colour"}  # x2 and x3 do not matter
    lo0, hi0 = box.limits["x0"]
    lo1, hi1 = box.limits["x1"]
    assert lo0 == pytest.approx(0.6, abs=0.02) and hi0 is None
    assert lo1 is None and hi1 == pytest.approx(0.4, abs=0.02)
    assert set(box.levels["colour"]) == {"red", "blue"}
    assert box.density > 0.97 and box.coverage > 0.95
    assert box.mass == pytest.approx(0.4 * 0.4 * 2 / 3, abs=0.02)


def test_noise_outside_the_box_lowers_its_coverage_not_its_limits():
    inputs = uniform_inputs(20000, 6)
    rng = np.random.default_rng(3)
    y = ((inputs["x0"] > 0.6) & (inputs["x1"] < 0.4)) | (rng.random(20000) < 0.05)
    box = discover(inputs, y)[0]
    assert set(box.restricts()) == {"x0", "x1"}
    assert box.limits["x0"][0] == pytest.approx(0.6, abs=0.03)
    assert box.limits["x1"][1] == pytest.approx(0.4, abs=0.03)
    assert box.density > 0.95
    expected = 0.16 / (0.16 + 0.05 * 0.84)  # the box's cases over all cases
    assert box.coverage == pytest.approx(expected, abs=0.04)


def test_covering_finds_a_second_region_among_the_points_outside_the_first():
    inputs = uniform_inputs(20000, 5)
    y = (((inputs["x0"] > 0.6) & (inputs["x1"] < 0.4))
         | ((inputs["x2"] < 0.3) & (inputs["x3"] < 0.3)))
    boxes = discover(inputs, y)
    assert [set(b.restricts()) for b in boxes[:2]] == [{"x0", "x1"}, {"x2", "x3"}]
    assert boxes[1].limits["x2"][1] == pytest.approx(0.3, abs=0.03)
    assert sum(b.coverage for b in boxes[:2]) > 0.95  # coverage is of all the cases


def test_a_grid_with_ties_is_peeled_by_whole_values():
    grid = np.repeat(np.linspace(0, 1, 5), 40)  # five values, forty points each
    other = np.tile(np.linspace(0, 1, 40), 5)
    y = grid >= 0.5
    box = discover({"grid": grid, "other": other}, y)[0]
    assert box.limits == {"grid": (0.5, None)} and box.density == 1.0 and box.coverage == 1.0


def test_nothing_to_find_without_cases():
    inputs = uniform_inputs(100, 2)
    assert discover(inputs, np.zeros(100, dtype=bool)) == []


def test_a_real_valued_outcome_finds_where_it_is_high():
    inputs = uniform_inputs(5000, 3)
    y = np.where(inputs["x2"] > 0.7, 0.9, 0.1)  # an agreement rate, say
    box = discover(inputs, y)[0]
    assert set(box.restricts()) == {"x2"}
    assert box.limits["x2"][0] == pytest.approx(0.7, abs=0.03)
    assert 0.85 < box.density <= 0.9 + 1e-12


def selected(inputs: dict, box) -> np.ndarray:
    """The points a box's limits select, recounted from its limits alone."""
    inside = np.ones(len(next(iter(inputs.values()))), dtype=bool)
    for name, (lo, hi) in box.limits.items():
        inside &= inputs[name] >= (-np.inf if lo is None else lo)
        inside &= inputs[name] <= (np.inf if hi is None else hi)
    return inside


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31), st.floats(0.05, 0.6), st.integers(50, 400))
def test_the_first_box_reports_what_it_holds(seed, cut, n):
    """Its coverage, density and mass are those of the points its limits select, and it is
    at least as dense as the data."""
    inputs = uniform_inputs(n, 3, seed)
    y = (inputs["x0"] < cut) | (np.random.default_rng(seed).random(n) < 0.1)
    if not y.any():
        return
    box = discover(inputs, y)[0]
    inside = selected(inputs, box)
    assert box.points == inside.sum()
    assert box.mass == pytest.approx(inside.mean())
    assert box.density == pytest.approx(y[inside].mean())
    assert box.coverage == pytest.approx(y[inside].sum() / y.sum())
    assert box.density >= y.mean() - 1e-12
