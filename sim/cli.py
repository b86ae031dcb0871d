"""The command line: parse, call the API, render. No model logic lives here.

Exit codes: 0 ok, 1 a model-level "no" (a deal not acceptable, no acceptable deal),
2 bad input. Results go to stdout; diagnostics to stderr. Heavy modules load inside commands
so that `sim --help` starts fast.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]


class Method(StrEnum):  # the choices of sim.api.METHODS, checked by Typer while parsing
    auto = "auto"
    enumerate = "enumerate"
    issue = "issue"

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.",
                                        metavar="")]  # a flag: show no <bool>


def _version(value: bool) -> None:
    if value:
        from sim import __version__

        typer.echo(f"sim {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print sim's version and exit.",
                                          metavar="", is_eager=True, callback=_version)] = False,
) -> None:
    """Negotiation scenario simulator: which deals every party could accept, where bargaining
    theory puts the deal, whether it would survive ratification, and how talks unfold over
    time."""


def _fail(err: Exception) -> NoReturn:
    lines = str(err).splitlines() or [repr(err)]
    for line in lines[:20]:
        typer.echo(f"error: {line}", err=True)
    if len(lines) > 20:
        typer.echo(f"error: ... and {len(lines) - 20} more", err=True)
    raise typer.Exit(2)


def _problem(path: Path):
    """Load and compile a scenario file, or exit 2 with the located complaints."""
    from sim import api
    from sim.errors import InputError

    try:
        problem = api.validate(path)
    except InputError as e:
        _fail(e)
    _warn(path, problem)
    return problem


def _warn(path: Path, problem) -> None:
    from sim import api

    for line in api.warnings(problem):
        typer.echo(f"warning: {path}: {line}", err=True)


def _scenario(path: Path):
    """Load a scenario file (not compiled), or exit 2 with the located complaints."""
    from sim import api
    from sim.errors import InputError

    try:
        scenario = api.load(path)
        _warn(path, api.compile_problem(scenario))
        return scenario
    except InputError as e:
        _fail(e.in_file(str(path)))


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, allow_nan=False))


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files.", show_default=False)],
) -> None:
    """Check scenario files: format, meaning, a deal the rules allow. Exit 2 if any is invalid."""
    from sim import api
    from sim.errors import InputError

    bad = 0
    for f in files:
        try:
            problem = api.validate(f)
            _warn(f, problem)
            typer.echo(f"ok: {f}", err=True)
        except InputError as e:
            bad += 1
            for line in str(e).splitlines():
                typer.echo(f"error: {line}", err=True)
    if bad:
        typer.echo(f"{bad} of {len(files)} file(s) invalid", err=True)
        raise typer.Exit(2)


@app.command()
def evaluate(
    scenario: ScenarioArg,
    package: Annotated[str | None, typer.Option(help="A package named in the scenario.")] = None,
    deal: Annotated[
        str | None,
        typer.Option(help="issue=level,... (all issues, or the ones that differ from "
                     "--package)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score one deal: each party's utility and reservation, red lines, ratification.

    Exit 1 when the deal is not acceptable."""
    from sim import api
    from sim.errors import InputError
    from sim.report import text

    problem = _problem(scenario)
    try:
        result = api.evaluate(problem, _deal(deal) if deal is not None else None,
                              package=package)
    except InputError as e:
        _fail(e)
    if as_json:
        _print_json(result.to_dict())
    else:
        typer.echo(text.evaluation(result))
    if not result.acceptable:
        raise typer.Exit(1)


def _deal(text: str) -> dict[str, str]:
    """Parse issue=level,issue=level."""
    from sim.errors import InputError, excerpt

    terms: dict[str, str] = {}
    for part in filter(None, text.split(",")):
        issue, sep, value = part.partition("=")
        if not sep or not issue.strip() or not value.strip():
            raise InputError(f"--deal: '{excerpt(part)}' is not issue=level")
        if issue.strip() in terms:
            raise InputError(f"--deal: '{excerpt(issue.strip())}' is given twice; give each "
                             "issue once")
        terms[issue.strip()] = value.strip()
    return terms


