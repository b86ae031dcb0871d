"""How a scenario refers to the terms of a deal: each issue's levels, and conditions on them.

A level is written as a discrete level's name, a number on a numeric issue's grid, or
true/false. A condition resolves, leaf by leaf, to a set of allowed level indices per issue,
so the engines only ever see boolean masks over level indices.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.errors import excerpt, listing
from sim.scenario.model import Issue, Rule

_TOL = 1e-9


def grid(issue: Issue) -> list:
    """The issue's levels in order: names, grid numbers, or [False, True]."""
    kind = issue.kind
    if kind == "discrete":
        return list(issue.levels or [])
    if kind == "boolean":
        return [False, True]
    lo, hi = issue.range  # type: ignore[misc]
    step = issue.step  # type: ignore[assignment]
    n = int(np.floor((hi - lo) / step + _TOL))
    digits = 10 - int(np.floor(np.log10(step)))  # 10 digits below the step's own
    points = [round(lo + k * step, digits) for k in range(n + 1)]
    if hi - points[-1] > _TOL * step:
        points.append(round(hi, digits))
    return points


def table_key(level: Any) -> str:
    """How a level is written as a key of a value table: its name, or true/false."""
    if isinstance(level, bool | np.bool_):
        return "true" if level else "false"
    return str(level)


def unknown(kind: str, name: str, valid: list[str], also: list[str] | None = None) -> str:
    """'unknown level 'x'; did you mean 'y'? valid: a, b': the message for every bad name.
    What the user wrote is quoted as a short excerpt, and the valid names listed briefly."""
    near = difflib.get_close_matches(str(name), [*valid, *(also or [])], n=1)
    hint = f"; did you mean '{near[0]}'?" if near else ";"
    shown = listing(valid) or "(none)"
    return f"unknown {kind} '{excerpt(name)}'{hint} valid: {shown}"


class LevelError(ValueError):
    """A level reference that does not name a level; the message says what would be valid."""


def level_index(issue: Issue, ref: Any, levels: list | None = None) -> int:
    """The index of the level `ref` names on `issue`."""
    levels = grid(issue) if levels is None else levels
    kind = issue.kind
    if kind == "boolean":
        if isinstance(ref, bool):
            return int(ref)
        if isinstance(ref, str) and ref.lower() in ("true", "false", "yes", "no"):
            return int(ref.lower() in ("true", "yes"))
        raise LevelError(f"{ref!r} is not a level; valid: true, false")
    if kind == "numeric":
        if isinstance(ref, bool):
            raise LevelError(f"{ref!r} is not a number; valid: {_span(levels)}")
        try:
            x = float(ref)
        except (TypeError, ValueError):
            raise LevelError(f"{ref!r} is not a number; valid: {_span(levels)}") from None
        arr = np.asarray(levels)
        i = int(np.argmin(np.abs(arr - x)))
        if abs(arr[i] - x) <= _TOL * max(1.0, abs(x)):
            return i
        lo, hi = levels[0], levels[-1]
        if not lo - _TOL <= x <= hi + _TOL:
            raise LevelError(f"{x:g} is outside the range [{lo:g}, {hi:g}]")
        j = int(np.searchsorted(arr, x))
        raise LevelError(
            f"{x:g} is not on the grid ({_span(levels)}); nearest: {arr[j - 1]:g}, {arr[j]:g}"
        )
    name = "true" if ref is True else "false" if ref is False else str(ref)
    if name in levels:
        return levels.index(name)
    raise LevelError(unknown("level", name, levels))


def _span(levels: list) -> str:
    if len(levels) <= 6:
        return ", ".join(f"{x:g}" for x in levels)
    step = levels[1] - levels[0]
    return f"{levels[0]:g} to {levels[-1]:g} in steps of {step:g}"


# --- conditions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    issue: int
    allowed: tuple[bool, ...]  # one flag per level of the issue


@dataclass(frozen=True)
class All:
    parts: tuple


@dataclass(frozen=True)
class AnyOf:
    parts: tuple


@dataclass(frozen=True)
class Not:
    part: Any


Cond = Leaf | All | AnyOf | Not


