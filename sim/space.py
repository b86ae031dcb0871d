"""The deal space: enumerating and counting the deals the constraints allow, without visiting
the deals they exclude. Below the engines (the compiler's feasibility check uses it too).

Rules, red lines and ratification bodies are tables over the few issues they read. Issues are
assigned one at a time, most-constrained first; after each, the partial deals are filtered by
every table whose issues are now all assigned, and (optionally) by a bound: a partial deal
whose utility plus the most the unassigned issues could add stays below a veto party's
reservation can never be acceptable. Partial tables larger than a chunk are split and
explored depth-first, so memory stays bounded. Issues no table reads are expanded last.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from sim import seeds
from sim.intervals import wilson
from sim.problem import Factor, Problem

CHUNK = 1 << 18


class OutOfTime(Exception):
    """A deadline passed; what was found so far is in the caller's tally."""


def _constraints(problem: Problem, ratifiable: bool) -> list[Factor]:
    """Boolean tables, True where a deal is allowed."""
    tables = list(problem.rules) + [Factor(r.hit.issues, ~r.hit.table)
                                    for r in problem.red_lines]
    if ratifiable:
        tables += [problem.body_allows(b) for b in problem.bodies]
    return [t for t in tables if not t.tabulated or not t.table.all()]


def _order(problem: Problem, tables: list[Factor], only: list[int] | None) -> list[int]:
    """Most-read issues first (ties: fewer levels first), unread issues last."""
    reads = np.zeros(len(problem.sizes))
    for t in tables:
        reads[list(t.issues)] += 1
    issues = range(len(problem.sizes)) if only is None else only
    return sorted(issues, key=lambda k: (-reads[k], problem.sizes[k], k))


def deals(problem: Problem, ratifiable: bool = False, bound: bool = False,
          chunk: int = CHUNK, only: list[int] | None = None,
          deadline: float | None = None, beaten=None) -> Iterator[np.ndarray]:
    """Chunks of (n, K) level indices of every deal that the rules and red lines allow
    (and, with `ratifiable`, that every voting body passes; with `bound`, that could still
    reach every veto party's reservation; the caller checks acceptability exactly).
    With `only`, just those issues are enumerated and the others stay at level 0 (the bound
    then counts on the most the others could add).

    `beaten`, with `bound`: a function of ideal points (m, P) (the most each party could get
    from a partial deal's completions) returning True where the caller no longer needs any
    completion (a deal it already holds beats them all). It is read afresh at every step, so
    it can use what the caller found in the chunks yielded so far."""
    for rows, _ in _walk(problem, ratifiable, bound, chunk, only, deadline, beaten):
        yield rows


