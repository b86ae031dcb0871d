"""One agent-based run in sim against one NegMAS SAO negotiation, on identical problems.

    python bench/compare_negmas_sao.py [--seeds 5] [--reps 15]

Prints one JSON object. Run it with an interpreter where both `negmas` and `sim` import
(.venv-bench/bin/python; bench_simulate.py does). Without negmas: {"skipped": reason}.

The problems: random linear-additive, 2 parties, 4 issues of 10 levels (10^4 deals), every
reservation 0.4, inside each party's utility range (so the zone of agreement is a real part of
the space, not all of it), one per seed. NegMAS gets sim's compiled arrays (as for the solver
comparison, compare_negmas.py) and the reservations as reserved values.

What is timed, alternating the two on each repetition, in one process after both imports:
- NegMAS: building `SAOMechanism(outcome_space, n_steps=100)` with a BoulwareTBNegotiator (the
  first party) and a ConcederTBNegotiator (the second), and `run()`;
- sim: `sim.simulate(problem, runs=1, steps=100)` with the first party `boulware` and the
  second `conceder` (alternating offers, complete information, nothing moving): the board
  (candidates), the run and the summary; compiling the scenario is not timed.
Both stop at agreement. Reported per problem: the medians, whether each agreed, at which
step, and each agreement's distance to the Pareto frontier of the deals worth at least every
reservation (over the frontier deals giving both at least as much, the least of the largest
gain either gets; 0 on the frontier).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

RESERVATION = 0.4


def distance(u, frontier) -> float:
    above = frontier[(frontier >= u - 1e-9).all(axis=1)]
    return float((above - u).max(axis=1).min()) if len(above) else 0.0


def one(seed: int, reps: int) -> dict:
    import numpy as np
    from compare_negmas import negmas_problem
    from negmas.gb.negotiators import BoulwareTBNegotiator, ConcederTBNegotiator
    from negmas.sao import SAOMechanism
    from problems import random_scenario

    import sim
    from sim.solver.pareto import nondominated

    data = random_scenario(4, 10, 2, seed=seed, reservation=RESERVATION)
    data["dynamics"] = {"strategies": {"p0": "boulware", "p1": "conceder"}}
    problem = sim.compile_problem(sim.from_dict(data))
    ufuns, _, os_ = negmas_problem(problem)
    idx = np.concatenate(list(problem.enumerate()))
    u = problem.utility(idx)
    rational = u[(u >= RESERVATION - 1e-12).all(axis=1)]
    frontier = rational[nondominated(rational)]

    def negmas_run():
        m = SAOMechanism(outcome_space=os_, n_steps=100)
        m.add(BoulwareTBNegotiator(name="boulware"), ufun=ufuns[0])
        m.add(ConcederTBNegotiator(name="conceder"), ufun=ufuns[1])
        return m.run()

    t_neg, t_sim = [], []
    state = result = None
    negmas_run(), sim.simulate(problem, runs=1, steps=100)  # warm both
    for rep in range(reps):
        for which in (("negmas", "sim") if rep % 2 == 0 else ("sim", "negmas")):
            gc.collect()
            t0 = time.perf_counter()
            if which == "negmas":
                state = negmas_run()
                t_neg.append(time.perf_counter() - t0)
            else:
                result = sim.simulate(problem, runs=1, steps=100)
                t_sim.append(time.perf_counter() - t0)
    out = {"seed": seed, "outcomes": problem.total, "reps": reps,
           "negmas_median_s": statistics.median(t_neg), "sim_median_s": statistics.median(t_sim)}
    out["ratio"] = out["negmas_median_s"] / out["sim_median_s"]
    out["negmas_agreed"] = state.agreement is not None
    out["negmas_step"] = state.step
    if state.agreement is not None:
        agreed = np.array([float(f(state.agreement)) for f in ufuns])
        out["negmas_distance"] = distance(agreed, frontier)
    out["sim_agreed"] = result.agreed.count == 1
    out["sim_step"] = result.quartiles[1] if result.quartiles else None
    if result.deals:
        agreed = np.array([result.deals[0].utility[p] for p in problem.parties])
        out["sim_distance"] = distance(agreed, frontier)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--reps", type=int, default=15)
    args = ap.parse_args()
    try:
        import negmas  # noqa: F401
    except ImportError as e:
        print(json.dumps({"skipped": f"negmas is not installed here ({e})"}))
        return
    print(json.dumps({"problems": [one(s, args.reps) for s in range(args.seeds)]}))


if __name__ == "__main__":
    main()
