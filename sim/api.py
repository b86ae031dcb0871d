"""The verbs: what the command line and a notebook call. Each is a plain function.

    scenario = sim.load("scenarios/berlin-2025-12.yaml")
    result = sim.solve(scenario)                      # or sim.solve(scenario, samples=200)
    sim.evaluate(scenario, package="twenty-point", deal={"foreign_forces": "eu_force"})
    sim.acceptability_map(scenario, "donbas", "guarantee")

Every verb that analyses takes a Scenario or its compiled Problem (compile once with
`compile_problem` to run several verbs on one scenario). Errors a user can cause raise
`sim.InputError`; a model-level "no" is a result, never an exception.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import seeds
from sim.compile import compile_problem
from sim.errors import InputError
from sim.problem import Problem
from sim.scenario.load import from_dict
from sim.scenario.load import load as _load_scenario
from sim.scenario.model import Scenario

if TYPE_CHECKING:  # the engines load when a verb needs them
    from sim.abm.result import SimulationResult
    from sim.evaluation import Evaluation
    from sim.solver.maps import AcceptabilityMap
    from sim.solver.result import SolveResult

__all__ = ["acceptability_map", "compare", "compile_problem", "drivers", "evaluate",
           "from_dict", "load", "report", "simulate", "solve", "sweep", "validate",
           "warnings"]

METHODS = ("auto", "enumerate", "issue")


def load(path: str | Path) -> Scenario:
    """Read, validate and check a scenario file (its `extends:` resolved)."""
    return _load_scenario(path)


def validate(path: str | Path) -> Problem:
    """Everything `sim validate` checks: the format, the meaning, and that some deal is
    feasible. Returns the compiled problem."""
    scenario = load(path)
    try:
        return compile_problem(scenario)
    except InputError as e:
        raise e.in_file(str(path)) from None


def warnings(scenario: Scenario | Problem) -> list[str]:
    """What is valid but probably not meant ("dotted.path: what"), e.g. a reservation no deal
    can reach. `sim validate` and the other commands print these on stderr."""
    from sim.compile import warnings_for
    from sim.solver.frontier import size_warning

    problem = _problem(scenario)
    found = [f"{'.'.join(path)}: {message}" if path else message
             for path, message in warnings_for(problem)]
    size = size_warning(problem)
    return found + ([size] if size else [])


def evaluate(scenario: Scenario | Problem, deal: dict[str, Any] | None = None, *,
             package: str | None = None) -> Evaluation:
    """Score one deal: `deal` gives {issue: level} for every issue, or with `package` the
    terms that differ from that package's."""
    from sim.evaluation import evaluate as score

    problem = _problem(scenario)
    if package is None and deal is None:
        raise InputError("give --package NAME or --deal issue=level,...")
    terms: dict[str, Any] = {}
    if package is not None:
        if package not in problem.packages:
            known = ", ".join(problem.packages) or "(none)"
            raise InputError(f"--package: unknown package '{package}'; valid: {known}")
        terms.update(problem.terms(problem.packages[package]))
    terms.update(deal or {})
    changed = ",".join(f"{k}={v}" for k, v in (deal or {}).items())
    label = f"{package}, changed: {changed}" if package and deal else package
    return score(problem, terms, package=label)


TIME_BUDGET = 10.0  # seconds: what keeps a command interactive


def solve(scenario: Scenario | Problem, *, method: str = "auto", refine: bool = True,
          samples: int = 0, seed: int = 0, time_budget: float | None = TIME_BUDGET,
          progress=None, workers: int = 1) -> SolveResult:
    """The static analysis; with `samples`, robustness over the scenario's `uncertainty:`
    (N seeded draws, on `workers` local processes: the same answer on any number), which
    needs the Scenario rather than a compiled Problem. Past `time_budget` seconds (None: no
    limit), the count of acceptable deals is estimated from a sample drawn with `seed`, and
    marked so. `progress(done, total)`, if given, follows the robustness draws."""
    from dataclasses import replace

    from sim.compile import Compiler
    from sim.experiments.robustness import robustness
    from sim.results import Provenance
    from sim.solver import solve as run
    from sim.space import OutOfTime

    if method not in METHODS:
        raise InputError(f"--method: unknown method '{method}'; valid: {', '.join(METHODS)}")
    _seed_fits(seed)
    if samples < 0 or seed < 0:
        raise InputError("--samples and --seed take non-negative integers")
    _integers(("--workers", workers, 1))
    if samples and not isinstance(scenario, Scenario):
        raise InputError("robustness draws the scenario's uncertainty: pass the Scenario, not "
                         "its compiled Problem")
    if time_budget is not None and not time_budget > 0:
        raise InputError("--time-budget takes a positive number of seconds")
    compiler = Compiler()
    problem = scenario if isinstance(scenario, Problem) else compiler.compile(scenario)
    result = run(problem, method=method, refine=refine, budget=time_budget,
                 rng=seeds.generator(seed, 1, 0))  # stream 1: robustness draws use 0
    if not (result.acceptable_exact and result.feasible_exact):  # the seed drew the estimate
        result = replace(result, provenance=Provenance(problem.scenario_hash, seed=seed))
    if not samples:
        return result
    try:
        drawn = robustness(scenario, samples, seed, method, compiler, base=problem,
                           progress=progress, budget=time_budget, workers=workers)
    except OutOfTime:
        raise InputError(f"a draw of the uncertainty could not be solved within the "
                         f"{time_budget:g} s time budget (each draw has its own); give a "
                         "larger --time-budget") from None
    return replace(result, robustness=drawn,
                   provenance=Provenance(result.provenance.scenario_hash, seed=seed))


