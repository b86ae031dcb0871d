"""When no deal is acceptable: what alone would open a ZOPA, how far apart the parties are,
and what blocks most deals."""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from sim import seeds, space
from sim.problem import Factor, Problem, at_least
from sim.solver.result import Blocker, Opener

GAP_UP_TO = 50_000_000  # the reservation drops need every feasible deal once
EXAMPLES = 3  # openers given an example deal (each costs a solve)


def _excluded(factor: Factor, sizes: tuple[int, ...], where: np.ndarray) -> int:
    """How many deals of the whole space have `where` true on this factor's table."""
    rest = math.prod(s for k, s in enumerate(sizes) if k not in factor.issues)
    return int(np.broadcast_to(where, factor.table.shape).sum()) * rest


def blockers(problem: Problem, rng: np.random.Generator | None = None) -> tuple[Blocker, ...]:
    """Rules, red lines and ratification bodies by how many deals each excludes alone (for a
    vote too large to tabulate, an estimate from a sample drawn with `rng`)."""
    out = []
    for i, rule in enumerate(problem.rules):
        note = problem.rule_notes[i] if problem.rule_notes else ""
        out.append(Blocker("rule", f"rule {i}" + (f": {note}" if note else ""),
                           _excluded(rule, problem.sizes, ~rule.table)))
    for r in problem.red_lines:
        out.append(Blocker("red line", f"{problem.parties[r.party]}: {r.note or 'red line'}",
                           _excluded(r.hit, problem.sizes, r.hit.table)))
    for b in problem.bodies:
        table = problem.body_allows(b)
        if table.tabulated:
            out.append(Blocker("ratification", b.name,
                               _excluded(table, problem.sizes, ~table.table)))
        else:
            # A vote too large to tabulate: the share it excludes, from a seeded sample.
            excluded = space.estimate_acceptable(problem, rng or seeds.generator(0),
                                                 test=lambda idx, t=table: ~t.at(idx))
            out.append(Blocker("ratification", b.name, excluded.value, exact=False))
    return tuple(sorted(out, key=lambda x: -x.excludes))


def distance(problem: Problem, deadline: float | None = None) -> tuple | None:
    """The smallest reservation drops that open a ZOPA, over deals that are feasible and
    ratifiable: (the same drop for all veto parties at once, the deal that needs it, each
    party's drop alone with the others' reservations kept). None when the space is too large
    to scan; space.OutOfTime past `deadline`."""
    if problem.total > GAP_UP_TO:
        return None
    veto = np.flatnonzero(problem.veto)
    r = problem.reservation[veto]
    best_joint, joint_idx = np.inf, None
    alone = {int(p): np.inf for p in veto}
    # Only the feasible and ratifiable deals are visited: the walk prunes on the constraints,
    # so red lines that leave few deals (or none) cost little, whatever the space's size.
    for idx in space.deals(problem, ratifiable=True, deadline=deadline):
        u = problem.utility(idx)[:, veto]
        short = np.maximum(r - u, 0.0)  # (n, V)
        reach = at_least(u, r)
        worst = short.max(axis=1)
        j = int(np.argmin(worst))
        if worst[j] < best_joint:
            best_joint, joint_idx = float(worst[j]), idx[j]
        for col, p in enumerate(veto):
            fine = np.delete(reach, col, axis=1).all(axis=1)  # every other veto party accepts
            if fine.any():
                alone[int(p)] = min(alone[int(p)], float(short[fine, col].min()))
    if joint_idx is None:
        return None, None, {}
    return (best_joint, problem.terms(joint_idx),
            {problem.parties[p]: (None if not np.isfinite(v) else v) for p, v in alone.items()})


def openers(problem: Problem, drop_alone: dict[str, float | None],
            deadline: float | None = None, rng: np.random.Generator | None = None
            ) -> tuple[tuple[Opener, ...], bool]:
    """Each binding red line, binding body and veto party's reservation that alone keeps every
    deal out: relaxed alone (the red line or body dropped, the reservation lowered by the
    smallest drop that opens a ZOPA), the problem is solved again and some deal is
    acceptable. Most deals let through first; the first EXAMPLES with the relaxed problem's
    Nash deal. Returns (the openers, whether every trial was decided: run before the
    deadline, and counted exactly or estimated above zero)."""
    trials = []
    for i, r in enumerate(problem.red_lines):
        trials.append(("red line", f"{problem.parties[r.party]}: {r.note or 'red line'}", None,
                       replace(problem, red_lines=problem.red_lines[:i]
                               + problem.red_lines[i + 1:])))
    for i, b in enumerate(problem.bodies):
        trials.append(("ratification", b.name, None,
                       replace(problem, bodies=problem.bodies[:i] + problem.bodies[i + 1:])))
    for name, drop in drop_alone.items():
        if drop is not None:
            lower = problem.reservation.copy()
            lower[problem.parties.index(name)] -= drop
            trials.append(("reservation", name, drop, problem.with_reservation(lower)))
    counts = []
    complete = True
    for i, (kind, _, _, relaxed) in enumerate(trials):
        if deadline is not None and time.monotonic() > deadline:
            complete = False
            break
        # lowered by its drop, a reservation lets at least the deal that needs it through
        found = space.count_acceptable(relaxed, deadline, rng,
                                       known=1 if kind == "reservation" else 0)
        if not found.exact and found.value == 0:
            complete = False  # sampled without a hit: undecided, not "opens nothing"
            continue
        counts.append((found, i))
    out = []
    for rank, (count, i) in enumerate(sorted((c for c in counts if c[0].value > 0),
                                             key=lambda c: -c[0].value)):
        kind, name, drop, relaxed = trials[i]
        example = _nash_terms(relaxed, deadline) if rank < EXAMPLES else None
        out.append(Opener(kind, name, count.value, example, drop, count.exact))
    return tuple(out), complete


def _nash_terms(problem: Problem, deadline: float | None = None) -> dict | None:
    """The Nash deal of a relaxed problem, or None when it is not found by the deadline."""
    from sim.solver.engine import choose  # the engine imports this module
    from sim.solver.frontier import frontier

    try:
        front = frontier(problem, deadline=deadline)
    except space.OutOfTime:
        return None
    return problem.terms(front.idx[choose(problem, front)["nash"]])
