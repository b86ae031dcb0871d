"""Time and measure one random problem's `solve` in a fresh process; prints one JSON object.

    python bench/run_solve.py N_ISSUES [--levels 10] [--parties 4] [--reps 5] [--seed 0]
                              [--method auto|enumerate|issue] [--reservation R]
                              [--budget S] [--red-lines] [--referendum]

Run by bench_solve.py, one process per problem size, so that memory is measured from a clean
baseline. Memory: after the imports and the problem's compilation, the kernel's peak-RSS mark
is reset (writing 5 to /proc/self/clear_refs, Linux) and the current RSS taken as the
baseline; the peak RSS after the solves minus that baseline is what the solves added. Where the
mark cannot be reset, the baseline is ru_maxrss after compilation instead (a peak, so the
difference may understate).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return _status_kb("VmHWM") == _status_kb("VmRSS")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n_issues", type=int)
    ap.add_argument("--levels", type=int, default=10)
    ap.add_argument("--parties", type=int, default=4)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--method", default="auto")
    ap.add_argument("--reservation", type=float, default=0.0)
    ap.add_argument("--budget", type=float, default=None,
                    help="seconds: past them the count of acceptable deals is estimated")
    ap.add_argument("--red-lines", action="store_true",
                    help="red lines over every issue (see problems.py): the solver enumerates")
    ap.add_argument("--referendum", action="store_true",
                    help="a referendum reading every issue but the last (see problems.py)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    from problems import random_problem

    from sim.solver import solve

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    problem = random_problem(args.n_issues, args.levels, args.parties, args.seed,
                             args.reservation, args.red_lines, args.referendum)
    t_compile = time.perf_counter() - t0
    gc.collect()

    exact = _reset_peak()
    base_kb = _status_kb("VmRSS") if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times, result = [], None
    for _ in range(args.reps):
        result = None  # free the previous result first: measure one solve's footprint
        gc.collect()
        t0 = time.perf_counter()
        result = solve(problem, method=args.method, budget=args.budget)
        times.append(time.perf_counter() - t0)
    peak_kb = (_status_kb("VmHWM") if exact else None) or resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss
    nash = result.solutions["nash"]
    print(json.dumps({
        "n_issues": args.n_issues, "levels": args.levels, "parties": args.parties,
        "seed": args.seed, "total": result.total, "acceptable": result.acceptable,
        "acceptable_exact": result.acceptable_exact, "reservation": args.reservation,
        "frontier": len(result.frontier.idx), "method": result.method,
        "nash": nash.utility if nash else None,
        "import_s": t_import, "compile_s": t_compile,
        "times_s": times, "first_s": times[0],
        "median_s": statistics.median(times),
        "baseline_mb": base_kb / 1024, "peak_mb": peak_kb / 1024,
        "added_mb": (peak_kb - base_kb) / 1024, "peak_reset": exact,
    }))


if __name__ == "__main__":
    main()
