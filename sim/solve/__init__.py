"""The static engine: acceptable deals, the Pareto frontier, bargaining solutions."""

from __future__ import annotations

import sys
import types

import numpy as np

from sim.problem import Problem, compile_problem
from sim.scenario.model import Scenario
from sim.solve import noncoop
from sim.solve import solutions as sol
from sim.solve.frontier import Frontier, frontier
from sim.solve.gap import blockers, distance
from sim.solve.refine import refine as refine_solutions
from sim.solve.result import Deal, PackageStanding, SolveResult

SOLUTIONS = ("nash", "kalai_smorodinsky", "egalitarian", "utilitarian")


def _deal(problem: Problem, idx: np.ndarray, eu: np.ndarray, p: float) -> Deal:
    return Deal(problem.terms(idx), {name: float(x) for name, x in zip(problem.parties, eu,
                                                                        strict=True)}, float(p))


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


def standing(problem: Problem, front: Frontier, name: str, idx: np.ndarray) -> PackageStanding:
    from sim.evaluation import evaluate

    ev = evaluate(problem, idx, package=name)
    eu = np.array([p.expected_utility for p in ev.parties])
    deal = _deal(problem, idx, eu, ev.p_ratified)
    on_front = bool(len(front.idx)) and bool((front.idx == idx).all(axis=1).any())
    gap, better = None, None
    if len(front.idx):
        margins = (front.expected - eu).min(axis=1)
        j = int(np.argmax(margins))
        gap = float(margins[j])
        better = _deal(problem, front.idx[j], front.expected[j], front.p_ratified[j])
    return PackageStanding(name, deal, ev.acceptable, ev.reasons, ev.acceptable and on_front,
                           gap, better)


def solve(problem: Problem | Scenario, method: str = "auto", refine: bool = True
          ) -> SolveResult:
    """The static analysis of a scenario (or of its compiled problem)."""
    if isinstance(problem, Scenario):
        problem = compile_problem(problem)
    front = frontier(problem, method)
    rows = choose(problem, front)
    solutions = {
        k: (_deal(problem, front.idx[r], front.expected[r], front.p_ratified[r])
            if r is not None else None)
        for k, r in rows.items()
    }
    if refine:
        for k, ref in refine_solutions(problem, front, rows).items():
            terms = problem.terms(ref.idx)
            terms.update({problem.issues[i]: x for i, x in ref.x.items()})
            solutions[k] = Deal(terms, dict(zip(problem.parties, map(float, ref.expected),
                                                strict=True)), ref.p_ratified, refined=True)
    ideal = (front.expected.max(axis=0) if len(front.idx) else [None] * len(problem.parties))
    noncooperative = predict(problem, front)
    apart = None if len(front.idx) else {"blockers": blockers(problem), **(distance(problem) or {
        "joint_drop": None, "closest_deal": None, "drop_alone": {}, "note": "space too large"})}
    names = list(problem.parties)
    return SolveResult(
        scenario=problem.name, parties=names, method=front.method, total=problem.total,
        feasible=front.feasible, acceptable=front.acceptable,
        reservation={n: float(r) for n, r in zip(names, problem.reservation, strict=True)},
        ideal={n: (float(x) if x is not None else None) for n, x in zip(names, ideal,
                                                                       strict=True)},
        veto={n: bool(v) for n, v in zip(names, problem.veto, strict=True)},
        frontier=front, problem=problem, solutions=solutions,
        packages={n: standing(problem, front, n, i) for n, i in problem.packages.items()},
        noncooperative=noncooperative, gap=apart,
    )


def predict(problem: Problem, front: Frontier) -> dict | None:
    """The non-cooperative prediction over the frontier (see noncoop.py)."""
    if not len(front.idx):
        return None
    veto = problem.veto
    gains = front.expected - problem.reservation
    names = list(problem.parties)
    r = problem.reservation

    def deal_of(mix, payoff):
        row = int(np.argmax(mix))
        # A lottery mixes frontier deals; the terms shown are those of its likeliest deal.
        lottery = not np.allclose(gains[row], payoff, atol=1e-9)
        return {"terms": problem.terms(front.idx[row]),
                "utility": {n: float(x) for n, x in zip(names, payoff + r, strict=True)},
                "lottery": lottery}

    if veto.sum() == 2 and len(names) == 2:
        out = {"protocol": "alternating offers (Rubinstein)", "first_proposer": {}}
        for first in (0, 1):
            eq = noncoop.alternating(gains, problem.patience, first)
            out["first_proposer"][names[first]] = {
                "proposal": deal_of(eq.proposals[0], eq.payoffs[0]),
                "counter": deal_of(eq.proposals[1], eq.payoffs[1]),
            }
        return out
    eq = noncoop.random_proposer(gains, problem.patience, problem.power, veto)
    w = eq.values
    return {
        "protocol": "random proposer, unanimity among veto parties (Baron-Ferejohn)",
        "recognition": {n: float(x) for n, x in zip(names, problem.power / problem.power.sum(),
                                                     strict=True)},
        "converged": eq.converged,
        "value": {n: float(x) for n, x in zip(names, w + r, strict=True)},
        "proposals": {names[i]: deal_of(mix, eq.payoffs[i])
                      if mix is not None else None for i, mix in enumerate(eq.proposals)},
        "proposer_premium": {n: float(eq.payoffs[i, i] - w[i]) for i, n in enumerate(names)},
        "cost_of_delay": {n: float((1 - problem.patience[i]) * w[i])
                          for i, n in enumerate(names)},
    }


class _CallableModule(types.ModuleType):
    """`sim.solve` is both this package and the function the design's API names:
    `sim.solve(problem)` calls `solve`, `sim.solve.frontier` is the submodule."""

    def __call__(self, *args, **kwargs) -> SolveResult:
        return solve(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
