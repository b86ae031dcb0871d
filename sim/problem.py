"""A scenario compiled into arrays: the contract every engine reads (built by sim.compile).

Deals are rows of level indices, shape (N, n_issues). Everything that depends on a deal is a
`Factor`: a dense table over the few issues it reads (a rule, a red line, an interaction, a
ratification body), so evaluating N deals is fancy indexing, never a Python loop over deals.

What a dynamic engine moves is kept in a form it can move without recompiling: the no-deal
outlook and each party's cost of conflict (`reservation_at` turns them into reservations), and
each ratification body's model (`ratification(idx, shift=...)` evaluates it at a mood shift).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from typing import Any

import numpy as np

from sim.ratify import LegislatureModel, ReferendumModel
from sim.results import plain
from sim.scenario.model import Issue
from sim.scenario.terms import Cond, LevelError, holds, level_index, scope, unknown

ACCEPT_TOL = 1e-9
"""A deal is acceptable to a party when U >= reservation - ACCEPT_TOL (the one definition)."""


def at_least(u: np.ndarray, r: np.ndarray | float) -> np.ndarray:
    """u >= r, up to ACCEPT_TOL: the acceptance test, used everywhere it is made."""
    return u >= np.asarray(r) - ACCEPT_TOL


TABULATE_UP_TO = 1 << 18  # cells: a larger factor of a ratification body is not tabulated


@dataclass(frozen=True)
class Factor:
    """A function of a deal that reads only `issues`: table[levels of those issues], or, for a
    factor too large to tabulate (a vote reading most issues), `fn` evaluated on the deals."""

    issues: tuple[int, ...]
    table: np.ndarray | None
    fn: Any = None  # (..., K) level indices -> values; used when table is None

    def at(self, idx: np.ndarray) -> np.ndarray:
        if self.table is None:
            return np.asarray(self.fn(idx))
        if not self.issues:  # a constant: broadcast to one value per deal
            return np.broadcast_to(self.table, idx.shape[:-1])
        return self.table[tuple(idx[..., k] for k in self.issues)]

    @property
    def tabulated(self) -> bool:
        return self.table is not None

    def over(self, issues: tuple[int, ...]) -> np.ndarray:
        """A tabulated factor's table as a view over `issues` (sorted, a superset of its own):
        length-1 axes where it does not read, so tables over different issues combine by
        broadcasting instead of by indexing every combination."""
        order = sorted(range(len(self.issues)), key=lambda i: issues.index(self.issues[i]))
        table = self.table.transpose(order)  # its axes in the order of `issues`
        shape = [1] * len(issues)
        for i in order:
            shape[issues.index(self.issues[i])] = self.table.shape[i]
        return table.reshape(shape)

    @classmethod
    def tabulate(cls, issues: frozenset[int] | tuple[int, ...], sizes: tuple[int, ...],
                 fn, up_to: int | None = None) -> Factor:
        """Evaluate fn(idx) on every combination of `issues`' levels (others at level 0); with
        `up_to`, a factor of more cells stays untabulated (fn is called on each deal)."""
        ks = tuple(sorted(issues))
        shape = tuple(sizes[k] for k in ks)
        if up_to is not None and math.prod(shape) > up_to:
            return cls(ks, None, Remembered(fn, ks, sizes))
        combos = np.zeros((math.prod(shape), len(sizes)), dtype=np.int64)
        if ks:
            mesh = np.indices(shape).reshape(len(ks), -1).T
            combos[:, ks] = mesh
        return cls(ks, np.asarray(fn(combos)).reshape(shape))

    @classmethod
    def of_vote(cls, issues: frozenset[int] | tuple[int, ...], sizes: tuple[int, ...],
                fn, up_to: int = TABULATE_UP_TO) -> Factor:
        """A ratification body's table over `issues`, left untabulated beyond `up_to` cells:
        a vote's predictor is additive per issue, so it is evaluated on the deals at hand
        instead (bounded memory at any size)."""
        return cls.tabulate(issues, sizes, fn, up_to)

    @classmethod
    def of_condition(cls, cond: Cond, sizes: tuple[int, ...]) -> Factor:
        return cls.tabulate(scope(cond), sizes, partial(holds, cond))


class Remembered:
    """An untabulated factor's function, remembering its value on each combination of its
    issues' levels it was asked about: a solve asks a vote about the same deals several times
    (the frontier's walk, the counts' walk, P(ratified)), and such a vote is the costliest
    thing it evaluates. At most LIMIT combinations are kept (bounded memory)."""

    LIMIT = 1 << 15

    def __init__(self, fn, issues: tuple[int, ...], sizes: tuple[int, ...]) -> None:
        self.fn, self.issues = fn, issues
        self.dims = tuple(sizes[k] for k in issues)
        self.usable = math.prod(self.dims) < 1 << 62  # the combinations fit an int64 key
        self._known: tuple[np.ndarray, np.ndarray] | None = None  # (sorted keys, values)

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        if not self.usable or not self.issues:
            return np.asarray(self.fn(idx))
        flat = idx.reshape(-1, idx.shape[-1])
        key = np.ravel_multi_index(tuple(flat[:, k] for k in self.issues), self.dims)
        known = self._known  # read once: another thread may replace it meanwhile
        if known is None:
            hit = np.zeros(len(key), dtype=bool)
            pos = hit.astype(np.intp)
        else:
            pos = np.minimum(np.searchsorted(known[0], key), len(known[0]) - 1)
            hit = known[0][pos] == key
            if hit.all():
                return known[1][pos].reshape(idx.shape[:-1])
        new, first, back = np.unique(key[~hit], return_index=True, return_inverse=True)
        found = np.asarray(self.fn(flat[~hit][first]))
        out = np.empty(len(key), dtype=found.dtype)
        out[~hit] = found[back]
        if known is not None:
            out[hit] = known[1][pos[hit]]
        size = 0 if known is None else len(known[0])
        if len(new) and size + len(new) <= self.LIMIT:
            keys = new if known is None else np.concatenate([known[0], new])
            values = found if known is None else np.concatenate([known[1], found])
            order = np.argsort(keys, kind="stable")
            self._known = (keys[order], values[order])  # one assignment: never half made
        return out.reshape(idx.shape[:-1])


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
    """Deals where `hit` is True are unacceptable to `party`."""

    party: int
    hit: Factor
    note: str


@dataclass(frozen=True)
class Body:
    """A ratification body: its model, and its tables at the mood `shift` (a logit added to
    every voter's; 0 as compiled: the solver's fast path). `party` is the party it ratifies
    for, or None."""

    name: str
    kind: str
    party: int | None
    applies: Factor
    yes_share: Factor
    p_pass: Factor
    model: ReferendumModel | LegislatureModel
    shift: float = 0.0
    allows: tuple[float, Factor] | None = None  # (bar, allows_table at it), made once

    def at_mood(self, change: float, sizes: tuple[int, ...]) -> Body:
        """The same body with its mood moved by `change`, its tables tabulated there."""
        if change == 0:
            return self
        model, shift = self.model, self.shift + change
        return replace(
            self, shift=shift, allows=None,
            yes_share=Factor.of_vote(model.issues, sizes, partial(model.yes_share, shift=shift)),
            p_pass=Factor.of_vote(model.issues, sizes, partial(model.p_pass, shift=shift)))

    def p_pass_at(self, idx: np.ndarray, change: float = 0.0) -> np.ndarray:
        """P(pass) of each deal with the mood moved by `change` from the tables'."""
        if change == 0:
            return self.p_pass.at(idx)
        return self.model.p_pass(idx, self.shift + change)


