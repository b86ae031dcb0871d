"""One deal scored by every party and every ratification body."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from sim.problem import Problem, at_least
from sim.results import (
    BelowReservation,
    Change,
    DropBody,
    LowerBar,
    LowerReservation,
    NotRatified,
    Provenance,
    Reason,
    RedLineHit,
    RelaxRedLine,
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
    # The least that would make it acceptable, confirmed by evaluating the deal again with
    # every change made; () when it is acceptable, None when it breaks a rule (no concession
    # changes what is possible) or when it was not worked out (evaluate(explain=False): a
    # sweep's runs, which keep only the metrics, never shown).
    to_accept: tuple[Change, ...] | None = ()

    def to_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items()
               if k not in ("reasons", "provenance", "to_accept")}
        out["reasons"] = [reason_dict(r) for r in self.reasons]
        out["to_accept"] = (None if self.to_accept is None
                            else [reason_dict(c) for c in self.to_accept])
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
             package: str | None = None, explain: bool = True) -> Evaluation:
    """Score one deal, given as {issue: level} or as level indices; without `explain`, what
    it would take to make an unacceptable deal acceptable is not worked out (`to_accept`
    None)."""
    idx = terms if isinstance(terms, np.ndarray) else problem.deal_index(terms)
    return evaluate_all(problem, idx[None, :], [package], explain)[0]


def evaluate_all(problem: Problem, idx: np.ndarray, packages: list[str | None],
                 explain: bool = True) -> list[Evaluation]:
    """Score deals (N, K), each with its package name (or None), every table read once for
    all of them: the evaluation of one deal, N times."""
    u = problem.utility(idx)
    applies, p_pass = problem.ratification(idx)
    p = p_pass.prod(axis=-1)
    eu = problem.expected_utility(idx, u, p)
    acceptable = problem.acceptable(idx, u)
    red_lines = [*problem.red_lines, *problem.advisory_red_lines]
    everyone = (*problem.bodies, *problem.advisory_bodies)
    # Python lists, read once: indexing numpy arrays element by element costs more here than
    # all the tables do.
    hits = [r.hit.at(idx).tolist() for r in red_lines]
    votes = [b.applies.at(idx).tolist() for b in everyone]
    yes = [b.yes_share.at(idx).tolist() for b in everyone]
    passing = [b.p_pass.at(idx) for b in everyone]
    clears = [problem.passes(x).tolist() for x in passing]
    passing = [x.tolist() for x in passing]
    rules = [rule.at(idx).tolist() for rule in problem.rules]
    need = problem.min_ratification_probability
    units = dict(zip(problem.issues, problem.units, strict=True))
    reservation, veto = problem.reservation.tolist(), problem.veto.tolist()
    above = at_least(u, problem.reservation).tolist()
    u_rows, eu_rows, p_rows, ok_rows = u.tolist(), eu.tolist(), p.tolist(), acceptable.tolist()
    out = []
    for n, package in enumerate(packages):
        parties = []
        for i, name in enumerate(problem.parties):
            notes = [r.note or "red line" for r, hit in zip(red_lines, hits, strict=True)
                     if r.party == i and hit[n]]
            parties.append(PartyScore(name, u_rows[n][i], reservation[i], eu_rows[n][i],
                                      bool(veto[i]), bool(above[n][i]), notes))
        bodies, failing = [], []
        for k, b in enumerate(everyone):
            vote = bool(votes[k][n])
            bodies.append(BodyScore(
                b.name, b.kind, problem.parties[b.party] if b.party is not None else None,
                vote, yes[k][n] if vote else None, passing[k][n] if vote else 1.0,
                binds=b.party is None or bool(veto[b.party])))
            failing.append(vote and not clears[k][n])
        broken = [i for i, kept in enumerate(rules) if not kept[n]]
        reasons: list[Reason] = [
            RuleBroken(i, problem.rule_notes[i] if problem.rule_notes else "") for i in broken]
        for sc in parties:
            if sc.veto and not sc.above_reservation:
                reasons.append(BelowReservation(sc.party, sc.utility, sc.reservation))
            if sc.veto:
                reasons += [RedLineHit(sc.party, note) for note in sc.red_lines]
        for b, fails in zip(bodies, failing, strict=True):
            if b.binds and fails:
                reasons.append(NotRatified(b.body, b.p_pass, need))
        ok = bool(ok_rows[n])
        assert ok == (not reasons), "acceptability and its reasons must agree"
        out.append(Evaluation(
            scenario=problem.name, package=package, terms=problem.terms(idx[n]), units=units,
            parties=parties, bodies=bodies, rules_broken=broken,
            p_ratified=p_rows[n],  # binding bodies
            min_ratification_probability=need, acceptable=ok, reasons=tuple(reasons),
            provenance=Provenance(problem.scenario_hash),
            to_accept=() if ok else (what_it_takes(problem, idx[n], reasons) if explain
                                     else None)))
    return out


def what_it_takes(problem: Problem, idx: np.ndarray, reasons: list[Reason]
                  ) -> tuple[Change, ...] | None:
    """The least set of concessions that makes the deal acceptable: each failing reason needs
    its own (a reservation lowered to what the deal gives, the red lines it hits given up, a
    body taken to ratify at the P it gives, or done without when it never passes), and none
    more. Confirmed by evaluating the deal again with every change made."""
    if any(isinstance(r, RuleBroken) for r in reasons):
        return None
    changes: list[Change] = []
    reservation = problem.reservation.copy()
    red_lines, bodies = list(problem.red_lines), list(problem.bodies)
    bar = problem.min_ratification_probability
    for r in reasons:
        if isinstance(r, BelowReservation):
            p = problem.parties.index(r.party)
            reservation[p] = r.utility
            changes.append(LowerReservation(r.party, r.reservation - r.utility, r.utility))
        elif isinstance(r, RedLineHit):
            changes.append(RelaxRedLine(r.party, r.note))
    row = idx[None, :]
    red_lines = [line for line in red_lines if not line.hit.at(row)[0]]  # those it hits go
    for r in reasons:
        if isinstance(r, NotRatified):
            if r.p_pass > 0:
                bar = min(bar, r.p_pass)
                changes.append(LowerBar(r.body, r.p_pass, r.needed))
            else:
                bodies = [b for b in bodies if b.name != r.body]
                changes.append(DropBody(r.body))
    relaxed = replace(problem, reservation=reservation, red_lines=tuple(red_lines),
                      bodies=tuple(bodies), min_ratification_probability=bar)
    if not relaxed.acceptable(row)[0]:  # not an assert: `python -O` must not skip the check
        raise RuntimeError("what_it_takes: the changes do not make the deal acceptable")
    return tuple(changes)
