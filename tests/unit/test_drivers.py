"""The numbers behind the sweep's figures and its independent rows (sim.experiments.drivers),
on tables made by hand."""

import numpy as np
import pandas as pd

from sim.experiments.design import Uncertainty
from sim.experiments.drivers import bin_edges, heat, independent, response

A = Uncertainty("a", "uniform", (0.0, 1.0))
WORD = Uncertainty("w", "choice", ("low", "high"))


def frame():
    a = np.repeat([0.1, 0.9], 4)
    w = np.tile(["low", "high"], 4)
    y = (a > 0.5).astype(float) + (w == "high") * 0.5  # 0, 0.5, 1, 1.5
    return pd.DataFrame({"in.a": a, "in.w": w, "y": y})


def test_a_response_is_the_mean_by_value_and_words_keep_their_names():
    assert response(frame(), A, "y") == [
        {"label": "0.1", "x": 0.1, "mean": 0.25, "points": 4},
        {"label": "0.9", "x": 0.9, "mean": 1.25, "points": 4}]
    assert [(r["label"], r["mean"]) for r in response(frame(), WORD, "y")] == [
        ("low", 0.5), ("high", 1.0)]  # in the order the levels were given


def test_many_values_are_read_in_quantile_bins():
    x = np.linspace(0, 1, 801)
    edges = bin_edges(x, 8)
    assert len(edges) == 9 and edges[0] == 0 and edges[-1] == 1
    curve = response(pd.DataFrame({"in.a": x, "y": x}), A, "y")
    assert len(curve) == 8 and all(c["points"] in (100, 101) for c in curve)


def test_a_heat_map_cell_is_the_mean_of_its_points():
    ex, ey, mean = heat(frame(), A, WORD, "y")
    assert mean.shape == (2, 2)
    assert mean.tolist() == [[0.0, 1.0], [0.5, 1.5]]  # rows: low, high; columns: 0.1, 0.9


def test_the_independent_rows_of_saltelli_and_morris_designs():
    point = np.arange(12)
    assert point[independent(point, "saltelli", 2)].tolist() == [0, 3, 4, 7, 8, 11]
    assert point[independent(point, "morris", 2)].tolist() == [0, 3, 6, 9]
    assert independent(point, "lhs", 2).all()
