"""The Pareto frontier of the acceptable deals, two ways that agree exactly.

Frontier here means: acceptable deals not dominated, in expected utility, by another
acceptable deal; deals with equal utility vectors are all kept.

- `by_enumeration`: every deal, in chunks; a running non-dominated merge.
- `by_issue`: for additive utilities. Issues that no rule, red line, interaction or
  ratification body reads ("free" issues) are combined one at a time, keeping only the
  non-dominated partial sums: a dominated partial deal stays dominated whatever the remaining
  free issues add, because they add the same vector to both. Each issue's dominated levels are
  pruned first for the same reason. The other ("split") issues are enumerated, and each of
  their combinations is added to the free frontier. For a fixed split combination the
  feasibility and P(ratified) are fixed, so acceptability is monotone in utility and expected
  utility is an increasing affine map of it: the free frontier loses nothing.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from sim import space
from sim.problem import Problem
from sim.results import magnitude
from sim.solver.pareto import canonical, covered, first_layers, nondominated

SMALL = 20_000  # below this, enumerating is as fast as anything


@dataclass(frozen=True)
class Frontier:
    """The acceptable deals not dominated in expected utility, and the counts (exact, or
    estimated past a deadline: see space.Count)."""

    idx: np.ndarray  # (F, K) level indices, sorted lexicographically
    utility: np.ndarray  # (F, P) U(deal)
    expected: np.ndarray  # (F, P) P U + (1 - P) r, canonical
    p_ratified: np.ndarray  # (F,)
    method: str
    count: space.Count  # how many deals are acceptable
    feasible_count: space.Count  # how many the rules and red lines allow

    @property
    def acceptable(self) -> int:
        return self.count.value

    @property
    def feasible(self) -> int:
        return self.feasible_count.value


def choose_method(problem: Problem) -> str:
    """Issue by issue when free issues carry most of the space; else enumerate (which only
    visits the deals the constraints allow)."""
    split, free = split_issues(problem)
    split_combos = math.prod(problem.sizes[k] for k in split)
    if not free or problem.total <= SMALL or split_combos * 20 > problem.total:
        return "enumerate"
    return "issue"


ENUMERATE_WARN = 20_000_000  # deals: beyond this, enumerating takes longer than a budget


def size_warning(problem: Problem) -> str | None:
    """What `validate` says when the space is too large to treat exactly within a budget."""
    method = choose_method(problem)
    if method == "enumerate" and problem.total > ENUMERATE_WARN:
        return (f"{magnitude(problem.total)} deals, with constraints over most issues: solve "
                "enumerates them (method: enumerate), which may run past its time budget")
    if method == "issue" and problem.total > ENUMERATE_WARN:
        return (f"{magnitude(problem.total)} deals: solve finds the frontier issue by issue "
                "(method: issue); the count of acceptable deals may be estimated within the "
                "time budget")
    return None


def split_issues(problem: Problem) -> tuple[list[int], list[int]]:
    """(split, free): issues some non-additive factor reads, and the rest."""
    factors = [*problem.rules, *(r.hit for r in problem.red_lines),
               *(f for _, f in problem.interactions),
               *(b.applies for b in problem.bodies), *(b.p_pass for b in problem.bodies)]
    split = sorted(set().union(*(f.issues for f in factors)))
    free = [k for k in range(len(problem.issues)) if k not in split]
    return split, free


def _merge(front: tuple, new: tuple, deadline: float | None = None) -> tuple:
    """Non-dominated (in expected utility) union of two candidate sets."""
    if not len(new[0]):
        return front
    if not len(front[0]):
        return new  # callers pass non-dominated candidates
    both = tuple(np.concatenate([a, b]) for a, b in zip(front, new, strict=True))
    keep = nondominated(both[2], deadline=deadline)
    return tuple(a[keep] for a in both)


def _finish(problem: Problem, front: tuple, acceptable: space.Count, feasible: space.Count,
            method: str) -> Frontier:
    idx, u, eu, p = front
    order = np.lexsort(idx.T[::-1]) if len(idx) else np.arange(0)
    return Frontier(idx[order], u[order], canonical(eu[order]), p[order], method, acceptable,
                    feasible)


def _empty(problem: Problem) -> tuple:
    P, K = len(problem.parties), len(problem.issues)
    return (np.empty((0, K), dtype=np.int64), np.empty((0, P)), np.empty((0, P)), np.empty(0))


COVER_MARGIN = 1e-11  # a partial deal is dropped only when a held deal beats it by this


def by_enumeration(problem: Problem, chunk: int = 1 << 18, deadline: float | None = None,
                   rng: np.random.Generator | None = None) -> Frontier:
    """Every deal the constraints allow (see space.py), then a running non-dominated merge;
    space.OutOfTime past `deadline`. Branch and bound: a partial deal whose completions can
    give no party more than a deal already on the running frontier (in every party's best
    case, by a margin above the frontier's rounding) is never completed. The counts are then
    made apart, exact, or estimated with `rng` past the deadline. When the constraints allow
    few deals (space.allowed, remembered for the problems sharing them), those deals are
    evaluated at once instead: the same frontier and counts."""
    known = space.allowed(problem, deadline)
    if known is not None:
        idx = known.astype(np.int64)
        u = problem.utility(idx)
        ok = problem.reaches(u)
        idx, u = idx[ok], u[ok]
        p = problem.p_ratified(idx)
        eu = problem.expected_utility(idx, u, p)
        keep = nondominated(eu, deadline=deadline)
        return _finish(problem, (idx[keep], u[keep], eu[keep], p[keep]),
                       space.Count(int(ok.sum())), space.count_feasible(problem, deadline, rng),
                       "enumerate")
    front = [_empty(problem)]

    def beaten(ideal: np.ndarray) -> np.ndarray:
        # Expected utility P U + (1 - P) r is at most max(U, r): at most the ideal or r, for
        # every party (a veto party may accept a deal up to ACCEPT_TOL below r: then EU > U).
        return covered(np.maximum(ideal, problem.reservation) + COVER_MARGIN, front[0][2])

    for idx in space.deals(problem, ratifiable=True, bound=True, chunk=chunk, deadline=deadline,
                           beaten=beaten):
        u = problem.utility(idx)
        ok = problem.reaches(u)  # feasible and ratifiable already: the walk's tables
        if not ok.any():
            continue
        idx, u = idx[ok], u[ok]
        p = problem.p_ratified(idx)
        eu = problem.expected_utility(idx, u, p)
        keep = np.flatnonzero(~covered(eu + COVER_MARGIN, front[0][2]))  # beaten already
        keep = keep[nondominated(eu[keep], deadline=deadline)]
        front[0] = _merge(front[0], (idx[keep], u[keep], eu[keep], p[keep]), deadline)
    # Past the deadline the feasible deals are estimated too; then no sure upper bound.
    feasible = space.count_feasible(problem, deadline, rng)
    count = space.count_acceptable(problem, deadline, rng, known=len(front[0][0]),
                                   most=feasible.value if feasible.exact else None)
    return _finish(problem, front[0], count, feasible, "enumerate")


def free_frontier(problem: Problem, free: list[int], bound: np.ndarray | None = None,
                  deadline: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Non-dominated partial sums over the free issues: (utilities (n, P), levels (n, F)).

    `bound`, if given, is the most the other issues can add per party; partial deals that
    cannot reach a veto party's reservation even then are dropped."""
    P = len(problem.parties)
    contrib = [problem.contributions[k] for k in free]
    # best_rest[j]: the most the free issues after the j-th can still add, per party
    maxima = np.array([c.max(axis=0) for c in contrib] + [np.zeros(P)])
    best_rest = np.cumsum(maxima[::-1], axis=0)[::-1][1:]
    u = np.zeros((1, P))
    levels = np.zeros((1, 0), dtype=np.int64)
    for j, c in enumerate(contrib):
        if deadline is not None and time.monotonic() > deadline:
            raise space.OutOfTime
        keep_levels = nondominated(c)  # a dominated level never helps, whatever else is chosen
        cu = (u[:, None, :] + c[keep_levels][None, :, :]).reshape(-1, P)
        cl = np.concatenate([np.repeat(levels, len(keep_levels), axis=0),
                             np.tile(keep_levels, len(levels))[:, None]], axis=1)
        if bound is not None:
            ok = problem.reaches(cu + best_rest[j] + bound)
            cu, cl = cu[ok], cl[ok]
        keep = nondominated(cu, deadline=deadline)
        u, levels = cu[keep], cl[keep]
    return u, levels


def _split_blocks(problem: Problem, split: list[int], per_split: int,
                  deadline: float | None = None):
    """Every combination of the split issues' levels, in blocks of rows (free issues at 0);
    space.OutOfTime past `deadline`."""
    sizes = [problem.sizes[k] for k in split]
    n_split = math.prod(sizes)
    for start in range(0, n_split, per_split):
        if deadline is not None and time.monotonic() > deadline:
            raise space.OutOfTime
        flat = np.arange(start, min(start + per_split, n_split))
        idx_s = np.zeros((len(flat), len(problem.issues)), dtype=np.int64)
        if split:
            idx_s[:, split] = np.stack(np.unravel_index(flat, sizes), axis=-1)
        yield idx_s


def _split_utility(problem: Problem, split: list[int], idx_s: np.ndarray) -> np.ndarray:
    """Utility from the split issues and interactions only (free columns excluded)."""
    u_s = np.zeros((len(idx_s), len(problem.parties)))
    for k in split:
        u_s += problem.contributions[k][idx_s[:, k]]
    for p, factor in problem.interactions:
        u_s[:, p] += factor.at(idx_s)
    return u_s


def _complete(idx_s: np.ndarray, u_s: np.ndarray, free: list[int], free_u: np.ndarray,
              free_levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each split combination with each partial deal of the free frontier: (idx, u)."""
    u = (u_s[:, None, :] + free_u[None, :, :]).reshape(-1, u_s.shape[1])
    idx = np.repeat(idx_s, len(free_u), axis=0)
    if free:
        idx[:, free] = np.tile(free_levels, (len(idx_s), 1))
    return idx, u


def by_issue(problem: Problem, chunk: int = 1 << 18, deadline: float | None = None,
             rng: np.random.Generator | None = None) -> Frontier:
    """The frontier issue by issue (see the module's docstring); the count of acceptable
    deals is exact unless `deadline` passes first, then estimated with `rng`."""
    split, free = split_issues(problem)
    P = len(problem.parties)
    # The most the split issues (and interactions) can add, for pruning the free frontier.
    bound = sum((problem.contributions[k].max(axis=0) for k in split), np.zeros(P))
    for p, factor in problem.interactions:
        bound[p] += max(0.0, float(factor.table.max()))
    free_u, free_levels = free_frontier(problem, free, bound, deadline)

    front = _empty(problem)
    free_count = math.prod(problem.sizes[k] for k in free)
    feasible = 0
    for idx_s in _split_blocks(problem, split, max(1, chunk // max(1, len(free_u))), deadline):
        ok = problem.feasible(idx_s)
        feasible += int(ok.sum()) * free_count
        ok &= problem.ratifiable(idx_s)
        idx_s = idx_s[ok]
        if not len(idx_s):
            continue
        p_s = problem.p_ratified(idx_s)
        idx, u = _complete(idx_s, _split_utility(problem, split, idx_s), free, free_u,
                           free_levels)
        p = np.repeat(p_s, len(free_u))
        acc = problem.reaches(u)
        idx, u, p = idx[acc], u[acc], p[acc]
        eu = p[:, None] * u + (1 - p[:, None]) * problem.reservation
        # With no split issue and nothing to ratify, eu is the free frontier itself, already
        # filtered; otherwise P U + (1 - P) r of a translate may round into a new domination.
        filtered = not split and bool((p == 1).all())
        keep = np.arange(len(eu)) if filtered else nondominated(eu, deadline=deadline)
        front = _merge(front, (idx[keep], u[keep], eu[keep], p[keep]), deadline)
    # Recompute utilities in the canonical summation order so both methods print equal bytes.
    idx = front[0]
    if len(idx):
        u = problem.utility(idx)
        front = (idx, u, problem.expected_utility(idx, u), problem.p_ratified(idx))
    count = space.count_acceptable(problem, deadline, rng, known=len(front[0]), most=feasible)
    return _finish(problem, front, count, space.Count(feasible), "issue")


def frontier(problem: Problem, method: str = "auto", deadline: float | None = None,
             rng: np.random.Generator | None = None) -> Frontier:
    """The frontier by `method`. Past `deadline`, enumeration raises space.OutOfTime, and
    the issue-by-issue count of acceptable deals is estimated with `rng`."""
    if method == "auto":
        method = choose_method(problem)
    if method == "enumerate":
        return by_enumeration(problem, deadline=deadline, rng=rng)
    if method == "issue":
        return by_issue(problem, deadline=deadline, rng=rng)
    raise ValueError(f"unknown method {method!r}; valid: auto, enumerate, issue")


# --- the reservation-free candidate set -----------------------------------------------------


@dataclass(frozen=True)
class Candidates:
    """Feasible deals that no other feasible deal beats in every party's utility and in the
    support of every voter group of every binding body: what a dynamic engine proposes from,
    computed once, whatever the reservations, `min_ratification_probability` and moods."""

    idx: np.ndarray  # (n, K) level indices, sorted lexicographically
    utility: np.ndarray  # (n, P)


def support(problem: Problem, idx: np.ndarray) -> np.ndarray:
    """Per binding body and voter group, the group's logit for each deal (+inf where the body
    does not vote): P(pass) rises with each of them at any mood shift, so a deal at least as
    good in all of them is at least as likely to pass, today and after any shift. With parties
    without a veto, their negatives too: such a party's expected utility falls with P(ratified)
    when the deal gives it less than its reservation, so only equal support may dominate."""
    cols = [np.where(b.applies.at(idx)[:, None], b.model.eta(idx), np.inf)
            for b in problem.bodies]
    s = np.concatenate(cols, axis=1) if cols else np.zeros((len(idx), 0))
    return s if problem.veto.all() else np.concatenate([s, -s], axis=1)


def candidates(problem: Problem, chunk: int = 1 << 18) -> Candidates:
    """The feasible deals not dominated in (utilities, support): a deal d' dominates d when it
    is at least as good in every utility and every support column, and better in a utility.

    Then d' is acceptable whenever d is, and at least as good for every party in expected
    utility at any reservations (P' >= P and U' >= U >= r for veto parties; P' = P for the
    others). So for any reservations, minimum P(ratified) and mood shifts, every deal of the
    acceptable Pareto frontier is a candidate, or an acceptable candidate gives every party as
    much up to the acceptance tolerance: a deal less than ACCEPT_TOL below a reservation, or
    tied with d' after the frontier's 12-decimal rounding, can stay on the frontier beside d'.
    Issues nothing but utility reads are combined issue by issue, as for the frontier."""
    split, free = split_issues(problem)
    P = len(problem.parties)
    free_u, free_levels = free_frontier(problem, free)
    found = (np.empty((0, len(problem.issues)), dtype=np.int64), np.empty((0, P)),
             np.empty((0, 0)))
    for idx_s in _split_blocks(problem, split, max(1, chunk // max(1, len(free_u)))):
        idx_s = idx_s[problem.feasible(idx_s)]
        if not len(idx_s):
            continue
        idx, u = _complete(idx_s, _split_utility(problem, split, idx_s), free, free_u,
                           free_levels)
        s = np.repeat(support(problem, idx_s), len(free_u), axis=0)
        if len(found[0]):
            idx, u, s = (np.concatenate([a, b]) for a, b in zip(found, (idx, u, s),
                                                                   strict=True))
        keep = nondominated(np.concatenate([u, s], axis=1),
                            strict=np.arange(P + s.shape[1]) < P)
        found = (idx[keep], u[keep], s[keep])
    idx = found[0]
    order = np.lexsort(idx.T[::-1]) if len(idx) else np.arange(0)
    idx = idx[order]
    return Candidates(idx, problem.utility(idx))


def layered_candidates(problem: Problem, layers: int, chunk: int = 1 << 18) -> Candidates:
    """The feasible deals in the first `layers` non-dominated layers of (utilities, support),
    by enumeration (so for spaces small enough to enumerate). When deals are struck off the
    table (voted down), every deal worth proposing among the rest is still here as long as
    each struck deal was in the first `layers - 1` layers: a deal that only struck deals
    dominate is at most one layer below the deepest of them."""
    P = len(problem.parties)
    idx = np.empty((0, len(problem.issues)), dtype=np.int64)
    keys = np.empty((0, 0))
    for block in problem.enumerate(chunk):
        block = block[problem.feasible(block)]
        if not len(block):
            continue
        new = np.concatenate([problem.utility(block), support(problem, block)], axis=1)
        idx = np.concatenate([idx, block]) if len(idx) else block
        keys = np.concatenate([keys, new]) if len(keys) else new
        keep = first_layers(keys, layers, strict=np.arange(keys.shape[1]) < P)
        idx, keys = idx[keep], keys[keep]
    order = np.lexsort(idx.T[::-1]) if len(idx) else np.arange(0)
    idx = idx[order]
    return Candidates(idx, problem.utility(idx))
