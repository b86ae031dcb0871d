"""One deal scored by every party and every ratification body."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from sim.problem import Problem, at_least, compile_problem
from sim.scenario.model import Scenario


@dataclass(frozen=True)
class PartyScore:
    party: str
    utility: float
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
    reasons: list[str]  # why not acceptable; empty when it is

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate(problem: Problem | Scenario, terms: dict[str, Any] | np.ndarray,
             package: str | None = None) -> Evaluation:
    """Score one deal, given as {issue: level} or as level indices."""
    if isinstance(problem, Scenario):
        problem = compile_problem(problem)
    idx = terms if isinstance(terms, np.ndarray) else problem.deal_index(terms)
    row = idx[None, :]
    u = problem.utility(row)[0]
    eu = problem.expected_utility(row, u[None, :])[0]
    applies, p = problem.ratification(row)
    applies, p = applies[0], p[0]

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
    reasons = [f"breaks rule {i}" + (f" ({problem.rule_notes[i]})" if problem.rule_notes
                                     and problem.rule_notes[i] else "") for i in broken]
    for s in parties:
        if s.veto and not s.above_reservation:
            reasons.append(f"{s.party} gets {s.utility:.3f}, below its reservation "
                           f"{s.reservation:.3f}")
        if s.veto:
            reasons += [f"{s.party} red line: {note}" for note in s.red_lines]
    need = problem.min_ratification_probability
    for b in bodies:
        if b.binds and b.applies and not problem.passes(np.array(b.p_pass)):
            reasons.append(f"{b.body} passes it with probability {b.p_pass:.2f} < {need:g}")
    acceptable = bool(problem.acceptable(row)[0])
    assert acceptable == (not reasons), "acceptability and its reasons must agree"
    return Evaluation(
        scenario=problem.name, package=package, terms=problem.terms(idx),
        units=dict(zip(problem.issues, problem.units, strict=True)), parties=parties,
        bodies=bodies, rules_broken=broken, p_ratified=float(np.prod(p)),  # binding bodies
        min_ratification_probability=problem.min_ratification_probability,
        acceptable=acceptable, reasons=reasons)
