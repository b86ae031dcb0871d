"""Meaning checks once the format is valid: every reference resolves, weights and values make
sense, packages are feasible, uncertainty paths exist and at least one deal is feasible."""

from __future__ import annotations

from typing import Any

from sim.scenario import paths
from sim.scenario.model import Curve, Scenario, Slope
from sim.scenario.terms import (
    ConditionError,
    LevelError,
    grid,
    level_index,
    parse_condition,
    table_key,
    unknown,
)

Found = list[tuple[tuple, str]]


def check(s: Scenario) -> Found:
    found: Found = []
    issues = s.issues
    names = list(issues)
    for name in names:
        if name in ("all", "any", "not"):
            found.append((("issues", name), f"'{name}' is reserved for conditions "
                                            "(all/any/not); rename the issue"))

    def cond(raw: Any, path: tuple) -> None:
        try:
            parse_condition(raw, issues, path)
        except ConditionError as e:
            found.append((e.path, str(e)))

    def level(issue: str, ref: Any, path: tuple) -> None:
        try:
            level_index(issues[issue], ref)
        except LevelError as e:
            found.append((path, str(e)))

    claimed: dict[str, str] = {}  # body -> the party whose ratified_by lists it
    for pname, party in s.parties.items():
        base = ("parties", pname)
        for issue in party.weights:
            if issue not in issues:
                found.append(((*base, "weights", issue), unknown("issue", issue, names)))
        if sum(party.weights.values()) <= 0:
            found.append(((*base, "weights"), "weights are all zero; give at least one "
                                              "issue a positive weight"))
        for issue, fn in party.values.items():
            path = (*base, "values", issue)
            if issue not in issues:
                found.append((path, unknown("issue", issue, names)))
                continue
            kind = issues[issue].kind
            if isinstance(fn, Curve):
                if kind != "numeric":
                    found.append((path, f"`linear`/`points` fit numeric issues; '{issue}' is "
                                        f"{kind}: give a table {{level: value}}"))
                continue
            if kind == "numeric":
                found.append((path, f"'{issue}' is numeric: give `linear: increasing|decreasing`"
                                    " or `points: [[x, value], ...]`"))
                continue
            levels = [table_key(lv) for lv in grid(issues[issue])]
            for key in fn:
                if key not in levels:
                    found.append(((*path, key), unknown("level", key, levels)))
            missing = [lv for lv in levels if lv not in fn]
            if missing:
                found.append((path, f"no value for level(s) {', '.join(missing)}; give every "
                                    "level a value in [0, 1]"))
        for issue, w in party.weights.items():
            if w > 0 and issue in issues and issue not in party.values:
                found.append(((*base, "values"), f"'{issue}' has weight {w:g} but no value "
                                                 f"function; add values.{issue}"))
        for i, inter in enumerate(party.interactions):
            cond(inter.when, (*base, "interactions", i, "when"))
        for i, red in enumerate(party.red_lines):
            cond(red.when, (*base, "red_lines", i, "when"))
        for i, body in enumerate(party.ratified_by):
            if body not in s.ratification:
                found.append(((*base, "ratified_by", i),
                              unknown("ratification body", body, list(s.ratification))))
            elif s.ratification[body].party not in (None, pname):
                found.append(((*base, "ratified_by", i),
                              f"'{body}' ratifies for '{s.ratification[body].party}' (its "
                              "`party:`); a body ratifies for one party"))
            elif body in claimed and claimed[body] != pname:
                found.append(((*base, "ratified_by", i),
                              f"'{body}' is already listed by '{claimed[body]}'; a body "
                              "ratifies for one party"))
            else:
                claimed[body] = pname
        if party.reservation == "derived":
            if s.no_deal is None:
                found.append(((*base, "reservation"), "`derived` needs a `no_deal:` section "
                                                      "with an outlook"))
            else:
                needed = [k for k, w in party.weights.items()
                          if w > 0 and k in issues and k not in s.no_deal.outlook]
                if needed:
                    found.append(((*base, "reservation"),
                                  f"`derived` needs no_deal.outlook to give {', '.join(needed)}"))

    if s.no_deal:
        for issue, ref in s.no_deal.outlook.items():
            path = ("no_deal", "outlook", issue)
            if issue not in issues:
                found.append((path, unknown("issue", issue, names)))
            else:
                level(issue, ref, path)
        for party in s.no_deal.cost:
            if party not in s.parties:
                found.append((("no_deal", "cost", party),
                              unknown("party", party, list(s.parties))))

    for bname, body in s.ratification.items():
        base = ("ratification", bname)
        if body.party is not None and body.party not in s.parties:
            found.append(((*base, "party"), unknown("party", body.party, list(s.parties))))
        if body.applies_when is not None:
            cond(body.applies_when, (*base, "applies_when"))
        groups = [((), body)] + [
            ((group, g), m) for group in ("segments", "blocs")
            for g, m in (getattr(body, group, None) or {}).items()
        ]
        for sub, logit in groups:
            for issue, effect in logit.effects.items():
                path = (*base, *sub, "effects", issue)
                if issue not in issues:
                    found.append((path, unknown("issue", issue, names)))
                    continue
                kind = issues[issue].kind
                if isinstance(effect, Slope):
                    if kind != "numeric":
                        found.append((path, f"`slope` fits numeric issues; '{issue}' is {kind}"))
                    continue
                if kind == "numeric":
                    found.append((path, f"'{issue}' is numeric: give {{slope: b}}"))
                    continue
                for key in effect:
                    level(issue, key, (*path, key))

    for i, rule in enumerate(s.rules):
        for part in ("when", "require", "forbid"):
            raw = getattr(rule, part)
            if raw is not None:
                cond(raw, ("rules", i, part))

    for pkg_name, pkg in s.packages.items():
        base = ("packages", pkg_name, "terms")
        for issue, ref in pkg.terms.items():
            if issue not in issues:
                found.append(((*base, issue), unknown("issue", issue, names)))
            else:
                level(issue, ref, (*base, issue))
        missing = [k for k in names if k not in pkg.terms]
        if missing:
            found.append((base, f"no level for issue(s) {', '.join(missing)}; a package "
                                "gives every issue a level"))

    data = s.model_dump(mode="json")
    for path in s.uncertainty:
        if path.split(".")[0] in ("issues", "packages", "name", "extends"):
            found.append((("uncertainty", path), "the deal space and the packages must be the "
                                                 "same in every draw; vary parties, no_deal, "
                                                 "ratification, rules or settings"))
            continue
        try:
            value = paths.get(data, path)
        except KeyError as e:
            found.append((("uncertainty", path), f"path does not resolve: {e.args[0]}"))
            continue
        if isinstance(value, dict | list):
            found.append((("uncertainty", path), "path names a section, not a single value"))
        elif s.uncertainty[path].choice is None and not (
                isinstance(value, int | float) and not isinstance(value, bool)):
            found.append((("uncertainty", path), f"the value there is {value!r}, not a number: "
                                                 "a numeric distribution cannot replace it "
                                                 "(use `choice` for words)"))

    if found:
        return found
    return _check_feasibility(s)


def _check_feasibility(s: Scenario) -> Found:
    from sim.problem import compile_problem  # the compiled masks are the one definition
    from sim.solve import space

    problem = compile_problem(s)
    found: Found = []
    for name, pkg in s.packages.items():
        broken = problem.rules_broken(problem.deal_index(pkg.terms))
        for i in broken:
            note = s.rules[i].note
            found.append((("packages", name, "terms"),
                          f"breaks rule {i}" + (f" ({note})" if note else "")))
    if space.count(problem, limit=1) == 0:
        found.append(((), "no deal is feasible: the rules and red lines exclude every deal"))
    return found