def _walk(problem: Problem, ratifiable: bool, bound: bool, chunk: int, only: list[int] | None,
          deadline: float | None, beaten) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """`deals`, each chunk with its utility from the enumerated issues (no interactions)."""
    tables = _constraints(problem, ratifiable)
    if any(not t.issues for t in tables):  # a constant table that is not all True: all False
        return
    order = _order(problem, tables, only)
    done_at = {}
    for t in tables:
        done_at.setdefault(max(order.index(k) for k in t.issues), []).append(t)
    P = len(problem.parties)
    contrib = problem.contributions
    extra = np.zeros(P)  # interactions may add at most their positive part
    for p, f in problem.interactions:
        extra[p] += max(0.0, float(f.table.max()))
    rest = np.zeros((len(order) + 1, P))  # the most the issues after each step can add
    rest[-1] = sum((contrib[k].max(axis=0) for k in range(len(problem.sizes))
                    if k not in order), np.zeros(P))
    for step in range(len(order) - 1, -1, -1):
        rest[step] = rest[step + 1] + contrib[order[step]].max(axis=0)
    dtype = np.uint8 if max(problem.sizes) <= 256 else np.int32  # narrow rows: less to copy

    def grow(rows: np.ndarray, u: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
        """The children of `rows` on the step's issue that pass every test completed there;
        the rejected ones are never materialised."""
        k = order[step]
        levels = np.arange(problem.sizes[k])
        keep = np.ones((len(rows), len(levels)), dtype=bool)
        for t in done_at.get(step, []):
            if t.tabulated:
                keep &= t.table[tuple(levels[None, :] if j == k else rows[:, j, None]
                                      for j in t.issues)]
            else:  # a vote reading most issues: evaluated on the children themselves
                children = np.repeat(rows, len(levels), axis=0)
                children[:, k] = np.tile(levels, len(rows))
                keep &= t.at(children).reshape(keep.shape)
        if bound:
            ideal = u[:, None, :] + (contrib[k] + rest[step + 1] + extra)[None, :, :]
            keep &= problem.reaches(ideal)
            if beaten is not None and step < len(order) - 1:
                parent, level = np.nonzero(keep)
                keep[parent, level] = ~beaten(ideal[parent, level])
        parent, level = np.nonzero(keep)
        rows = rows[parent]
        rows[:, k] = level
        return rows, u[parent] + contrib[k][level]

    # With `beaten`, blocks start small and double with every chunk yielded, so that the
    # caller holds good deals early, when they can still prune most of the space.
    size = [min(chunk, 1 << 12) if beaten is not None else chunk]

    def explore(rows: np.ndarray, u: np.ndarray, step: int) -> Iterator[np.ndarray]:
        if deadline is not None and time.monotonic() > deadline:
            raise OutOfTime
        if step == len(order):
            size[0] = min(chunk, 2 * size[0])
            yield rows.astype(np.int64), u
            return
        start = 0
        while start < len(rows):
            block = max(1, size[0] // problem.sizes[order[step]])  # children per block <= size
            grown, gu = grow(rows[start:start + block], u[start:start + block], step)
            start += block
            if len(grown):
                yield from explore(grown, gu, step + 1)

    yield from explore(np.zeros((1, len(problem.sizes)), dtype=dtype), np.zeros((1, P)), 0)


def count(problem: Problem, ratifiable: bool = False, limit: int | None = None,
          deadline: float | None = None) -> int:
    """How many deals the constraints allow; issues no constraint reads are counted, not
    enumerated. Stops early once `limit` is reached; OutOfTime past `deadline`."""
    tables = _constraints(problem, ratifiable)
    if any(not t.issues for t in tables):
        return 0
    read = sorted(set().union(*(t.issues for t in tables)))
    free = math.prod(s for k, s in enumerate(problem.sizes) if k not in read)
    summed = _eliminate(tables, problem.sizes)
    if summed is not None:
        return summed * free
    total = 0
    # Looking for a few deals, small chunks reach a first complete deal sooner (depth first).
    size = CHUNK if limit is None else max(64, min(CHUNK, limit))
    for rows in deals(problem, ratifiable=ratifiable, only=read, deadline=deadline,
                      chunk=size):
        total += len(rows) * free
        if limit is not None and total >= limit:
            break
    return total


ELIMINATION_CELLS = 1 << 22  # the largest table variable elimination may build
INT64_BELOW = 1 << 62  # counts over fewer assignments than this fit int64; Python ints beyond


def _eliminate(tables: list[Factor], sizes: tuple[int, ...]) -> int | None:
    """How many assignments of the issues the tables read pass them all, by variable
    elimination (the sum over deals of the tables' product, one issue summed out at a time,
    the one whose merged table is smallest first); None when some merged table would exceed
    ELIMINATION_CELLS (then enumerate). Exact: int64 while the counts fit, Python ints
    beyond."""
    if not all(t.tabulated for t in tables):
        return None
    read = sorted(set().union(*(t.issues for t in tables)))
    dtype = np.int64 if math.prod(sizes[k] for k in read) < INT64_BELOW else object
    factors = [(tuple(t.issues), t.table.astype(dtype)) for t in tables]
    for _ in read:
        cells = {}
        for k in set().union(*(f[0] for f in factors)):
            scope = set().union(*(f[0] for f in factors if k in f[0])) - {k}
            cells[k] = math.prod(sizes[j] for j in scope)
        k = min(cells, key=lambda j: (cells[j], j))
        if cells[k] > ELIMINATION_CELLS:
            return None
        touching = [f for f in factors if k in f[0]]
        factors = [f for f in factors if k not in f[0]]
        scope = sorted(set().union(*(f[0] for f in touching)) - {k})
        label = {j: i for i, j in enumerate([*scope, k])}  # einsum's labels: 0, 1, ...
        while len(touching) > _OPERANDS:  # einsum takes at most 63: multiply them in groups
            if cells[k] * sizes[k] > ELIMINATION_CELLS:
                return None
            groups = [touching[i:i + _OPERANDS] for i in range(0, len(touching), _OPERANDS)]
            touching = []
            for group in groups:
                out = tuple(sorted(set().union(*(f[0] for f in group)), key=label.get))
                touching.append((out, _product(group, out, label)))
        factors.append((tuple(scope), _product(touching, tuple(scope), label)))
    return int(math.prod(int(f[1]) for f in factors))


_OPERANDS = 32  # tables multiplied in one einsum call (numpy allows 63 operands)


def _product(tables: list[tuple[tuple, np.ndarray]], out: tuple, label: dict) -> np.ndarray:
    """The tables multiplied together, summed over every issue not in `out`."""
    operands: list = []
    for issues, table in tables:
        operands += [table, [label[j] for j in issues]]
    return np.einsum(*operands, [label[j] for j in out])


@dataclass(frozen=True)
class Count:
    """How many deals are acceptable: exact, or estimated from a seeded sample of deals with
    its 95% interval (never below what is known for sure: the deals already counted and the
    frontier)."""

    value: int
    exact: bool = True
    interval: tuple[int, int] | None = None
    sampled: int = 0  # deals drawn for the estimate
    hits: int = 0  # how many of them were acceptable


SAMPLE = 1 << 18  # deals drawn for an estimate: a 95% interval of about +-0.2% of the space


def count_acceptable(problem: Problem, deadline: float | None = None,
                     rng: np.random.Generator | None = None, known: int = 0,
                     most: int | None = None) -> Count:
    """How many deals are acceptable, exactly, without visiting them one by one; if the
    `deadline` (time.monotonic()) passes first, an estimate (see Count), drawn with `rng`,
    at least `known` (deals known to be acceptable, e.g. the frontier's) and at most `most`
    (e.g. the feasible deals, when known exactly). A space no larger than the sample is
    always counted exactly.

    The issues some table or interaction reads are enumerated (as in `deals`); the others
    add utility and nothing else, so their completions are counted level by level with two
    bounds: a partial deal that cannot reach a veto reservation is dropped, and one whose
    worst completion already reaches them all is counted whole."""
    tally = [0]
    try:
        _count_exactly(problem, None if problem.total <= SAMPLE else deadline, tally)
    except OutOfTime:
        return estimate_acceptable(problem, rng or seeds.generator(0),
                                   max(known, tally[0]), most)
    return Count(tally[0])


def count_feasible(problem: Problem, deadline: float | None = None,
                   rng: np.random.Generator | None = None) -> Count:
    """How many deals the rules and red lines allow: exact (see `count`; remembered for the
    problems sharing the constraints), or, if the `deadline` passes first, estimated as
    `estimate_acceptable` estimates."""
    try:
        return problem.memo.get("feasible", problem,
                                lambda: Count(count(problem, deadline=deadline)))
    except OutOfTime:
        return estimate_acceptable(problem, rng or seeds.generator(0), test=problem.feasible)


KEEP_ALLOWED = 1 << 15  # allowed deals a problem's memo keeps (narrow rows: < 1 MB at 12 issues)


def allowed(problem: Problem, deadline: float | None = None) -> np.ndarray | None:
    """Every deal the rules, red lines and binding bodies allow, (n, K) level indices, when
    there are at most KEEP_ALLOWED (else None): remembered for the problems that share the
    constraints (Problem.memo), so each of them only evaluates its utilities on these."""
    def make() -> np.ndarray | None:
        found, n = [], 0
        for rows in deals(problem, ratifiable=True, chunk=KEEP_ALLOWED, deadline=deadline):
            n += len(rows)
            if n > KEEP_ALLOWED:
                return None
            found.append(rows.astype(np.uint8 if max(problem.sizes) <= 256 else np.int32))
        return (np.concatenate(found) if found
                else np.zeros((0, len(problem.sizes)), dtype=np.uint8))
    return problem.memo.get("allowed", problem, make)


def estimate_acceptable(problem: Problem, rng: np.random.Generator, known: int = 0,
                        most: int | None = None, n: int = SAMPLE, test=None) -> Count:
    """The share of `n` uniformly drawn deals that are acceptable (or pass `test`, a function
    of level indices: feasible, excluded by a vote...), scaled to the space, with Wilson's
    95% interval; all kept within [known, most]. Integer arithmetic: spaces may be larger
    than a float can hold."""
    test = problem.acceptable if test is None else test
    hits = 0
    step = max(1, (1 << 22) // max(1, len(problem.sizes)))  # bounded memory per draw
    for start in range(0, n, step):
        m = min(step, n - start)
        idx = np.stack([rng.integers(0, size, m) for size in problem.sizes], axis=-1)
        hits += int(test(idx).sum())
    total = problem.total
    top = total if most is None else min(most, total)
    lo, hi = wilson(hits, n)
    scale = 10**12  # the interval's ends as exact fractions of the space

    def clamp(x: int) -> int:
        return min(max(x, known), max(top, known))

    value = clamp((hits * total + n // 2) // n)
    interval = (clamp(int(lo * scale) * total // scale),
                clamp(-(-math.ceil(hi * scale) * total // scale)))
    return Count(value, False, interval, n, hits)


def _count_exactly(problem: Problem, deadline: float | None, tally: list[int]) -> None:
    tables = _constraints(problem, True)
    if any(not t.issues for t in tables):
        return
    head = sorted(set().union(*(t.issues for t in tables),
                              *(f.issues for _, f in problem.interactions)))
    tail = [problem.contributions[k] for k in range(len(problem.sizes)) if k not in head]
    # The bound drops partial deals no completion lifts to every veto reservation.
    for rows, u in _walk(problem, True, True, CHUNK, head, deadline, None):
        for p, f in problem.interactions:
            u[:, p] += f.at(rows)
        _completions(problem, u, tail, deadline, tally)


def _completions(problem: Problem, u: np.ndarray, tail: list[np.ndarray],
                 deadline: float | None, tally: list[int]) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise OutOfTime
    if not tail:
        tally[0] += int(problem.reaches(u).sum())
        return
    best = sum(c.max(axis=0) for c in tail)
    worst = sum(c.min(axis=0) for c in tail)
    possible = problem.reaches(u + best)
    sure = possible & problem.reaches(u + worst)
    tally[0] += int(sure.sum()) * math.prod(len(c) for c in tail)
    u = u[possible & ~sure]
    first, rest = tail[0], tail[1:]
    step = max(1, CHUNK // len(first))
    for start in range(0, len(u), step):
        grown = (u[start:start + step, None, :] + first[None, :, :]).reshape(-1, u.shape[1])
        _completions(problem, grown, rest, deadline, tally)