def acceptability_map(scenario: Scenario | Problem, first: str | None = None,
                      second: str | None = None) -> AcceptabilityMap:
    """The share of deals acceptable at each pair of two issues' levels (default: the first
    two issues)."""
    from sim.solver.maps import acceptability_map as build

    return build(_problem(scenario), first, second)


SIMULATE_BUDGET = 600.0  # seconds: past them no new batch of runs starts


def simulate(scenario: Scenario | Problem, *, runs: int = 100, steps: int = 52, seed: int = 0,
             workers: int = 1, time_budget: float | None = SIMULATE_BUDGET,
             out: str | Path | None = None, progress=None) -> SimulationResult:
    """The agent-based model of the talks over time: `runs` seeded runs of at most `steps`
    steps under the scenario's `dynamics:` (its defaults where the section is silent).
    Run r draws from seeds.generator(seed, 0, r): the same output on any number of
    `workers`. Past `time_budget` seconds no new batch starts and the result says how many
    runs were done. With `out`, every run's row and every step's row go to Parquet parts
    under that folder as batches finish. With workers > 1, a script must call this under
    `if __name__ == "__main__":`: the worker processes import the script that started them."""
    from sim.abm.run import simulate as run

    _integers(("--runs", runs, 1), ("--steps", steps, 1), ("--workers", workers, 1),
              ("--seed", seed, 0))
    _seed_fits(seed)
    if time_budget is not None and not time_budget > 0:
        raise InputError("--time-budget takes a positive number of seconds")
    folder = None if out is None else Path(out)
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise InputError(f"--out: cannot write to {folder}: {e.strerror}") from None
    return run(_problem(scenario), runs_=runs, steps=steps, seed=seed, workers=workers,
               budget=time_budget, out=folder, progress=progress)


def sweep(scenario: Scenario, *, spec: str | Path | None = None, vary: list[str] | None = None,
          design: str | None = None, samples: int | None = None,
          replicates: int | None = None, engine: str | None = None, runs: int | None = None,
          steps: int | None = None, seed: int | None = None, out: str | Path,
          workers: int = 1, scheduler: str | None = None, resume: bool = False,
          progress=None, command: list[str] | None = None):
    """Either engine over the design points of the scenario's uncertain inputs: `vary` as
    PATH=SPEC strings (see sim.experiments.design), or without it the scenario's
    `uncertainty:` (a Monte Carlo design unless `design` says otherwise); or all of that from
    a sweep file `spec` (sim.experiments.sweepfile), then given nowhere else. Defaults: one
    replicate, the solver, 20 runs of 52 steps per point for simulate, seed 0. Every run's
    metrics go to Parquet parts under `out` as they finish; `resume` runs only what is
    missing. On `workers` local processes, or a Dask `scheduler`: "local" or
    "tcp://HOST:PORT"."""
    from sim.experiments import design as designs
    from sim.experiments import sweepfile
    from sim.experiments.sweep import Spec
    from sim.experiments.sweep import sweep as run

    options = {"vary": vary, "design": design, "samples": samples, "replicates": replicates,
               "engine": engine, "runs": runs, "steps": steps, "seed": seed}
    if spec is not None:
        given = [f"--{k}" for k, v in options.items() if v is not None]
        if given:
            raise InputError(f"--spec holds the design; {', '.join(given)} also given: write "
                             "them in the sweep file instead")
        file, uncertainties = sweepfile.read(
            spec, scenario.model_dump(mode="json", exclude={"extends"}))
        options = file.model_dump(exclude={"vary", "note"})
    else:
        options = {**sweepfile.SweepFile().model_dump(exclude={"vary", "note"}),
                   **{k: v for k, v in options.items() if v is not None and k != "vary"}}
        try:
            uncertainties = tuple(designs.parse(v) for v in vary or ())
        except designs.SpecError as e:
            raise InputError(str(e)) from None
    explicit = bool(uncertainties)
    if not explicit:
        try:
            uncertainties = designs.of_scenario(scenario)
        except designs.SpecError as e:
            raise InputError(str(e)) from None
    chosen = options["design"] or (
        "grid" if explicit and all(u.kind == "values" for u in uncertainties) else "mc")
    _integers(("--replicates", options["replicates"], 1), ("--workers", workers, 1),
              ("--runs", options["runs"], 1), ("--steps", options["steps"], 1),
              ("--seed", options["seed"], 0))
    _seed_fits(options["seed"])
    plan = Spec(uncertainties, chosen, options["samples"], options["replicates"],
                options["engine"], options["runs"], options["steps"], options["seed"])
    return run(scenario, plan, Path(out), workers=workers, scheduler=scheduler, resume=resume,
               progress=progress, command=command)


