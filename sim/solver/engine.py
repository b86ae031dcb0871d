"""The static engine's entry point: a compiled Problem in, a SolveResult out."""

from __future__ import annotations

import time

import numpy as np

from sim import seeds
from sim.errors import InputError
from sim.evaluation import evaluate_all
from sim.problem import Problem
from sim.results import Deal, Provenance, magnitude, named
from sim.solver import noncoop
from sim.solver import solutions as sol
from sim.solver.frontier import Frontier, frontier
from sim.solver.gap import blockers, distance, openers
from sim.solver.refine import refine as refine_solutions
from sim.solver.result import (
    AlternatingOffers,
    Apart,
    FrontierDeals,
    PackageStanding,
    Proposal,
    RandomProposer,
    SolveResult,
)
from sim.space import OutOfTime

SOLUTIONS = ("nash", "kalai_smorodinsky", "egalitarian", "utilitarian")
PREDICT_AT_LEAST = 1.0  # seconds the non-cooperative fixed point may take past the budget


def solve(problem: Problem, *, rng: np.random.Generator | None = None, method: str = "auto",
          refine: bool = True, budget: float | None = None,
          diagnose: bool = True) -> SolveResult:
    """The static analysis of a compiled problem. `budget` (seconds) bounds the counts that
    can run long: past it, the count of acceptable deals is estimated from a sample drawn
    with `rng` (default: seeds.generator(0)), and what keeps parties apart stops trying.
    Without `diagnose`, an empty ZOPA is not explained (`gap` is None) nor what a package
    would take (its `to_accept` is None): a sweep's row, the metrics, holds neither, and the
    first costs a solve per relaxation."""
    deadline = None if budget is None else time.monotonic() + budget
    rng = rng if rng is not None else seeds.generator(0)
    try:
        front = frontier(problem, method, deadline, rng)
    except OutOfTime:
        raise InputError(
            f"the frontier of {magnitude(problem.total)} deals could not be computed within "
            f"the {budget:g} s time budget; give a larger --time-budget, or fewer levels, or "
            "rules that fix some issues") from None
    rows = choose(problem, front)
    solutions = {k: (_frontier_deal(problem, front, r) if r is not None else None)
                 for k, r in rows.items()}
    if refine:
        for k, ref in refine_solutions(problem, front, rows).items():
            terms = problem.terms(ref.idx)
            terms.update({problem.issues[i]: x for i, x in ref.x.items()})
            solutions[k] = Deal(terms, named(problem.parties, ref.utility),
                                named(problem.parties, ref.expected), ref.p_ratified, refined=True)
    names = list(problem.parties)
    ideal = (front.expected.max(axis=0) if len(front.idx) else [None] * len(names))
    return SolveResult(
        scenario=problem.name, parties=names, method=front.method, total=problem.total,
        feasible=front.feasible, acceptable=front.acceptable,
        acceptable_exact=front.count.exact, acceptable_interval=front.count.interval,
        feasible_exact=front.feasible_count.exact,
        feasible_interval=front.feasible_count.interval,
        reservation=named(problem.parties, problem.reservation),
        ideal={n: (float(x) if x is not None else None) for n, x in zip(names, ideal,
                                                                       strict=True)},
        veto={n: bool(v) for n, v in zip(names, problem.veto, strict=True)},
        frontier=FrontierDeals(problem.issues, problem.parties, problem.levels, front.idx,
                               front.utility, front.expected, front.p_ratified),
        provenance=Provenance(problem.scenario_hash),
        solutions=solutions,
        packages=standings(problem, front, diagnose),
        noncooperative=predict(problem, front, deadline),
        gap=None if len(front.idx) or not diagnose else apart(problem, deadline, rng),
    )


def choose(problem: Problem, front: Frontier) -> dict[str, int | None]:
    """Row of the frontier each solution picks (None when nothing is acceptable)."""
    names = [*SOLUTIONS]
    who = problem.bargainers
    power = problem.power[who]
    if not np.allclose(power, power[0]):
        names.insert(1, "nash_symmetric")
    if not len(front.idx):
        return dict.fromkeys(names)
    gains = front.expected[:, who] - problem.reservation[who]
    score = sol.scores(gains, power)
    return {k: sol.pick(score[k], front.expected) for k in names}


