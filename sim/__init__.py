"""sim: a negotiation scenario simulator.

The public API is what the CLI calls and what a notebook user calls:

    scenario = sim.load("scenarios/berlin-2025-12.yaml")
    result = sim.solve(scenario)            # or sim.solve(sim.compile_problem(scenario))
    result.solutions["nash"].terms
    sim.evaluate(scenario, scenario.packages["twenty-point"].terms).acceptable

Names are imported on first use so that `sim --help` starts fast.
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "InputError": "sim.errors",
    "Scenario": "sim.scenario.model",
    "load": "sim.scenario.load",
    "from_dict": "sim.scenario.load",
    "json_schema": "sim.scenario.model",
    "Problem": "sim.problem",
    "compile_problem": "sim.problem",
    "Evaluation": "sim.evaluation",
    "evaluate": "sim.evaluation",
}
_SUBPACKAGES = {"solve"}  # callable packages: sim.solve(...) runs the static analysis
__all__ = sorted([*_EXPORTS, "solve"])


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        return import_module(f"sim.{name}")
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
