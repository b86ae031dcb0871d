"""A scenario compiled into arrays: the only input the engines take.

Deals are rows of level indices, shape (N, n_issues). Everything that depends on a deal is a
`Factor`: a dense table over the few issues it reads (a rule, a red line, an interaction, a
ratification body), so evaluating N deals is fancy indexing, never a Python loop over deals.
"""

from __future__ import annotations

import json
import math
import weakref
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sim import ratify
from sim.scenario.model import Curve, Issue, Scenario
from sim.scenario.terms import (
    Cond,
    LevelError,
    grid,
    holds,
    level_index,
    parse_condition,
    scope,
    table_key,
    unknown,
)

ACCEPT_TOL = 1e-9
"""A deal is acceptable to a party when U >= reservation - ACCEPT_TOL (the one definition)."""


def at_least(u: np.ndarray, r: np.ndarray | float) -> np.ndarray:
    return u >= np.asarray(r) - ACCEPT_TOL


@dataclass(frozen=True)
class Factor:
    """A function of a deal that reads only `issues`: table[levels of those issues]."""

    issues: tuple[int, ...]
    table: np.ndarray

    def at(self, idx: np.ndarray) -> np.ndarray:
        if not self.issues:  # a constant: broadcast to one value per deal
            return np.broadcast_to(self.table, idx.shape[:-1])
        return self.table[tuple(idx[..., k] for k in self.issues)]

    @classmethod
    def tabulate(cls, issues: frozenset[int] | tuple[int, ...], sizes: tuple[int, ...],
                 fn) -> Factor:
        """Evaluate fn(idx) on every combination of `issues`' levels (others at level 0)."""
        ks = tuple(sorted(issues))
        shape = tuple(sizes[k] for k in ks)
        combos = np.zeros((math.prod(shape), len(sizes)), dtype=np.int64)
        if ks:
            mesh = np.indices(shape).reshape(len(ks), -1).T
            combos[:, ks] = mesh
        return cls(ks, np.asarray(fn(combos)).reshape(shape))

    @classmethod
    def of_condition(cls, cond: Cond, sizes: tuple[int, ...]) -> Factor:
        return cls.tabulate(scope(cond), sizes, lambda idx: holds(cond, idx))


@dataclass(frozen=True)
class ValueCurve:
    """A party's value over a numeric issue, for any x (the grid tables sample it)."""

    xs: np.ndarray  # piecewise-linear knots, or the range ends for a power curve
    vs: np.ndarray
    exponent: float | None = None  # power curve: ((x - lo) / (hi - lo))^e toward vs[1]
    scale: float = 1.0  # set by Problem.rescaled

    def __call__(self, x: np.ndarray | float) -> np.ndarray:
        if self.exponent is None:
            return self.scale * np.interp(x, self.xs, self.vs)
        lo, hi = self.xs
        t = np.clip((np.asarray(x, dtype=float) - lo) / (hi - lo), 0.0, 1.0)
        return self.scale * (t if self.vs[1] > self.vs[0] else 1.0 - t) ** self.exponent


@dataclass(frozen=True)
class RedLine:
    party: int
    hit: Factor
    note: str


@dataclass(frozen=True)
class Body:
    """A ratification body compiled to tables over the issues it reads."""

    name: str
    kind: str
    party: int | None
    applies: Factor
    yes_share: Factor
    p_pass: Factor