class ConditionError(ValueError):
    def __init__(self, path: tuple, message: str):
        self.path = path
        super().__init__(message)


_OPS = ("at_least", "at_most", "in")


def parse_condition(raw: Any, issues: dict[str, Issue], path: tuple = ()) -> Cond:
    """A condition as written in YAML, checked against the issues; raises ConditionError."""
    if not isinstance(raw, dict) or not raw:
        raise ConditionError(
            path, "a condition is a mapping such as {issue: level}, "
            "{issue: {at_least: level}}, {all: [...]}, {any: [...]} or {not: ...}"
        )
    parts = []
    names = list(issues)
    for key, value in raw.items():
        here = (*path, key)
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise ConditionError(here, f"`{key}` takes a non-empty list of conditions")
            sub = tuple(parse_condition(v, issues, (*here, i)) for i, v in enumerate(value))
            parts.append(All(sub) if key == "all" else AnyOf(sub))
        elif key == "not":
            parts.append(Not(parse_condition(value, issues, here)))
        elif key in issues:
            parts.append(_leaf(names.index(key), issues[key], value, here))
        else:
            raise ConditionError(here, unknown("issue", str(key), names,
                                               also=["all", "any", "not"]))
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def _leaf(k: int, issue: Issue, test: Any, path: tuple) -> Leaf:
    levels = grid(issue)
    n = len(levels)

    def idx(ref: Any, where: tuple) -> int:
        try:
            return level_index(issue, ref, levels)
        except LevelError as e:
            raise ConditionError(where, str(e)) from None

    if not isinstance(test, dict):
        allowed = [False] * n
        allowed[idx(test, path)] = True
        return Leaf(k, tuple(allowed))
    unknown = [op for op in test if op not in _OPS]
    if unknown or not test:
        raise ConditionError(
            path, f"unknown test {unknown[0]!r}; valid: {', '.join(_OPS)}" if unknown
            else f"empty test; valid: {', '.join(_OPS)}"
        )
    mask = np.ones(n, dtype=bool)
    positions = np.arange(n)
    if "at_least" in test:
        mask &= positions >= idx(test["at_least"], (*path, "at_least"))
    if "at_most" in test:
        mask &= positions <= idx(test["at_most"], (*path, "at_most"))
    if "in" in test:
        members = test["in"]
        if not isinstance(members, list) or not members:
            raise ConditionError((*path, "in"), "`in` takes a non-empty list of levels")
        inside = np.zeros(n, dtype=bool)
        for i, ref in enumerate(members):
            inside[idx(ref, (*path, "in", i))] = True
        mask &= inside
    return Leaf(k, tuple(bool(x) for x in mask))


def scope(cond: Cond) -> frozenset[int]:
    """The issues a condition reads."""
    if isinstance(cond, Leaf):
        return frozenset([cond.issue])
    if isinstance(cond, Not):
        return scope(cond.part)
    return frozenset().union(*(scope(p) for p in cond.parts))


def holds(cond: Cond, idx: np.ndarray) -> np.ndarray:
    """Vectorised truth of `cond` for deals given as level indices, shape (..., n_issues)."""
    if isinstance(cond, Leaf):
        return np.asarray(cond.allowed, dtype=bool)[idx[..., cond.issue]]
    if isinstance(cond, Not):
        return ~holds(cond.part, idx)
    parts = [holds(p, idx) for p in cond.parts]
    op = np.logical_and if isinstance(cond, All) else np.logical_or
    return op.reduce(parts)


def rule_test(rule: Rule, issues: dict[str, Issue]):
    """(the issues a rule reads, a vectorised test: True where a deal keeps the rule). The one
    reading of `forbid` and of `when` + `require`."""
    if rule.forbid is not None:
        forbid = parse_condition(rule.forbid, issues)
        return scope(forbid), lambda idx: ~holds(forbid, idx)
    require = parse_condition(rule.require, issues)
    when = parse_condition(rule.when, issues) if rule.when is not None else None
    if when is None:
        return scope(require), lambda idx: holds(require, idx)
    return scope(require) | scope(when), lambda idx: holds(require, idx) | ~holds(when, idx)
