"""The solver's benchmarks: prints a Markdown table of medians against the targets.

    .venv/bin/python bench/bench_solve.py [--quick] [--json FILE] [--negmas-python PATH]

What is measured (see bench/README.md for the method and the latest results):
  a. `sim solve bench/fixtures/berlin-2025-12.yaml` (a frozen copy of the default scenario)
     and `sim --help` as whole commands (subprocess wall time, interpreter start included);
  b. the complete `solve(problem)` on random additive problems of 10^7 deals (7 issues x 10
     levels, 4 parties), and the peak memory it adds, in a fresh process per problem;
  c. the same at 10^10 (10 x 10) and 10^12 (12 x 10);
  d. sim against NegMAS (if installed) on identical problems of 10^5 and 10^6 deals.
Random problems are drawn with several seeds (the frontier's size, which drives the time,
varies a lot between seeds): the headline median is seed 0's, the target is judged on the
worst seed. --quick: fewer repetitions, seed 0 only, no 10^12 and no NegMAS 10^6.
Progress goes to stderr, the table to stdout. Exit status 1 if sim and NegMAS disagree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIO = "bench/fixtures/berlin-2025-12.yaml"  # a frozen copy of the default scenario
REALISTIC_BUDGET = 8.0  # seconds for the counts of the realistic rows: the rest is the solve


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    if x < 0.1:
        return f"{x * 1000:.1f} ms"
    return f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def fmt_target(x: float) -> str:
    return f"{x:g} s"


def verdict(value: float | None, target: float, higher_is_better: bool = False) -> str:
    if value is None:
        return "skipped"
    ok = value >= target if higher_is_better else value < target
    if ok:
        return "pass"
    if higher_is_better:
        return f"**FAIL** ({value / target:.2f} of target)"
    return f"**FAIL** ({(value / target - 1) * 100:.0f}% over)"


# --- a. whole commands ----------------------------------------------------------------------

def sim_command() -> list[str]:
    exe = Path(sys.executable).parent / "sim"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "sim"]


def time_command(argv: list[str], runs: int) -> dict:
    """Wall time of a whole command, after one untimed warm-up run (file caches)."""
    times, rcs = [], set()
    for i in range(runs + 1):
        t0 = time.perf_counter()
        proc = subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - t0
        if proc.returncode not in (0, 1):  # 1 is a model-level "no", still a complete run
            raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr[-500:]}")
        rcs.add(proc.returncode)
        if i:
            times.append(elapsed)
    return {"median_s": statistics.median(times), "runs": runs, "times_s": times,
            "min_s": min(times), "max_s": max(times), "exit": sorted(rcs)}


# --- b, c. random problems, one fresh process each ------------------------------------------

def run_solve(n_issues: int, seed: int, reps: int, method: str = "auto",
              reservation: float = 0.0, budget: float | None = None, parties: int = 4,
              flags: tuple[str, ...] = ()) -> dict:
    extra = ["--reservation", str(reservation), "--parties", str(parties), *flags]
    extra += ["--budget", str(budget)] if budget else []
    proc = subprocess.run(
        [sys.executable, str(HERE / "run_solve.py"), str(n_issues), "--seed", str(seed),
         "--reps", str(reps), "--method", method, *extra], cwd=ROOT, capture_output=True,
        text=True)
    if proc.returncode:
        raise RuntimeError(f"run_solve.py {n_issues} --seed {seed} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def solve_size(n_issues: int, seeds: int, reps: int) -> dict:
    per_seed = []
    for seed in range(seeds):
        log(f"  10^{n_issues}, seed {seed}: {reps} solves ...")
        per_seed.append(run_solve(n_issues, seed, reps))
    return {"n_issues": n_issues, "reps": reps, "seeds": per_seed,
            "median_s": per_seed[0]["median_s"],
            "worst_s": max(s["median_s"] for s in per_seed),
            "added_mb": per_seed[0]["added_mb"],
            "worst_added_mb": max(s["added_mb"] for s in per_seed)}


# --- d. NegMAS ------------------------------------------------------------------------------

def negmas_python(arg: str | None) -> str:
    if arg:
        return arg
    if os.environ.get("BENCH_NEGMAS_PYTHON"):
        return os.environ["BENCH_NEGMAS_PYTHON"]
    bench_venv = ROOT / ".venv-bench" / "bin" / "python"
    return str(bench_venv) if bench_venv.exists() else sys.executable


def run_negmas(python: str, issues: list[int], reps: list[int], fixtures: list[Path],
               fixture_reps: int) -> dict:
    argv = [python, str(HERE / "compare_negmas.py"), "--issues", *map(str, issues),
            "--reps", *map(str, reps), "--fixture-reps", str(fixture_reps), "--fixtures",
            *map(str, fixtures)]
    try:
        proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    except OSError as e:
        return {"skipped": f"cannot run {python}: {e}"}
    if proc.returncode:
        return {"skipped": f"compare_negmas.py failed:\n{proc.stderr[-2000:]}", "failed": True}
    return json.loads(proc.stdout)


# --- the report -----------------------------------------------------------------------------

def machine() -> dict:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    git = ["git", "-C", str(ROOT)]
    try:
        commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "sim"], capture_output=True,
                               text=True).stdout.strip()
    except OSError:
        commit, dirty = "?", ""
    import numpy

    return {"date": dt.date.today().isoformat(), "cpus": os.cpu_count(), "cpu": cpu,
            "python": platform.python_version(), "numpy": numpy.__version__,
            "sim_commit": commit + (" (with uncommitted changes in sim/)" if dirty else "")}


def frontier_sizes(row: dict) -> str:
    """The frontier's size: NegMAS's / sim's distinct utility vectors / sim's deals."""
    return (f"{row['frontier_negmas']:,} / {row['frontier_sim_distinct']:,} / "
            f"{row['frontier_sim_deals']:,}")


def report(res: dict) -> str:
    m = res["machine"]
    out = [f"Measured {m['date']} on {m['cpus']} CPUs ({m['cpu']}), Python {m['python']}, "
           f"numpy {m['numpy']}, sim {m['sim_commit']}"
           + (" (--quick)" if res["quick"] else "") + ".", ""]
    out += ["| Benchmark | Median | Runs | Spread | Target | Result |",
            "| --- | --- | --- | --- | --- | --- |"]
    for key, label, target in (("solve_cmd", f"`sim solve {SCENARIO}` (whole command)", 1.0),
                               ("help_cmd", "`sim --help` (whole command)", 0.3)):
        r = res[key]
        out.append(f"| {label} | {fmt_s(r['median_s'])} | {r['runs']} | "
                   f"{fmt_s(r['min_s'])} - {fmt_s(r['max_s'])} | < {fmt_target(target)} | "
                   f"{verdict(r['median_s'], target)} |")
    targets = {7: 5.0, 10: 10.0, 12: 60.0}
    for size in res["random"]:
        n = size["n_issues"]
        seeds = size["seeds"]
        spread = (f"worst of {len(seeds)} seeds: {fmt_s(size['worst_s'])}" if len(seeds) > 1
                  else "seed 0 only")
        out.append(f"| `solve`, 10^{n} deals ({n} x 10), 4 parties, seed 0 "
                   f"(frontier {seeds[0]['frontier']:,}) | {fmt_s(size['median_s'])} | "
                   f"{size['reps']} | {spread} | < {fmt_target(targets[n])} | "
                   f"{verdict(size['worst_s'], targets[n])} |")
        if n == 7:
            spread = (f"worst of {len(seeds)} seeds: {size['worst_added_mb']:.0f} MB"
                      if len(seeds) > 1 else "seed 0 only")
            out.append(f"| peak memory added by `solve`, 10^7 deals (RSS over the "
                       f"post-import baseline of {seeds[0]['baseline_mb']:.0f} MB) | "
                       f"{size['added_mb']:.0f} MB | 1 process per seed | {spread} | "
                       f"< 1 GB | {verdict(size['worst_added_mb'], 1024)} |")
    if res.get("enumerate"):
        e = res["enumerate"]
        out.append(f"| info: `solve(problem, method=\"enumerate\")`, 10^7 deals, seed 0 (the "
                   f"path when constraints read most issues) | {fmt_s(e['median_s'])}, "
                   f"{e['added_mb']:.0f} MB added | {len(e['times_s'])} | - | no target "
                   f"(5 s, 1 GB apply to the default) | "
                   f"{'under' if e['median_s'] < 5 else 'over'} 5 s, "
                   f"{'under' if e['added_mb'] < 1024 else 'over'} 1 GB |")
    for r in res.get("realistic", []):
        target = 10.0 if r["n_issues"] == 10 else 60.0
        how = "exact" if r["acceptable_exact"] else "estimated"
        out.append(f"| `solve(problem, budget={REALISTIC_BUDGET:g})`, 10^{r['n_issues']} deals, "
                   f"4 parties, reservations 0.4, seed 0 (frontier {r['frontier']:,}; count "
                   f"{how}) | {fmt_s(r['median_s'])} | {len(r['times_s'])} | "
                   f"{fmt_s(min(r['times_s']))} - {fmt_s(max(r['times_s']))} | "
                   f"< {target:g} s | {verdict(r['median_s'], target)} |")
    scale = res.get("scale")
    if scale:
        r = scale["red_lines"]
        out.append(f"| `solve(problem)`, 10^8 deals (8 x 10), 4 parties, reservations 0.4, red "
                   f"lines over every issue (method {r['method']}; frontier {r['frontier']:,}; "
                   f"counts {'exact' if r['acceptable_exact'] else 'estimated'}) | "
                   f"{fmt_s(r['median_s'])}, {r['added_mb']:.0f} MB added | "
                   f"{len(r['times_s'])} | {fmt_s(min(r['times_s']))} - "
                   f"{fmt_s(max(r['times_s']))} | < 20 s, < 2 GB | "
                   f"{verdict(r['median_s'], 20)}, {verdict(r['added_mb'], 2048)} |")
        r = scale["referendum"]
        out.append(f"| `solve(problem, budget={REALISTIC_BUDGET:g})`, 10^9 deals (9 x 10), 4 "
                   f"parties, reservations 0.4, a referendum reading 8 issues (method "
                   f"{r['method']}; frontier {r['frontier']:,}; count "
                   f"{'exact' if r['acceptable_exact'] else 'estimated'}) | "
                   f"{r['added_mb']:.0f} MB added, {fmt_s(r['median_s'])} | "
                   f"{len(r['times_s'])} | {fmt_s(min(r['times_s']))} - "
                   f"{fmt_s(max(r['times_s']))} | < 2 GB | {verdict(r['added_mb'], 2048)} |")
        r = scale["parties8"]
        out.append(f"| `solve(problem)`, 10^8 deals (8 x 10), 8 parties (frontier "
                   f"{r['frontier']:,}) | {fmt_s(r['median_s'])}, {r['added_mb']:.0f} MB added"
                   f" | {len(r['times_s'])} | {fmt_s(min(r['times_s']))} - "
                   f"{fmt_s(max(r['times_s']))} | < 20 s | {verdict(r['median_s'], 20)} |")
    neg = res["negmas"]
    for family in ("random", "multi"):
        rows = [f for f in neg.get("fixtures", []) if f["fixture"].startswith(f"negmas-{family}")]
        good = [f for f in rows if "error" not in f]
        if not rows:
            continue
        if len(good) < len(rows):
            out.append(f"| NegMAS-made problems ({family}), 10^5 deals | - | - | - | >= 100x | "
                       "**MISMATCH**: see below |")
            continue
        worst = min(good, key=lambda f: f["ratio"])
        med = statistics.median(f["ratio"] for f in good)
        how = ("`LinearAdditiveUtilityFunction.random`" if family == "random"
               else "`generate_multi_issue_ufuns`")
        fronts = [f["frontier_sim_deals"] for f in good]
        out.append(f"| NegMAS `pareto_frontier` + `nash_points` / sim `solve`, problems made by "
                   f"NegMAS's {how}, 10^5 deals, 4 parties, {len(good)} seeds (frontiers "
                   f"{min(fronts):,} - {max(fronts):,}) | median {med:.0f}x | "
                   f"{good[0]['runs']} each | worst seed {worst['ratio']:.0f}x "
                   f"({worst['fixture']}) | >= 100x | "
                   f"{verdict(worst['ratio'], 100, higher_is_better=True)} |")
    if "skipped" in neg:
        out.append(f"| sim vs NegMAS | - | - | - | >= 100x | skipped: "
                   f"{neg['skipped'].splitlines()[0]} |")
    else:
        for s in neg["sizes"]:
            if "error" in s:
                out.append(f"| sim vs NegMAS, 10^{s['n_issues']} | - | - | - | >= 100x | "
                           f"**MISMATCH**: see below |")
                continue
            out.append(
                f"| NegMAS `pareto_frontier` + `nash_points` / sim `solve`, 10^{s['n_issues']}"
                f" deals, 4 parties | {s['ratio']:.0f}x ({fmt_s(s['negmas_median_s'])} / "
                f"{fmt_s(s['sim_median_s'])}) | {s['runs']} each | - | >= 100x | "
                f"{verdict(s['ratio'], 100, higher_is_better=True)} |")
    out += ["", "Random problems, per seed (each in a fresh process; median of the runs; "
            "memory = peak RSS added by the solves):", "",
            "| Deals | Seed | Frontier | Method | Median | First run | Runs | Peak added |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for size in res["random"]:
        for s in size["seeds"]:
            out.append(f"| 10^{size['n_issues']} | {s['seed']} | {s['frontier']:,} | "
                       f"{s['method']} | {fmt_s(s['median_s'])} | {fmt_s(s['first_s'])} | "
                       f"{len(s['times_s'])} | {s['added_mb']:.0f} MB |")
    out += [""]
    if "skipped" in neg:
        out.append(f"NegMAS comparison skipped: {neg['skipped']}")
    else:
        out += [f"sim vs NegMAS {neg['negmas']} (Python {neg['python']}, numpy {neg['numpy']}),"
                " same process, alternating, seed 0:", "",
                "| Deals | NegMAS median | sim median | Runs | Ratio | Frontier (NegMAS / sim"
                " distinct / sim deals) | Frontier equal | Nash equal (utility, terms) |",
                "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for s in neg["sizes"]:
            if "error" in s:
                out.append(f"| 10^{s['n_issues']} | | | | | | **NO** | {s['error'][:300]} |")
                continue
            out.append(
                f"| 10^{s['n_issues']} | {fmt_s(s['negmas_median_s'])} | "
                f"{fmt_s(s['sim_median_s'])} | {s['runs']} | {s['ratio']:.0f}x | "
                f"{frontier_sizes(s)} | "
                f"{'yes' if s['frontier_match'] else 'NO'} (max diff "
                f"{s['frontier_max_abs_diff']:.1e}) | "
                f"{'yes' if s['nash_match'] else 'NO'} (max diff {s['nash_max_abs_diff']:.1e}),"
                f" {'yes' if s['nash_terms_match'] else 'NO'} |")
    if neg.get("fixtures"):
        out += ["", "NegMAS-made problems (bench/fixtures/negmas-*.yaml; each party's reservation"
                " its minimum utility), same process, alternating; `like for like` times sim's"
                " frontier and Nash deal only:", "",
                "| Fixture | NegMAS median | sim `solve` | Ratio | sim frontier + Nash | Ratio |"
                " Frontier (NegMAS / sim distinct / sim deals) | Equal (frontier, Nash) |"
                " Baron-Ferejohn settled |",
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        tie = " (a tie: another deal, same utilities)"
        for f in neg["fixtures"]:
            if "error" in f:
                out.append(f"| {f['fixture']} | | | | | | | **NO**: {f['error'][:300]} | |")
                continue
            out.append(
                f"| {f['fixture']} | {fmt_s(f['negmas_median_s'])} | "
                f"{fmt_s(f['sim_median_s'])} | {f['ratio']:.0f}x | "
                f"{fmt_s(f['sim_like_median_s'])} | {f['ratio_like']:.0f}x | {frontier_sizes(f)} | "
                f"{'yes' if f['frontier_match'] else 'NO'}, "
                f"{'yes' if f['nash_match'] else 'NO'}"
                f"{tie if f['nash_terms_match'] == 'tie' else ''}"
                f" | {'yes' if f['converged'] else 'no (cycles)'} |")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="fewer runs, one seed, no 10^12, no NegMAS 10^6 (under a minute)")
    ap.add_argument("--json", type=Path, help="also write the raw measurements here")
    ap.add_argument("--negmas-python", help="interpreter with negmas and sim installed "
                    "(default: $BENCH_NEGMAS_PYTHON, else .venv-bench/bin/python, else this one)")
    args = ap.parse_args()
    quick = args.quick
    t_start = time.perf_counter()
    res: dict = {"quick": quick, "machine": machine()}

    log("a. whole commands ...")
    res["solve_cmd"] = time_command([*sim_command(), "solve", SCENARIO], 3 if quick else 7)
    res["help_cmd"] = time_command([*sim_command(), "--help"], 5 if quick else 11)

    log("b, c. random problems ...")
    plan = [(7, 3 if quick else 5), (10, 3 if quick else 5)] + ([] if quick else [(12, 3)])
    res["random"] = [solve_size(n, 1 if quick else 5, reps) for n, reps in plan]
    if not quick:
        log("  10^7 by enumeration, seed 0: 1 solve ...")
        res["enumerate"] = run_solve(7, 0, 1, method="enumerate")
        log("  realistic reservations (0.4), 10^10 and 10^12, budget 8 s: 3 solves each ...")
        res["realistic"] = [run_solve(n, 0, 3, reservation=0.4, budget=REALISTIC_BUDGET)
                            for n in (10, 12)]
        log("  at scale: red lines over every issue 10^8, a referendum over most issues 10^9, "
            "8 parties 10^8 ...")
        res["scale"] = {
            "red_lines": run_solve(8, 0, 3, reservation=0.4, flags=("--red-lines",)),
            "referendum": run_solve(9, 0, 3, reservation=0.4, budget=REALISTIC_BUDGET,
                                    flags=("--referendum",)),
            "parties8": run_solve(8, 0, 3, parties=8)}

    python = negmas_python(args.negmas_python)
    log(f"d. sim vs NegMAS with {python} ...")
    fixtures = sorted(HERE.glob("fixtures/negmas-random-*.yaml"))
    fixtures += [] if quick else sorted(HERE.glob("fixtures/negmas-multi-*.yaml"))
    res["negmas"] = run_negmas(python, [5] if quick else [5, 6], [3] if quick else [5, 3],
                               fixtures, 1 if quick else 3)

    res["elapsed_s"] = time.perf_counter() - t_start
    if args.json:  # first: the measurements survive a failure to render them
        args.json.write_text(json.dumps(res, indent=1))
    text = report(res)
    print(text)
    print(f"\n(bench took {res['elapsed_s']:.0f} s)")
    mismatch = res["negmas"].get("failed") or any(
        "error" in s for s in [*res["negmas"].get("sizes", []),
                               *res["negmas"].get("fixtures", [])])
    return 1 if mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
