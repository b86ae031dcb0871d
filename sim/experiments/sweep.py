"""A sweep: either engine over the design points of a scenario's uncertain inputs, on local
worker processes, with every run's metrics streamed to a store that survives a crash.

Run r is replicate r % R of design point r // R. Its randomness comes from
`seeds.generator(seed, point, replicate)`, and the agent-based model's runs at that point
from `seeds.generator(seed, point, replicate x runs + k)`, so a run's row is the same on any
executor, any worker count and in any order of completion, and no two share a stream. (A
sweep's counts are exact, so the solver draws nothing.) Every design point is validated, as
a scenario file is, before any run starts; a run that raises is stored with its error and the
sweep goes on. A run stores the engine's `metrics()`, never its Result.
"""

from __future__ import annotations

import datetime as dt
import sys
from concurrent.futures import as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sim import seeds
from sim.compile import Compiler, updatable, vote_cells_for
from sim.errors import InputError
from sim.experiments import design
from sim.experiments.executors import executor
from sim.experiments.store import Store
from sim.problem import Problem
from sim.results import scenario_hash
from sim.scenario import paths
from sim.scenario.load import from_dict
from sim.scenario.model import Scenario

ENGINES = ("solve", "simulate")
RUN_BUDGET = None  # counts are exact in a sweep: an estimate's sample would depend on speed
FIRST_TRIES = 10  # runs tried, in order, for one that shows the columns
CHECK_CHUNK = 250  # design points validated per task


@dataclass(frozen=True)
class Spec:
    """What a sweep runs: the uncertainties, the design, and the engine's options."""

    uncertainties: tuple[design.Uncertainty, ...]
    design: str
    samples: int | None
    replicates: int = 1
    engine: str = "solve"
    runs: int = 20  # simulate: runs per design point
    steps: int = 52  # simulate: steps per run
    seed: int = 0

    def to_dict(self) -> dict:
        out = asdict(self)
        out["uncertainties"] = [asdict(u) for u in self.uncertainties]
        return out


@dataclass(frozen=True)
class SweepResult:
    folder: Path
    points: int
    runs: int  # runs stored, this call and before
    ran: int  # runs made by this call
    errors: int  # runs of this call that raised

    def to_dict(self) -> dict:
        return {"folder": str(self.folder), "points": self.points, "runs": self.runs,
                "ran": self.ran, "errors": self.errors}


def plan(scenario: Scenario, spec: Spec, pool=None) -> list[dict[str, Any]]:
    """The design points, each validated as a scenario file is (InputError listing the
    invalid ones with their values), on `pool` when there are many."""
    points = design_points(scenario, spec)
    check_points(scenario.model_dump(mode="json", exclude={"extends"}), points, pool)
    return points


def design_points(scenario: Scenario, spec: Spec) -> list[dict[str, Any]]:
    """The design points, once the engine, the paths and the design are known to be sound
    (InputError saying why not); the points themselves are not validated yet."""
    if spec.engine not in ENGINES:
        raise InputError(f"--engine: unknown engine '{spec.engine}'; valid: "
                         f"{', '.join(ENGINES)}")
    if spec.replicates < 1:
        raise InputError("--replicates takes an integer >= 1")
    data = scenario.model_dump(mode="json", exclude={"extends"})
    bad = [f"{u.path}: {why}" for u in spec.uncertainties
           if (why := paths.cannot_vary(data, u.path))]
    if bad:
        raise InputError(bad)
    try:
        return design.points(list(spec.uncertainties), spec.design, spec.samples, spec.seed)
    except design.SpecError as e:
        raise InputError(str(e)) from None


def check_points(data: dict, points: list[dict], pool=None) -> None:
    """InputError listing the invalid design points with their values, before any run. On
    `pool`, in chunks of CHECK_CHUNK points: validating thousands takes seconds."""
    chunks = [list(enumerate(points))[i:i + CHECK_CHUNK]
              for i in range(0, len(points), CHECK_CHUNK)]
    if pool is None or len(chunks) < 2:
        invalid = [m for chunk in chunks for m in invalid_points(data, chunk)]
    else:
        invalid = [m for f in [pool.submit(invalid_points, data, c) for c in chunks]
                   for m in f.result()]
    if invalid:
        more = f" ... and {len(invalid) - 10} more" if len(invalid) > 10 else ""
        raise InputError([*invalid[:10], *([more.strip()] if more else []),
                          f"{len(invalid)} of {len(points)} design points are invalid; no "
                          "run was started"])


