"""The sweep's benchmarks: prints a Markdown table of medians against the targets.

    .venv/bin/python bench/bench_sweep.py [--quick] [--json FILE]

What is measured (see bench/README.md, section "Sweeps", for the method and the results),
all on bench/fixtures/berlin-2025-12.yaml (a frozen copy of the default scenario):
  a. one sweep run in a warm worker (set the point's values, validate, compile with the
     worker's compiler, solve, metrics()), by what the point changes: a reservation, the
     referendum's turnout, a Senate bloc's intercept, every input of `uncertainty:` at once;
     median milliseconds and runs per second per worker;
  b. a whole `sim.sweep` of 2,000 reservation points on 1 and on 2 worker processes, side by
     side in one run (worker start-up included), and the ratio;
  c. `sim solve --samples N` as a subprocess, N = 50 and 200: wall time and peak memory
     (resident set of the process, from the kernel), to show how both grow with N.
Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
FIXTURE = HERE / "fixtures" / "berlin-2025-12.yaml"
CHANGES = {  # what a point changes -> a SPEC of it
    "a reservation": ["parties.russia.reservation=0.25:0.45"],
    "the referendum's turnout": ["ratification.ukraine_referendum.turnout=0.45:0.65"],
    "a Senate bloc's intercept": ["ratification.us_congress.blocs.republicans.intercept=0.5:3"],
    "every `uncertainty:` input": None,
}


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def per_run(points: int) -> list[dict]:
    """The median cost of one run in a warm worker (its compiler already holds the bodies
    that the points leave alone), by what the points change."""
    import sim
    from sim.experiments import design as designs
    from sim.experiments import sweep

    scenario = sim.load(FIXTURE)
    data = scenario.model_dump(mode="json", exclude={"extends"})
    rows = []
    for label, vary in CHANGES.items():
        uncertainties = (tuple(designs.parse(v) for v in vary) if vary else
                         designs.of_scenario(scenario))
        spec = sweep.Spec(uncertainties, "lhs", points, seed=1)
        plan = sweep.plan(scenario, spec)
        sweep.run_batch(data, spec, [(0, plan[0])])  # warm: imports, the bodies left alone
        compiler, base = sweep.compiled_base(data)  # what run_batch does once per task
        times = []
        for run, values in enumerate(plan):
            t0 = time.perf_counter()
            row = sweep.run_one(data, spec, run, values, compiler, base)
            times.append(time.perf_counter() - t0)
            assert row["error"] is None, row["error"]
        ms = statistics.median(times) * 1000
        rows.append({"change": label, "runs": len(times), "median_ms": ms,
                     "runs_per_s": 1000 / ms})
        log(f"per run, {label}: {ms:.1f} ms")
    return rows


def whole_sweep(points: int) -> list[dict]:
    import sim

    scenario = sim.load(FIXTURE)
    rows = []
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as folder:
            t0 = time.perf_counter()
            result = sim.sweep(scenario, vary=CHANGES["a reservation"], design="lhs",
                               samples=points, seed=2, out=Path(folder) / "s",
                               workers=workers)
            seconds = time.perf_counter() - t0
        assert result.errors == 0 and result.runs == points
        rows.append({"workers": workers, "runs": points, "seconds": seconds,
                     "runs_per_s": points / seconds})
        log(f"sweep of {points} on {workers} worker(s): {seconds:.1f} s")
    return rows


def samples(counts: tuple[int, ...]) -> list[dict]:
    rows = []
    for n in counts:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.perf_counter()
        subprocess.run([str(ROOT / ".venv" / "bin" / "sim"), "solve", str(FIXTURE),
                        "--samples", str(n), "--time-budget", "600"], check=True,
                       stdout=subprocess.DEVNULL, cwd=ROOT)
        seconds = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rows.append({"samples": n, "seconds": seconds,
                     "peak_mb": max(peak, before) / 1024})  # ru_maxrss: kB on Linux
        log(f"solve --samples {n}: {seconds:.1f} s, peak {peak / 1024:.0f} MB")
    return rows


def table(out: dict) -> str:
    lines = [f"Measured {out['when']} on {out['machine']}, sim at {out['commit']}.", "",
             "| what a point changes | runs | median per run | runs/s per worker | target |",
             "| --- | ---: | ---: | ---: | --- |"]
    targets = {"a reservation": ">= 200", "the referendum's turnout": ">= 30",
               "a Senate bloc's intercept": ">= 30", "every `uncertainty:` input": "-"}
    for r in out["per_run"]:
        lines.append(f"| {r['change']} | {r['runs']} | {r['median_ms']:.1f} ms | "
                     f"{r['runs_per_s']:.0f} | {targets[r['change']]} |")
    one, two = out["sweep"]
    lines += ["", "| `sim.sweep` of reservation points | runs | wall time | runs/s |",
              "| --- | ---: | ---: | ---: |"]
    for r in out["sweep"]:
        lines.append(f"| {r['workers']} worker{'s' if r['workers'] > 1 else ''} | "
                     f"{r['runs']} | {r['seconds']:.1f} s | {r['runs_per_s']:.0f} |")
    lines.append(f"| ratio, 2 workers against 1 | | {one['seconds'] / two['seconds']:.2f}x | "
                 "target >= 1.7x |")
    lines += ["", "| `sim solve --samples N` | wall time | peak memory |",
              "| --- | ---: | ---: |"]
    for r in out["samples"]:
        lines.append(f"| N = {r['samples']} | {r['seconds']:.1f} s | {r['peak_mb']:.0f} MB |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points, N = 20 only")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT).stdout.strip()
    out = {"when": dt.date.today().isoformat(), "commit": commit,
           "machine": f"{platform.machine()}, {platform.python_version()}",
           "per_run": per_run(20 if args.quick else 200),
           "sweep": whole_sweep(200 if args.quick else 2000),
           "samples": samples((20,) if args.quick else (50, 200))}
    print(table(out))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
