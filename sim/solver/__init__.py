"""The static engine: acceptable deals, the Pareto frontier, bargaining solutions.

    solve(problem, *, rng=None, method="auto", refine=True) -> SolveResult

It reads a compiled Problem only (sim.api.solve takes a Scenario and compiles it). Modules:
frontier (and the candidate set), pareto (non-dominated filtering), solutions, refine,
noncoop, gap (what keeps parties apart), maps, commitment, result; engine ties them together.
"""

from sim.solver.engine import SOLUTIONS, choose, solve

__all__ = ["SOLUTIONS", "choose", "solve"]
