"""Variants side by side: what differs in their inputs, what changes in their outcomes, and
which input differences explain each change.

- Inputs are compared as resolved data (every `extends:` applied), path by dotted path; a
  mapping key one side lacks is an addition or a removal. Words (names, descriptions, notes,
  sources) are listed but explain no outcome.
- Outcomes are compared by terms, never by level indices: deal spaces may differ.
- Attribution (two variants): the differences are the players of a game whose value is an
  outcome of A with a coalition of them applied, and each gets its Shapley value (see
  sim.shapley): what one-at-a-time changes miss, interactions, is shared out, and the shares
  sum to the whole change. Differences that refer to each other (an issue and the terms that
  name its levels, a body and the `ratified_by` that lists it) are one player, so that no
  mix is an invalid scenario; with many differences, a path's top two levels group them.
"""

from __future__ import annotations

import copy
import difflib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim import seeds, shapley
from sim.errors import InputError
from sim.scenario import paths
from sim.scenario.model import Scenario

MAX_EXACT = 6  # players: 2^6 = 64 mixes; beyond, orders are sampled
WORDS = {"description", "note", "title", "url", "date"}  # read by people, never by a model
NAMED = ("issues", "parties", "ratification", "packages")  # sections whose keys are names
LIST_DEALS_UP_TO = 200_000  # acceptable deals compared one by one; beyond, counted only
EXAMPLES = 3  # deals shown entering and leaving the acceptable set


@dataclass(frozen=True)
class Difference:
    """One input that differs: `kind` is changed, added (old is None) or removed (new is
    None)."""

    path: str
    old: Any
    new: Any
    kind: str = "changed"

    @property
    def words(self) -> bool:
        """Text for readers only: it changes no outcome."""
        parts = self.path.split(".")
        return parts[-1] in WORDS or parts[0] in ("name", "sources")

    def to_dict(self) -> dict:
        return {"path": self.path, "kind": self.kind, "old": self.old, "new": self.new}


def differences(a: dict, b: dict) -> list[Difference]:
    """Every dotted path at which the data `b` differs from `a`, in `a`'s order then `b`'s
    additions. Mappings are compared key by key, lists of mappings (rules, red lines) entry
    by entry with the extra ones added or removed at the end; any other list as one value."""
    out: list[Difference] = []
    _walk(a, b, [], out)
    return out


def _walk(a: Any, b: Any, at: list[str], out: list[Difference]) -> None:
    path = ".".join(at)
    if isinstance(a, dict) and isinstance(b, dict):
        for k, x in a.items():
            if k in b:
                _walk(x, b[k], [*at, str(k)], out)
            else:
                out.append(Difference(".".join([*at, str(k)]), x, None, "removed"))
        out.extend(Difference(".".join([*at, str(k)]), None, y, "added")
                   for k, y in b.items() if k not in a)
    elif (isinstance(a, list) and isinstance(b, list) and a and b
          and all(isinstance(x, dict) for x in a + b)):
        # Entries aligned as a text diff aligns lines: an entry inserted in the middle is
        # one addition, not a change of every entry after it.
        text = [[json.dumps(x, sort_keys=True) for x in side] for side in (a, b)]
        blocks = difflib.SequenceMatcher(None, *text, autojunk=False).get_opcodes()
        for op, i1, i2, j1, j2 in blocks:
            if op == "replace" and i2 - i1 == j2 - j1:  # changed in place: entry by entry
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                    _walk(a[i], b[j], [*at, str(i)], out)
            elif op != "equal":
                out.extend(Difference(".".join([*at, str(i)]), a[i], None, "removed")
                           for i in range(i1, i2))
                out.extend(Difference(".".join([*at, str(j)]), None, b[j], "added")
                           for j in range(j1, j2))
    elif a != b or type(a) is not type(b):
        out.append(Difference(path, a, b))