@app.command()
def solve(
    scenario: ScenarioArg,
    method: Annotated[Method, typer.Option(help="Frontier method: auto, enumerate or issue "
                                           "(issue by issue, for large additive spaces).")
                      ] = Method.auto,
    samples: Annotated[int, typer.Option(
        min=0, help="Draw the scenario's uncertainty N times: P(acceptable) per deal and how "
        "often it is each solution.")] = 0,
    seed: Annotated[int, typer.Option(min=0, help="Root seed for --samples and for an "
                                      "estimated count.")] = 0,
    plot: Annotated[Path | None, typer.Option(
        help="Write frontier.png and acceptability.png to this folder.")] = None,
    map_issues: Annotated[str | None, typer.Option(
        "--map", help="Two issues for the acceptability map, ISSUE,ISSUE (default: the "
        "first two).")] = None,
    time_budget: Annotated[float, typer.Option(
        help="Seconds the counts may take; past them the count of acceptable deals is "
        "estimated (marked so, with its 95% interval).")] = 10.0,
    refine: Annotated[bool, typer.Option(
        "--refine/--no-refine", metavar="",
        help="Refine the solutions between grid points on numeric issues only utility "
        "reads.")] = True,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes for the --samples "
                                         "draws (the same answer on any number).")] = 1,
    as_json: JsonOpt = False,
) -> None:
    """Analyse a scenario: acceptable deals, frontier, bargaining solutions, packages.

    Exit 1 when no deal is acceptable."""
    from sim import api
    from sim.errors import InputError
    from sim.report import text

    if map_issues is not None and plot is None:
        _fail(ValueError("--map chooses the issues of the acceptability plot: give --plot DIR "
                         "too"))
    try:
        # Robustness redraws the scenario, so it takes the Scenario, not the compiled problem.
        target = _scenario(scenario) if samples else _problem(scenario)
        what = "solving the draws" if samples else f"solving (time budget {time_budget:g} s)"
        with _progress(what, unit="draws" if samples else None) as progress:
            result = api.solve(target, method=method.value, refine=refine, samples=samples,
                               seed=seed, time_budget=time_budget, progress=progress,
                               workers=workers)
        if plot is not None:
            _plots(result, api.acceptability_map(target, *_pair(map_issues)), plot)
    except InputError as e:
        _fail(e.in_file(str(scenario)) if samples else e)
    if as_json:
        _print_json(result.to_dict())
    else:
        typer.echo(text.solve_result(result))
    if not result.pareto:
        raise typer.Exit(1)


