"""What the static engine returns: frozen dataclasses without a Problem inside.

`SolveResult.to_dict()` is the JSON of `sim solve --json` (the design's keys, plus the rest),
`metrics()` one flat row of scalars, `to_frame()` the Pareto frontier as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from sim.results import (
    Change,
    Deal,
    Provenance,
    Reason,
    Scalar,
    flat,
    metric_count,
    named,
    plain,
    reason_dict,
)


@dataclass(frozen=True)
class FrontierDeals:
    """The Pareto frontier as arrays, with the names needed to read them: F deals of K issues
    and P parties. Non-dominated in expected utility among the acceptable deals."""

    issues: tuple[str, ...]
    parties: tuple[str, ...]
    levels: tuple[list, ...]  # per issue, the level each index names
    idx: np.ndarray  # (F, K) level indices, sorted lexicographically
    utility: np.ndarray  # (F, P) U(deal)
    expected: np.ndarray  # (F, P) P U + (1 - P) r, as compared (canonical)
    p_ratified: np.ndarray  # (F,)

    def __len__(self) -> int:
        return len(self.idx)

    def terms(self, i: int) -> dict[str, Any]:
        return {name: plain(self.levels[k][int(j)])
                for k, (name, j) in enumerate(zip(self.issues, self.idx[i], strict=True))}

    def deal(self, i: int) -> Deal:
        return Deal(self.terms(i), named(self.parties, self.utility[i]),
                    named(self.parties, self.expected[i]), float(self.p_ratified[i]))

    def to_frame(self):
        """One row per frontier deal: its terms, then utility.<party>, expected_utility.<party>
        and p_ratified."""
        import pandas as pd

        cols: dict[str, Any] = {}
        for k, name in enumerate(self.issues):
            cols[name] = [plain(self.levels[k][int(j)]) for j in self.idx[:, k]]
        for p, name in enumerate(self.parties):
            cols[f"utility.{name}"] = self.utility[:, p]
        for p, name in enumerate(self.parties):
            cols[f"expected_utility.{name}"] = self.expected[:, p]
        cols["p_ratified"] = self.p_ratified
        return pd.DataFrame(cols)


@dataclass(frozen=True)
class PackageStanding:
    """Where a named package stands against the frontier."""

    name: str
    deal: Deal
    acceptable: bool
    reasons: tuple[Reason, ...]
    pareto_optimal: bool  # acceptable and on the frontier
    gap: float | None  # the most every party could gain at once on the frontier (> 0: dominated)
    better: Deal | None  # the frontier deal achieving that gap
    to_accept: tuple[Change, ...] | None = ()  # see Evaluation.to_accept

    def to_dict(self) -> dict:
        return {"acceptable": self.acceptable, "reasons": [reason_dict(r) for r in self.reasons],
                "to_accept": (None if self.to_accept is None
                              else [reason_dict(c) for c in self.to_accept]),
                "pareto_optimal": self.pareto_optimal, "gap": self.gap,
                "better": self.better.to_dict() if self.better else None,
                **self.deal.to_dict()}


@dataclass(frozen=True)
class Proposal:
    """An equilibrium offer: the terms of its likeliest deal, and the expected utilities it
    gives (a lottery over neighbouring frontier deals when `lottery`)."""

    terms: dict[str, Any]
    expected_utility: dict[str, float]
    lottery: bool

    def to_dict(self) -> dict:
        return {"terms": self.terms, "expected_utility": self.expected_utility,
                "lottery": self.lottery}


@dataclass(frozen=True)
class AlternatingOffers:
    """Rubinstein (1982) between two parties: each one's proposal and the other's counter,
    by who proposes first."""

    first_proposer: dict[str, tuple[Proposal, Proposal]]
    protocol: str = "alternating offers (Rubinstein)"

    def to_dict(self) -> dict:
        return {"protocol": self.protocol,
                "first_proposer": {n: {"proposal": a.to_dict(), "counter": b.to_dict()}
                                   for n, (a, b) in self.first_proposer.items()}}

    def metrics(self) -> dict[str, Scalar]:
        first = next(iter(self.first_proposer.values()))[0]
        return flat("noncooperative.eu", first.expected_utility)


@dataclass(frozen=True)
class RandomProposer:
    """Baron and Ferejohn (1989) with unanimity among the veto parties."""

    recognition: dict[str, float]
    converged: bool
    value: dict[str, float]  # expected utility at the start of a round
    proposals: dict[str, Proposal | None]  # None: no offer every veto party accepts
    proposer_premium: dict[str, float]
    cost_of_delay: dict[str, float]
    residual: float = 0.0  # unsettled: how far the values still moved in the last round
    protocol: str = "random proposer, unanimity among veto parties (Baron-Ferejohn)"

    def to_dict(self) -> dict:
        return {"protocol": self.protocol, "recognition": self.recognition,
                "converged": self.converged, "residual": self.residual, "value": self.value,
                "proposals": {n: p.to_dict() if p else None for n, p in self.proposals.items()},
                "proposer_premium": self.proposer_premium, "cost_of_delay": self.cost_of_delay}

    def metrics(self) -> dict[str, Scalar]:
        return flat("noncooperative.eu", self.value)


@dataclass(frozen=True)
class Blocker:
    """A rule, red line or ratification body, and how many deals it excludes on its own."""

    kind: str  # "rule", "red line" or "ratification"
    name: str
    excludes: int
    exact: bool = True  # False: estimated from a sample (a vote too large to tabulate)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "excludes": self.excludes,
                "exact": self.exact}


@dataclass(frozen=True)
class Opener:
    """Something that alone keeps every deal out: relaxed alone, `opens` deals are acceptable
    (confirmed by solving again), `example` the relaxed problem's Nash deal."""

    kind: str  # "red line", "ratification" or "reservation"
    name: str
    opens: int
    example: dict[str, Any] | None  # given for the first few openers
    drop: float | None = None  # for a reservation: the smallest drop that opens a ZOPA
    exact: bool = True  # False: `opens` estimated, the count ran past the time budget

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "opens": self.opens,
                "opens_exact": self.exact, "example": self.example, "drop": self.drop}


