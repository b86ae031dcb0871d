"""Non-dominated filtering (maximisation), the heart of both frontier methods.

A point a dominates b when a >= b in every coordinate and a > b in one. Ties (equal points)
are all kept. Utilities are compared after rounding to 12 decimals (`canonical`), so sums of
the same numbers taken in a different order compare equal and both frontier methods agree.

Algorithm. After Kung, Luccio and Preparata (1975), points are ordered by decreasing sum, so a
point can only be dominated by points earlier in that order, and among points with
a >= b everywhere, a != b exactly when sum(a) > sum(b). Two dimensions use their sort-and-sweep
directly. In more dimensions, a cheap screen against a few strong points removes most
dominated points; the survivors are then tested against each other with bitsets: for a chunk
of potential dominators and each coordinate c, the set {a : a_c >= b_c} is a prefix of the
chunk sorted by c, so it is one precomputed bitset row; b is dominated when the AND of its d
rows and the strict-sum row is non-empty. That is n^2 (d + 1) / 64 word operations, all in
numpy, instead of n^2 d element comparisons.

Large sets (many survivors of the screen, as on frontiers of many parties) are first cut into
boxes by quantiles of each coordinate (about 512 points a box, 1,024 boxes at most): a point
can only dominate points in boxes at or below its own in every coordinate, so each box is
tested only against those, which skips most pairs: with two bins per coordinate, all but
(3/4)^d of them.
"""

from __future__ import annotations

import time

import numpy as np

from sim.space import OutOfTime

DECIMALS = 12
_SCREEN = 64
_ALL_PAIRS = 160  # below this, comparing all pairs at once is faster than any bookkeeping
_CHUNK = 2048  # dominators per bitset chunk
_QUERIES = 1 << 14  # queries per pass, bounds memory to _QUERIES * _CHUNK / 8 bytes per array
_PER_BOX = 512  # points per box, about: fewer make the per-box bookkeeping cost more
_BOXES = 1024  # at most about this many boxes


def canonical(u: np.ndarray) -> np.ndarray:
    """Utilities as compared: rounded to 1e-12 so that summation order cannot split ties."""
    return np.round(np.asarray(u, dtype=float), DECIMALS) + 0.0  # + 0.0: no -0.0


def nondominated(points: np.ndarray, strict: np.ndarray | None = None,
                 deadline: float | None = None) -> np.ndarray:
    """Indices (ascending) of the non-dominated rows of `points` (n, d); ties all kept.

    With `strict` (a mask of columns), a dominates b when a >= b everywhere and a > b in some
    `strict` column (then a's sum over those columns is larger): a gain in the other columns
    alone does not dominate. space.OutOfTime past `deadline` (time.monotonic())."""
    y = canonical(points)
    n = len(y)
    if n <= 1:
        return np.arange(n)
    if strict is not None and not np.all(strict):
        sums = y[:, np.asarray(strict, dtype=bool)].sum(axis=1)
        if n <= _ALL_PAIRS:
            return nondominated_naive(y, strict)
        return _general(y, sums, deadline)
    if y.shape[1] == 1:
        return np.flatnonzero(y[:, 0] == y[:, 0].max())
    if y.shape[1] == 2:
        return _two_d(y)
    if n <= _ALL_PAIRS:
        return nondominated_naive(y)
    return _general(y, y.sum(axis=1), deadline)


def _general(y: np.ndarray, sums: np.ndarray, deadline: float | None = None) -> np.ndarray:
    """Screen, then bitsets; a dominator is >= everywhere and has a strictly larger sum."""
    order = np.argsort(-sums, kind="stable")
    y, sums = y[order], sums[order]
    alive = _screen(y, sums)
    y, sums, order = y[alive], sums[alive], order[alive]
    boxes = min(_BOXES, len(y) // _PER_BOX)
    dominated = (_boxed_dominated(y, sums, boxes, deadline) if boxes >= 4
                 else _dominated_by(y, sums, y, sums, deadline))
    return np.sort(order[~dominated])


def _two_d(y: np.ndarray) -> np.ndarray:
    """Sweep by x descending: dominated iff a point with larger x has y >= or one with equal
    x has larger y."""
    order = np.lexsort((-y[:, 1], -y[:, 0]))
    x, v = y[order, 0], y[order, 1]
    starts = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])  # groups of equal x
    group = np.cumsum(np.r_[True, x[1:] != x[:-1]]) - 1
    best = v[starts]  # each group's best y (sorted y descending within a group)
    before = np.r_[-np.inf, np.maximum.accumulate(best)[:-1]]  # best y at larger x
    dominated = (before[group] >= v) | (best[group] > v)
    return np.sort(order[~dominated])