@contextmanager
def _progress(what: str, quiet: bool = False, unit: str | None = None):
    """A progress bar on stderr when it is a terminal (so stdout stays machine-readable and
    logs stay clean), unless `quiet`; the callback takes (done, total). With `unit`, it also
    shows done/total and the rate in that unit per second."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:.1f} {unit}/s" if task.speed else f"- {unit}/s")

    extra = [MofNCompleteColumn(), Rate()] if unit else []
    with Progress(*Progress.get_default_columns()[:-1], *extra, TimeElapsedColumn(),
                  TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _pair(map_issues: str | None) -> tuple[str | None, str | None]:
    """Parse ISSUE,ISSUE (None, None: the default pair)."""
    from sim.errors import InputError

    if map_issues is None:
        return None, None
    pair = [p.strip() for p in map_issues.split(",")]
    if len(pair) != 2:
        raise InputError("--map takes two issues, ISSUE,ISSUE")
    return pair[0], pair[1]


def _folder(folder: Path) -> None:
    from sim.errors import InputError

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"--plot: cannot write to {folder}: {e.strerror}") from None


def _plots(result, share, folder: Path) -> None:
    from sim.report import plots

    _folder(folder)
    for written in (plots.frontier(result, folder / "frontier.png"),
                    plots.acceptability(share, folder / "acceptability.png")):
        typer.echo(f"wrote {written}", err=True)


@app.command()
def simulate(
    scenario: ScenarioArg,
    runs: Annotated[int, typer.Option(min=1, help="Seeded runs of the talks.")] = 200,
    steps: Annotated[int, typer.Option(min=1, help="Steps per run at most (the `dynamics:` "
                                       "step: a week by default).")] = 52,
    seed: Annotated[int, typer.Option(min=0, help="Root seed: run r draws from (seed, r).")
                    ] = 0,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    out: Annotated[Path | None, typer.Option(
        help="Write Parquet parts (a row per run in runs/, per run and step in steps/) to "
        "this folder as runs finish.")] = None,
    plot: Annotated[Path | None, typer.Option(
        help="Write agreement.png and fan charts (outlook.png, yes_share.png) here.")] = None,
    time_budget: Annotated[float, typer.Option(
        help="Seconds the runs may take; past them no new batch starts and the output says "
        "how many ran.")] = 600.0,
    as_json: JsonOpt = False,
) -> None:
    """Run the agent-based model: the talks over time, in many seeded runs.

    How often the runs agree and ratify, by each step; how they end and why; the deals
    reached; the time to agreement. The scenario's `dynamics:` section sets the strategies,
    the mediator, the information, the war, the mood and the events (defaults throughout)."""
    from sim import api
    from sim.errors import InputError
    from sim.report import text

    problem = _problem(scenario)
    try:
        with _progress(f"simulating {runs} runs") as progress:
            result = api.simulate(problem, runs=runs, steps=steps, seed=seed, workers=workers,
                                  time_budget=time_budget, out=out, progress=progress)
        if plot is not None:
            from sim.report import plots

            _folder(plot)
            for written in plots.simulation(result, plot):
                typer.echo(f"wrote {written}", err=True)
    except InputError as e:
        _fail(e)
    if out is not None:
        typer.echo(f"wrote {out}/runs and {out}/steps", err=True)
    if as_json:
        _print_json(result.to_dict())
    else:
        typer.echo(text.simulation(result))


@app.command()
def sweep(
    scenario: ScenarioArg,
    spec: Annotated[Path | None, typer.Option(
        help="A sweep file holding the design (vary, design, samples, replicates, engine, "
        "runs, steps, seed): see the reference.")] = None,
    vary: Annotated[list[str] | None, typer.Option(
        help="PATH=SPEC, repeatable: lo:hi:n or a,b,c for a grid; lo:hi or normal(m, sd), "
        "triangular(lo, mode, hi), uniform(lo, hi), beta(a, b), choice(a, b) for sampled "
        "designs. Without it: the scenario's uncertainty: section.")] = None,
    design: Annotated[str | None, typer.Option(
        help="grid, lhs, sobol, saltelli, morris or mc (default: grid for --vary lists and "
        "lo:hi:n, else mc).")
    ] = None,
    samples: Annotated[int | None, typer.Option(min=1, help="Points of a sampled design.")
                       ] = None,
    replicates: Annotated[int | None, typer.Option(
        min=1, help="Runs per design point. Default: 1.", show_default=False)] = None,
    engine: Annotated[str | None, typer.Option(
        help="solve or simulate. Default: solve.", show_default=False)] = None,
    runs: Annotated[int | None, typer.Option(
        min=1, help="simulate: runs per design point. Default: 20.", show_default=False)
    ] = None,
    steps: Annotated[int | None, typer.Option(
        min=1, help="simulate: steps per run. Default: 52.", show_default=False)] = None,
    seed: Annotated[int | None, typer.Option(
        min=0, help="Root seed. Default: 0.", show_default=False)] = None,
    out: Annotated[Path, typer.Option(help="The sweep's folder (manifest.json and Parquet "
                                      "parts).")] = Path("results/sweep"),
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    scheduler: Annotated[str | None, typer.Option(
        help="Run on Dask: tcp://HOST:PORT, or local (a LocalCluster of --workers).")
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", metavar="", help="Run only what the "
                                         "folder is missing.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", metavar="", help="No progress bar.")
                     ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Run either engine over many design points of the scenario's uncertain inputs."""
    from sim import api
    from sim.errors import InputError

    target = _scenario(scenario)
    try:
        with _progress("sweeping", quiet, "runs") as progress:
            result = api.sweep(target, spec=spec, vary=vary, design=design, samples=samples,
                               replicates=replicates, engine=engine, runs=runs, steps=steps,
                               seed=seed, out=out, workers=workers, scheduler=scheduler,
                               resume=resume, progress=progress, command=sys.argv)
    except InputError as e:
        _fail(e)
    except KeyboardInterrupt:  # what finished is stored: say so, and how to finish
        from sim.experiments.store import stored

        n = stored(out)
        typer.echo(f"interrupted: {n} run{'s' if n != 1 else ''} stored in {out}; finish "
                   "with the same command and --resume", err=True)
        sys.exit(130)
    if as_json:
        _print_json(result.to_dict())
    else:
        typer.echo(f"{result.points} design points, {result.runs} runs stored in {out} "
                   f"({result.ran} this time, {result.errors} with an error)")


class Engine(StrEnum):
    solve = "solve"
    simulate = "simulate"