def passes(p_pass: np.ndarray, bar: float) -> np.ndarray:
    """A vote clears the bar: P >= the scenario's minimum, and P > 0 (a deal certain to fail
    is never ratifiable, even with a minimum of 0). The one definition."""
    return (p_pass >= bar - ACCEPT_TOL) & (p_pass > 0)


def allows_table(body: Body, sizes: tuple[int, ...], bar: float) -> Factor:
    """True where the body does not vote on the deal or passes it at the bar, over its
    issues."""
    issues = tuple(sorted(set(body.applies.issues) | set(body.p_pass.issues)))
    shape = tuple(sizes[k] for k in issues)
    if body.p_pass.tabulated and body.applies.tabulated and math.prod(shape) <= TABULATE_UP_TO:
        table = ~body.applies.over(issues) | passes(body.p_pass.over(issues), bar)
        return Factor(issues, np.broadcast_to(table, shape).copy())
    return Factor.of_vote(issues, sizes, _Allows(body.applies, body.p_pass, bar),
                          TABULATE_UP_TO if body.p_pass.tabulated else 0)  # as its votes


@dataclass(frozen=True)
class _Allows:
    """`allows_table`'s function where it is not tabulated: a class, not a closure, so that
    a Problem pickles (the agent-based model sends it to its worker processes)."""

    applies: Factor
    p_pass: Factor
    bar: float

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        return ~self.applies.at(idx) | passes(self.p_pass.at(idx), self.bar)


