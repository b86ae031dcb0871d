"""Meaning checks once the format is valid: every reference resolves, weights and values make
sense, packages are complete and keep the rules, uncertainty paths exist.

Nothing here compiles the scenario: whether any deal is feasible at all is a question about the
compiled deal space, asked by `sim.compile.check_feasible`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.scenario import paths
from sim.scenario.model import Curve, Scenario, Slope
from sim.scenario.terms import (
    ConditionError,
    LevelError,
    grid,
    level_index,
    parse_condition,
    rule_test,
    table_key,
    unknown,
)

Found = list[tuple[tuple, str]]


class _Checker:
    """Collects (path, message) for one scenario, section by section."""

    def __init__(self, s: Scenario):
        self.s = s
        self.names = list(s.issues)
        self.found: Found = []

    def add(self, path: tuple, message: str) -> None:
        self.found.append((path, message))

    def cond(self, raw: Any, path: tuple) -> None:
        try:
            parse_condition(raw, self.s.issues, path)
        except ConditionError as e:
            self.add(e.path, str(e))

    def level(self, issue: str, ref: Any, path: tuple) -> bool:
        try:
            level_index(self.s.issues[issue], ref)
            return True
        except LevelError as e:
            self.add(path, str(e))
            return False

    def issue_known(self, issue: str, path: tuple) -> bool:
        if issue in self.s.issues:
            return True
        self.add(path, unknown("issue", issue, self.names))
        return False


def check(s: Scenario, packages_keep_rules: bool = True) -> Found:
    """Every problem found, as (path, message). Without `packages_keep_rules`, a package may
    break a rule (a hypothetical mix of two variants, where it is then unacceptable)."""
    c = _Checker(s)
    _issues(c)
    claimed: dict[str, str] = {}  # body -> the party whose ratified_by lists it
    for name in s.parties:
        _party(c, name, claimed)
    _no_deal(c)
    for name in s.ratification:
        _body(c, name)
    _rules(c)
    _packages(c, packages_keep_rules)
    _uncertainty(c)
    _dynamics(c)
    return c.found


def _issues(c: _Checker) -> None:
    for name in c.names:
        if name in ("all", "any", "not"):
            c.add(("issues", name), f"'{name}' is reserved for conditions (all/any/not); "
                                    "rename the issue")
        elif name == "p_ratified":
            c.add(("issues", name), "'p_ratified' is reserved (a result's metrics name each "
                                    "solution's P(ratified) so); rename the issue")


def _party(c: _Checker, pname: str, claimed: dict[str, str]) -> None:
    s, party, base = c.s, c.s.parties[pname], ("parties", pname)
    for issue in party.weights:
        c.issue_known(issue, (*base, "weights", issue))
    if sum(party.weights.values()) <= 0:
        c.add((*base, "weights"), "weights are all zero; give at least one issue a positive "
                                  "weight")
    for issue, fn in party.values.items():
        if c.issue_known(issue, (*base, "values", issue)):
            _value_function(c, issue, fn, (*base, "values", issue))
    for issue, w in party.weights.items():
        if w > 0 and issue in s.issues and issue not in party.values:
            c.add((*base, "values"), f"'{issue}' has weight {w:g} but no value function; add "
                                     f"values.{issue}")
    for i, inter in enumerate(party.interactions):
        c.cond(inter.when, (*base, "interactions", i, "when"))
    named: dict[str, int] = {}
    for i, red in enumerate(party.red_lines):
        c.cond(red.when, (*base, "red_lines", i, "when"))
        if red.name is not None and red.name in named:
            c.add((*base, "red_lines", i, "name"),
                  f"'{red.name}' already names red line {named[red.name]}; names must differ")
        elif red.name is not None:
            named[red.name] = i
    for i, body in enumerate(party.ratified_by):
        path = (*base, "ratified_by", i)
        if body not in s.ratification:
            c.add(path, unknown("ratification body", body, list(s.ratification)))
        elif s.ratification[body].party not in (None, pname):
            c.add(path, f"'{body}' ratifies for '{s.ratification[body].party}' (its `party:`); "
                        "a body ratifies for one party")
        elif body in claimed and claimed[body] != pname:
            c.add(path, f"'{body}' is already listed by '{claimed[body]}'; a body ratifies for "
                        "one party")
        else:
            claimed[body] = pname
    if party.reservation == "derived":
        if s.no_deal is None:
            c.add((*base, "reservation"), "`derived` needs a `no_deal:` section with an outlook")
            return
        needed = [k for k, w in party.weights.items()
                  if w > 0 and k in s.issues and k not in s.no_deal.outlook]
        if needed:
            c.add((*base, "reservation"), f"`derived` needs no_deal.outlook to give "
                                          f"{', '.join(needed)}")


def _value_function(c: _Checker, issue: str, fn: Any, path: tuple) -> None:
    kind = c.s.issues[issue].kind
    if isinstance(fn, Curve):
        if kind != "numeric":
            c.add(path, f"`linear`/`points` fit numeric issues; '{issue}' is {kind}: give a "
                        "table {level: value}")
        return
    if kind == "numeric":
        c.add(path, f"'{issue}' is numeric: give `linear: increasing|decreasing` or "
                    "`points: [[x, value], ...]`")
        return
    levels = [table_key(lv) for lv in grid(c.s.issues[issue])]
    for key in fn:
        if key not in levels:
            c.add((*path, key), unknown("level", key, levels))
    missing = [lv for lv in levels if lv not in fn]
    if missing:
        c.add(path, f"no value for level(s) {', '.join(missing)}; give every level a value in "
                    "[0, 1]")


def _no_deal(c: _Checker) -> None:
    nd = c.s.no_deal
    if nd is None:
        return
    for issue, ref in nd.outlook.items():
        path = ("no_deal", "outlook", issue)
        if c.issue_known(issue, path):
            c.level(issue, ref, path)
    for party in nd.cost:
        if party not in c.s.parties:
            c.add(("no_deal", "cost", party), unknown("party", party, list(c.s.parties)))


def _body(c: _Checker, name: str) -> None:
    body, base = c.s.ratification[name], ("ratification", name)
    if body.party is not None and body.party not in c.s.parties:
        c.add((*base, "party"), unknown("party", body.party, list(c.s.parties)))
    if body.applies_when is not None:
        c.cond(body.applies_when, (*base, "applies_when"))
    groups = [((), body)] + [((group, g), m) for group in ("segments", "blocs")
                             for g, m in (getattr(body, group, None) or {}).items()]
    for sub, logit in groups:
        for issue, effect in logit.effects.items():
            path = (*base, *sub, "effects", issue)
            if not c.issue_known(issue, path):
                continue
            kind = c.s.issues[issue].kind
            if isinstance(effect, Slope):
                if kind != "numeric":
                    c.add(path, f"`slope` fits numeric issues; '{issue}' is {kind}")
            elif kind == "numeric":
                c.add(path, f"'{issue}' is numeric: give {{slope: b}}")
            else:
                for key in effect:
                    c.level(issue, key, (*path, key))


def _rules(c: _Checker) -> None:
    for i, rule in enumerate(c.s.rules):
        for part in ("when", "require", "forbid"):
            raw = getattr(rule, part)
            if raw is not None:
                c.cond(raw, ("rules", i, part))


def _packages(c: _Checker, keep_rules: bool = True) -> None:
    """Every package gives every issue a level on its grid, and keeps every rule (unless
    not `keep_rules`)."""
    whole = {}
    for pkg_name, pkg in c.s.packages.items():
        base = ("packages", pkg_name, "terms")
        ok = [c.issue_known(issue, (*base, issue)) and c.level(issue, ref, (*base, issue))
              for issue, ref in pkg.terms.items()]
        missing = [k for k in c.names if k not in pkg.terms]
        if missing:
            c.add(base, f"no level for issue(s) {', '.join(missing)}; a package gives every "
                        "issue a level")
        elif all(ok):
            whole[pkg_name] = pkg.terms
    if keep_rules and whole and c.s.rules and not any(p[0] == "rules" for p, _ in c.found):
        for (pkg_name, _), broken in zip(whole.items(), _rules_broken(c.s, list(whole.values())),
                                         strict=True):
            for i in broken:
                note = c.s.rules[i].note
                c.add(("packages", pkg_name, "terms"),
                      f"breaks rule {i}" + (f" ({note})" if note else ""))


def _rules_broken(s: Scenario, packages: list[dict]) -> list[list[int]]:
    """For each package's terms, the rules it breaks (each rule parsed once for all)."""
    idx = np.array([[level_index(s.issues[k], terms[k]) for k in s.issues]
                    for terms in packages])
    kept = np.stack([rule_test(rule, s.issues)[1](idx) for rule in s.rules], axis=-1)
    return [[i for i in range(len(s.rules)) if not row[i]] for row in kept]