def drivers(folder: str | Path, *, outcome: str | None = None, write: bool = False):
    """What drives a sweep's outcome (sim.experiments.drivers.Analysis; `.table()` is a
    pandas DataFrame). With `write`, also summary.md and the figures into the folder, and
    the paths written are returned with it: (analysis, paths)."""
    from sim.experiments.drivers import analyse

    analysis = analyse(Path(folder), outcome=outcome)
    if not write:
        return analysis
    from sim.report import drivers as words
    from sim.report import plots

    folder = Path(folder)
    figures = plots.sweep(analysis, folder) if len(analysis.frame) else []
    summary = folder / "summary.md"
    summary.write_text(words.markdown(analysis, figures, folder))
    return analysis, [summary, *figures]


def report(target: Scenario | str | Path, *, out: str | Path, runs: int = 0, steps: int = 52,
           seed: int = 0) -> list[Path]:
    """A document to send round, written into `out`: report.md, report.html (one
    self-contained page, the figures embedded) and the figures. `target` is a scenario (or
    its file): the scenario in words, the packages, the frontier and acceptability figures
    and the solutions, with `runs` > 0 the agent-based outlook too; or a sweep's folder: what
    drives its outcome. Returns the paths written."""
    from sim.report import document, page, plots

    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"--out: cannot write to {folder}: {e.strerror}") from None
    _integers(("--runs", runs, 0), ("--steps", steps, 1), ("--seed", seed, 0))
    if isinstance(target, str | Path) and Path(target).is_dir():
        analysis = drivers(target)
        figures = plots.sweep(analysis, folder) if len(analysis.frame) else []
        from sim.report import drivers as summary

        blocks = summary.blocks(analysis, figures, beside_parts=False)
        title = f"What drives the outcome: {analysis.scenario}"
    else:
        scenario = load(target) if isinstance(target, str | Path) else target
        problem = compile_problem(scenario)
        result = solve(problem, seed=seed)
        figures = {"frontier": plots.frontier(result, folder / "frontier.png")}
        if len(problem.issues) >= 2:
            figures["acceptability"] = plots.acceptability(acceptability_map(problem),
                                                           folder / "acceptability.png")
        outlook, outlook_figures = None, []
        if runs:
            outlook = simulate(problem, runs=runs, steps=steps, seed=seed)
            outlook_figures = plots.simulation(outlook, folder)
        blocks = page.scenario(scenario, problem, result, figures, outlook, outlook_figures)
        title = scenario.name
        figures = [*figures.values(), *outlook_figures]
    md, html = folder / "report.md", folder / "report.html"
    md.write_text(document.markdown(blocks, folder))
    html.write_text(document.html(blocks, title))
    return [md, html, *figures]


COMPARE_BUDGET = 120.0  # seconds the attribution may take: 64 mixes of the default, 40 s


def compare(*scenarios: Scenario | str | Path, labels: list[str] | None = None,
            engine: str = "solve", samples: int = 0, runs: int = 100, steps: int = 52,
            seed: int = 0, time_budget: float | None = COMPARE_BUDGET, progress=None):
    """The first scenario (or file) against each of the others: what differs in their
    inputs, how their outcomes differ (by terms), and for two, which differences explain
    each change (Shapley values; see sim.variants). `labels` name them (default: the file
    names, or the scenarios' names). With `samples`, each one's robustness over its own
    `uncertainty:`; with engine "simulate", `runs` runs of `steps` steps of the agent-based
    model, also attributed. The attribution takes at most `time_budget` seconds, or says what
    it could not compute; `progress(done, total)` follows its mixes."""
    from sim.variants import compare as run

    if len(scenarios) < 2:
        raise InputError("compare needs at least two scenarios")
    if labels is None:
        labels = [Path(s).name if isinstance(s, str | Path) else s.name for s in scenarios]
    loaded = [load(s) if isinstance(s, str | Path) else s for s in scenarios]
    _integers(("--samples", samples, 0), ("--runs", runs, 1), ("--steps", steps, 1),
              ("--seed", seed, 0))
    _seed_fits(seed)
    if time_budget is not None and not time_budget > 0:
        raise InputError("--time-budget takes a positive number of seconds")
    return run(loaded, labels, engine=engine, samples=samples, runs=runs, steps=steps,
               seed=seed, budget=time_budget, progress=progress)


def _integers(*checks: tuple[str, Any, int]) -> None:
    """Each (option, value, least): a whole number at least `least`, or InputError."""
    for name, value, least in checks:
        if int(value) != value or value < least:
            raise InputError(f"{name} takes an integer >= {least}, got {value}")


def _seed_fits(seed: int) -> None:
    """A root seed is 32 bits (seeds.sequence: a larger one would collide with another)."""
    if seed >= 2**32:
        raise InputError("--seed takes an integer in [0, 2^32)")


def _problem(scenario: Scenario | Problem) -> Problem:
    return scenario if isinstance(scenario, Problem) else compile_problem(scenario)
