"""sim: a negotiation scenario simulator.

The verbs live in `sim.api` and are re-exported here; what the CLI calls, a notebook calls:

    scenario = sim.load("scenarios/berlin-2025-12.yaml")
    result = sim.solve(scenario)
    result.solutions["nash"].terms
    sim.evaluate(scenario, package="twenty-point").acceptable

Names are imported on first use so that `sim --help` starts fast.
"""

from importlib import import_module

__version__ = "0.1.0"

_VERBS = ("load", "validate", "evaluate", "solve", "simulate", "sweep", "drivers", "compare",
          "report", "acceptability_map", "compile_problem", "from_dict", "warnings")
_EXPORTS = {
    **dict.fromkeys(_VERBS, "sim.api"),
    "InputError": "sim.errors",
    "Scenario": "sim.scenario.model",
    "json_schema": "sim.scenario.model",
    "Problem": "sim.problem",
    "Evaluation": "sim.evaluation",
    "SolveResult": "sim.solver.result",
    "Deal": "sim.results",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
