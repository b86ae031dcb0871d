"""What `sim solve` returns: plain dataclasses with to_dict() (the JSON contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class Deal:
    terms: dict[str, Any]
    utility: dict[str, float]  # expected utility, the scale of the reservations
    p_ratified: float = 1.0
    refined: bool = False  # numeric terms moved off the grid by the continuous refinement

    def to_dict(self) -> dict:
        out = {"terms": self.terms, "utility": self.utility, "p_ratified": self.p_ratified}
        if self.refined:
            out["refined"] = True
        return out


@dataclass(frozen=True)
class PackageStanding:
    name: str
    deal: Deal
    acceptable: bool
    reasons: list[str]
    pareto_optimal: bool  # acceptable and on the frontier
    gap: float | None  # the most every party could gain at once on the frontier (> 0: dominated)
    better: Deal | None  # the frontier deal achieving that gap

    def to_dict(self) -> dict:
        return {"acceptable": self.acceptable, "reasons": self.reasons,
                "pareto_optimal": self.pareto_optimal, "gap": self.gap,
                "better": self.better.to_dict() if self.better else None,
                **self.deal.to_dict()}


@dataclass(frozen=True)
class SolveResult:
    scenario: str
    parties: list[str]
    method: str
    total: int
    feasible: int
    acceptable: int
    reservation: dict[str, float]
    ideal: dict[str, float | None]
    veto: dict[str, bool]
    frontier: Any = field(repr=False)  # solve.frontier.Frontier: the arrays behind `pareto`
    problem: Any = field(repr=False)
    solutions: dict[str, Deal | None] = field(default_factory=dict)
    packages: dict[str, PackageStanding] = field(default_factory=dict)
    noncooperative: dict | None = None
    robustness: dict | None = None
    gap: dict | None = None

    @cached_property
    def pareto(self) -> list[Deal]:
        """The frontier as deals with terms (built on first use: it can be large)."""
        f, names = self.frontier, self.problem.parties
        return [Deal(self.problem.terms(i), dict(zip(names, map(float, e), strict=True)),
                     float(p)) for i, e, p in zip(f.idx, f.expected, f.p_ratified, strict=True)]

    def to_dict(self) -> dict:
        return {
            "scenario": self.scenario,
            "parties": self.parties,
            "method": self.method,
            "deals": {"total": self.total, "feasible": self.feasible,
                      "acceptable": self.acceptable},
            "reference": {p: {"reservation": self.reservation[p], "ideal": self.ideal[p],
                              "veto": self.veto[p]} for p in self.parties},
            "pareto": [d.to_dict() for d in self.pareto],
            "solutions": {k: (v.to_dict() if v else None) for k, v in self.solutions.items()},
            "packages": {k: v.to_dict() for k, v in self.packages.items()},
            "noncooperative": self.noncooperative,
            "robustness": self.robustness,
            "gap": self.gap,
        }
