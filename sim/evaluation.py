"""One deal scored by every party and every ratification body."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from sim.problem import Problem, at_least
from sim.results import (
    BelowReservation,
    NotRatified,
    Provenance,
    Reason,
    RedLineHit,
    RuleBroken,
    Scalar,
    reason_dict,
)


@dataclass(frozen=True)
class PartyScore:
    party: str
    utility: float  # U(deal)
    reservation: float
    expected_utility: float  # P(ratified) U + (1 - P) reservation
    veto: bool
    above_reservation: bool
    red_lines: list[str]  # notes of the red lines this deal hits


@dataclass(frozen=True)
class BodyScore:
    body: str
    kind: str
    party: str | None
    applies: bool
    yes_share: float | None  # None when the body does not vote on this deal
    p_pass: float
    binds: bool = True  # False for a body ratifying for a party without a veto


@dataclass(frozen=True)
class Evaluation:
    """One deal: each party's utility against its reservation, the red lines it hits, each
    body's vote, and why it is not acceptable (typed reasons, in the order printed)."""

    scenario: str
    package: str | None
    terms: dict[str, Any]
    units: dict[str, str]
    parties: list[PartyScore]
    bodies: list[BodyScore]
    rules_broken: list[int]
    p_ratified: float
    min_ratification_probability: float
    acceptable: bool
    reasons: tuple[Reason, ...]  # why not acceptable; empty when it is
    provenance: Provenance

    def to_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k not in ("reasons", "provenance")}
        out["reasons"] = [reason_dict(r) for r in self.reasons]
        out["provenance"] = self.provenance.to_dict()
        return out

    def metrics(self) -> dict[str, Scalar]:
        row: dict[str, Scalar] = {"acceptable": self.acceptable, "p_ratified": self.p_ratified}
        for s in self.parties:
            row[f"u.{s.party}"] = s.utility
            row[f"eu.{s.party}"] = s.expected_utility
        for b in self.bodies:
            row[f"body.{b.body}.p_pass"] = b.p_pass
        return row


def evaluate(problem: Problem, terms: dict[str, Any] | np.ndarray,
             package: str | None = None) -> Evaluation:
    """Score one deal, given as {issue: level} or as level indices."""
    idx = terms if isinstance(terms, np.ndarray) else problem.deal_index(terms)
    row = idx[None, :]
    u = problem.utility(row)[0]
    eu = problem.expected_utility(row, u[None, :])[0]
    p = problem.ratification(row)[1][0]

    red_lines = [*problem.red_lines, *problem.advisory_red_lines]
    parties = []
    for i, name in enumerate(problem.parties):
        notes = [r.note or "red line" for r in red_lines if r.party == i and r.hit.at(row)[0]]
        parties.append(PartyScore(
            name, float(u[i]), float(problem.reservation[i]), float(eu[i]),
            bool(problem.veto[i]), bool(at_least(u[i], problem.reservation[i])), notes))

    bodies = []
    for b in (*problem.bodies, *problem.advisory_bodies):
        votes = bool(b.applies.at(row)[0])
        bodies.append(BodyScore(
            b.name, b.kind, problem.parties[b.party] if b.party is not None else None, votes,
            float(b.yes_share.at(row)[0]) if votes else None,
            float(b.p_pass.at(row)[0]) if votes else 1.0,
            binds=b.party is None or bool(problem.veto[b.party])))
    broken = problem.rules_broken(idx)
    reasons: list[Reason] = [
        RuleBroken(i, problem.rule_notes[i] if problem.rule_notes else "") for i in broken]
    for s in parties:
        if s.veto and not s.above_reservation:
            reasons.append(BelowReservation(s.party, s.utility, s.reservation))
        if s.veto:
            reasons += [RedLineHit(s.party, note) for note in s.red_lines]
    need = problem.min_ratification_probability
    for b in bodies:
        if b.binds and b.applies and not problem.passes(np.array(b.p_pass)):
            reasons.append(NotRatified(b.body, b.p_pass, need))
    acceptable = bool(problem.acceptable(row)[0])
    assert acceptable == (not reasons), "acceptability and its reasons must agree"
    return Evaluation(
        scenario=problem.name, package=package, terms=problem.terms(idx),
        units=dict(zip(problem.issues, problem.units, strict=True)), parties=parties,
        bodies=bodies, rules_broken=broken, p_ratified=float(np.prod(p)),  # binding bodies
        min_ratification_probability=need, acceptable=acceptable, reasons=tuple(reasons),
        provenance=Provenance(problem.scenario_hash))