def mixed(a: dict, chosen: Iterable[Difference]) -> dict:
    """`a` with the chosen differences applied (each sets, adds or removes its path). In a
    list, changes address A's entries, so they come first; then the removed entries go,
    from the highest of A's indices down; then the added ones are inserted at their place in
    B's list (at the end if the list is shorter), in order: all of them give B's list, and
    any subset a valid one."""
    out = copy.deepcopy(a)
    tail: list[tuple[Difference, list, int]] = []
    for d in chosen:
        *head, last = paths.split(d.path)
        node = out
        for part in head:
            node = node[part if isinstance(node, list) else str(part)]
        if isinstance(node, list) and d.kind != "changed":
            tail.append((d, node, int(last)))
            continue
        key = last if isinstance(node, list) else str(last)
        if d.kind == "removed":
            del node[key]
        else:
            node[key] = copy.deepcopy(d.new)
    for _, node, i in sorted((t for t in tail if t[0].kind == "removed"), key=lambda t: -t[2]):
        del node[i]
    for d, node, i in sorted((t for t in tail if t[0].kind == "added"), key=lambda t: t[2]):
        node.insert(min(i, len(node)), copy.deepcopy(d.new))
    return out


@dataclass(frozen=True)
class Player:
    """Differences applied together in the attribution: one path, or a group."""

    name: str
    differences: tuple[Difference, ...]

    def to_dict(self) -> dict:
        return {"name": self.name, "paths": [d.path for d in self.differences]}


def background(d: Difference, engine: str = "solve") -> bool:
    """A difference no attributed outcome depends on, applied in every mix of the
    attribution instead of being a player: words, a package removed (its outcomes exist in A
    only), and under the solver the `dynamics:` section, which only the agent-based model
    reads."""
    parts = d.path.split(".")
    return d.words or (parts[0] == "packages" and len(parts) == 2 and d.kind == "removed") \
        or (engine == "solve" and parts[0] == "dynamics")


def ignored(d: Difference) -> bool:
    """A difference no mix applies: a package added (its outcomes exist in B only, and it may
    name what only B has), and `uncertainty:` (no attributed outcome reads it)."""
    parts = d.path.split(".")
    return (parts[0] == "packages" and len(parts) == 2 and d.kind == "added") \
        or parts[0] == "uncertainty"


