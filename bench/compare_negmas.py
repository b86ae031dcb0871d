"""sim's solve side by side with NegMAS on identical random linear-additive problems.

    python bench/compare_negmas.py --issues 5 6 --reps 5 3 [--levels 10] [--parties 4]
                                   [--fixtures bench/fixtures/negmas-*.yaml]

Prints one JSON object. Run it with an interpreter where both `negmas` and `sim` import (the
project keeps NegMAS, which is AGPL, out of sim's own environment: bench_solve.py runs this
script with .venv-bench/bin/python). Without negmas it prints {"skipped": reason} and exits 0.

NegMAS is only called here, through its public API; nothing of it is copied or imported by
sim. What is timed, in one process after both imports, alternating the two on each repetition:
- NegMAS: `pareto_frontier(ufuns, issues=issues)` then `nash_points(ufuns, frontier,
  outcome_space=os)` (building the utility functions is not timed);
- sim: the complete `solve(problem)` (compiling the scenario is not timed), and, like for
  like, only what NegMAS is asked for: the frontier and the Nash deal. Each repetition makes
  one untimed `solve` first (see `timed`).

The two problems are made equal:
- NegMAS gets sim's compiled arrays: the weights already normalised to sum 1 (NegMAS does not
  normalise) and the same value tables, level for level;
- every reservation is 0.0, which is exactly each party's minimum utility (each party's worst
  level on each issue is worth 0; checked below against NegMAS's own `minmax`), so NegMAS's
  rational filter keeps every deal, as sim's acceptability does, and NegMAS's Nash
  disagreement point (the reservation, or the minimum utility if that is higher) is sim's;
- NegMAS keeps one of several deals with identical utilities while sim keeps them all, so the
  frontiers are compared as sets of utility vectors; sim rounds utilities to 1e-12 and NegMAS
  does not, so vectors are matched at 1e-9 (rounded keys first, then a max-abs tolerance for
  the few that straddle a rounding boundary);
- NegMAS's `ks_points` and `kalai_points` are not Kalai-Smorodinsky (the latter is the
  egalitarian point): only the frontier and the Nash point are compared.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

try:
    import numpy as np
except ImportError:  # reported as a skip by main()
    np = None

sys.path.insert(0, str(Path(__file__).resolve().parent))

TOL = 1e-9


def negmas_problem(problem):
    """(ufuns, issues, outcome_space) for NegMAS, from sim's compiled problem's arrays."""
    from negmas import make_issue, make_os
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import TableFun

    issues = [make_issue(values=list(levels), name=name)
              for name, levels in zip(problem.issues, problem.levels, strict=True)]
    os_ = make_os(issues)
    ufuns = []
    for p in range(len(problem.parties)):
        values = {name: TableFun(dict(zip(levels, map(float, problem.values[k][p]), strict=True)))
                  for k, (name, levels) in enumerate(zip(problem.issues, problem.levels,
                                                         strict=True))}
        weights = {name: float(problem.weights[p, k]) for k, name in enumerate(problem.issues)}
        ufuns.append(LinearAdditiveUtilityFunction(
            values=values, weights=weights, outcome_space=os_,
            reserved_value=float(problem.reservation[p])))
    return ufuns, issues, os_


def check_equal_setup(problem, ufuns, os_, tol: float = 0.0) -> list[tuple[float, float]]:
    """Assert the setup that makes both libraries solve the same problem (the reservation
    equal to both libraries' minimum utility, within `tol` when sim's sum and NegMAS's are
    taken in different orders)."""
    assert np.allclose(problem.weights.sum(axis=1), 1.0)
    assert not problem.rules and not problem.red_lines and not problem.bodies
    assert not problem.interactions and problem.veto.all()
    assert np.allclose(problem.power, problem.power[0]), "Nash must be the symmetric one"
    sim_min = sum(problem.weights[:, k] * problem.values[k].min(axis=1)
                  for k in range(len(problem.issues)))
    ranges = [u.minmax(os_, above_reserve=False) for u in ufuns]
    for p, (lo, _hi) in enumerate(ranges):
        r = float(problem.reservation[p])
        # Reservation == minimum utility, in both libraries' arithmetic.
        assert r == sim_min[p] and abs(r - lo) <= tol, (p, r, sim_min[p], lo)
    return ranges


def run_negmas(ufuns, issues, os_):
    from negmas.preferences import nash_points, pareto_frontier

    front, outcome_idx = pareto_frontier(ufuns, issues=issues)
    nash = nash_points(ufuns, front, outcome_space=os_)
    return front, outcome_idx, nash


def match_sets(a: np.ndarray, b: np.ndarray) -> tuple[bool, float, int, int]:
    """(equal as sets at TOL, max |difference| over matched pairs, |A|, |B|) of distinct rows."""
    ka = {tuple(r): i for i, r in enumerate(np.round(a, 9))}
    kb = {tuple(r): i for i, r in enumerate(np.round(b, 9))}
    pairs = [(ka[k], kb[k]) for k in ka.keys() & kb.keys()]
    ra = np.array(sorted(ka[k] for k in ka.keys() - kb.keys()), dtype=int)
    rb = np.array(sorted(kb[k] for k in kb.keys() - ka.keys()), dtype=int)
    # Vectors straddling a rounding boundary: match them by tolerance.
    used = set()
    ok = len(ra) == len(rb)
    for i in ra:
        if not len(rb):
            ok = False
            break
        d = np.abs(b[rb] - a[i]).max(axis=1)
        j = int(np.argmin(d))
        if d[j] > TOL or rb[j] in used:
            ok = False
            break
        used.add(int(rb[j]))
        pairs.append((int(i), int(rb[j])))
    if pairs:
        ia, ib = np.array(pairs).T
        err = float(np.abs(a[ia] - b[ib]).max())
    else:
        err = 0.0
    return ok and len(ka) == len(kb), err, len(ka), len(kb)


def compare(problem, result, neg) -> dict:
    front, outcome_idx, nash = neg
    neg_u = np.asarray(front, dtype=float)
    sim_u = result.frontier.expected
    distinct = np.unique(np.round(sim_u, 12), axis=0)
    same, err, n_neg, n_sim = match_sets(neg_u, distinct)
    sim_nash = result.solutions["nash"]
    sim_nu = np.array([sim_nash.utility[p] for p in problem.parties])
    neg_nash = [np.asarray(u, dtype=float) for u, _ in nash]
    nash_err = min(float(np.abs(u - sim_nu).max()) for u in neg_nash) if neg_nash else None
    # NegMAS's outcome index counts the product of the issues with the last issue fastest.
    terms_same = None
    if len(nash) == 1:
        levels = np.unravel_index(outcome_idx[nash[0][1]], problem.sizes)
        neg_terms = {name: problem.levels[k][int(i)]
                     for k, (name, i) in enumerate(zip(problem.issues, levels, strict=True))}
        terms_same = neg_terms == sim_nash.terms
        if not terms_same:  # another deal with the very same utilities (sim keeps every tie)?
            front = result.frontier
            row = np.flatnonzero((front.idx == np.array(levels)).all(axis=1))
            if len(row) and np.abs(front.expected[row[0]] - sim_nu).max() <= TOL:
                terms_same = "tie"
    return {
        "frontier_negmas": n_neg, "frontier_sim_distinct": n_sim,
        "frontier_sim_deals": len(sim_u), "frontier_match": bool(same),
        "frontier_max_abs_diff": err, "nash_points_negmas": len(nash),
        "nash_match": nash_err is not None and nash_err <= TOL, "nash_max_abs_diff": nash_err,
        "nash_terms_match": terms_same, "nash_utility": sim_nash.utility,
    }


def sim_like_negmas(problem):
    """What NegMAS is asked for, in sim: the frontier and the Nash deal (no other solution,
    no non-cooperative prediction, no package)."""
    from sim.solver.engine import choose
    from sim.solver.frontier import frontier

    front = frontier(problem)
    return front, choose(problem, front)["nash"]


def timed(problem, reps: int) -> dict:
    """NegMAS and sim on one problem, alternating, in this process."""
    from sim.solver import solve

    t0 = time.perf_counter()
    ufuns, issues, os_ = negmas_problem(problem)
    build_s = time.perf_counter() - t0
    t_neg, t_sim, t_like, neg, result = [], [], [], None, None
    for rep in range(reps):
        for which in (("negmas", "sim") if rep % 2 == 0 else ("sim", "negmas")):
            gc.collect()
            t0 = time.perf_counter()
            if which == "negmas":
                neg = run_negmas(ufuns, issues, os_)
                t_neg.append(time.perf_counter() - t0)
            else:
                # One untimed call first: right after a NegMAS call (0.7-50 s that churn the
                # allocator and evict the caches) sim's first call runs about 40% slower than
                # sim alone, an artefact of sharing the process that sim never pays in use.
                solve(problem)
                gc.collect()
                t0 = time.perf_counter()
                result = solve(problem)
                t_sim.append(time.perf_counter() - t0)
                gc.collect()
                t0 = time.perf_counter()
                sim_like_negmas(problem)
                t_like.append(time.perf_counter() - t0)
    out = {"outcomes": problem.total, "runs": reps, "negmas_build_s": build_s,
           "negmas_s": t_neg, "sim_s": t_sim, "sim_like_s": t_like,
           "negmas_median_s": statistics.median(t_neg), "sim_median_s": statistics.median(t_sim),
           "sim_like_median_s": statistics.median(t_like),
           "converged": result.noncooperative.converged}
    out["ratio"] = out["negmas_median_s"] / out["sim_median_s"]
    out["ratio_like"] = out["negmas_median_s"] / out["sim_like_median_s"]
    out.update(compare(problem, result, neg))
    return out, (ufuns, os_)


def one_fixture(path: Path, reps: int) -> dict:
    """A problem made by NegMAS's generators (bench/make_negmas_fixtures.py), each party's
    reservation set to its minimum utility."""
    import sim

    problem = sim.compile_problem(sim.load(path))
    problem = problem.with_reservation(sum(c.min(axis=0) for c in problem.contributions))
    ufuns, _, os_ = negmas_problem(problem)
    check_equal_setup(problem, ufuns, os_, tol=1e-12)
    out, _ = timed(problem, reps)
    out = {"fixture": path.stem, **out}
    assert out["frontier_match"], f"frontiers differ: {out}"
    assert out["nash_match"], f"Nash points differ: {out}"
    return out


def one_size(n_issues: int, levels: int, parties: int, reps: int, seed: int) -> dict:
    from problems import random_problem

    problem = random_problem(n_issues, levels, parties, seed)
    ufuns, _, os_ = negmas_problem(problem)
    check_equal_setup(problem, ufuns, os_)
    out, _ = timed(problem, reps)
    out = {"n_issues": n_issues, "levels": levels, "parties": parties, "seed": seed, **out}
    # The bench's assertions (not the test suite's): both libraries found the same answer.
    assert out["frontier_match"], f"frontiers differ: {out}"
    assert out["nash_match"], f"Nash points differ: {out}"
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--issues", type=int, nargs="+", default=[5, 6])
    ap.add_argument("--reps", type=int, nargs="+", default=[5, 3])
    ap.add_argument("--levels", type=int, default=10)
    ap.add_argument("--parties", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fixtures", type=Path, nargs="*", default=[],
                    help="also these NegMAS-made problems (bench/fixtures/negmas-*.yaml)")
    ap.add_argument("--fixture-reps", type=int, default=3)
    args = ap.parse_args()
    reps = args.reps + [args.reps[-1]] * (len(args.issues) - len(args.reps))
    try:
        import negmas
        import numpy  # noqa: F401
    except ImportError as e:
        print(json.dumps({"skipped": f"negmas cannot be imported in {sys.executable} ({e})"}))
        return
    try:
        import sim  # noqa: F401
    except ImportError as e:
        print(json.dumps({"skipped": f"sim is not installed in {sys.executable} ({e}); "
                                     f"run {Path(sys.executable).parent}/pip install -e ."}))
        return
    warnings.simplefilter("ignore")  # NegMAS warns that large outcome spaces are slow
    sizes = []
    for n, r in zip(args.issues, reps, strict=True):
        try:
            sizes.append(one_size(n, args.levels, args.parties, r, args.seed))
        except AssertionError as e:
            sizes.append({"n_issues": n, "error": str(e)[:2000]})
    fixtures = []
    for path in args.fixtures:
        try:
            fixtures.append(one_fixture(path, args.fixture_reps))
        except AssertionError as e:
            fixtures.append({"fixture": path.stem, "error": str(e)[:2000]})
    print(json.dumps({
        "negmas": negmas.__version__, "numpy": np.__version__,
        "python": sys.version.split()[0], "sizes": sizes, "fixtures": fixtures}))


if __name__ == "__main__":
    main()