def _uncertainty(c: _Checker) -> None:
    data = c.s.model_dump(mode="json")
    for path, dist in c.s.uncertainty.items():
        where = ("uncertainty", path)
        why = paths.cannot_vary(data, path)
        if why:
            c.add(where, why)
            continue
        value = paths.get(data, path)
        if dist.choice is None and not (isinstance(value, int | float)
                                        and not isinstance(value, bool)):
            c.add(where, f"the value there is {value!r}, not a number: a numeric distribution "
                         "cannot replace it (use `choice` for words)")


MOVABLE = ("no_deal.outlook.<issue>", "no_deal.cost.<party>", "parties.<party>.reservation")
"""What an event may set while talks go on: what moves reservations without recompiling the
deal space (the agent-based model reads them through Problem.reservation_at)."""


def _dynamics(c: _Checker) -> None:
    d, s = c.s.dynamics, c.s
    if d is None:
        return
    parties = list(s.parties)
    outlook = s.no_deal.outlook if s.no_deal else {}
    for party in d.strategies:
        if party not in s.parties:
            c.add(("dynamics", "strategies", party), unknown("party", party, parties))
    if d.mediator is not None and d.mediator.by not in ("neutral", *parties):
        c.add(("dynamics", "mediator", "by"), unknown("mediator", d.mediator.by,
                                                      ["neutral", *parties]))
    for issue in d.war.outlook:
        path = ("dynamics", "war", "outlook", issue)
        if issue not in outlook:
            c.add(path, f"'{issue}' is not in no_deal.outlook; the war moves the outlook's "
                        f"numeric terms ({', '.join(_numeric(s, outlook)) or 'none'})")
        elif s.issues[issue].kind != "numeric":
            c.add(path, f"'{issue}' is {s.issues[issue].kind}: it moves only by an event "
                        "(`dynamics.events`)")
    for party in d.war.cost:
        if party not in s.parties:
            c.add(("dynamics", "war", "cost", party), unknown("party", party, parties))
        elif s.parties[party].reservation != "derived":
            c.add(("dynamics", "war", "cost", party), _fixed(party))
    for i, event in enumerate(d.events):
        if event.set is not None:
            _event(c, event.set, event.to, ("dynamics", "events", i, "set"), outlook)


