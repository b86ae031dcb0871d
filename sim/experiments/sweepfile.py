"""A sweep file: a sweep's design in YAML, read by `sim sweep SCENARIO --spec FILE` and
validated as a scenario is (every problem as file:line: path: what is wrong and what would be
valid). Its JSON Schema is `sim schema --sweep` (committed as scenarios/sweep.schema.json) and
docs/reference.md describes it.

    # yaml-language-server: $schema=../../scenarios/sweep.schema.json
    design: saltelli
    samples: 64
    vary:
      parties.russia.reservation: "0.30:0.60"           # a SPEC, as after --vary
      ratification.ukraine_referendum.turnout: {uniform: [0.45, 0.65]}  # as in uncertainty:

A grid's entry is a list (`parties.russia.power: [1, 2]`) or `lo:hi:n`, with `design: grid`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Discriminator, Field, StringConstraints, Tag

from sim.errors import InputError, Problem
from sim.experiments import design
from sim.experiments.sweep import Spec  # its defaults are the file's
from sim.scenario import paths
from sim.scenario.load import load_as
from sim.scenario.model import Distribution, Strict

DottedPath = Annotated[str, StringConstraints(
    pattern=r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$", max_length=300)]
Value = str | bool | int | float


def _entry_kind(value: Any) -> str:
    """Which form a `vary:` entry takes, from its YAML shape (so that a mistake in one is
    reported for that form alone)."""
    if isinstance(value, dict | Distribution):
        return "distribution"
    return "values" if isinstance(value, list) else "spec"


def _spec_text(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError(f"a SPEC is text, such as \"0.3:0.6\" or \"normal(0.4, 0.05)\"; for "
                         f"one value write a list, [{value!r}]")
    return value


Entry = Annotated[
    Annotated[Distribution, Tag("distribution")] | Annotated[list[Value], Tag("values")]
    | Annotated[str, BeforeValidator(_spec_text), Tag("spec")], Discriminator(_entry_kind)]


class SweepFile(Strict):
    """A sweep's design: what varies and how, the design and its size, the engine. A
    `vary:` entry is a SPEC as written after `--vary` (`lo:hi:n`, `a,b,c`, `lo:hi`,
    `normal(0.4, 0.05)`...), a list of values (a grid's), or a distribution as in
    `uncertainty:`. Without `vary:`, the scenario's own `uncertainty:` is the design."""

    vary: dict[DottedPath, Entry] = Field(
        default_factory=dict, description="Dotted path -> what it takes (see above).")
    design: Literal["grid", "lhs", "sobol", "saltelli", "morris", "mc"] | None = Field(
        None, description="Default: grid when every entry is a list or lo:hi:n, else mc.")
    samples: int | None = Field(None, ge=1, strict=True,
                                description="Points of a sampled design.")
    replicates: int = Field(Spec.replicates, ge=1, strict=True,
                            description="Runs per design point.")
    engine: Literal["solve", "simulate"] = Field(Spec.engine, description="The engine each "
                                                  "run calls.")
    runs: int = Field(Spec.runs, ge=1, strict=True,
                      description="simulate: runs per design point.")
    steps: int = Field(Spec.steps, ge=1, strict=True, description="simulate: steps per run.")
    seed: int = Field(Spec.seed, ge=0, lt=2**32, strict=True, description="Root seed.")
    note: str = Field("", description="What the sweep asks, in words.")


def read(path: str | Path, data: dict | None = None
         ) -> tuple[SweepFile, tuple[design.Uncertainty, ...]]:
    """The file, validated, and its `vary:` entries as Uncertainties (InputError, located,
    for a SPEC that does not parse, or, given the scenario's `data`, a path it cannot
    vary)."""
    spec, src = load_as(path, SweepFile, "sweep file")
    out, problems = [], []
    for name, value in spec.vary.items():
        why = paths.cannot_vary(data, name) if data is not None else None
        if why:
            problems.append(Problem(src.where(("vary", name)), why))
            continue
        try:
            out.append(_uncertainty(name, value))
        except design.SpecError as e:
            problems.append(Problem(src.where(("vary", name)), str(e)))
    if problems:
        raise InputError(problems)
    return spec, tuple(out)


def _uncertainty(path: str, value: Any) -> design.Uncertainty:
    if isinstance(value, Distribution):
        return design.from_scenario(path, value)
    if isinstance(value, list):
        if not value:
            raise design.SpecError(f"{path}: an empty list; give at least one value")
        return design.Uncertainty(path, "values", tuple(value))
    return design.spec_of(path, str(value).strip())


def json_schema() -> dict:
    """The JSON Schema of a sweep file (draft 2020-12)."""
    schema = SweepFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