@dataclass(frozen=True)
class Problem:
    name: str
    issues: tuple[str, ...]
    kinds: tuple[str, ...]
    units: tuple[str, ...]
    levels: tuple[list, ...]
    specs: tuple[Issue, ...]  # the issues as written, for reading levels given by name
    parties: tuple[str, ...]
    weights: np.ndarray  # (P, K), rows sum to 1
    values: tuple[np.ndarray, ...]  # per issue, (P, L_k) in [0, 1]
    curves: tuple[tuple[ValueCurve | None, ...], ...]  # per issue, per party; numeric only
    reservation: np.ndarray  # (P,)
    power: np.ndarray
    patience: np.ndarray
    veto: np.ndarray  # (P,) bool
    interactions: tuple[tuple[int, Factor], ...]  # (party, additive factor)
    rules: tuple[Factor, ...]  # True where the deal satisfies the rule
    red_lines: tuple[RedLine, ...]  # of veto parties: they bind
    bodies: tuple[Body, ...]  # ratifying for no party or for a veto party: they bind
    min_ratification_probability: float
    rule_notes: tuple[str, ...] = ()
    # A party without a veto cannot block a deal: its red lines and its bodies' votes are
    # reported (evaluate) but bind nobody.
    advisory_red_lines: tuple[RedLine, ...] = ()
    advisory_bodies: tuple[Body, ...] = ()
    packages: dict[str, np.ndarray] = field(default_factory=dict)

    def rescaled(self, party: int, a: float, b: float) -> Problem:
        """The same problem with one party's utility and reservation mapped to a U + b."""
        if a <= 0:
            raise ValueError("a positive affine map needs a > 0")
        scale = np.ones((len(self.parties), 1))
        scale[party] = a
        values = tuple(v * scale for v in self.values)
        interactions = tuple((p, Factor(f.issues, f.table * scale[p, 0]))
                             for p, f in self.interactions)
        interactions += ((party, Factor((), np.array(float(b)))),)
        curves = tuple(tuple(replace(c, scale=c.scale * a) if c is not None and p == party else c
                             for p, c in enumerate(row)) for row in self.curves)
        reservation = self.reservation.copy()
        reservation[party] = a * reservation[party] + b
        return replace(self, values=values, interactions=interactions, reservation=reservation,
                       curves=curves)

    # --- sizes and deals ------------------------------------------------------------------

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(len(lv) for lv in self.levels)

    @property
    def total(self) -> int:
        return math.prod(self.sizes)

    def deal_index(self, terms: dict[str, Any]) -> np.ndarray:
        """Level indices of a deal written as {issue: level}; every issue must be given."""
        from sim.errors import InputError

        strangers = [k for k in terms if k not in self.issues]
        if strangers:
            raise InputError([unknown("issue", k, list(self.issues)) for k in strangers])
        missing = [k for k in self.issues if k not in terms]
        if missing:
            raise InputError(f"no level for {', '.join(missing)}; a deal gives every issue a "
                             f"level (issues: {', '.join(self.issues)})")
        out, bad = [], []
        for k, name in enumerate(self.issues):
            try:
                out.append(self._level(k, terms[name]))
            except LevelError as e:
                bad.append(f"{name}: {e}")
        if bad:
            raise InputError(bad)
        return np.array(out)

    def _level(self, k: int, ref: Any) -> int:
        return level_index(self.specs[k], ref, self.levels[k])

    def terms(self, idx: np.ndarray) -> dict[str, Any]:
        """{issue: level} for one deal: names, numbers or booleans."""
        return {name: _plain(self.levels[k][int(i)])
                for k, (name, i) in enumerate(zip(self.issues, idx, strict=True))}

    def enumerate(self, chunk: int = 1 << 20):
        """All deals in lexicographic order, in chunks of level-index rows."""
        sizes = np.array(self.sizes)
        for start in range(0, self.total, chunk):
            flat = np.arange(start, min(start + chunk, self.total), dtype=np.int64)
            yield np.stack(np.unravel_index(flat, sizes), axis=-1)

    # --- evaluation, vectorised over deals ------------------------------------------------------

    def utility(self, idx: np.ndarray) -> np.ndarray:
        """U(deal) for every party, shape (N, P)."""
        u = np.zeros(idx.shape[:-1] + (len(self.parties),))
        for k, table in enumerate(self.values):
            u += (self.weights[:, k] * table.T)[idx[..., k]]
        for p, factor in self.interactions:
            u[..., p] += factor.at(idx)
        return u

    def rules_ok(self, idx: np.ndarray) -> np.ndarray:
        ok = np.ones(idx.shape[:-1], dtype=bool)
        for rule in self.rules:
            ok &= rule.at(idx)
        return ok

    def rules_broken(self, idx: np.ndarray) -> list[int]:
        return [i for i, rule in enumerate(self.rules) if not rule.at(idx)]

    def red_lines_hit(self, idx: np.ndarray) -> np.ndarray:
        """(N, n_red_lines) bool."""
        if not self.red_lines:
            return np.zeros(idx.shape[:-1] + (0,), dtype=bool)
        return np.stack([r.hit.at(idx) for r in self.red_lines], axis=-1)

    def feasible(self, idx: np.ndarray) -> np.ndarray:
        """Allowed by the rules and by no party's red line."""
        return self.rules_ok(idx) & ~self.red_lines_hit(idx).any(axis=-1)

    def ratification(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(applies, p_pass), each (N, n_bodies); p_pass is 1 where a body does not apply."""
        n = idx.shape[:-1]
        if not self.bodies:
            return np.zeros(n + (0,), dtype=bool), np.ones(n + (0,))
        applies = np.stack([b.applies.at(idx) for b in self.bodies], axis=-1)
        p = np.stack([b.p_pass.at(idx) for b in self.bodies], axis=-1)
        return applies, np.where(applies, p, 1.0)

    def p_ratified(self, idx: np.ndarray) -> np.ndarray:
        """P(every body that applies passes the deal), bodies voting independently."""
        return self.ratification(idx)[1].prod(axis=-1)

    @property
    def bargainers(self) -> np.ndarray:
        """Whose gains the solutions weigh: the veto parties, or everyone if none has one."""
        return self.veto if self.veto.any() else np.ones_like(self.veto)

    def passes(self, p_pass: np.ndarray) -> np.ndarray:
        """A vote clears the bar: P >= the scenario's minimum, and P > 0 (a deal certain to
        fail is never ratifiable, even with a minimum of 0). The one definition."""
        return (p_pass >= self.min_ratification_probability - ACCEPT_TOL) & (p_pass > 0)

    def body_allows(self, body: Body) -> Factor:
        """True where the body does not vote on the deal or passes it, over its issues."""
        issues = tuple(sorted(set(body.applies.issues) | set(body.p_pass.issues)))
        return Factor.tabulate(issues, self.sizes, lambda idx: ~body.applies.at(idx)
                               | self.passes(body.p_pass.at(idx)))

    def ratifiable(self, idx: np.ndarray) -> np.ndarray:
        """Every binding body that votes on the deal passes it."""
        return self.passes(self.ratification(idx)[1]).all(axis=-1)

    def acceptable(self, idx: np.ndarray, utility: np.ndarray | None = None) -> np.ndarray:
        """Feasible, at least the reservation for every veto party, and ratifiable."""
        u = self.utility(idx) if utility is None else utility
        ok = at_least(u[..., self.veto], self.reservation[self.veto]).all(axis=-1)
        return ok & self.feasible(idx) & self.ratifiable(idx)

    def expected_utility(self, idx: np.ndarray, utility: np.ndarray | None = None) -> np.ndarray:
        """P(ratified) U(deal) + (1 - P(ratified)) reservation, shape (N, P)."""
        u = self.utility(idx) if utility is None else utility
        p = self.p_ratified(idx)[..., None]
        return p * u + (1 - p) * self.reservation


def _plain(level: Any) -> Any:
    return level.item() if isinstance(level, np.generic) else level


def compile_problem(s: Scenario) -> Problem:
    """Compile a checked Scenario (see sim.scenario.load) into arrays. The check compiles
    it once already (to count feasible deals); that result is reused."""
    hit = _COMPILED.get(id(s))
    if hit is not None and hit[0]() is s:
        return hit[1]
    problem = _compile(s)
    _COMPILED[id(s)] = (weakref.ref(s), problem)
    weakref.finalize(s, _COMPILED.pop, id(s), None)
    return problem


_COMPILED: dict[int, tuple[weakref.ref, Problem]] = {}  # scenarios are immutable


def _compile(s: Scenario) -> Problem:
    issues = s.issues
    names = list(issues)
    levels = tuple(grid(issues[k]) for k in names)
    sizes = tuple(len(lv) for lv in levels)
    parties = list(s.parties)
    P, K = len(parties), len(names)

    weights = np.zeros((P, K))
    values = [np.zeros((P, sizes[k])) for k in range(K)]
    curves: list[list] = [[None] * P for _ in range(K)]
    for p, party in enumerate(s.parties.values()):
        for issue, w in party.weights.items():
            weights[p, names.index(issue)] = w
        weights[p] /= weights[p].sum()
        for issue, fn in party.values.items():
            k = names.index(issue)
            if isinstance(fn, Curve):
                curves[k][p] = _curve(fn, levels[k])
                values[k][p] = curves[k][p](np.asarray(levels[k], dtype=float))
            else:
                values[k][p] = [fn[table_key(lv)] for lv in levels[k]]

    interactions = []
    for p, party in enumerate(s.parties.values()):
        for inter in party.interactions:
            f = Factor.of_condition(parse_condition(inter.when, issues), sizes)
            interactions.append((p, Factor(f.issues, f.table * float(inter.add))))

    rules = []
    for rule in s.rules:
        if rule.forbid is not None:
            f = Factor.of_condition(parse_condition(rule.forbid, issues), sizes)
            rules.append(Factor(f.issues, ~f.table))
        else:
            require = parse_condition(rule.require, issues)
            when = parse_condition(rule.when, issues) if rule.when is not None else None
            reads = scope(require) | (scope(when) if when else frozenset())
            rules.append(Factor.tabulate(
                reads, sizes,
                lambda idx, w=when, r=require: holds(r, idx) | (~holds(w, idx) if w else False)))

    veto = [x.veto for x in s.parties.values()]
    all_red_lines = [
        RedLine(p, Factor.of_condition(parse_condition(red.when, issues), sizes), red.note)
        for p, party in enumerate(s.parties.values()) for red in party.red_lines
    ]
    red_lines = tuple(r for r in all_red_lines if veto[r.party])

    ratifies_for = {b: parties.index(name) for name, party in s.parties.items()
                    for b in party.ratified_by}
    issues_key = json.dumps({k: v.model_dump(mode="json") for k, v in issues.items()})
    bodies = []
    for bname, body in s.ratification.items():
        applies_cond = (parse_condition(body.applies_when, issues)
                        if body.applies_when is not None else None)
        applies = (Factor.of_condition(applies_cond, sizes) if applies_cond
                   else Factor((), np.array(True)))
        yes, p_pass = _body_tables(body.model_dump_json(), issues_key, body, issues, sizes)
        party = parties.index(body.party) if body.party else ratifies_for.get(bname)
        bodies.append(Body(bname, body.kind, party, applies, yes, p_pass))

    problem = Problem(
        name=s.name, issues=tuple(names), kinds=tuple(issues[k].kind for k in names),
        units=tuple(issues[k].unit for k in names), levels=levels,
        specs=tuple(issues[k] for k in names), parties=tuple(parties),
        weights=weights, values=tuple(values), curves=tuple(tuple(c) for c in curves),
        reservation=np.zeros(P), power=np.array([x.power for x in s.parties.values()]),
        patience=np.array([x.patience for x in s.parties.values()]),
        veto=np.array([x.veto for x in s.parties.values()]),
        interactions=tuple(interactions), rules=tuple(rules), red_lines=red_lines,
        bodies=tuple(b for b in bodies if b.party is None or veto[b.party]),
        min_ratification_probability=s.settings.min_ratification_probability,
        rule_notes=tuple(rule.note for rule in s.rules),
        advisory_red_lines=tuple(r for r in all_red_lines if not veto[r.party]),
        advisory_bodies=tuple(b for b in bodies if b.party is not None and not veto[b.party]),
    )
    problem.reservation[:] = [_reservation(s, problem, p) for p in range(P)]
    for name, pkg in s.packages.items():
        problem.packages[name] = problem.deal_index(pkg.terms)
    return problem


_BODY_TABLES: dict[tuple[str, str], tuple[Factor, Factor]] = {}


def _body_tables(key: str, issues_key: str, body, issues, sizes) -> tuple[Factor, Factor]:
    """A body's yes-share and P(pass) tables, memoised on its definition: draws and sweeps
    that leave a body alone reuse its tables instead of recomputing them."""
    hit = _BODY_TABLES.get((key, issues_key))
    if hit is None:
        model = ratify.build(body, issues)
        hit = (Factor.tabulate(model.issues, sizes, model.yes_share),
               Factor.tabulate(model.issues, sizes, model.p_pass))
        if len(_BODY_TABLES) > 64:
            _BODY_TABLES.clear()
        _BODY_TABLES[(key, issues_key)] = hit
    return hit


def _curve(fn: Curve, levels: list) -> ValueCurve:
    if fn.points:
        xs, vs = zip(*fn.points, strict=True)
        return ValueCurve(np.asarray(xs, float), np.asarray(vs, float))
    ends = np.array([float(levels[0]), float(levels[-1])])
    vs = np.array([0.0, 1.0] if fn.linear == "increasing" else [1.0, 0.0])
    return ValueCurve(ends, vs, None if fn.exponent == 1.0 else fn.exponent)


def _reservation(s: Scenario, problem: Problem, p: int) -> float:
    party = s.parties[problem.parties[p]]
    if party.reservation != "derived":
        return float(party.reservation)
    nd = s.no_deal
    assert nd is not None  # check.py guarantees an outlook for derived reservations
    known = {problem.issues.index(k): problem._level(problem.issues.index(k), v)
             for k, v in nd.outlook.items()}
    u = sum(problem.weights[p, k] * problem.values[k][p, i] for k, i in known.items())
    idx = np.zeros(len(problem.issues), dtype=np.int64)
    for k, i in known.items():
        idx[k] = i
    for q, factor in problem.interactions:
        if q == p and set(factor.issues) <= set(known):  # only interactions the outlook decides
            u += float(factor.at(idx))
    return float(u) - float(nd.cost.get(problem.parties[p], 0.0))

