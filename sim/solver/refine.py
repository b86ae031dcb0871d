"""Refinement of the bargaining solutions between grid points of numeric issues (scipy).

A numeric issue that no rule, red line, interaction or ratification body reads is "free": its
value can move continuously without changing feasibility or P(ratified). Fixing every other
issue at a grid solution's levels, each criterion becomes a small smooth(ish) programme in
those values, solved with SLSQP from the grid optimum; max-min criteria use an epigraph
variable t (max t s.t. g_p / I_p >= t). Every veto party keeps at least its reservation. The
few best grid candidates are refined and the best refined result is kept only if it beats the
grid (so the grid answer is never made worse). Continuous cases then match closed forms to
about 1e-8; numeric issues that factors read stay on their grid, which the docs say.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.problem import Problem, at_least
from sim.solver import solutions as sol
from sim.solver.frontier import Frontier, split_issues

CANDIDATES = 5


@dataclass(frozen=True)
class Refined:
    idx: np.ndarray  # grid levels of the deal refined from
    x: dict[int, float]  # issue index -> continuous value
    utility: np.ndarray  # (P,) U
    expected: np.ndarray  # (P,) P U + (1 - P) r
    p_ratified: float


def free_numeric(problem: Problem) -> list[int]:
    _, free = split_issues(problem)
    return [k for k in free if problem.kinds[k] == "numeric"]


class _Continuous:
    """Expected utilities of one deal as a function of its free numeric issues' values."""

    def __init__(self, problem: Problem, idx: np.ndarray, issues: list[int]):
        self.problem, self.issues = problem, issues
        row = idx[None, :]
        u = problem.utility(row)[0]
        for k in issues:
            u = u - problem.contributions[k][idx[k]]
        self.base = u
        self.p = float(problem.p_ratified(row)[0])
        self.x0 = np.array([problem.levels[k][idx[k]] for k in issues], dtype=float)
        self.bounds = [(problem.levels[k][0], problem.levels[k][-1]) for k in issues]

    def utility(self, x: np.ndarray) -> np.ndarray:
        u = self.base.copy()
        for j, k in enumerate(self.issues):
            for p, curve in enumerate(self.problem.curves[k]):
                if curve is not None:
                    u[p] += self.problem.weights[p, k] * float(curve(x[j]))
        return u

    def expected(self, x: np.ndarray) -> np.ndarray:
        return self.p * self.utility(x) + (1 - self.p) * self.problem.reservation


def _solve(model: _Continuous, objective: str, veto: np.ndarray, r: np.ndarray,
           power: np.ndarray, ideal: np.ndarray, use: np.ndarray) -> np.ndarray | None:
    """argmax of the criterion over x, or None when SLSQP fails."""
    from scipy.optimize import minimize  # imported here: it costs every command 0.3 s

    m = len(model.issues)

    def gains(z):
        return model.expected(z[:m])[veto] - r

    cons = [{"type": "ineq", "fun": lambda z: gains(z)}]
    if objective in ("kalai_smorodinsky", "egalitarian"):
        scale = ideal[use] if objective == "kalai_smorodinsky" else np.ones(use.sum())
        cons.append({"type": "ineq", "fun": lambda z: gains(z)[use] / scale - z[m]})
        start = np.append(model.x0, (gains(np.append(model.x0, 0))[use] / scale).min())
        bounds = [*model.bounds, (None, None)]

        def fun(z):
            return -z[m]
    else:
        start, bounds = model.x0.copy(), model.bounds
        if objective == "utilitarian":
            def fun(z):
                return -gains(z).sum()
        else:
            a = power[use] / power[use].sum()

            def fun(z):
                return -(a * np.log(np.maximum(gains(z)[use], 1e-300))).sum()

            cons = [{"type": "ineq", "fun": lambda z: gains(z) - 1e-12}]
    res = minimize(fun, start, method="SLSQP", bounds=bounds, constraints=cons,
                   options={"ftol": 1e-15, "maxiter": 500})
    lo, hi = np.array(model.bounds, dtype=float).T
    x = np.clip(res.x[:m], lo, hi)
    # SLSQP stops a hair inside a bound (1e-16 for 0): that is the bound, and is shown so.
    near = 1e-9 * (hi - lo)
    x = np.where(x - lo <= near, lo, np.where(hi - x <= near, hi, x))
    if not at_least(model.utility(x)[veto], r).all():  # SLSQP may end outside the ZOPA
        return None
    return x


def refine(problem: Problem, front: Frontier, rows: dict[str, int | None]
           ) -> dict[str, Refined]:
    """Refined versions of the solutions that improve on their grid rows."""
    issues = free_numeric(problem)
    if not issues or not len(front.idx):
        return {}
    veto = problem.bargainers
    r = problem.reservation[veto]
    gains = front.expected[:, veto] - r
    use = sol.active(gains)
    if not use.any():
        return {}  # nobody can gain: every deal is as good as any other
    power = problem.power[veto]

    ideal = gains.max(axis=0)
    for p in np.flatnonzero(use):  # the continuous ideal: each party's best acceptable gain
        model = _Continuous(problem, front.idx[int(np.argmax(gains[:, p]))], issues)
        only = np.zeros_like(use)
        only[p] = True
        x = _solve(model, "egalitarian", veto, r, power, ideal, only)  # max g_p alone
        if x is not None:
            ideal[p] = max(ideal[p], model.expected(x)[veto][p] - r[p])

    grid_scores = sol.scores(gains, power, ideal, use)
    out: dict[str, Refined] = {}
    for name, row in rows.items():
        if row is None:
            continue
        score = grid_scores[name]
        best_score, best = score[row], None
        order = np.argsort(-score, kind="stable")[:CANDIDATES]
        for cand in dict.fromkeys([row, *order.tolist()]):
            model = _Continuous(problem, front.idx[cand], issues)
            x = _solve(model, name.removesuffix("_symmetric"), veto, r,
                       np.ones_like(power) if name == "nash_symmetric" else power, ideal, use)
            if x is None:
                continue
            eu = model.expected(x)
            # Score with the frontier's active parties: a party that gains on the frontier
            # must not drop out of the product because the refined point gives it nothing.
            s = sol.scores((eu[veto] - r)[None, :], power, ideal, use)[name][0]
            if s > best_score + 1e-12 * max(1.0, abs(best_score)):
                best_score = s
                best = Refined(front.idx[cand], dict(zip(issues, x.tolist(), strict=True)),
                               model.utility(x), eu, model.p)
        if best is not None:
            out[name] = best
    return out
