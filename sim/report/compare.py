"""A comparison of variants (sim.variants) as document blocks: one terminal screen, or
Markdown. Rendering only: every number comes from the Comparison."""

from __future__ import annotations

import json
from typing import Any

from sim.errors import excerpt
from sim.report.document import Block, Bullets, Heading, Table, Text
from sim.report.text import cell
from sim.results import shown
from sim.solver.result import SOLUTION_NAMES

SHOWN_DIFFERENCES = 12  # input differences listed per variant; --json has them all
SHOWN_OUTCOMES = 12  # attributed outcomes in the table
TINY = 5e-4  # a change smaller than this is listed in --json only


def blocks(c) -> list[Block]:
    base = c.variants[0]
    names = [v.label for v in c.variants]
    out: list[Block] = [Heading(f"{base.label} against {', '.join(names[1:])}", 1)]
    for v, diffs, st in zip(c.variants[1:], c.differences, c.structures, strict=True):
        out += _differences(base.label, v.label, diffs, st)
    out += _outcomes(c)
    out += _solutions(c)
    out += _packages(c)
    if any(v.robustness for v in c.variants):
        out += _robustness(c)
    if any(v.simulation for v in c.variants):
        out += _simulation(c)
    if c.attribution is not None:
        out += _attribution(c)
    if c.notes:
        out += [Heading("Notes"), Bullets(list(c.notes))]
    return out


def _value(x: Any) -> str:
    """An input's value, short: a section by its keys, a list of sections by its length."""
    if x is None:
        return "-"
    if isinstance(x, dict) and x and all(isinstance(v, dict | list) for v in x.values()):
        return excerpt("{" + ", ".join(map(str, x)) + "}", 40)
    if isinstance(x, list) and x and all(isinstance(v, dict) for v in x):
        return f"{len(x)} entries"
    if isinstance(x, dict):  # an entry (a rule, a red line): what it sets, not its defaults
        x = {k: v for k, v in x.items() if v not in (None, "", [], {})}
    text = x if isinstance(x, str) else json.dumps(x, allow_nan=False)
    return excerpt(text, 40)


def _num(x: float) -> float | int:
    """A whole number shown as one (counts), others as they are."""
    return int(x) if float(x).is_integer() else x


def _differences(a: str, b: str, diffs, st) -> list[Block]:
    words = [d for d in diffs if d.words]
    model = [d for d in diffs if not d.words]
    title = f"What differs: {b}" if a else "What differs"
    if not diffs:
        return [Heading(title), Text("nothing: the two resolve to the same scenario")]
    rows = [[d.kind, d.path, _value(d.old), _value(d.new)] for d in model[:SHOWN_DIFFERENCES]]
    out: list[Block] = [Heading(title),
                        Text(f"{len(model)} input(s) differ" + (
                            f", and {len(words)} in words only (names, descriptions, notes, "
                            "sources)" if words else ""))]
    if rows:
        out.append(Table(["", "path", a, b], rows))
    if len(model) > SHOWN_DIFFERENCES:
        out.append(Text(f"... and {len(model) - SHOWN_DIFFERENCES} more (--json lists "
                        "every one)"))
    items = [f"{section} added: {', '.join(keys)}" for section, keys in st.added.items()]
    items += [f"{section} removed: {', '.join(keys)}" for section, keys in st.removed.items()]
    for issue, change in st.levels.items():
        parts = [f"{k} {', '.join(map(str, v))}" for k, v in change.items() if v]
        items.append(f"levels of {issue}: {'; '.join(parts) or 'reordered'}")
    if items:
        out.append(Bullets(items))
    return out


def _change(values: list) -> list:
    """The last column of a two-variant table: the change, for numbers."""
    if len(values) != 2 or not all(isinstance(v, int | float) and not isinstance(v, bool)
                                   for v in values):
        return [] if len(values) != 2 else [""]
    return [values[1] - values[0]]