def _fixed(party: str) -> str:
    return (f"{party}'s reservation is a fixed number, which a cost of conflict does not move: "
            f"set parties.{party}.reservation in an event, or make it `derived`")


def _numeric(s: Scenario, outlook: dict) -> list[str]:
    return [k for k in outlook if s.issues[k].kind == "numeric"]


def _event(c: _Checker, target: str, to: Any, path: tuple, outlook: dict) -> None:
    s, parts = c.s, target.split(".")
    valid = f"an event sets one of {', '.join(MOVABLE)}"
    if len(parts) == 3 and parts[:2] == ["no_deal", "outlook"]:
        issue = parts[2]
        if issue not in outlook:
            c.add(path, f"'{issue}' is not in no_deal.outlook; an event moves only the "
                        f"terms it gives ({', '.join(outlook) or 'none'})")
        elif s.issues[issue].kind == "numeric":  # the war moves it between grid points too
            lo, hi = s.issues[issue].range
            if not (isinstance(to, int | float) and not isinstance(to, bool)
                    and lo <= to <= hi):
                c.add(path[:-1] + ("to",), f"{target} takes a number within [{lo:g}, {hi:g}],"
                                           f" got {to!r}")
        else:
            c.level(issue, to, path[:-1] + ("to",))
    elif len(parts) == 3 and parts[:2] == ["no_deal", "cost"] or (
            len(parts) == 3 and parts[0] == "parties" and parts[2] == "reservation"):
        party = parts[2] if parts[0] == "no_deal" else parts[1]
        if party not in s.parties:
            c.add(path, unknown("party", party, list(s.parties)))
        elif not isinstance(to, int | float) or isinstance(to, bool):
            c.add(path[:-1] + ("to",), f"{target} takes a number, got {to!r}")
        elif parts[0] == "parties" and s.parties[party].reservation == "derived":
            c.add(path, f"{party}'s reservation is derived from no_deal: set "
                        f"no_deal.cost.{party} or an outlook term instead")
        elif parts[0] == "no_deal" and s.parties[party].reservation != "derived":
            c.add(path, _fixed(party))
    else:
        c.add(path, f"'{target}' cannot move during talks: {valid} (anything else changes the "
                    "deal space or a vote's tables: make it a variant or an uncertainty)")