@app.command()
def compare(
    files: Annotated[list[Path], typer.Argument(
        help="Two or more scenario files: the first is the baseline.", show_default=False)],
    engine: Annotated[Engine, typer.Option(
        help="solve, or simulate to add the agent-based model's rates.")] = Engine.solve,
    samples: Annotated[int, typer.Option(
        min=0, help="Robustness draws of each file's own uncertainty: (0: none).")] = 0,
    runs: Annotated[int, typer.Option(min=1, help="simulate: runs per scenario.")] = 100,
    steps: Annotated[int, typer.Option(min=1, help="simulate: steps per run.")] = 52,
    seed: Annotated[int, typer.Option(min=0, help="Root seed.")] = 0,
    time_budget: Annotated[float, typer.Option(
        help="Seconds the attribution may take.")] = 120.0,
    as_json: JsonOpt = False,
    as_markdown: Annotated[bool, typer.Option("--markdown", metavar="",
                                              help="Print Markdown instead of tables.")
                           ] = False,
    plot: Annotated[Path | None, typer.Option(help="Write figures to this folder.")] = None,
) -> None:
    """What differs between variants, and which difference explains each change.

    How their outcomes differ by terms, and (for two files) Shapley values of the inputs."""
    from sim import api
    from sim.errors import InputError
    from sim.report import compare as view
    from sim.report import document

    if len(files) < 2:
        _fail(InputError("compare needs at least two scenario files"))
    scenarios = [_scenario(f) for f in files]
    try:
        with _progress("attributing", quiet=as_json, unit="mixes") as progress:
            result = api.compare(*scenarios, labels=[str(f) for f in files],
                                 engine=engine.value, samples=samples, runs=runs,
                                 steps=steps, seed=seed, time_budget=time_budget,
                                 progress=progress)
        if plot is not None:
            from sim.report import plots

            _folder(plot)
            for written in plots.compare(result, plot):
                typer.echo(f"wrote {written}", err=True)
    except InputError as e:
        _fail(e)
    if as_json:
        _print_json(result.to_dict())
    elif as_markdown:
        typer.echo(document.markdown(view.blocks(result)), nl=False)
    else:
        typer.echo(document.text(view.blocks(result)))


@app.command()
def report(
    target: Annotated[Path, typer.Argument(
        help="A scenario file, or a sweep's folder.", show_default=False)],
    out: Annotated[Path, typer.Option(help="Where to write report.md, report.html and the "
                                      "figures.")] = Path("results/report"),
    runs: Annotated[int, typer.Option(
        min=0, help="Runs of the agent-based model to add its outlook (0: none).")] = 0,
    steps: Annotated[int, typer.Option(min=1, help="Steps per run.")] = 52,
    seed: Annotated[int, typer.Option(min=0, help="Root seed.")] = 0,
) -> None:
    """A document to send round: Markdown and one self-contained HTML page."""
    from sim import api
    from sim.errors import InputError

    what = target if target.is_dir() else _scenario(target)
    try:
        written = api.report(what, out=out, runs=runs, steps=steps, seed=seed)
    except InputError as e:
        _fail(e)
    for path in written:
        typer.echo(f"wrote {path}", err=True)


@app.command()
def results(
    folder: Annotated[Path, typer.Argument(help="A sweep's folder (its --out).",
                                           show_default=False)],
    outcome: Annotated[str | None, typer.Option(
        help="What scenario discovery explains (default: zopa, or agreed for simulate).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """What drives a sweep's outcome: shares, indices and PRIM boxes.

    Shares with 95% intervals, rank correlations, Sobol or Morris indices, and PRIM boxes;
    writes summary.md and figures into the folder."""
    from sim import api
    from sim.errors import InputError
    from sim.report import drivers

    try:
        analysis, written = api.drivers(folder, outcome=outcome, write=True)
    except InputError as e:
        _fail(e)
    if as_json:
        _print_json(analysis.to_dict())
    else:
        typer.echo(drivers.screen(analysis, written))


@app.command()
def schema(
    of_sweep: Annotated[bool, typer.Option("--sweep", help="The sweep file's schema instead "
                                           "(sim sweep --spec).")] = False,
) -> None:
    """Print the JSON Schema of the scenario format (or of a sweep file)."""
    if of_sweep:
        from sim.experiments.sweepfile import json_schema
    else:
        from sim.scenario.model import json_schema

    _print_json(json_schema())


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # a bug, not bad input: short by default, full on request
        if os.environ.get("SIM_DEBUG"):
            raise
        typer.echo(f"internal error: {type(e).__name__}: {e} (a bug in sim; run with "
                   "SIM_DEBUG=1 for the traceback)", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