def invalid_points(data: dict, chunk: list[tuple[int, dict]]) -> list[str]:
    """Why each invalid point of a chunk is invalid, with its values."""
    out = []
    for i, values in chunk:
        try:
            from_dict(paths.set_values(data, values), file=f"<design point {i}>")
        except InputError as e:
            shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
            out.append(f"design point {i} ({shown}): {str(e).splitlines()[0]}")
    return out


# --- one run ------------------------------------------------------------------------------


def run_one(data: dict, spec: Spec, run: int, values: dict[str, Any],
            compiler: Compiler, base: Problem) -> dict:
    """The row of run `run`: its ids, its seed, the varied values, the engine's metrics, and
    the error if it raised. `base`, the compiled Problem of `data`, is updated instead of
    compiling the point when every varied path is one Compiler.update moves."""
    point, replicate = divmod(run, spec.replicates)
    sequence = seeds.sequence(spec.seed, point, replicate)
    row: dict[str, Any] = {"run": run, "point": point, "replicate": replicate,
                           "seed": int(sequence.generate_state(1)[0]), "error": None}
    row.update({f"in.{k}": v for k, v in values.items()})
    try:
        changed = paths.set_values(data, values)
        # plan() checked this very point: where the Problem is updated, only the format is
        # validated again, not the meaning
        scenario = (Scenario.model_validate(changed) if all(updatable(p) for p in values)
                    else from_dict(changed, file=f"<design point {point}>"))
        problem = compiler.derive(base, scenario, values)
        row.update(_metrics(problem, spec, run, sequence))
    except Exception as e:  # a run that raises is recorded; the sweep goes on
        row["error"] = f"{type(e).__name__}: {e}"[:500]
    return row


def _metrics(problem, spec: Spec, run: int, sequence) -> dict:
    if spec.engine == "solve":
        import numpy as np

        from sim.solver import solve

        return solve(problem, budget=RUN_BUDGET, rng=np.random.default_rng(sequence),
                     diagnose=False).metrics()
    from sim.abm.run import simulate

    point, replicate = divmod(run, spec.replicates)  # the ABM's runs: (seed, point, r)
    return simulate(problem, runs_=spec.runs, steps=spec.steps, seed=spec.seed, point=point,
                    first=replicate * spec.runs).metrics()


_COMPILER = Compiler()  # this process's: the bodies it builds outlive a task
_BASE: tuple[str, Compiler, Problem] | None = None  # this process's last scenario, compiled


def compiled_base(data: dict) -> tuple[Compiler, Problem]:
    """The compiler for design points of the scenario `data`, and the scenario's Problem.
    The Problem is compiled with its votes tabulated, and it is what points that move only
    what Compiler.update moves update. The compiler shares this process's memory (keyed by
    a body's content, so any scenario may share it: the bodies a point leaves alone are not
    built again) and builds the bodies a point changes as vote_cells_for says."""
    global _BASE
    key = scenario_hash(data)
    if _BASE is None or _BASE[0] != key:
        base = _COMPILER.compile(from_dict(data, file="<the sweep's scenario>"))
        _BASE = (key, _COMPILER.building(vote_cells_for(base)), base)
    return _BASE[1], _BASE[2]


def run_batch(data: dict, spec: Spec, tasks: list[tuple[int, dict]]) -> list[dict]:
    """A task: several runs, self-contained, so any executor can run it."""
    compiler, base = compiled_base(data)
    return [run_one(data, spec, run, values, compiler, base) for run, values in tasks]


