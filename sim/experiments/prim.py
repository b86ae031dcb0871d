"""Scenario discovery by PRIM, the patient rule induction method (Friedman and Fisher 1999),
as Bryant and Lempert (2010) use it: boxes in the space of the varied inputs inside which an
outcome of interest (a ZOPA exists, the talks agree) is most often true.

A box restricts some inputs: a numeric input to a range [lo, hi], a categorical one (words,
true/false) to a set of its levels. Of the points it holds, `density` is the mean outcome (the
share of cases, for a true/false outcome); `coverage` is the share of all cases it holds; `mass`
its share of all points.

- Peeling: from the box that holds every point, take away, one step at a time, the slice
  whose removal raises the density most per point removed (Friedman and Fisher's patient
  criterion, which keeps a large slice, a categorical level, from winning by its size alone):
  the `alpha` share of the box's points lowest (or highest) in one
  numeric input (every point at the extreme value, when ties make that share empty), or every
  point at one level of a categorical input. Peeling stops before the mass falls below
  `min_mass`, or once the density is 1. The boxes it passes through are the trajectory.
- Choice: the box of the trajectory with the best balance of coverage and density, their
  harmonic mean (the F-score of "inside the box" as a predictor of a case): the largest
  coverage alone keeps every point, the highest density alone a sliver.
- Pasting: slices are added back (the `alpha` share of the box's points nearest below or above
  a numeric limit, or the one nearest point, or one level) while the density does not fall,
  the one that raises it most first.
- Restrictions that do not matter are dropped: one whose removal keeps that balance within
  `LOOSE` of the chosen box's (a sliver peeled off an edge, say). What is left is what a
  reader should read.
- Covering: the next box is searched among the points outside the boxes found before, its
  coverage still counted against all the cases, and kept only if its density reaches
  `threshold`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

ALPHA = 0.05
MIN_MASS = 0.05
THRESHOLD = 0.8  # density a second or third box must reach
BOXES = 3
LOOSE = 0.01  # a restriction worth less than this much balance is not shown


@dataclass(frozen=True)
class Box:
    limits: dict[str, tuple[float | None, float | None]]  # numeric input -> (lo, hi), both
    # kept; None on a side left open
    levels: dict[str, tuple]  # categorical input -> the levels kept
    coverage: float
    density: float
    mass: float
    points: int
    trajectory: tuple[tuple[float, float, float], ...] = field(default=(), repr=False)
    # (coverage, density, mass) of each box peeling passed through

    def restricts(self) -> list[str]:
        return [*self.limits, *self.levels]

    def to_dict(self) -> dict:
        return {"limits": {k: list(v) for k, v in self.limits.items()},
                "levels": {k: list(v) for k, v in self.levels.items()},
                "coverage": self.coverage, "density": self.density, "mass": self.mass,
                "points": self.points,
                "trajectory": [list(t) for t in self.trajectory]}


def is_categorical(values: np.ndarray) -> bool:
    return values.dtype.kind not in "iuf"


class _Data:
    """The inputs as columns, each numeric one as floats, each categorical as level codes."""

    def __init__(self, inputs: dict[str, Any], y: np.ndarray):
        self.names = list(inputs)
        self.y = np.asarray(y, dtype=float)
        self.numeric: dict[str, np.ndarray] = {}
        self.codes: dict[str, np.ndarray] = {}
        self.level_names: dict[str, list] = {}
        for name, col in inputs.items():
            col = np.asarray(col)
            if is_categorical(col):
                levels = sorted(set(col.tolist()), key=lambda v: (str(type(v)), v))
                index = {v: k for k, v in enumerate(levels)}
                self.codes[name] = np.array([index[v] for v in col.tolist()], dtype=np.int64)
                self.level_names[name] = levels
            else:
                self.numeric[name] = col.astype(float)
        self.n = len(self.y)
        self.cases = float(self.y.sum())


@dataclass
class _State:
    """A box as limits and kept levels, for every input (unrestricted: the data's range)."""

    lo: dict[str, float]
    hi: dict[str, float]
    kept: dict[str, set]

    def copy(self) -> _State:
        return _State(dict(self.lo), dict(self.hi), {k: set(v) for k, v in self.kept.items()})

    def inside(self, data: _Data, among: np.ndarray) -> np.ndarray:
        mask = among.copy()
        for name, x in data.numeric.items():
            mask &= (x >= self.lo[name]) & (x <= self.hi[name])
        for name, c in data.codes.items():
            mask &= np.isin(c, list(self.kept[name]))
        return mask


def discover(inputs: dict[str, Any], y, *, alpha: float = ALPHA, min_mass: float = MIN_MASS,
             threshold: float = THRESHOLD, boxes: int = BOXES) -> list[Box]:
    """Up to `boxes` boxes, densest regions first, for outcome y (true/false or in [0, 1]) over
    the inputs ({name: values}, one value per point); none when no point is a case."""
    data = _Data(inputs, y)
    if data.n == 0 or data.cases == 0:
        return []
    found: list[Box] = []
    among = np.ones(data.n, dtype=bool)
    for _ in range(boxes):
        if data.y[among].sum() == 0 or among.sum() < 2:
            break
        state, start, trajectory = _one_box(data, among, alpha, min_mass)
        mask = state.inside(data, among)
        box = _box(data, state, start, mask, trajectory)
        if found and box.density < threshold:  # no dense region left to find
            break
        found.append(box)
        among &= ~mask
    return found


def _one_box(data: _Data, among: np.ndarray, alpha: float, min_mass: float):
    """The box chosen among these points: (its state, the points' range, the trajectory)."""
    start = _State({k: float(x[among].min()) for k, x in data.numeric.items()},
                   {k: float(x[among].max()) for k, x in data.numeric.items()},
                   {k: set(np.unique(c[among]).tolist()) for k, c in data.codes.items()})
    state, mask = start, among.copy()
    path = [(state, mask)]
    floor = max(1, int(np.ceil(min_mass * data.n)))
    while data.y[mask].mean() < 1:
        best = None
        density, size = data.y[mask].mean(), int(mask.sum())
        for cand in _peels(data, state, mask, alpha):
            m = cand.inside(data, mask)
            count = int(m.sum())
            if count < floor or count == size:
                continue
            score = ((data.y[m].mean() - density) / (size - count), count)
            if best is None or score > best[0]:
                best = (score, cand, m)
        if best is None:
            break
        state, mask = best[1], best[2]
        path.append((state, mask))
    stats = [_stats(data, m) for _, m in path]
    k = max(range(len(stats)), key=lambda k: (_balance(*stats[k][:2]), -k))
    chosen = _paste(data, path[k][0], among, alpha)
    chosen = _drop_loose(data, chosen, start, among)
    return chosen, start, tuple(stats)


def _peels(data: _Data, state: _State, mask: np.ndarray, alpha: float):
    """Each candidate box one peel smaller than `state`."""
    for name, x in data.numeric.items():
        values = x[mask]
        if values.min() == values.max():
            continue
        low, high = np.quantile(values, [alpha, 1 - alpha])
        if not (values < low).any():  # ties: take away the extreme value itself
            low = values[values > values.min()].min()
        else:
            low = values[values >= low].min()
        if not (values > high).any():
            high = values[values < values.max()].max()
        else:
            high = values[values <= high].max()
        up = state.copy()
        up.lo[name] = float(low)
        yield up
        down = state.copy()
        down.hi[name] = float(high)
        yield down
    for name in data.codes:
        if len(state.kept[name]) > 1:
            for level in sorted(state.kept[name]):
                cand = state.copy()
                cand.kept[name].discard(level)
                yield cand


def _paste(data: _Data, state: _State, among: np.ndarray, alpha: float) -> _State:
    """Add slices back while the density does not fall (the best first)."""
    mask = state.inside(data, among)
    while True:
        density = data.y[mask].mean()
        step = max(1, int(np.ceil(alpha * mask.sum())))
        best = None
        for cand in _pastes(data, state, among, step):
            m = cand.inside(data, among)
            if m.sum() <= mask.sum():
                continue
            score = (data.y[m].mean(), int(m.sum()))
            if score[0] >= density and (best is None or score > best[0]):
                best = (score, cand, m)
        if best is None:
            return state
        state, mask = best[1], best[2]


def _pastes(data: _Data, state: _State, among: np.ndarray, step: int):
    for name, x in data.numeric.items():
        others = state.copy()
        others.lo[name], others.hi[name] = -np.inf, np.inf
        free = others.inside(data, among)
        below = np.sort(x[free & (x < state.lo[name])])
        above = np.sort(x[free & (x > state.hi[name])])
        for size in sorted({step, 1}):  # a slice, or the one nearest point (a sharp edge)
            if len(below):
                cand = state.copy()
                cand.lo[name] = float(below[max(0, len(below) - size)])
                yield cand
            if len(above):
                cand = state.copy()
                cand.hi[name] = float(above[min(len(above), size) - 1])
                yield cand
    for name, c in data.codes.items():
        for level in sorted(set(np.unique(c[among]).tolist()) - state.kept[name]):
            cand = state.copy()
            cand.kept[name].add(level)
            yield cand


def _balance(coverage: float, density: float) -> float:
    """The harmonic mean of coverage and density."""
    return 2 * coverage * density / (coverage + density) if coverage + density else 0.0


def _drop_loose(data: _Data, state: _State, start: _State, among: np.ndarray) -> _State:
    """Lift each restriction whose removal keeps the balance within LOOSE of the box's."""
    floor = _balance(*_stats(data, state.inside(data, among))[:2]) - LOOSE
    for name in data.names:
        cand = state.copy()
        if name in data.numeric:
            cand.lo[name], cand.hi[name] = start.lo[name], start.hi[name]
        else:
            cand.kept[name] = set(start.kept[name])
        if _balance(*_stats(data, cand.inside(data, among))[:2]) >= floor:
            state = cand
    return state


def _stats(data: _Data, mask: np.ndarray) -> tuple[float, float, float]:
    inside = data.y[mask]
    return (float(inside.sum() / data.cases), float(inside.mean()) if len(inside) else 0.0,
            float(mask.sum() / data.n))


def _box(data: _Data, state: _State, start: _State, mask: np.ndarray, trajectory) -> Box:
    """The box as a reader sees it: only the inputs it restricts (a limit inside the range of
    the points it was searched among, or a level left out)."""
    limits = {}
    for name in data.numeric:
        lo = state.lo[name] if state.lo[name] > start.lo[name] else None
        hi = state.hi[name] if state.hi[name] < start.hi[name] else None
        if lo is not None or hi is not None:
            limits[name] = (lo, hi)
    levels = {}
    for name in data.codes:
        if len(state.kept[name]) < len(start.kept[name]):
            levels[name] = tuple(data.level_names[name][k] for k in sorted(state.kept[name]))
    coverage, density, mass = _stats(data, mask)
    return Box(limits, levels, coverage, density, mass, int(mask.sum()), trajectory)