@dataclass(frozen=True)
class Apart:
    """When no deal is acceptable: what alone would open a ZOPA, how far apart the parties
    are, and what blocks most deals."""

    blockers: tuple[Blocker, ...]
    joint_drop: float | None  # the same reservation drop for every veto party that opens a ZOPA
    closest_deal: dict[str, Any] | None
    drop_alone: dict[str, float | None]  # per party, with the others' reservations kept
    note: str = ""  # why the drops were not computed
    openers: tuple[Opener, ...] = ()

    def to_dict(self) -> dict:
        out = {"openers": [o.to_dict() for o in self.openers],
               "blockers": [b.to_dict() for b in self.blockers], "joint_drop": self.joint_drop,
               "closest_deal": self.closest_deal, "drop_alone": self.drop_alone}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class SolveResult:
    """The static analysis of one scenario. Utilities in `solutions`, `pareto` and packages
    are Deals: `utility` the deal's own, `expected_utility` weighted by P(ratified), which
    the frontier and the solutions are computed on."""

    scenario: str
    parties: list[str]
    method: str
    total: int
    feasible: int
    acceptable: int
    reservation: dict[str, float]
    ideal: dict[str, float | None]  # best acceptable expected utility
    veto: dict[str, bool]
    frontier: FrontierDeals = field(repr=False)
    provenance: Provenance
    acceptable_exact: bool = True  # False: `acceptable` estimated, past the time budget
    acceptable_interval: tuple[int, int] | None = None  # its 95% interval, when estimated
    feasible_exact: bool = True  # False: `feasible` estimated, past the time budget
    feasible_interval: tuple[int, int] | None = None
    solutions: dict[str, Deal | None] = field(default_factory=dict)
    packages: dict[str, PackageStanding] = field(default_factory=dict)
    noncooperative: AlternatingOffers | RandomProposer | None = None
    robustness: Any = None  # sim.experiments.robustness.Robustness, when drawn
    gap: Apart | None = None

    @cached_property
    def pareto(self) -> list[Deal]:
        """The frontier as deals with terms (built on first use: it can be large)."""
        return [self.frontier.deal(i) for i in range(len(self.frontier))]

    def to_frame(self):
        return self.frontier.to_frame()

    def to_dict(self) -> dict:
        return {
            "scenario": self.scenario,
            "parties": self.parties,
            "method": self.method,
            "deals": {"total": self.total, "feasible": self.feasible,
                      "feasible_exact": self.feasible_exact,
                      "feasible_interval": (list(self.feasible_interval)
                                            if self.feasible_interval else None),
                      "acceptable": self.acceptable, "acceptable_exact": self.acceptable_exact,
                      "acceptable_interval": (list(self.acceptable_interval)
                                              if self.acceptable_interval else None)},
            "reference": {p: {"reservation": self.reservation[p], "ideal": self.ideal[p],
                              "veto": self.veto[p]} for p in self.parties},
            "pareto": [d.to_dict() for d in self.pareto],
            "solutions": {k: (v.to_dict() if v else None) for k, v in self.solutions.items()},
            "packages": {k: v.to_dict() for k, v in self.packages.items()},
            "noncooperative": self.noncooperative.to_dict() if self.noncooperative else None,
            "robustness": self.robustness.to_dict() if self.robustness else None,
            "gap": self.gap.to_dict() if self.gap else None,
            "provenance": self.provenance.to_dict(),
        }

    def metrics(self) -> dict[str, Scalar]:
        """One flat row: counts, whether a ZOPA exists, each solution's terms (`nash.<issue>`),
        utilities (`nash.u.<party>`), expected utilities (`nash.eu.<party>`) and P(ratified),
        each package's acceptability, P(ratified) and gap."""
        row: dict[str, Scalar] = {
            "total": metric_count(self.total), "feasible": metric_count(self.feasible),
            "feasible_exact": self.feasible_exact,
            "acceptable": metric_count(self.acceptable), "acceptable_exact": self.acceptable_exact,
            "zopa": len(self.frontier) > 0,
            "pareto": len(self.frontier),
        }
        # The same keys for every scenario of a deal space (a sweep's columns): the symmetric
        # Nash deal and the non-cooperative values are None where they were not computed.
        for name in ("nash", "nash_symmetric", "kalai_smorodinsky", "egalitarian",
                     "utilitarian", *(k for k in self.solutions if k not in SOLUTION_NAMES)):
            row.update(_deal_metrics(name, self.solutions.get(name), self.frontier.issues,
                                     self.parties))
        for name, st in self.packages.items():
            row[f"package.{name}.acceptable"] = st.acceptable
            row[f"package.{name}.pareto_optimal"] = st.pareto_optimal
            row[f"package.{name}.p_ratified"] = st.deal.p_ratified
            row[f"package.{name}.gap"] = st.gap
        if self.noncooperative:
            row.update(self.noncooperative.metrics())
        else:
            row.update({f"noncooperative.eu.{p}": None for p in self.parties})
        if self.robustness:
            row.update(self.robustness.metrics())
        return row


SOLUTION_NAMES = ("nash", "nash_symmetric", "kalai_smorodinsky", "egalitarian", "utilitarian")


def _deal_metrics(name: str, deal: Deal | None, issues: tuple[str, ...], parties: list[str]
                  ) -> dict[str, Scalar]:
    if deal is None:
        row: dict[str, Scalar] = {f"{name}.{k}": None for k in issues}
        row.update({f"{name}.{u}.{p}": None for u in ("u", "eu") for p in parties})
        row[f"{name}.p_ratified"] = None
        return row
    row = {f"{name}.{k}": v for k, v in deal.terms.items()}
    row.update(flat(f"{name}.u", deal.utility))
    row.update(flat(f"{name}.eu", deal.expected_utility))
    row[f"{name}.p_ratified"] = deal.p_ratified
    return row