def players(found: list[Difference], most: int = MAX_EXACT, engine: str = "solve"
            ) -> list[Player]:
    """The attribution's players: each difference that is neither background nor ignored,
    grouped by its path's top two levels when there are more than `most`, and joined with
    any that refers to a name it adds or removes (an issue, a level, a party, a body, a
    package)."""
    found = [d for d in found if not background(d, engine) and not ignored(d)]
    key = (lambda d: d.path) if len(found) <= most else (
        lambda d: ".".join(d.path.split(".")[:2]))
    groups: dict[str, list[Difference]] = {}
    for d in found:
        groups.setdefault(key(d), []).append(d)
    names = list(groups)
    parent = list(range(len(names)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    defined = [set().union(*(_defines(d) for d in groups[n])) for n in names]
    mentioned = [set().union(*(_mentions(d) for d in groups[n])) for n in names]
    for i in range(len(names)):
        for j in range(len(names)):
            if i != j and defined[i] & mentioned[j]:
                parent[root(j)] = root(i)
    joined: dict[int, list[str]] = {}
    for i, n in enumerate(names):
        joined.setdefault(root(i), []).append(n)
    return [_player([d for n in members for d in groups[n]], members)
            for members in joined.values()]


def _player(diffs: list[Difference], members: list[str]) -> Player:
    name = members[0] if len(members) == 1 else " + ".join(members)
    return Player(name, tuple(diffs))


def _defines(d: Difference) -> set[str]:
    """The names a difference adds or removes: a named entry (issue, party, body, package),
    or an issue's levels. (An issue's range or step moves its numbers; a mix that then does
    not load is joined by attribute_change.)"""
    parts = d.path.split(".")
    if parts[0] in NAMED and len(parts) == 2 and d.kind != "changed":
        return {parts[1]}
    if parts[0] == "issues" and len(parts) == 3 and parts[2] == "levels":
        return _strings(d.old) ^ _strings(d.new)
    return set()


def _mentions(d: Difference) -> set[str]:
    """The names a difference refers to: the keys on its path that are not the format's own
    field names (a party, an issue, a level), and every string in its values."""
    keys = set(d.path.split(".")[1:]) - _field_names()
    return keys | _strings(d.old) | _strings(d.new)


def _field_names() -> set[str]:
    """Every field name of the scenario format (`reservation`, `weights`...): never a
    reference to a name the scenario gives."""
    import pydantic

    from sim.scenario import model

    return {f for m in vars(model).values()
            if isinstance(m, type) and issubclass(m, pydantic.BaseModel)
            for f in m.model_fields}


def _strings(value: Any) -> set[str]:
    """Every string in a value, dict keys included."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set(map(str, value)).union(*(_strings(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value))
    return set()


# --- outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Structure:
    """Names one variant adds to or removes from the baseline, by section."""

    added: dict[str, list[str]]
    removed: dict[str, list[str]]
    levels: dict[str, dict[str, list]]  # issue -> {"added": [...], "removed": [...]}

    @property
    def same_space(self) -> bool:
        return not (self.added.get("issues") or self.removed.get("issues") or self.levels)

    def to_dict(self) -> dict:
        return {"added": self.added, "removed": self.removed, "levels": self.levels}


def structure(a: Scenario, b: Scenario) -> Structure:
    added, removed = {}, {}
    for section in NAMED:
        x, y = getattr(a, section), getattr(b, section)
        if plus := [k for k in y if k not in x]:
            added[section] = plus
        if minus := [k for k in x if k not in y]:
            removed[section] = minus
    levels = {}
    from sim.scenario.terms import grid

    for name in a.issues.keys() & b.issues.keys():
        old, new = grid(a.issues[name]), grid(b.issues[name])
        if old != new:
            levels[name] = {"added": [v for v in new if v not in old],
                            "removed": [v for v in old if v not in new]}
    return Structure(added, removed, dict(sorted(levels.items())))


@dataclass(frozen=True)
class SetChange:
    """How the acceptable set moves from the baseline: deals entering and leaving, compared
    by their terms on the issues both variants have (`on`)."""

    on: tuple[str, ...]
    entering: int | None  # None: too many to compare one by one
    leaving: int | None
    examples_entering: tuple[dict, ...] = ()
    examples_leaving: tuple[dict, ...] = ()
    note: str = ""

    def to_dict(self) -> dict:
        return {"compared_on": list(self.on), "entering": self.entering,
                "leaving": self.leaving, "examples_entering": list(self.examples_entering),
                "examples_leaving": list(self.examples_leaving), "note": self.note}


@dataclass(frozen=True)
class Attribution:
    """Each player's share of each outcome's change from the baseline to the variant.

    `values[i, j]` is player i's Shapley value for outcome j (its standard error in `se`
    when orders were sampled); they sum over i to final - base. An outcome of words (a
    solution's level) is attributed as 1 where it is the variant's: a share of "it became
    so". Outcomes undefined in some mix (a solution where no deal is acceptable) are in
    `skipped`, with why."""

    players: tuple[Player, ...]
    outcomes: tuple[str, ...]
    base: tuple[float, ...]
    final: tuple[float, ...]
    values: np.ndarray
    se: np.ndarray | None
    method: str  # exact or sampled
    orders: int  # orders sampled (0 for exact)
    mixes: int  # scenarios solved
    skipped: dict[str, str] = field(default_factory=dict)
    words: dict[str, Any] = field(default_factory=dict)  # outcome -> the variant's level

    def change(self, outcome: str) -> float:
        j = self.outcomes.index(outcome)
        return self.final[j] - self.base[j]

    def ranked(self, outcome: str) -> list[tuple[Player, float, float | None]]:
        """(player, value, share of the change), largest |value| first."""
        j = self.outcomes.index(outcome)
        total = self.change(outcome)
        rows = [(p, float(self.values[i, j]),
                 float(self.values[i, j] / total) if total else None)
                for i, p in enumerate(self.players)]
        return sorted(rows, key=lambda r: -abs(r[1]))

    def to_dict(self) -> dict:
        return {
            "method": self.method, "orders": self.orders, "mixes": self.mixes,
            "players": [p.to_dict() for p in self.players],
            "outcomes": {o: {"base": self.base[j], "final": self.final[j],
                             "change": self.final[j] - self.base[j],
                             "by_player": {p.name: float(self.values[i, j])
                                           for i, p in enumerate(self.players)},
                             **({"standard_error": {
                                 p.name: float(self.se[i, j])
                                 for i, p in enumerate(self.players)}}
                                if self.se is not None else {})}
                         for j, o in enumerate(self.outcomes)},
            "skipped": self.skipped,
            "levels": {k: v for k, v in self.words.items() if k in self.outcomes}}


@dataclass(frozen=True)
class Variant:
    """One scenario's outcomes, as compare reads them."""

    name: str
    label: str  # how the comparison names it (its file, or its name)
    metrics: dict[str, Any]
    solutions: dict[str, Any]  # solution -> Deal | None
    packages: dict[str, dict[str, Any]]  # package -> acceptable, p_ratified
    robustness: dict[str, Any] | None = None
    simulation: dict[str, Any] | None = None

    def to_dict(self) -> dict:
        return {"name": self.name, "label": self.label,
                "counts": {k: self.metrics.get(k) for k in ("total", "feasible",
                                                            "acceptable", "zopa")},
                "solutions": {k: (d.to_dict() if d is not None else None)
                              for k, d in self.solutions.items()},
                "packages": self.packages, "robustness": self.robustness,
                "simulation": self.simulation}


@dataclass(frozen=True)
class Comparison:
    """The baseline (first) and each variant: input differences, outcomes, the acceptable
    set's movement, and for two variants the attribution."""

    variants: tuple[Variant, ...]
    differences: tuple[tuple[Difference, ...], ...]  # per variant after the first
    structures: tuple[Structure, ...]
    sets: tuple[SetChange, ...]
    attribution: Attribution | None
    engine: str
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "engine": self.engine,
            "variants": [v.to_dict() for v in self.variants],
            "against_baseline": [
                {"variant": v.label, "differences": [d.to_dict() for d in diffs],
                 "structure": st.to_dict(), "acceptable_set": sc.to_dict()}
                for v, diffs, st, sc in zip(self.variants[1:], self.differences,
                                            self.structures, self.sets, strict=True)],
            "attribution": self.attribution.to_dict() if self.attribution else None,
            "notes": list(self.notes)}


# --- the verb -------------------------------------------------------------------------------


def compare(scenarios: list[Scenario], labels: list[str] | None = None, *,
            engine: str = "solve", samples: int = 0, runs: int = 100, steps: int = 52,
            seed: int = 0, budget: float | None = 60.0, attribute: bool = True,
            progress: Callable[[int, int], None] | None = None) -> Comparison:
    """The first scenario against each of the others (see the module's docstring). With
    `samples`, each scenario's robustness over its own `uncertainty:`; with engine
    "simulate", `runs` runs of `steps` steps of the agent-based model each. `budget` bounds
    the attribution's seconds: exact within it, or what it could not do is said;
    `progress(done, total)` follows its mixes."""
    if len(scenarios) < 2:
        raise InputError("compare needs at least two scenarios")
    if engine not in ("solve", "simulate"):
        raise InputError(f"--engine: unknown engine '{engine}'; valid: solve, simulate")
    labels = labels or [s.name for s in scenarios]
    data = [s.model_dump(mode="json", exclude={"extends"}) for s in scenarios]
    problems = [_compile(s, label) for s, label in zip(scenarios, labels, strict=True)]
    variants = tuple(_variant(s, p, label, engine, samples, runs, steps, seed)
                     for s, p, label in zip(scenarios, problems, labels, strict=True))
    diffs = tuple(tuple(differences(data[0], d)) for d in data[1:])
    structures = tuple(structure(scenarios[0], s) for s in scenarios[1:])
    sets = tuple(acceptable_set_change(problems[0], p) for p in problems[1:])
    notes = []
    for v, st in zip(variants[1:], structures, strict=True):
        if not st.same_space:
            notes.append(f"{v.label}: the deal spaces differ (issues or levels added or "
                         "removed); deals are compared by their terms on the issues both "
                         "have, and a solution's terms on an issue one lacks are not")
    attribution = None
    if attribute and len(scenarios) == 2 and diffs[0]:
        attribution = attribute_change(data[0], data[1], variants[0].metrics,
                                       variants[1].metrics, engine, runs, steps, seed,
                                       budget, notes, progress)
    return Comparison(variants, diffs, structures, sets, attribution, engine, tuple(notes))


def _compile(scenario: Scenario, label: str):
    from sim.compile import compile_problem

    try:
        return compile_problem(scenario)
    except InputError as e:
        raise e.in_file(label) from None


def _variant(scenario: Scenario, problem, label: str, engine: str, samples: int, runs: int,
             steps: int, seed: int) -> Variant:
    from sim import api

    result = api.solve(scenario if samples else problem, samples=samples, seed=seed)
    packages = {n: {"acceptable": st.acceptable, "p_ratified": st.deal.p_ratified}
                for n, st in result.packages.items()}
    robust = None
    if result.robustness is not None:
        r = result.robustness
        robust = {"samples": r.samples, "valid": r.valid, "p_zopa_nonempty": r.p_zopa_nonempty,
                  "packages": r.packages}
    simulation, metrics = None, result.metrics()
    if engine == "simulate":
        sim_result = api.simulate(problem, runs=runs, steps=steps, seed=seed)
        simulation = {"runs": sim_result.runs, "agreed": sim_result.agreed.to_dict(),
                      "ratified": sim_result.ratified.to_dict()}
        metrics = {**metrics, **{f"simulate.{k}": v for k, v in sim_result.metrics().items()}}
    return Variant(scenario.name, label, metrics, dict(result.solutions), packages, robust,
                   simulation)


SET_SECONDS = 10.0  # each side's acceptable deals are listed within this, or not compared


def acceptable_set_change(a, b) -> SetChange:
    """Deals entering and leaving the acceptable set from problem `a` to problem `b`, by
    their terms on the issues both have, each side listed within SET_SECONDS."""
    from sim import space

    on = tuple(k for k in a.issues if k in b.issues)
    counts = [space.count_acceptable(p, time.monotonic() + SET_SECONDS / 2) for p in (a, b)]
    if any(not c.exact or c.value > LIST_DEALS_UP_TO for c in counts):
        return SetChange(on, None, None, note=f"more than {LIST_DEALS_UP_TO:,} acceptable "
                                              "deals, or not counted in time: counted, not "
                                              "compared one by one")
    try:
        first, second = (_terms_set(p, on, time.monotonic() + SET_SECONDS) if c.value
                         else set() for p, c in zip((a, b), counts, strict=True))
    except space.OutOfTime:
        return SetChange(on, None, None, note=f"the acceptable deals could not be listed "
                                              f"within {SET_SECONDS:g} s: counted only")
    entering = sorted(second - first, key=repr)
    leaving = sorted(first - second, key=repr)
    note = ("" if len(on) == len(a.issues) == len(b.issues) else
            f"compared on the {len(on)} issues both have; deals that differ only elsewhere "
            "count once")
    return SetChange(on, len(entering), len(leaving),
                     tuple(dict(zip(on, t, strict=True)) for t in entering[:EXAMPLES]),
                     tuple(dict(zip(on, t, strict=True)) for t in leaving[:EXAMPLES]), note)


def _terms_set(problem, on: tuple[str, ...], deadline: float) -> set[tuple]:
    """The acceptable deals' terms on the issues `on` (space.OutOfTime past `deadline`); the
    walk drops partial deals no completion lifts to the reservations."""
    from sim import space
    from sim.results import plain

    cols = [problem.issues.index(k) for k in on]
    out: set[tuple] = set()
    for idx in space.deals(problem, ratifiable=True, bound=True, deadline=deadline):
        idx = idx[problem.acceptable(idx)]
        for row in np.unique(idx[:, cols], axis=0) if len(idx) else ():
            out.add(tuple(plain(problem.levels[k][int(i)]) for k, i in zip(cols, row,
                                                                             strict=True)))
    return out


# --- attribution ----------------------------------------------------------------------------


SKIP = {"feasible_exact", "acceptable_exact", "simulate.runs"}  # facts about the method
NOT_ATTRIBUTED = ("robustness.",)  # a mix runs no robustness draws


def outcomes_to_attribute(a: dict[str, Any], b: dict[str, Any]
                          ) -> tuple[list[str], dict[str, str]]:
    """The metrics whose value changes from `a` to `b` (in `b`'s order), but for facts about
    the method; and those left out with why: a value missing where a ZOPA exists was not
    computed there (the symmetric Nash deal when the powers are equal), not undefined."""
    changed = [k for k in b if k in a and k not in SKIP and not k.startswith(NOT_ATTRIBUTED)
               and not (a[k] == b[k] and type(a[k]) is type(b[k]))]
    skipped = {k: f"not computed in the {side}" for k in changed
               for side, m in (("baseline", a), ("variant", b)) if m[k] is None and m["zopa"]}
    return [k for k in changed if k not in skipped], skipped


def _is_level(k: str, target: dict[str, Any], terms: set[str], x: Any = None) -> bool:
    """Whether outcome k is a level (words, or a solution's yes/no term): scored 1 where it
    is the variant's."""
    want = target[k]
    return isinstance(want, str) or isinstance(x, str) or (
        k in terms and isinstance(want, bool | None))


def _score(metrics: dict[str, Any], outcomes: list[str], target: dict[str, Any],
           terms: set[str]) -> np.ndarray:
    """The outcomes as numbers: a number (yes/no as 1/0); a solution's level that is a word
    or yes/no (`terms`: `nash.referendum`...) as 1 where it is the variant's (`target`'s),
    else 0, even where there is no solution; NaN where a number is undefined (a solution's
    utility where no deal is acceptable)."""
    out = np.empty(len(outcomes))
    for j, k in enumerate(outcomes):
        x, want = metrics.get(k), target[k]
        if _is_level(k, target, terms, x):
            out[j] = float(x == want and type(x) is type(want))
        else:
            out[j] = np.nan if x is None else float(x)
    return out


def attribute_change(a: dict, b: dict, metrics_a: dict, metrics_b: dict, engine: str,
                     runs: int, steps: int, seed: int, budget: float | None,
                     notes: list[str], progress: Callable[[int, int], None] | None = None
                     ) -> Attribution | None:
    """Shapley values of the input differences from `a` to `b` for every outcome that
    changes (see Attribution), within `budget` seconds; None, with a note, if no mix could
    be made valid or the exact game did not fit the budget."""
    deadline = None if budget is None else time.monotonic() + budget
    outcomes, skipped = outcomes_to_attribute(metrics_a, metrics_b)
    found = differences(a, b)
    group = players(found, engine=engine)
    if not group:
        notes.append("the variants differ only in words, packages added or removed, "
                     "uncertainty or (for the solver) dynamics: no outcome to attribute")
        return None
    if not outcomes:
        notes.append("no outcome changes: nothing to attribute")
        return None
    # Every mix starts from A with the background applied and no uncertainty (no attributed
    # outcome reads it, and a distribution over a body that a mix removes would not load).
    start = {**mixed(a, [d for d in found if background(d, engine)]), "uncertainty": {}}
    while True:
        game = _Game(start, group, outcomes, metrics_b, engine, runs, steps, seed, progress)
        try:
            found_values = game.attribution(deadline)
            found_values.skipped.update(skipped)
            return found_values
        except _InvalidMix as e:
            if e.mask == 0 or len(group) == 1:  # joining cannot help: say so
                notes.append(f"attribution not computed: {e.names or 'the baseline'} does "
                             f"not load as a mix ({e.why})")
                return None
            # Join the mix's players with the first other one that makes it load (a larger
            # chamber for more votes needed), or with every other if none does.
            n = len(group)
            partner = next((1 << j for j in range(n) if not e.mask >> j & 1
                            and game.loads(e.mask | 1 << j)), (1 << n) - 1 & ~e.mask)
            others = " + ".join(p.name for j, p in enumerate(group) if partner >> j & 1)
            notes.append(f"{e.names} cannot be applied without {others} ({e.why}); "
                         "attributed together")
            group = _joined(group, e.mask | partner)
        except _OutOfBudget as e:
            notes.append(f"attribution not computed: {e.done} of {e.need} mixes solved within "
                         f"the {budget:g} s budget; give a larger --time-budget")
            return None
    return None


class _InvalidMix(Exception):
    def __init__(self, mask: int, names: str, why: str) -> None:
        self.mask, self.names, self.why = mask, names, why


class _OutOfBudget(Exception):
    def __init__(self, done: int, need: int) -> None:
        self.done, self.need = done, need


def _joined(group: list[Player], mask: int) -> list[Player]:
    """The players in `mask` made one."""
    inside = [p for i, p in enumerate(group) if mask >> i & 1]
    outside = [p for i, p in enumerate(group) if not mask >> i & 1]
    merged = Player(" + ".join(p.name for p in inside),
                    tuple(d for p in inside for d in p.differences))
    return [merged, *outside]


class _Game:
    """The value of each coalition of players: the outcomes of `a` with their differences
    applied, solved (or simulated) once per coalition."""

    def __init__(self, a: dict, group: list[Player], outcomes: list[str], target: dict,
                 engine: str, runs: int, steps: int, seed: int, progress=None) -> None:
        self.a, self.group, self.outcomes, self.target = a, group, outcomes, target
        self.progress = progress
        from sim.compile import Compiler

        self.compiler = Compiler()  # the bodies a mix leaves alone are built once
        self.engine, self.runs, self.steps, self.seed = engine, runs, steps, seed
        self.known: dict[int, np.ndarray] = {}
        self.zopa: dict[int, bool] = {}  # whether each mix solved has a ZOPA
        self.deadline: float | None = None
        issues = set(a.get("issues", {})) | {d.path.split(".")[1] for p in group
                                             for d in p.differences
                                             if d.path.startswith("issues.")}
        self.terms = {k for k in outcomes if k.split(".", 1)[-1] in issues}

    def value(self, mask: int) -> np.ndarray:
        if mask not in self.known:
            if self.deadline is not None and time.monotonic() > self.deadline \
                    and self.exact_mode:
                raise _OutOfBudget(len(self.known), 1 << len(self.group))
            metrics = self.metrics(mask)
            self.zopa[mask] = bool(metrics["zopa"])
            self.known[mask] = _score(metrics, self.outcomes, self.target, self.terms)
            if self.progress is not None:
                n = len(self.group)
                self.progress(len(self.known), 1 << n if n <= MAX_EXACT else
                              min(1 << n, 2 + n * shapley.ORDERS))  # at most
        return self.known[mask]

    def problem(self, mask: int):
        """The mix's compiled Problem; _InvalidMix if it does not load."""
        from sim.scenario.load import from_dict

        chosen = [d for i, p in enumerate(self.group) if mask >> i & 1 for d in p.differences]
        try:
            scenario = from_dict(mixed(self.a, chosen), file="<a mix of the variants>",
                                 packages_keep_rules=False)
            return self.compiler.compile(scenario, require_feasible=False)
        except InputError as e:
            names = " + ".join(p.name for i, p in enumerate(self.group) if mask >> i & 1)
            raise _InvalidMix(mask, names, str(e).splitlines()[0]) from None

    def loads(self, mask: int) -> bool:
        try:
            self.problem(mask)
            return True
        except _InvalidMix:
            return False

    def metrics(self, mask: int) -> dict[str, Any]:
        from sim import api
        from sim.solver import solve

        problem = self.problem(mask)
        result = solve(problem, budget=10.0, rng=seeds.generator(self.seed, 1, 0),
                       diagnose=False)
        out = result.metrics()
        if self.engine == "simulate":
            sim_result = api.simulate(problem, runs=self.runs, steps=self.steps,
                                      seed=self.seed)
            out.update({f"simulate.{k}": v for k, v in sim_result.metrics().items()})
        return out

    def describe(self, mask: int) -> str:
        """A mix in words: which players it applies."""
        applied = [p.name for i, p in enumerate(self.group) if mask >> i & 1]
        if not applied:
            return "in the baseline"
        if len(applied) == len(self.group):
            return "in the variant"
        return "with " + ", ".join(applied) + " alone" if len(applied) == 1 else (
            "with " + ", ".join(applied) + " applied")

    @property
    def exact_mode(self) -> bool:
        return len(self.group) <= MAX_EXACT

    def attribution(self, deadline: float | None) -> Attribution:
        self.deadline = deadline
        n = len(self.group)
        se, orders = None, 0
        if self.exact_mode:
            values = shapley.exact(n, self.value)
            method = "exact"
        else:
            values, se, orders = shapley.sampled(n, self.value, seeds.generator(self.seed, 2, 0),
                                                 deadline)
            method = "sampled"
        base, final = self.value(0), self.value((1 << n) - 1)
        masks = list(self.known)
        evaluated = np.array([self.known[m] for m in masks])
        defined = ~np.isnan(evaluated).any(axis=0)
        skipped = {}
        for j in np.flatnonzero(~defined):
            where = min((m for m, row in zip(masks, evaluated, strict=True)
                         if np.isnan(row[j])), key=lambda m: (bin(m).count("1"), m))
            why = ("undefined where no deal is acceptable: " if not self.zopa[where]
                   else "not computed ")
            skipped[self.outcomes[j]] = why + self.describe(where)
        for j, o in enumerate(self.outcomes):  # "its level became none": the ZOPA's story
            if defined[j] and self.target[o] is None and o in self.terms:
                defined[j] = False
                skipped[o] = "the variant has no such deal (see whether a ZOPA exists)"
        keep = np.flatnonzero(defined)
        return Attribution(
            tuple(self.group), tuple(self.outcomes[j] for j in keep),
            tuple(float(base[j]) for j in keep), tuple(float(final[j]) for j in keep),
            values[:, keep], se[:, keep] if se is not None else None, method, orders,
            len(self.known), skipped,
            {self.outcomes[j]: self.target[self.outcomes[j]] for j in keep
             if _is_level(self.outcomes[j], self.target, self.terms)})