@dataclass(frozen=True)
class Event:
    """A scheduled event, compiled: at `step`, set `what` ("outlook": issue `index` to a level
    index or value; "cost" or "reservation": party `index`'s) to `value`, or, for "mood",
    add `value` to every body's mood."""

    step: int
    what: str
    index: int
    value: float
    note: str = ""


@dataclass(frozen=True)
class Dynamics:
    """The agent-based model's assumptions as arrays (the `dynamics:` section, defaults
    filled). Per-step figures are per `unit`; one step is one round of offers, so a party's
    `patience` is its discount factor per step."""

    unit: str
    deadline: int | None  # None: the run's number of steps
    strategies: tuple[tuple[str, dict[str, float]], ...]  # per party: name, parameters
    proposers: str  # "alternating" | "by_power"
    mediator: int | None  # a party's index, -1 for a neutral mediator, None for none
    private: bool
    belief_noise: float
    belief_bias: float
    learning: float
    outlook_drift: np.ndarray  # (K,) per step, in the issue's units; 0 off the outlook
    outlook_noise: np.ndarray  # (K,)
    cost_drift: np.ndarray  # (P,) per step, of the present value of the conflict's cost
    cost_noise: np.ndarray  # (P,)
    mood_drift: float
    mood_noise: float
    events: tuple[Event, ...]
    ratification_delay: int
    walk_out_after: int | None
    collapse_on_rejection: bool