def sweep(scenario: Scenario, spec: Spec, out: Path, *, workers: int = 1,
          scheduler: str | None = None, resume: bool = False, progress=None,
          command: list[str] | None = None) -> SweepResult:
    """Run the sweep into `out` (resuming what is missing with `resume`), in this process,
    on `workers` local processes, or on a Dask `scheduler` ("local" or tcp://HOST:PORT)."""
    points = design_points(scenario, spec)
    data = scenario.model_dump(mode="json", exclude={"extends"})
    runs = [(p * spec.replicates + r, values) for p, values in enumerate(points)
            for r in range(spec.replicates)]
    with executor(workers if len(runs) > 1 else 1, scheduler) as pool:  # reachable first
        check_points(data, points, pool)
        first = _first_rows(data, spec, runs)
        manifest = _manifest(scenario, data, spec, points, first, command)
        store = Store.open(out, manifest, resume)
        columns = set(store.schema.names)
        done = store.done()
        ran = errors = 0

        def stored(rows: list[dict]) -> None:
            nonlocal ran, errors
            for row in rows:  # a metric the columns lack is never dropped silently
                extra = sorted(set(row) - columns)
                if extra and row["error"] is None:
                    row["error"] = f"metrics outside the sweep's columns: {', '.join(extra)}"
            store.write(rows)
            ran += len(rows)
            errors += sum(r["error"] is not None for r in rows)
            if progress:
                progress(len(done) + ran, len(runs))

        made = [r for r in first if r["run"] not in done]
        if made:  # the runs made to learn the columns
            stored(made)
        skip = done | {r["run"] for r in first}
        todo = [t for t in runs if t[0] not in skip]
        size = max(1, min(50, len(todo) // max(1, 8 * workers)))  # small runs share a task
        batches = [todo[i:i + size] for i in range(0, len(todo), size)]
        if pool is None or len(batches) <= 1:
            for b in batches:
                stored(run_batch(data, spec, b))
        else:
            for future in as_completed([pool.submit(run_batch, data, spec, b)
                                        for b in batches]):
                stored(future.result())
    store.finish(ended=_now())
    return SweepResult(out, len(points), len(done) + ran, ran, errors)


def _first_rows(data: dict, spec: Spec, runs: list) -> list[dict]:
    """Runs in order until one succeeds (its metrics name the columns); all are kept. A
    metric's keys do not change across design points: the deal space is fixed."""
    compiler, base = compiled_base(data)
    rows = []
    for run, values in runs[:FIRST_TRIES]:
        rows.append(run_one(data, spec, run, values, compiler, base))
        if rows[-1]["error"] is None:
            return rows
    raise InputError(f"the engine fails on the first {len(rows)} design points, e.g. "
                     f"{rows[0]['error']}")


def _manifest(scenario: Scenario, data: dict, spec: Spec, points: list, first: list,
              command) -> dict:
    """What the folder holds; `compared` names what --resume insists is the same."""
    from importlib.metadata import version

    columns = {k: v for k, v in next(r for r in first if r["error"] is None).items()}
    inputs = {f"in.{k}": [p[k] for p in points] for k in points[0]}
    schema = [[name, _input_kind(inputs[name]) if name in inputs
               else _kind(name, value, scenario)] for name, value in columns.items()]
    return {
        "format": 1, "scenario": data, "scenario_hash": scenario_hash(data),
        "spec": spec.to_dict(), "seed": spec.seed, "points": len(points),
        "schema": schema,
        "versions": {p: version(p) for p in ("sim", "numpy", "scipy", "mesa", "pyarrow",
                                             "SALib")},
        "command": command if command is not None else sys.argv,
        "started": _now(), "ended": None,
        "compared": ["scenario_hash", "spec", "points", "schema", "format", "versions"],
    }


def _input_kind(values: list) -> str:
    """A varied input's column: booleans, numbers, or (if anything else, or mixed) words."""
    if all(isinstance(v, bool) for v in values):
        return "bool"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "float"
    return "str"


def _kind(name: str, value: Any, scenario: Scenario) -> str:
    """A column's type: from its value, or for a missing one from what it names (a
    solution's term takes its issue's type; anything else is a number)."""
    if name == "error":
        return "str"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int) and name in ("run", "point", "replicate", "seed"):
        return "int"
    if isinstance(value, int | float):
        return "float"
    if isinstance(value, str):
        return "str"
    issue = name.rsplit(".", 1)[-1]
    if issue in scenario.issues and name.count(".") == 1:
        kind = scenario.issues[issue].kind
        return {"numeric": "float", "boolean": "bool"}.get(kind, "str")
    return "float"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
