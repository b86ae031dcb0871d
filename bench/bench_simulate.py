"""The agent-based model's benchmarks: prints a Markdown table of medians against the targets.

    .venv/bin/python bench/bench_simulate.py [--quick] [--json FILE] [--negmas-python PATH]

What is measured (see bench/README.md for the method and the latest results):
  a. `sim.simulate` of bench/fixtures/berlin-2025-12-dynamics.yaml (a frozen copy of the
     default scenario with its dynamics): 1,000 runs of 100 steps on 2 workers, and on 1,
     the whole call (board, worker start-up, runs, summary; compiling not timed);
  b. the cost of one run against the deal space's size: 2-party random problems of 10^4,
     10^6 and 10^10 deals (reservations 0.4, inside each party's range), Boulware against
     Conceder: the board (candidates, once per problem) and the median run (`one`);
  c. one run inside `sim.simulate` against one NegMAS SAO negotiation (bench/
     compare_negmas_sao.py, run with --negmas-python, where NegMAS is installed).
Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
FIXTURE = HERE / "fixtures" / "berlin-2025-12-dynamics.yaml"


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def default_scenario(reps: int) -> list[dict]:
    import sim

    problem = sim.compile_problem(sim.load(FIXTURE))
    rows = []
    for workers in (2, 1):
        times, result = [], None
        for _ in range(reps):
            t0 = time.perf_counter()
            result = sim.simulate(problem, runs=1000, steps=100, seed=0, workers=workers,
                                  time_budget=None)
            times.append(time.perf_counter() - t0)
        log(f"default scenario, {workers} worker(s): {statistics.median(times):.2f} s")
        rows.append({"workers": workers, "times_s": times,
                     "median_s": statistics.median(times),
                     "ratified": result.ratified.share, "agreed": result.agreed.share})
    return rows


def sizes(reps: int) -> list[dict]:
    import numpy as np
    from problems import random_scenario

    import sim
    from sim.abm.board import Board
    from sim.abm.run import one

    rows = []
    for n_issues in (4, 6, 10):
        data = random_scenario(n_issues, 10, 2, seed=0, reservation=0.4)
        data["dynamics"] = {"strategies": {"p0": "boulware", "p1": "conceder"}}
        problem = sim.compile_problem(sim.from_dict(data))
        t0 = time.perf_counter()
        board = Board.of(problem, 100)
        board_s = time.perf_counter() - t0
        one(board, 100, 0, 0)
        times, steps = [], []
        for r in range(reps):
            t0 = time.perf_counter()
            run = one(board, 100, 0, r)
            times.append(time.perf_counter() - t0)
            steps.append(run.ended_at)
        row = {"deals": problem.total, "candidates": len(board), "board_s": board_s,
               "run_median_s": statistics.median(times), "steps_median": statistics.median(steps),
               "per_step_us": 1e6 * statistics.median(np.array(times) / np.array(steps))}
        log(f"10^{n_issues} deals: {len(board)} candidates, run {row['run_median_s']*1e3:.2f} ms")
        rows.append(row)
    return rows


def negmas(python: str | None, reps: int) -> dict:
    if python is None:
        return {"skipped": "no --negmas-python given"}
    out = subprocess.run([python, str(HERE / "compare_negmas_sao.py"), "--reps", str(reps)],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout)


def table(res: dict) -> str:
    lines = ["| what | median | target | verdict |", "|---|---|---|---|"]
    for row in res["default"]:
        target = "< 20 s" if row["workers"] == 2 else "(reference)"
        verdict = ("pass" if row["median_s"] < 20 else "FAIL") if row["workers"] == 2 else ""
        lines.append(f"| default scenario, 1,000 runs x 100 steps, {row['workers']} worker(s) "
                     f"(ratified {row['ratified']:.2f}) | {row['median_s']:.2f} s | {target} | "
                     f"{verdict} |")
    for row in res["sizes"]:
        lines.append(f"| one run, 2 parties, {row["deals"]:.0e} deals ({row["candidates"]} "
                     f"candidates; board {row['board_s'] * 1e3:.1f} ms once) | "
                     f"{row['run_median_s'] * 1e3:.2f} ms ({row['per_step_us']:.0f} us a step)"
                     f" | flat in the deals | |")
    neg = res["negmas"]
    if "problems" in neg:
        for p in neg["problems"]:
            verdict = "pass" if p["ratio"] >= 10 and p["sim_agreed"] >= p["negmas_agreed"] \
                and p.get("sim_distance", 0) <= p.get("negmas_distance", 0) + 1e-9 else "FAIL"
            lines.append(
                f"| 10^4 deals seed {p['seed']}: sim.simulate 1 run vs NegMAS SAO | "
                f"{p['sim_median_s'] * 1e3:.2f} ms vs {p['negmas_median_s'] * 1e3:.1f} ms "
                f"= {p['ratio']:.1f}x; agreed {p['sim_agreed']}/{p['negmas_agreed']} at step "
                f"{p['sim_step']:g}/{p['negmas_step']}; distance {p.get('sim_distance', '-')}"
                f"/{p.get('negmas_distance', '-')} | >= 10x, as often, no further | {verdict} |")
    else:
        lines.append(f"| NegMAS SAO | skipped: {neg.get('skipped')} | | |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--negmas-python")
    args = ap.parse_args()
    reps = 1 if args.quick else 3
    res = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
           "machine": platform.platform(), "python": platform.python_version(),
           "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                    capture_output=True, text=True).stdout.strip(),
           "default": default_scenario(reps), "sizes": sizes(20 if args.quick else 50),
           "negmas": negmas(args.negmas_python, 5 if args.quick else 15)}
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))
    print(table(res))


if __name__ == "__main__":
    main()
