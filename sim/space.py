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
from collections.abc import Iterator

import numpy as np

from sim.problem import Factor, Problem

CHUNK = 1 << 18


def _constraints(problem: Problem, ratifiable: bool) -> list[Factor]:
    """Boolean tables, True where a deal is allowed."""
    tables = list(problem.rules) + [Factor(r.hit.issues, ~r.hit.table)
                                    for r in problem.red_lines]
    if ratifiable:
        tables += [problem.body_allows(b) for b in problem.bodies]
    return [t for t in tables if not t.table.all()]


def _order(problem: Problem, tables: list[Factor], only: list[int] | None) -> list[int]:
    """Most-read issues first (ties: fewer levels first), unread issues last."""
    reads = np.zeros(len(problem.sizes))
    for t in tables:
        reads[list(t.issues)] += 1
    issues = range(len(problem.sizes)) if only is None else only
    return sorted(issues, key=lambda k: (-reads[k], problem.sizes[k], k))


def deals(problem: Problem, ratifiable: bool = False, bound: bool = False,
          chunk: int = CHUNK, only: list[int] | None = None) -> Iterator[np.ndarray]:
    """Chunks of (n, K) level indices of every deal that the rules and red lines allow
    (and, with `ratifiable`, that every voting body passes; with `bound`, that could still
    reach every veto party's reservation; the caller checks acceptability exactly).
    With `only`, just those issues are enumerated and the others stay at level 0."""
    tables = _constraints(problem, ratifiable)
    if any(not t.issues for t in tables):  # a constant table that is not all True: all False
        return
    order = _order(problem, tables, only)
    assert only is None or not bound, "the bound needs every issue's utility"
    done_at = {}
    for t in tables:
        done_at.setdefault(max(order.index(k) for k in t.issues), []).append(t)
    P = len(problem.parties)
    contrib = problem.contributions
    extra = np.zeros(P)  # interactions may add at most their positive part
    for p, f in problem.interactions:
        extra[p] += max(0.0, float(f.table.max()))
    rest = np.zeros((len(order) + 1, P))
    for step in range(len(order) - 1, -1, -1):
        rest[step] = rest[step + 1] + contrib[order[step]].max(axis=0)
    def explore(rows: np.ndarray, u: np.ndarray, step: int) -> Iterator[np.ndarray]:
        if step == len(order) or not len(rows):
            if len(rows):
                yield rows
            return
        k = order[step]
        n = problem.sizes[k]
        rows = np.repeat(rows, n, axis=0)
        rows[:, k] = np.tile(np.arange(n), len(rows) // n)
        u = np.repeat(u, n, axis=0) + contrib[k][rows[:, k]]
        keep = np.ones(len(rows), dtype=bool)
        for t in done_at.get(step, []):
            keep &= t.at(rows)
        if bound:
            keep &= problem.reaches(u + rest[step + 1] + extra)
        rows, u = rows[keep], u[keep]
        for start in range(0, len(rows), chunk):
            yield from explore(rows[start:start + chunk], u[start:start + chunk], step + 1)

    yield from explore(np.zeros((1, len(problem.sizes)), dtype=np.int64), np.zeros((1, P)), 0)


def count(problem: Problem, ratifiable: bool = False, limit: int | None = None) -> int:
    """How many deals the constraints allow; issues no constraint reads are counted, not
    enumerated. Stops early once `limit` is reached."""
    tables = _constraints(problem, ratifiable)
    if any(not t.issues for t in tables):
        return 0
    read = sorted(set().union(*(t.issues for t in tables)))
    free = math.prod(s for k, s in enumerate(problem.sizes) if k not in read)
    total = 0
    for rows in deals(problem, ratifiable=ratifiable, only=read):
        total += len(rows) * free
        if limit is not None and total >= limit:
            break
    return total


def count_acceptable(problem: Problem) -> int:
    """How many deals are acceptable, exactly, without visiting them one by one.

    The issues some table or interaction reads are enumerated (as in `deals`); the others
    add utility and nothing else, so their completions are counted level by level with two
    bounds: a partial deal that cannot reach a veto reservation is dropped, and one whose
    worst completion already reaches them all is counted whole."""
    tables = _constraints(problem, True)
    if any(not t.issues for t in tables):
        return 0
    head = sorted(set().union(*(t.issues for t in tables),
                              *(f.issues for _, f in problem.interactions)))
    tail = [k for k in range(len(problem.sizes)) if k not in head]
    contrib = problem.contributions
    total = 0
    for rows in deals(problem, ratifiable=True, only=head):
        u = np.zeros((len(rows), len(problem.parties)))
        for k in head:
            u += contrib[k][rows[:, k]]
        for p, f in problem.interactions:
            u[:, p] += f.at(rows)
        total += _completions(problem, u, [contrib[k] for k in tail])
    return total


def _completions(problem: Problem, u: np.ndarray, tail: list[np.ndarray]) -> int:
    if not tail:
        return int(problem.reaches(u).sum())
    best = sum(c.max(axis=0) for c in tail)
    worst = sum(c.min(axis=0) for c in tail)
    possible = problem.reaches(u + best)
    sure = possible & problem.reaches(u + worst)
    total = int(sure.sum()) * math.prod(len(c) for c in tail)
    u = u[possible & ~sure]
    first, rest = tail[0], tail[1:]
    step = max(1, CHUNK // len(first))
    for start in range(0, len(u), step):
        grown = (u[start:start + step, None, :] + first[None, :, :]).reshape(-1, u.shape[1])
        total += _completions(problem, grown, rest)
    return total