def _outcomes(c) -> list[Block]:
    names = [v.label for v in c.variants]
    two = len(names) == 2
    rows = []
    for key, label in (("total", "deals"), ("feasible", "feasible"),
                       ("acceptable", "acceptable (the ZOPA)"), ("zopa", "a ZOPA exists"),
                       ("pareto", "on the Pareto frontier")):
        values = [v.metrics.get(key) for v in c.variants]
        rows.append([label, *values, *_change(values)])
    out: list[Block] = [Heading("Outcomes"),
                        Table(["", *names, *(["change"] if two else [])], rows)]
    for v, sc in zip(c.variants[1:], c.sets, strict=True):
        if sc.entering is None:
            out.append(Text(f"{v.label}: {sc.note}"))
            continue
        line = (f"{v.label}: {sc.entering} deal(s) enter the acceptable set and {sc.leaving} "
                "leave")
        if sc.note:
            line += f" ({sc.note})"
        out.append(Text(line + "."))
        for what, deals in (("entering", sc.examples_entering),
                            ("leaving", sc.examples_leaving)):
            if deals:
                out.append(Text(f"e.g. {what}: " + _terms(deals[0])))
    return out


def _terms(terms: dict) -> str:
    return ", ".join(f"{k}={shown(v)}" for k, v in terms.items())


def _solutions(c) -> list[Block]:
    names = [v.label for v in c.variants]
    base = c.variants[0]
    nash = [v.solutions.get("nash") for v in c.variants]
    out: list[Block] = [Heading("Solutions")]
    if all(d is None for d in nash):
        return [*out, Text("no Nash deal in any variant: no deal is acceptable")]
    issues = list(dict.fromkeys(k for d in nash if d is not None for k in d.terms))
    rows = []
    for k in issues:
        values = [d.terms.get(k) if d is not None else None for d in nash]
        mark = "*" if len({json.dumps(x) for x in values}) > 1 else ""
        rows.append([k + mark, *(shown(x) if x is not None else "-" for x in values)])
    parties = list(dict.fromkeys(p for d in nash if d is not None for p in d.expected_utility))
    for p in parties:
        values = [d.expected_utility.get(p) if d is not None else None for d in nash]
        rows.append([f"expected utility: {p}", *values])
    rows.append(["P(ratified)", *(d.p_ratified if d is not None else None for d in nash)])
    out += [Text("The Nash deal (* marks terms that differ):"), Table(["", *names], rows)]
    lines = []
    for name in SOLUTION_NAMES[1:]:
        for v in c.variants[1:]:
            a, b = base.solutions.get(name), v.solutions.get(name)
            if a is None and b is None:
                continue
            if a is None or b is None:
                lines.append(f"{name}, {v.label}: " + ("no such deal in the variant"
                                                       if b is None else "appears"))
                continue
            moved = [f"{k} {shown(a.terms.get(k))} -> {shown(b.terms.get(k))}"
                     for k in dict.fromkeys([*a.terms, *b.terms])
                     if a.terms.get(k) != b.terms.get(k)]
            if moved:
                lines.append(f"{name}, {v.label}: " + "; ".join(moved))
    if lines:
        out += [Text("The other solutions' terms that change:"), Bullets(lines)]
    return out


def _packages(c) -> list[Block]:
    names = [v.label for v in c.variants]
    packages = list(dict.fromkeys(p for v in c.variants for p in v.packages))
    if not packages:
        return []
    rows = []
    for p in packages:
        got = [v.packages.get(p) for v in c.variants]
        rows.append([p, " -> ".join(cell(g["acceptable"]) if g else "-" for g in got),
                     " -> ".join(cell(g["p_ratified"]) if g else "-" for g in got)])
    return [Heading("Packages"), Text(f"acceptable and P(ratified), {' -> '.join(names)}:"),
            Table(["", "acceptable", "P(ratified)"], rows)]


def _robustness(c) -> list[Block]:
    names = [v.label for v in c.variants]
    rows = [["P(a ZOPA)", *(v.robustness["p_zopa_nonempty"] if v.robustness else None
                            for v in c.variants)],
            ["valid draws", *(v.robustness["valid"] if v.robustness else None
                              for v in c.variants)]]
    packages = list(dict.fromkeys(p for v in c.variants if v.robustness
                                  for p in v.robustness["packages"]))
    rows += [[f"P({p} acceptable)", *(v.robustness["packages"].get(p) if v.robustness
                                      else None for v in c.variants)] for p in packages]
    return [Heading("Robustness over each variant's uncertainty"), Table(["", *names], rows)]