class ConstraintMemo:
    """What is derived from a problem's constraints alone (its rules, red lines, binding
    bodies and the ratification bar), remembered for every problem that shares them:
    `dataclasses.replace` passes the memo on, and Compiler.update keeps the constraints'
    very objects, so the points of a sweep or the draws of a robustness run that move
    utilities or reservations ask for the allowed deals once. An entry serves only the
    constraints it was made from (compared by identity) over the same deal space (its sizes),
    so a problem whose constraints were replaced makes its own."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[tuple, Any]] = {}

    def get(self, name: str, problem: Problem, make):
        key = (problem.rules, problem.red_lines, problem.bodies,
               problem.min_ratification_probability, problem.sizes)
        found = self._entries.get(name)
        if found is not None and all(a is b for a, b in zip(found[0][:3], key[:3],
                                                            strict=True)) \
                and found[0][3:] == key[3:]:
            return found[1]
        value = make()
        self._entries[name] = (key, value)  # keeps the keyed objects alive: ids never reused
        return value


@dataclass(frozen=True)
class Problem:
    """Everything an engine needs, as arrays; P parties, K issues, B binding bodies.

    Utilities are additive: U_p(deal) = sum_k contributions[k][level_k, p] plus the party's
    interactions. `reservation` is each party's nominal reservation: the fixed number, or for a
    `derived` one the value of the nominal no-deal outlook minus its cost (`reservation_at`).
    Red lines and bodies of parties without a veto are `advisory`: reported, never binding.
    """

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
    # The no-deal outlook: per issue a level index (discrete, boolean) or a value (numeric,
    # which a war may move between grid points); NaN where the outlook says nothing.
    outlook: np.ndarray  # (K,)
    outlook_issues: tuple[int, ...]  # the issues it gives, in the order written
    cost: np.ndarray  # (P,) cost of continued conflict, in each party's utility units
    derived: np.ndarray  # (P,) bool: the reservation is the outlook's utility minus the cost
    scenario_hash: str  # of the resolved scenario (sim.results.scenario_hash)
    rule_notes: tuple[str, ...] = ()
    advisory_red_lines: tuple[RedLine, ...] = ()
    advisory_bodies: tuple[Body, ...] = ()
    packages: dict[str, np.ndarray] = field(default_factory=dict)
    # What compiling found valid but worth a word, as (dotted path, message)
    notes: tuple[tuple[tuple, str], ...] = ()
    dynamics: Dynamics | None = None  # what the agent-based model reads (always compiled)
    memo: ConstraintMemo = field(default_factory=lambda: ConstraintMemo(), compare=False,
                                 repr=False)

    # --- sizes and deals ------------------------------------------------------------------

    @cached_property
    def sizes(self) -> tuple[int, ...]:  # read thousands of times a solve
        return tuple(len(lv) for lv in self.levels)

    @property
    def total(self) -> int:
        return math.prod(self.sizes)

    def deal_index(self, terms: dict[str, Any]) -> np.ndarray:
        """Level indices of a deal written as {issue: level}; every issue must be given."""
        from sim.errors import InputError, listing

        strangers = [k for k in terms if k not in self.issues]
        if strangers:
            raise InputError([unknown("issue", k, list(self.issues)) for k in strangers])
        missing = [k for k in self.issues if k not in terms]
        if missing:
            raise InputError(f"no level for {listing(missing)}; a deal gives every issue a "
                             "level")
        out, bad = [], []
        for k, name in enumerate(self.issues):
            try:
                out.append(self.level_of(k, terms[name]))
            except LevelError as e:
                bad.append(f"{name}: {e}")
        if bad:
            raise InputError(bad)
        return np.array(out)

    def level_of(self, k: int, ref: Any) -> int:
        """The index of the level `ref` names on issue k (LevelError if none)."""
        return level_index(self.specs[k], ref, self.levels[k])

    def terms(self, idx: np.ndarray) -> dict[str, Any]:
        """{issue: level} for one deal: names, numbers or booleans."""
        return {name: plain(self.levels[k][int(i)])
                for k, (name, i) in enumerate(zip(self.issues, idx, strict=True))}

    def enumerate(self, chunk: int = 1 << 20):
        """All deals in lexicographic order, in chunks of level-index rows."""
        sizes = np.array(self.sizes)
        for start in range(0, self.total, chunk):
            flat = np.arange(start, min(start + chunk, self.total), dtype=np.int64)
            yield np.stack(np.unravel_index(flat, sizes), axis=-1)

    # --- utilities and reservations -------------------------------------------------------

    @cached_property
    def contributions(self) -> tuple[np.ndarray, ...]:
        """Per issue, (L_k, P): what each level adds to each party's utility (weight x value).
        The one place these tables are made; every engine sums them."""
        return tuple(self.weights[:, k] * table.T for k, table in enumerate(self.values))

    def utility(self, idx: np.ndarray) -> np.ndarray:
        """U(deal) for every party, shape (N, P)."""
        u = np.zeros(idx.shape[:-1] + (len(self.parties),))
        for k, table in enumerate(self.contributions):
            u += table[idx[..., k]]
        for p, factor in self.interactions:
            u[..., p] += factor.at(idx)
        return u

    def reservation_at(self, outlook: np.ndarray | None = None,
                       cost: np.ndarray | None = None) -> np.ndarray:
        """Reservations for no-deal outlooks (..., K) and costs of conflict (..., P), shape
        (..., P). A derived reservation is the outlook's utility minus the cost; a fixed one
        stays. The outlook gives the issues the scenario's `no_deal.outlook` gives (NaN
        elsewhere): level indices for discrete terms, values for numeric ones, which may sit
        between grid points (read on the party's value curve; an interaction reading such a
        term counts at the nearest grid point). On the grid, the value tables are read, so
        the nominal outlook gives the solver's reservations exactly. Without arguments: the
        nominal reservations."""
        outlook = self.outlook if outlook is None else np.asarray(outlook, dtype=float)
        cost = self.cost if cost is None else np.asarray(cost, dtype=float)
        self._check_outlook(outlook)
        lead = np.broadcast_shapes(outlook.shape[:-1], cost.shape[:-1])
        u = np.zeros(lead + (len(self.parties),))
        idx = np.zeros(lead + (len(self.issues),), dtype=np.int64)
        for k in self.outlook_issues:
            x = np.broadcast_to(outlook[..., k], lead)
            i = self._nearest(k, x)
            idx[..., k] = i
            v = self.values[k].T[i]  # (..., P): the table at the nearest level
            if self.kinds[k] == "numeric":
                off = x != np.asarray(self.levels[k], dtype=float)[i]
                if off.any():
                    flat = np.atleast_1d(x).ravel()
                    between = np.stack([c(flat) if c is not None else np.zeros(flat.shape)
                                        for c in self.curves[k]], axis=-1).reshape(v.shape)
                    v = np.where(off[..., None], between, v)
            u = u + self.weights[:, k] * v
        known = set(self.outlook_issues)
        for p, factor in self.interactions:
            if set(factor.issues) <= known:  # only interactions the outlook decides
                u[..., p] += factor.at(idx)
        return np.where(self.derived, u - cost, self.reservation)

    def _check_outlook(self, outlook: np.ndarray) -> None:
        """An outlook gives exactly the scenario's outlook issues, each a valid term."""
        given = ~np.isnan(outlook)
        for k, name in enumerate(self.issues):
            x = outlook[..., k]
            if k not in self.outlook_issues:
                if given[..., k].any():
                    raise ValueError(f"outlook: '{name}' is not in the scenario's no-deal "
                                     "outlook; leave it NaN")
                continue
            if not given[..., k].all():
                raise ValueError(f"outlook: '{name}' is missing (NaN)")
            if self.kinds[k] == "numeric":
                lo, hi = self.levels[k][0], self.levels[k][-1]
                if (x < lo - 1e-12).any() or (x > hi + 1e-12).any():
                    raise ValueError(f"outlook: '{name}' outside its range [{lo:g}, {hi:g}]")
            elif (x != np.round(x)).any() or (x < 0).any() or (x >= len(self.levels[k])).any():
                raise ValueError(f"outlook: '{name}' takes level indices 0..."
                                 f"{len(self.levels[k]) - 1}")

    def _nearest(self, k: int, x: np.ndarray) -> np.ndarray:
        if self.kinds[k] != "numeric":
            return x.astype(np.int64)
        grid = np.asarray(self.levels[k], dtype=float)
        return np.abs(grid - x[..., None]).argmin(axis=-1)

    # --- constraints and ratification -----------------------------------------------------

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
        """Allowed by the rules and by no veto party's red line."""
        return self.rules_ok(idx) & ~self.red_lines_hit(idx).any(axis=-1)

    def ratification(self, idx: np.ndarray, shift: np.ndarray | float | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
        """(applies, p_pass), each (N, B); p_pass is 1 where a body does not vote.

        `shift`: a mood change per binding body (B,) or for all, added to every voter's logit
        on top of the mood the bodies are at (see `at_mood`); their models are evaluated
        there. Without it, the bodies' tables."""
        n = idx.shape[:-1]
        if not self.bodies:
            return np.zeros(n + (0,), dtype=bool), np.ones(n + (0,))
        applies = np.stack([b.applies.at(idx) for b in self.bodies], axis=-1)
        changes = np.broadcast_to(np.asarray(0.0 if shift is None else shift, dtype=float),
                                  (len(self.bodies),))
        p = np.stack([b.p_pass_at(idx, float(c)) for b, c in zip(self.bodies, changes,
                                                                  strict=True)], axis=-1)
        return applies, np.where(applies, p, 1.0)

    def p_ratified(self, idx: np.ndarray, shift: np.ndarray | float | None = None
                   ) -> np.ndarray:
        """P(every body that votes passes the deal), bodies voting independently."""
        return self.ratification(idx, shift)[1].prod(axis=-1)

    def at_mood(self, change: np.ndarray | float) -> Problem:
        """The same problem with every binding body's mood moved by `change` (B,) or (),
        its tables tabulated there: every method (acceptable, expected_utility...) then reads
        the moved votes."""
        changes = np.broadcast_to(np.asarray(change, dtype=float), (len(self.bodies),))
        bodies = tuple(b.at_mood(float(c), self.sizes)
                       for b, c in zip(self.bodies, changes, strict=True))
        return replace(self, bodies=bodies)

    @property
    def bargainers(self) -> np.ndarray:
        """Whose gains the solutions weigh: the veto parties, or everyone if none has one."""
        return self.veto if self.veto.any() else np.ones_like(self.veto)

    def passes(self, p_pass: np.ndarray) -> np.ndarray:
        """A vote clears the scenario's bar (see `passes`)."""
        return passes(p_pass, self.min_ratification_probability)

    def body_allows(self, body: Body) -> Factor:
        """True where the body does not vote on the deal or passes it, over its issues."""
        for k, mine in enumerate(self.bodies):  # by identity: a body's tables are arrays
            if mine is body:
                return self._allows[k]
        return allows_table(body, self.sizes, self.min_ratification_probability)

    @cached_property
    def _allows(self) -> tuple[Factor, ...]:
        """Each body's body_allows table, made once per problem (every count, frontier and
        diagnosis reads it), or taken from the body when the compiler made it at this bar."""
        bar = self.min_ratification_probability
        return tuple(body.allows[1] if body.allows is not None and body.allows[0] == bar
                     else allows_table(body, self.sizes, bar) for body in self.bodies)

    def ratifiable(self, idx: np.ndarray) -> np.ndarray:
        """Every binding body that votes on the deal passes it."""
        return self.passes(self.ratification(idx)[1]).all(axis=-1)

    def reaches(self, u: np.ndarray, reservation: np.ndarray | None = None) -> np.ndarray:
        """Every veto party gets at least its reservation."""
        r = self.reservation if reservation is None else reservation
        return at_least(u[..., self.veto], r[..., self.veto]).all(axis=-1)

    def acceptable(self, idx: np.ndarray, utility: np.ndarray | None = None) -> np.ndarray:
        """Feasible, at least the reservation for every veto party, and ratifiable."""
        u = self.utility(idx) if utility is None else utility
        return self.reaches(u) & self.feasible(idx) & self.ratifiable(idx)

    def expected_utility(self, idx: np.ndarray, utility: np.ndarray | None = None,
                         p_ratified: np.ndarray | None = None) -> np.ndarray:
        """P(ratified) U(deal) + (1 - P(ratified)) reservation, shape (N, P) (`utility` and
        `p_ratified`, when the caller has them, are not computed again)."""
        u = self.utility(idx) if utility is None else utility
        p = (self.p_ratified(idx) if p_ratified is None else p_ratified)[..., None]
        return p * u + (1 - p) * self.reservation

    # --- transformations (for tests and dynamic engines) ------------------------------------

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
        cost = self.cost.copy()
        cost[party] *= a
        return replace(self, values=values, interactions=interactions, reservation=reservation,
                       curves=curves, cost=cost)

    def with_reservation(self, reservation: np.ndarray) -> Problem:
        """The same problem with other reservations (P,)."""
        return replace(self, reservation=np.asarray(reservation, dtype=float))
