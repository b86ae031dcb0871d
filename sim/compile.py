"""Scenario -> Problem: the compiler, and the feasibility check `sim validate` reports.

A `Compiler` remembers the ratification tables it has built, keyed by the body's definition
and the issues, so that the many scenarios of a robustness run or a sweep that leave a body
alone reuse its tables. The memo lives in the compiler object, never in a module global:
each thread or worker makes its own.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from sim import ratify, space
from sim.errors import InputError, Where
from sim.errors import Problem as Complaint
from sim.problem import (
    TABULATE_UP_TO,
    Body,
    Dynamics,
    Event,
    Factor,
    Problem,
    RedLine,
    Remembered,
    ValueCurve,
    allows_table,
)
from sim.results import magnitude, scenario_hash
from sim.scenario.model import Curve, Scenario
from sim.scenario.model import Dynamics as ScenarioDynamics
from sim.scenario.terms import (
    grid,
    level_index,
    parse_condition,
    rule_test,
    scope,
    table_key,
)

REFERENDUM_MAPPING = {"turnout", "turnout_sd", "min_turnout", "swing_sd"}  # not in thresholds
MEMO_SIZE = 64  # bodies remembered per compiler, the least recently used forgotten first
MAX_TABLE = 20_000_000  # cells a factor's table may have (160 MB of floats): refused beyond


def _guard(reads, sizes: tuple[int, ...], path: str) -> None:
    """Refuse, before allocating, a table over issues whose levels combine into too many
    cells: a rule over 30 issues would ask for petabytes."""
    cells = math.prod(sizes[k] for k in reads)
    if cells > MAX_TABLE:
        raise InputError(Complaint(Where(path=path), (
            f"reads {len(tuple(reads))} issues whose levels combine into {magnitude(cells)} "
            f"cells; at most {MAX_TABLE:,}: split it into conditions over fewer issues")))


class Compiler:
    """Compiles checked Scenarios (see sim.scenario.load) into Problems."""

    def __init__(self, vote_cells: int = TABULATE_UP_TO) -> None:
        """`vote_cells`: a ratification body's tables up to this many cells; 0 tabulates
        none, each vote evaluated on the deals asked about (for a problem asked about a few
        deals only: the same answers, without a table over the space)."""
        self._tables: OrderedDict[tuple[str, str], tuple] = OrderedDict()  # least recent first
        self.vote_cells = vote_cells

    def building(self, vote_cells: int) -> Compiler:
        """A compiler sharing this one's memory that builds the bodies it has not seen with
        `vote_cells`: the bodies a design point or a draw leaves alone keep the tables they
        were remembered with, the ones it changes are built as cheaply as they are asked
        about (see vote_cells_for). A body is remembered as it was first built, tabulated
        or not: the answers are the same."""
        other = Compiler(vote_cells)
        other._tables = self._tables
        return other

    def compile(self, s: Scenario, require_feasible: bool = True) -> Problem:
        """The Problem of a checked scenario; InputError if no deal is feasible, unless not
        `require_feasible` (a hypothetical mix of two variants, where an empty deal space is
        an outcome)."""
        names = list(s.issues)
        levels = tuple(grid(s.issues[k]) for k in names)
        sizes = tuple(len(lv) for lv in levels)
        parties = list(s.parties)
        veto = np.array([x.veto for x in s.parties.values()])
        weights, values, curves = _utilities(s, levels)
        red_lines = _red_lines(s, sizes)
        bodies = self._bodies(s, sizes)
        outlook, outlook_issues, cost, derived = _no_deal(s, levels)
        problem = Problem(
            name=s.name, issues=tuple(names), kinds=tuple(s.issues[k].kind for k in names),
            units=tuple(s.issues[k].unit for k in names), levels=levels,
            specs=tuple(s.issues[k] for k in names), parties=tuple(parties),
            weights=weights, values=values, curves=curves,
            **_party_numbers(s),
            veto=veto, interactions=_interactions(s, sizes), rules=_rules(s, sizes),
            red_lines=tuple(r for r in red_lines if veto[r.party]),
            **_partition(bodies, veto),
            min_ratification_probability=s.settings.min_ratification_probability,
            rule_notes=tuple(rule.note for rule in s.rules),
            advisory_red_lines=tuple(r for r in red_lines if not veto[r.party]),
            outlook=outlook, outlook_issues=outlook_issues, cost=cost, derived=derived,
            dynamics=_dynamics(s, levels), scenario_hash=_hash(s),
        )
        problem.reservation[:] = problem.reservation_at()
        for name, pkg in s.packages.items():
            problem.packages[name] = problem.deal_index(pkg.terms)
        if require_feasible and not check_feasible(problem):
            problem = replace(problem, notes=(((), f"no feasible deal found within "
                                                   f"{FEASIBLE_CHECK:g} s: the rules may "
                                                   "exclude every deal"),))
        return problem

    def update(self, base: Problem, s: Scenario, changed: Iterable[str]) -> Problem:
        """The Problem of `s`, a checked scenario that differs from the one `base` was
        compiled from only at the `changed` paths, all UPDATABLE: the utilities, the
        reservations, powers, patience and the no-deal outlook and costs are made again, and
        the ratification bodies if a path is in `ratification:` (from this compiler's memory
        where they are unchanged); the deal space, rules, red lines and packages are base's (a
        sweep point moving a reservation or a vote compiles nothing else). The same Problem as
        `compile(s)` (a test)."""
        changed = list(changed)
        made = {}  # what the changed paths feed: the rest is base's
        if any(_UTILITY.match(path) for path in changed):
            made.update(zip(("weights", "values", "curves"), _utilities(s, base.levels),
                            strict=True))
        if any(path.startswith("ratification.") for path in changed):
            made.update(_partition(self._bodies(s, base.sizes), base.veto))
        outlook, outlook_issues, cost, derived = _no_deal(s, base.levels)
        problem = replace(base, **made, **_party_numbers(s), outlook=outlook,
                          outlook_issues=outlook_issues, cost=cost, derived=derived,
                          scenario_hash=_hash(s))
        problem.reservation[:] = problem.reservation_at()
        return problem

    def derive(self, base: Problem, s: Scenario, changed: Iterable[str]) -> Problem:
        """The Problem of `s`, a checked scenario that differs from base's only at the
        `changed` paths: base updated when Compiler.update moves them all, else compiled."""
        changed = list(changed)
        if all(updatable(path) for path in changed):
            return self.update(base, s, changed)
        return self.compile(s)

    def _bodies(self, s: Scenario, sizes: tuple[int, ...]) -> list[Body]:
        parties = list(s.parties)
        ratifies_for = {b: parties.index(name) for name, party in s.parties.items()
                        for b in party.ratified_by}
        issues_key = json.dumps({k: v.model_dump(mode="json") for k, v in s.issues.items()})
        out = []
        for name, body in s.ratification.items():
            when = (parse_condition(body.applies_when, s.issues)
                    if body.applies_when is not None else None)
            if when is not None:
                _guard(scope(when), sizes, f"ratification.{name}.applies_when")
            bar = s.settings.min_ratification_probability
            made = self._remember(
                ("body", body.model_dump_json(), issues_key, bar),  # applies_when is in it
                lambda body=body, when=when, bar=bar: self._body(body, when, s, sizes, bar,
                                                                 issues_key))
            party = parties.index(body.party) if body.party else ratifies_for.get(name)
            out.append(replace(made, name=name, party=party))
        return out

    def _remember(self, key: tuple, make):
        """What `make()` returns, remembered under `key` (the least recently used forgotten
        past MEMO_SIZE)."""
        if key in self._tables:
            self._tables.move_to_end(key)
            return self._tables[key]
        value = make()
        if len(self._tables) >= MEMO_SIZE:
            self._tables.popitem(last=False)
        self._tables[key] = value
        return value

    def _body(self, body, when, s: Scenario, sizes: tuple[int, ...], bar: float,
              issues_key: str) -> Body:
        """A body with its tables, and its allows table at the bar. A referendum's thresholds
        (the mood at which each deal's yes share reaches the bar) depend on its predictors only:
        a change of turnout or of the size of the shock reuses them and only maps them to
        P(pass) again."""
        model = ratify.build(body, s.issues)
        applies = (Factor.of_condition(when, sizes) if when is not None
                   else Factor((), np.array(True)))
        if isinstance(model, ratify.ReferendumModel) and model.swing_sd > 0:
            yes, threshold = self._remember(
                ("thresholds", body.model_dump_json(exclude=REFERENDUM_MAPPING), issues_key),
                lambda: (Factor.of_vote(model.issues, sizes, model.yes_share, self.vote_cells),
                         Factor.of_vote(model.issues, sizes, model.threshold,
                                        self.vote_cells)))
            if threshold.tabulated and threshold.table.size <= self.vote_cells:
                p_pass = Factor(threshold.issues, model.pass_at(threshold.table))
            elif threshold.tabulated:  # mapped on the deals asked about (see vote_cells)
                p_pass = Factor(threshold.issues, None, Remembered(
                    _PassAt(model, threshold), threshold.issues, sizes))
            else:
                p_pass = Factor.of_vote(model.issues, sizes, model.p_pass, self.vote_cells)
        else:
            yes = Factor.of_vote(model.issues, sizes, model.yes_share, self.vote_cells)
            p_pass = Factor.of_vote(model.issues, sizes, model.p_pass, self.vote_cells)
        made = Body("", body.kind, None, applies, yes, p_pass, model)
        return replace(made, allows=(bar, allows_table(made, sizes, bar)))


UPDATABLE = re.compile(r"parties\.[^.]+\.(reservation|power|patience|weights\.[^.]+"
                       r"|values\.[^.]+(\..+)?)|no_deal\.(cost|outlook)\.[^.]+"
                       r"|ratification\.[^.]+\..+")
"""Dotted paths `Compiler.update` moves without compiling the scenario again: what the
Problem holds as utilities, per-party numbers, the no-deal outlook and costs, and the
ratification bodies' parameters."""


_UTILITY = re.compile(r"parties\.[^.]+\.(weights|values)\.")  # what _utilities reads


@dataclass(frozen=True)
class _PassAt:
    """A referendum's P(pass) from its tabulated thresholds, on the deals asked about: a
    class, not a closure, so that a Problem pickles."""

    model: ratify.ReferendumModel
    threshold: Factor

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        return self.model.pass_at(self.threshold.at(idx))


def _partition(bodies: list[Body], veto: np.ndarray) -> dict[str, tuple[Body, ...]]:
    """The bodies that bind (they ratify for a veto party, or for nobody in particular) and
    the advisory ones."""
    return {"bodies": tuple(b for b in bodies if b.party is None or veto[b.party]),
            "advisory_bodies": tuple(b for b in bodies
                                     if b.party is not None and not veto[b.party])}


def updatable(path: str) -> bool:
    return UPDATABLE.fullmatch(path) is not None


def _party_numbers(s: Scenario) -> dict[str, np.ndarray]:
    """Reservations (0 where derived: Problem.reservation_at fills them), powers, patience."""
    parties = s.parties.values()
    return {"reservation": np.array([x.reservation if x.reservation != "derived" else 0.0
                                     for x in parties], dtype=float),
            "power": np.array([x.power for x in parties]),
            "patience": np.array([x.patience for x in parties])}


def _hash(s: Scenario) -> str:
    """The scenario's hash, without what a file written for an earlier version could not
    say: a `dynamics:` section it does not have, a red line's `name:` and `holds:` at their
    defaults (so an older file's hash does not move)."""
    data = s.model_dump(
        mode="json", exclude={"extends"} | ({"dynamics"} if s.dynamics is None else set()))
    for party in data["parties"].values():
        party["red_lines"] = [{k: v for k, v in red.items()
                               if (k, v) not in (("name", None), ("holds", True))}
                              for red in party["red_lines"]]
    return scenario_hash(data)


VOTE_COUNT_SECONDS = 1.0  # spent at most counting the feasible deals, to choose


def vote_cells_for(problem: Problem) -> int:
    """The `vote_cells` for the bodies that variants of `problem`'s scenario change: 0 when
    its feasible deals are fewer than its votes' table cells, since evaluating such a vote
    once on the deals a solve asks about is then cheaper than tabulating it over the space
    for one use (the same answers, to the last bit of a float), else TABULATE_UP_TO."""
    cells = sum(math.prod(problem.sizes[k] for k in b.p_pass.issues)
                for b in (*problem.bodies, *problem.advisory_bodies))
    if not cells:
        return TABULATE_UP_TO
    feasible = space.count_feasible(problem, time.monotonic() + VOTE_COUNT_SECONDS).value
    return 0 if feasible < cells else TABULATE_UP_TO


def compile_problem(s: Scenario) -> Problem:
    """The Problem of a checked Scenario (a fresh compiler: nothing remembered)."""
    return Compiler().compile(s)


def warnings_for(problem: Problem) -> list[tuple[tuple, str]]:
    """What is valid but probably not meant, as (dotted path, message): a fixed reservation
    above the most the party can get (it accepts no deal; a reservation below the least it can
    get is common, a party that accepts anything, and is not flagged)."""
    found = list(problem.notes)
    best = sum(c.max(axis=0) for c in problem.contributions)
    for p, factor in problem.interactions:
        best[p] += max(0.0, float(factor.table.max()))
    for p, name in enumerate(problem.parties):
        r = problem.reservation[p]
        if not problem.derived[p] and r > best[p] + 1e-9:
            found.append((("parties", name, "reservation"),
                          f"{r:g} is above the most '{name}' can get from any deal "
                          f"({best[p]:.3f}): it accepts no deal"))
    return found


FEASIBLE_CHECK = 5.0  # seconds spent confirming that some deal is feasible


def check_feasible(problem: Problem, budget: float | None = None) -> bool:
    """At least one deal must pass the rules: InputError if none does, for the deal space is
    then empty by the scenario's own definition. Red lines that leave no deal are not an
    error but a finding (the parties' positions conflict), which the engines report with
    what it would take to open a zone. False when that is not settled within `budget`
    seconds (rules whose count cannot be factored, over a vast space)."""
    try:
        budget = FEASIBLE_CHECK if budget is None else budget
        found = space.count(replace(problem, red_lines=()), limit=1,
                            deadline=time.monotonic() + budget)
    except space.OutOfTime:
        return False
    if found == 0:
        raise InputError("no deal is feasible: the rules exclude every deal (check the "
                         "`rules:`; red lines alone never make this an error)")
    return True


# --- one function per section of the scenario ----------------------------------------------


def _utilities(s: Scenario, levels: tuple[list, ...]):
    """Normalised weights (P, K), value tables per issue (P, L_k), curves of numeric issues."""
    names = list(s.issues)
    P, K = len(s.parties), len(names)
    weights = np.zeros((P, K))
    values = [np.zeros((P, len(levels[k]))) for k in range(K)]
    curves: list[list] = [[None] * P for _ in range(K)]
    for p, party in enumerate(s.parties.values()):
        for issue, w in party.weights.items():
            weights[p, names.index(issue)] = w
        with np.errstate(over="ignore"):
            if not np.isfinite(weights[p].sum()):  # huge weights: scale first, or the sum
                weights[p] /= weights[p].max()  # overflows and every weight becomes 0
        weights[p] /= weights[p].sum()
        for issue, fn in party.values.items():
            k = names.index(issue)
            if isinstance(fn, Curve):
                curves[k][p] = _curve(fn, levels[k])
                values[k][p] = curves[k][p](np.asarray(levels[k], dtype=float))
            else:
                values[k][p] = [fn[table_key(lv)] for lv in levels[k]]
    return weights, tuple(values), tuple(tuple(c) for c in curves)


def _curve(fn: Curve, levels: list) -> ValueCurve:
    if fn.points:
        xs, vs = zip(*fn.points, strict=True)
        return ValueCurve(np.asarray(xs, float), np.asarray(vs, float))
    ends = np.array([float(levels[0]), float(levels[-1])])
    vs = np.array([0.0, 1.0] if fn.linear == "increasing" else [1.0, 0.0])
    return ValueCurve(ends, vs, None if fn.exponent == 1.0 else fn.exponent)


def _interactions(s: Scenario, sizes: tuple[int, ...]) -> tuple[tuple[int, Factor], ...]:
    out = []
    for p, (pname, party) in enumerate(s.parties.items()):
        for i, inter in enumerate(party.interactions):
            cond = parse_condition(inter.when, s.issues)
            _guard(scope(cond), sizes, f"parties.{pname}.interactions.{i}.when")
            f = Factor.of_condition(cond, sizes)
            out.append((p, Factor(f.issues, f.table * float(inter.add))))
    return tuple(out)


def _rules(s: Scenario, sizes: tuple[int, ...]) -> tuple[Factor, ...]:
    out = []
    for i, rule in enumerate(s.rules):
        reads, keeps = rule_test(rule, s.issues)
        _guard(reads, sizes, f"rules.{i}")
        out.append(Factor.tabulate(reads, sizes, keeps))
    return tuple(out)


def _red_lines(s: Scenario, sizes: tuple[int, ...]) -> list[RedLine]:
    out = []
    for p, (pname, party) in enumerate(s.parties.items()):
        for i, red in enumerate(party.red_lines):
            if not red.holds:  # read as given up: it binds no deal
                continue
            cond = parse_condition(red.when, s.issues)
            _guard(scope(cond), sizes, f"parties.{pname}.red_lines.{i}.when")
            out.append(RedLine(p, Factor.of_condition(cond, sizes), red.note))
    return out


def _no_deal(s: Scenario, levels: tuple[list, ...]):
    """(outlook (K,), the issues it gives in the order written, cost (P,), derived (P,))."""
    names = list(s.issues)
    outlook = np.full(len(names), np.nan)
    written: list[int] = []
    nd = s.no_deal
    if nd is not None:
        for issue, ref in nd.outlook.items():
            k = names.index(issue)
            i = level_index(s.issues[issue], ref, levels[k])
            outlook[k] = float(levels[k][i]) if s.issues[issue].kind == "numeric" else i
            written.append(k)
    cost = np.array([float(nd.cost.get(p, 0.0)) if nd else 0.0 for p in s.parties])
    derived = np.array([x.reservation == "derived" for x in s.parties.values()])
    return outlook, tuple(written), cost, derived


def _dynamics(s: Scenario, levels: tuple[list, ...]) -> Dynamics:
    """The `dynamics:` section (or its defaults) as arrays over issues and parties."""
    d = s.dynamics or ScenarioDynamics()
    names, parties = list(s.issues), list(s.parties)
    drift, noise = np.zeros(len(names)), np.zeros(len(names))
    for issue, walk in d.war.outlook.items():
        drift[names.index(issue)], noise[names.index(issue)] = walk.drift, walk.noise
    cost_drift = np.array([d.war.cost[p].drift if p in d.war.cost else 0.0 for p in parties])
    cost_noise = np.array([d.war.cost[p].noise if p in d.war.cost else 0.0 for p in parties])
    events = []
    for e in d.events:
        if e.mood is not None:
            events.append(Event(e.at, "mood", -1, float(e.mood), e.note))
            continue
        section, key, name = e.set.split(".")
        if section == "no_deal" and key == "outlook":
            k = names.index(name)
            spec = s.issues[name]
            value = (float(e.to) if spec.kind == "numeric"
                     else float(level_index(spec, e.to, levels[k])))
            events.append(Event(e.at, "outlook", k, value, e.note))
        elif section == "no_deal":  # no_deal.cost.<party>
            events.append(Event(e.at, "cost", parties.index(name), float(e.to), e.note))
        else:  # parties.<party>.reservation
            events.append(Event(e.at, "reservation", parties.index(key), float(e.to), e.note))
    mediator = (None if d.mediator is None
                else -1 if d.mediator.by == "neutral" else parties.index(d.mediator.by))
    strategies = tuple((c.strategy, c.model_dump(exclude={"strategy"}))
                       for c in map(d.strategy_of, parties))
    return Dynamics(
        unit=d.step, deadline=d.deadline, strategies=strategies, proposers=d.proposers,
        mediator=mediator, private=d.information == "private", belief_noise=d.beliefs.noise,
        belief_bias=d.beliefs.bias, learning=d.beliefs.learning, outlook_drift=drift,
        outlook_noise=noise, cost_drift=cost_drift, cost_noise=cost_noise,
        mood_drift=d.electorate.drift, mood_noise=d.electorate.noise,
        events=tuple(sorted(events, key=lambda e: e.step)),
        ratification_delay=d.ratification_delay, walk_out_after=d.walk_out_after,
        collapse_on_rejection=d.on_failed_ratification == "collapse")