def standings(problem: Problem, front: Frontier, explain: bool = True
              ) -> dict[str, PackageStanding]:
    """Each package's evaluation (all evaluated together), and how much the frontier could
    give every party on top (`explain`: see evaluate)."""
    names = list(problem.packages)
    if not names:
        return {}
    idx = np.array([problem.packages[n] for n in names])
    out = {}
    better_deals: dict[int, Deal] = {}  # packages often share the frontier deal beating them
    for n, ev, row in zip(names, evaluate_all(problem, idx, names, explain), idx, strict=True):
        eu = np.array([p.expected_utility for p in ev.parties])
        deal = Deal(ev.terms, {p.party: p.utility for p in ev.parties},
                    {p.party: p.expected_utility for p in ev.parties}, ev.p_ratified)
        on_front = bool(len(front.idx)) and bool((front.idx == row).all(axis=1).any())
        gap, better = None, None
        if len(front.idx):
            margins = (front.expected - eu).min(axis=1)
            j = int(np.argmax(margins))
            gap = float(margins[j])
            if j not in better_deals:
                better_deals[j] = _frontier_deal(problem, front, j)
            better = better_deals[j]
        out[n] = PackageStanding(n, deal, ev.acceptable, ev.reasons,
                                 ev.acceptable and on_front, gap, better, ev.to_accept)
    return out


def predict(problem: Problem, front: Frontier, deadline: float | None = None
            ) -> AlternatingOffers | RandomProposer | None:
    """The non-cooperative prediction over the frontier (see noncoop.py); the random
    proposer's fixed point stops unsettled past `deadline`."""
    if not len(front.idx):
        return None
    gains = front.expected - problem.reservation
    names = list(problem.parties)
    r = problem.reservation

    def offer(mix, payoff) -> Proposal:
        row = int(np.argmax(mix))
        # A lottery mixes frontier deals; the terms shown are those of its likeliest deal.
        lottery = not np.allclose(gains[row], payoff, atol=1e-9)
        return Proposal(problem.terms(front.idx[row]), named(problem.parties, payoff + r), lottery)

    if problem.veto.sum() == 2 and len(names) == 2:
        out = {}
        for first in (0, 1):
            eq = noncoop.alternating(gains, problem.patience, first)
            out[names[first]] = (offer(eq.proposals[0], eq.payoffs[0]),
                                 offer(eq.proposals[1], eq.payoffs[1]))
        return AlternatingOffers(out)
    # The budget may be spent by the counts already: the fixed point still gets a second.
    floor = time.monotonic() + PREDICT_AT_LEAST
    eq = noncoop.random_proposer(gains, problem.patience, problem.power, problem.veto,
                                 deadline=None if deadline is None else max(deadline, floor))
    w = eq.values
    return RandomProposer(
        recognition=named(problem.parties, problem.power / problem.power.sum()),
        converged=eq.converged, residual=eq.residual, value=named(problem.parties, w + r),
        proposals={names[i]: offer(mix, eq.payoffs[i]) if mix is not None else None
                   for i, mix in enumerate(eq.proposals)},
        proposer_premium={n: float(eq.payoffs[i, i] - w[i]) for i, n in enumerate(names)},
        cost_of_delay={n: float((1 - problem.patience[i]) * w[i]) for i, n in enumerate(names)},
    )


def apart(problem: Problem, deadline: float | None = None,
          rng: np.random.Generator | None = None) -> Apart:
    """What keeps the parties apart when nothing is acceptable."""
    try:
        found = distance(problem, deadline)
    except OutOfTime:
        return Apart(blockers(problem, rng), None, None, {}, note="not computed within the time "
                                                             "budget")
    if found is None:
        return Apart(blockers(problem, rng), None, None, {}, note="space too large")
    opened, complete = openers(problem, found[2], deadline, rng)
    note = "" if complete else "stopped trying what alone would open a ZOPA at the time budget"
    return Apart(blockers(problem, rng), *found, note=note, openers=opened)


def _frontier_deal(problem: Problem, front: Frontier, r: int) -> Deal:
    return Deal(problem.terms(front.idx[r]), named(problem.parties, front.utility[r]),
                named(problem.parties, front.expected[r]), float(front.p_ratified[r]))