def _screen(y: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """Indices of the points not dominated by a few strong ones (the best sums and each
    coordinate's best): one round of 32 below 20,000 points, else two (8, then 64). Exact:
    it only removes dominated points, and on typical data most of them."""
    alive = np.arange(len(y))
    # Few points: one round is cheaper; many: a first cheap round thins them for the second.
    for size in ((32,) if len(y) < 20_000 else (8, _SCREEN)):
        ya, sa = y[alive], sums[alive]
        strong = np.unique(np.concatenate([np.arange(min(size, len(ya))), ya.argmax(axis=0)]))
        s, ss = ya[strong], sa[strong]
        dominated = np.zeros(len(ya), dtype=bool)
        step = max(1, (1 << 21) // (len(strong) * y.shape[1]))
        for start in range(0, len(ya), step):
            chunk, cs = ya[start:start + step], sa[start:start + step]
            below = cs[:, None] < ss[None, :]  # (chunk, strong): column by column, no 3-D
            for c in range(y.shape[1]):
                below &= chunk[:, c, None] <= s[None, :, c]
            dominated[start:start + step] = below.any(axis=1)
        alive = alive[~dominated]
    return alive


def _prefix_bits(order: np.ndarray, words: int) -> np.ndarray:
    """rows[r] = bitset of the first r points of `order`."""
    rows = np.zeros((len(order) + 1, words), dtype=np.uint64)
    rows[np.arange(1, len(order) + 1), order >> 6] = np.left_shift(
        np.uint64(1), (order & 63).astype(np.uint64))
    return np.bitwise_or.accumulate(rows, axis=0)


def _boxes(y: np.ndarray, boxes: int) -> tuple[np.ndarray, np.ndarray]:
    """(box of each point, bins of each box (boxes, d)) for about `boxes` boxes: bins are
    quantiles of each coordinate, so a >= b everywhere puts a's box at or above b's in every
    coordinate."""
    n, d = y.shape
    used = min(d, int(np.log2(boxes)))  # with many coordinates, two bins on the first few
    per = max(2, int(boxes ** (1 / d))) if used == d else 2  # bins per coordinate
    bins = np.zeros((n, d), dtype=np.int64)
    for c in range(used):
        # "lower" picks data values: no interpolation between infinities (candidate support)
        edges = np.quantile(y[:, c], np.arange(1, per) / per, method="lower")
        bins[:, c] = np.searchsorted(edges, y[:, c], side="right")
    code = np.ravel_multi_index(bins[:, :used].T, (per + 1,) * used)
    boxes, box_of = np.unique(code, return_inverse=True)
    return box_of.ravel(), np.stack(np.unravel_index(boxes, (per + 1,) * used), axis=-1)


def _boxed_dominated(y: np.ndarray, sums: np.ndarray, boxes: int,
                     deadline: float | None = None) -> np.ndarray:
    """y sorted by sum descending; True where some row dominates. Each box's points are tested
    as dominators only against the points of the boxes at or below it."""
    box_of, bins = _boxes(y, boxes)
    below = (bins[:, None, :] >= bins[None, :, :]).all(axis=-1)  # below[a, b]: b under a
    dominated = np.zeros(len(y), dtype=bool)
    members = np.argsort(box_of, kind="stable")  # by box, each box still by sum descending
    starts = np.searchsorted(box_of[members], np.arange(len(bins) + 1))
    for a in range(len(bins)):
        dom = members[starts[a]:starts[a + 1]]
        dom = dom[~dominated[dom]]  # a dominated point's dominator covers whatever it would
        if not len(dom):
            continue
        todo = np.flatnonzero(below[a][box_of] & ~dominated)
        if len(todo):
            dominated[todo] |= _dominated_by(y[todo], sums[todo], y[dom], sums[dom], deadline)
    return dominated


def _dominated_by(q: np.ndarray, qsums: np.ndarray, a: np.ndarray, asums: np.ndarray,
                  deadline: float | None = None) -> np.ndarray:
    """For queries q and dominators a, each sorted by sum descending: True where some row of
    a is >= the query everywhere with a strictly larger sum."""
    n, d = q.shape
    dominated = np.zeros(n, dtype=bool)
    for start in range(0, len(a), _CHUNK):
        if deadline is not None and time.monotonic() > deadline:
            raise OutOfTime
        dom, dsums = a[start:start + _CHUNK], asums[start:start + _CHUNK]
        # Only queries with a smaller sum than the chunk's largest can be dominated by it.
        first = int(np.searchsorted(-qsums, -dsums[0], side="right"))
        if first >= n:
            break
        words = (len(dom) + 63) >> 6
        tables = []
        for c in range(d):
            order = np.argsort(-dom[:, c], kind="stable")
            tables.append((-dom[order, c], _prefix_bits(order, words), "right", c))
        order = np.argsort(-dsums, kind="stable")
        tables.append((-dsums[order], _prefix_bits(order, words), "left", None))
        for q0 in range(first, n, _QUERIES):
            part = slice(q0, min(q0 + _QUERIES, n))
            todo = np.flatnonzero(~dominated[part]) + q0
            if not todo.size:
                continue
            acc = None
            for keys, rows, side, c in tables:
                vals = -(q[todo, c] if c is not None else qsums[todo])
                hit = rows[np.searchsorted(keys, vals, side=side)]
                acc = hit if acc is None else np.bitwise_and(acc, hit, out=acc)
            dominated[todo] |= acc.any(axis=1)
    return dominated


def covered(points: np.ndarray, by: np.ndarray) -> np.ndarray:
    """True where some row of `by` is at least the point in every coordinate with a larger sum
    (callers add a margin to the points for a strict test). Not rounded: a test for pruning."""
    if not len(by) or not len(points):
        return np.zeros(len(points), dtype=bool)
    sums, by_sums = points.sum(axis=1), by.sum(axis=1)
    order, by_order = np.argsort(-sums, kind="stable"), np.argsort(-by_sums, kind="stable")
    out = np.empty(len(points), dtype=bool)
    out[order] = _dominated_by(points[order], sums[order], by[by_order], by_sums[by_order])
    return out


def first_layers(points: np.ndarray, layers: int, strict: np.ndarray | None = None
                 ) -> np.ndarray:
    """Indices (ascending) of the rows in the first `layers` non-dominated layers of `points`
    (layer 1: the non-dominated rows; layer k: those of what is left after layers 1..k-1).
    A row's layer in a subset is never above its layer in the whole, so the first layers of
    a union are found chunk by chunk from each chunk's and the running set's."""
    left = np.arange(len(points))
    kept = []
    for _ in range(layers):
        if not len(left):
            break
        top = left[nondominated(points[left], strict)]
        kept.append(top)
        left = np.setdiff1d(left, top, assume_unique=True)
    return np.sort(np.concatenate(kept)) if kept else left


def nondominated_naive(points: np.ndarray, strict: np.ndarray | None = None) -> np.ndarray:
    """All-pairs reference implementation (also the fast path for a few points)."""
    y = canonical(points)
    ys = y if strict is None else y[:, np.asarray(strict, dtype=bool)]
    ge = (y[:, None, :] >= y[None, :, :]).all(-1)
    gt = (ys[:, None, :] > ys[None, :, :]).any(-1)
    return np.flatnonzero(~(ge & gt).any(axis=0))
