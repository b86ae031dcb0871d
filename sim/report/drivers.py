"""A sweep's analysis (sim.experiments.drivers) in words: one terminal screen, and the
`summary.md` written beside the sweep's data. Rendering only: every number comes from the
Analysis."""

from __future__ import annotations

import textwrap

from sim.report import document
from sim.report.document import Bullets, Figure, Heading, Table, Text
from sim.report.text import table

SHOWN = 8  # inputs shown in the terminal's table of drivers


def restriction(name: str, limits=None, levels=None) -> str:
    """A box's restriction of one input, as a reader writes it."""
    if levels is not None:
        return f"{name} in {{{', '.join(map(str, levels))}}}"
    lo, hi = limits
    if lo is not None and hi is not None:
        return f"{lo:.3g} <= {name} <= {hi:.3g}"
    return f"{name} >= {lo:.3g}" if lo is not None else f"{name} <= {hi:.3g}"


def _restrictions(box) -> list[str]:
    return ([restriction(k, limits=v) for k, v in box.limits.items()]
            + [restriction(k, levels=v) for k, v in box.levels.items()])


def _header(a) -> str:
    return (f"{a.scenario}: {a.design} design, {a.points} design points, {a.runs} runs "
            f"stored ({a.errors} raised), engine {a.engine}")


def _driver_rows(a, shown: int | None = None) -> tuple[list[str], list[list]]:
    ranked = a.ranked()[:shown]
    headers = ["input", "rank corr.", "p"]
    rows = [[d.input, d.spearman, d.p_value] for d in ranked]
    if a.design == "saltelli":
        headers += ["S1", "95%", "ST", "95%"]
        for row, d in zip(rows, ranked, strict=True):
            row += [d.s1, _pm(d.s1_conf), d.st, _pm(d.st_conf)]
    elif a.design == "morris":
        headers += ["mu*", "95%", "sigma"]
        for row, d in zip(rows, ranked, strict=True):
            row += [d.mu_star, _pm(d.mu_star_conf), d.sigma]
    return headers, rows


def _pm(x) -> str:
    return "-" if x is None else f"±{x:.3f}"


def _share_rows(shares) -> list[list]:
    return [[s.label, s.share, f"[{s.interval[0]:.3f}, {s.interval[1]:.3f}]", s.of]
            for s in shares]


def _what(a) -> str:
    o = a.outcome()
    return f"whether {o.label}" if o.kind == "bool" else o.label


def _where(a) -> str:
    o = a.outcome()
    return f"Where {o.label}" if o.kind == "bool" else f"Where {o.label} is highest"


def screen(a, written: list | None = None) -> str:
    """One screen: the headline shares, what decides the key outcome, where it holds."""
    out = [_header(a), ""]
    head = [s for s in a.shares if "=" not in s.name]  # the Nash deal's terms: in summary.md
    never = [s.name.split(".")[1] for s in head if s.name.startswith("package.")
             and s.share == 0]
    shown = [s for s in head if not (s.name.startswith("package.") and s.share == 0)]
    out.append(table(["outcome", "share", "95% interval", "points"], _share_rows(shown)))
    if never:
        out += textwrap.wrap(f"never acceptable: {', '.join(never)}", 96,
                             initial_indent="  ", subsequent_indent="    ",
                             break_on_hyphens=False)
    headers, rows = _driver_rows(a, SHOWN)
    out += ["", f"What decides {_what(a)} (strongest first)", table(headers, rows)]
    if len(a.inputs) > SHOWN:
        out.append(f"  ... and {len(a.inputs) - SHOWN} more in summary.md")
    out += ["", *_boxes(a)]
    out += [f"  note: {n}" for n in a.notes_for(a.key)]
    if written:
        out += ["", "Written: " + ", ".join(str(p) for p in written)]
    return "\n".join(out)


def _boxes(a) -> list[str]:
    if not a.boxes:
        return [f"{_where(a)}: no region found (see the notes)"]
    out = [f"{_where(a)} (PRIM boxes; coverage: the share of it the box holds; density: "
           "its mean in the box)"]
    for k, b in enumerate(a.boxes, 1):
        rules = _restrictions(b) or ["(every point)"]
        out.append(f"  box {k}: coverage {b.coverage:.2f}, density {b.density:.2f}, "
                   f"{b.points} points: " + " and ".join(rules))
    return out


def blocks(a, figures: list, beside_parts: bool = True) -> list:
    """The summary as document blocks: everything the screen says, every outcome's rank
    correlations, the notes and the figures. `beside_parts`: it is summary.md, written in
    the sweep's folder (sim results), not a report elsewhere."""
    out = [Heading(f"What drives the outcome: {a.scenario}", 1), Text(_header(a) + ".")]
    if beside_parts:
        out.append(Text("Written by `sim results`; every figure here is recomputed from the "
                        "Parquet parts beside it."))
    headers, rows = _driver_rows(a)
    out += [Heading("Outcomes"),
            Table(["outcome", "share", "95% interval", "points"], _share_rows(a.shares)),
            Heading(f"What decides {_what(a)}"), Table(headers, rows),
            Heading("Where it holds"), Bullets([line.strip() for line in _boxes(a)])]
    names = [u.path for u in a.inputs]
    rows = [[o.label, *(next(d.spearman for d in a.drivers if d.outcome == o.name
                             and d.input == n) for n in names)] for o in a.outcomes]
    out += [Heading("Every outcome's rank correlations"), Table(["outcome", *names], rows)]
    if a.notes:
        out += [Heading("Notes"), Bullets([t for _, t in a.notes])]
    if figures:
        out += [Heading("Figures"),
                *(Figure(p, p.stem.replace("summary-", "").replace("-", " "))
                  for p in figures)]
    return out


def markdown(a, figures: list, folder=None) -> str:
    """summary.md (its figures linked relative to `folder`, where it is written)."""
    return document.markdown(blocks(a, figures), folder)
