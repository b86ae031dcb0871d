"""The scenario language: format (model), safe YAML (yamlio), loading (load), checks (check)."""

from sim.scenario.load import from_dict, load
from sim.scenario.model import Scenario, json_schema

__all__ = ["Scenario", "from_dict", "json_schema", "load"]
