"""Experiments: either engine run over many draws or design points of a scenario's uncertain
assumptions. Today: robustness over the scenario's `uncertainty:` (sim solve --samples)."""
