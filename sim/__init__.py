"""sim: a negotiation scenario simulator.

The public API is what the CLI calls and what a notebook user calls:

    scenario = sim.load("scenarios/berlin-2025-12.yaml")
    problem = sim.compile_problem(scenario)
    sim.evaluate(problem, scenario.packages["twenty-point"].terms)

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
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