def _simulation(c) -> list[Block]:
    names = [v.label for v in c.variants]

    def share(s: dict | None) -> str:
        if not s:
            return "-"
        return f"{s['share']:.2f} [{s['low']:.2f}, {s['high']:.2f}]"

    rows = [["runs", *(v.simulation["runs"] if v.simulation else None for v in c.variants)],
            ["agreed (95% interval)", *(share(v.simulation and v.simulation["agreed"])
                                        for v in c.variants)],
            ["ratified (95% interval)", *(share(v.simulation and v.simulation["ratified"])
                                          for v in c.variants)]]
    return [Heading("The agent-based model"), Table(["", *names], rows)]


HEADLINE = ("acceptable", "zopa", "feasible", "pareto", "simulate.agreed", "simulate.ratified")


def _rank(outcome: str) -> tuple:
    """Headline outcomes first, then the Nash deal's, the packages', the rest."""
    if outcome in HEADLINE:
        return (0, HEADLINE.index(outcome))
    for i, prefix in enumerate(("nash.eu.", "nash.p_ratified", "nash.", "package.")):
        if outcome.startswith(prefix):
            return (1 + i, outcome)
    return (9, outcome)


def _attribution(c) -> list[Block]:
    at = c.attribution
    how = (f"exact over all {at.mixes} mixes" if at.method == "exact" else
           f"estimated from {at.orders} sampled orders ({at.mixes} mixes solved; "
           "standard errors in --json)")
    out: list[Block] = [
        Heading("Why: which differences explain each change"),
        Text(f"Shapley values over {len(at.players)} input(s), {how}: each input's average "
             "effect over every order of applying them, so that interactions are shared "
             "and the values sum to the whole change.")]
    if not at.outcomes:
        return [*out, Text("no outcome that changes could be attributed")]
    ranked = sorted(at.outcomes, key=_rank)
    tiny = [o for o in ranked if abs(at.change(o)) < TINY]
    hidden = len(tiny) < len(ranked)  # all tiny: show them rather than nothing
    ranked = [o for o in ranked if o not in tiny] if hidden else ranked
    key = ranked[0]
    lines = []
    for p, value, share in at.ranked(key):
        lines.append(f"{p.name}: {value:+.3g}" + (f" ({share:.0%} of the change)"
                                                  if share is not None and value else ""))
    out += [Text(f"{_outcome_label(key, at)}: {at.change(key):+.3g}, explained by"),
            Bullets(lines)]
    order = [at.players.index(p) for p, _, _ in at.ranked(key)]  # columns as ranked above
    players = [at.players[i] for i in order]
    rows = []
    for o in ranked[:SHOWN_OUTCOMES]:
        j = at.outcomes.index(o)
        rows.append([_outcome_label(o, at), _num(at.base[j]), _num(at.final[j]),
                     *(_num(round(float(at.values[i, j]), 6)) for i in order)])
    legend = [f"[{i + 1}] {p.name}" for i, p in enumerate(players)]
    out += [Table(["outcome", "baseline", "variant", *(f"[{i + 1}]" for i in
                                                       range(len(players)))], rows),
            Bullets(legend)]
    if len(ranked) > SHOWN_OUTCOMES:
        out.append(Text(f"... and {len(ranked) - SHOWN_OUTCOMES} more outcome(s) (--json)"))
    if tiny and hidden:
        out.append(Text(f"{len(tiny)} outcome(s) moving by less than {TINY:g} not shown "
                        "(--json)"))
    if at.skipped:
        by_reason: dict[str, list[str]] = {}
        for o, why in at.skipped.items():
            by_reason.setdefault(why, []).append(o)
        out.append(Bullets([f"not attributed, {len(os)} outcome(s) ({excerpt(', '.join(os), 60)}):"
                            f" {why}" for why, os in by_reason.items()]))
    return out


def _outcome_label(o: str, at=None) -> str:
    if at is not None and o in at.words:
        return f"{o} = {shown(at.words[o])} (1 = yes)"
    labels = {"acceptable": "acceptable deals", "zopa": "a ZOPA exists (1 = yes)",
              "feasible": "feasible deals", "pareto": "deals on the Pareto frontier",
              "simulate.agreed": "runs that agree (share)",
              "simulate.ratified": "runs ratified (share)"}
    return labels.get(o, o)
