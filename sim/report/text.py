"""Plain-text tables for the terminal."""

from __future__ import annotations

from typing import Any

from sim.evaluate import Evaluation


def table(headers: list[str], rows: list[list[Any]], indent: int = 2) -> str:
    """Aligned columns: text left, numbers right."""
    cells = [[_cell(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    numeric = [all(_is_num(r[i]) for r in rows) and rows for i in range(len(headers))]
    pad = " " * indent

    def line(row: list[str]) -> str:
        return pad + "  ".join(c.rjust(w) if numeric[i] else c.ljust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    return "\n".join([line(headers), *(line(r) for r in cells)])


def _is_num(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) or x is None


def _cell(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.3f}"
    return str(x)


def level(value: Any, unit: str = "") -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}" + (f" {unit}" if unit else "")
    return str(value)


def evaluation(ev: Evaluation) -> str:
    title = f"{ev.scenario}: " + (f"package {ev.package}" if ev.package else "deal")
    out = [title, "", "Terms"]
    out.append(table(["issue", "level"],
                     [[k, level(v, ev.units.get(k, ""))] for k, v in ev.terms.items()]))
    out += ["", "Parties (utility 0-1; expected = P(ratified) U + (1 - P) reservation)"]
    out.append(table(
        ["party", "utility", "reservation", "expected", "veto", "verdict"],
        [[p.party, p.utility, p.reservation, p.expected_utility, p.veto,
          _verdict(p)] for p in ev.parties]))
    if ev.bodies:
        out += ["", "Ratification"]
        out.append(table(
            ["body", "kind", "votes", "yes share", "P(pass)"],
            [[b.body, b.kind, b.applies, b.yes_share, b.p_pass] for b in ev.bodies]))
        out.append(f"  P(ratified by all) = {ev.p_ratified:.3f}; each body that votes must "
                   f"pass it with P >= {ev.min_ratification_probability:g}")
    out.append("")
    if ev.acceptable:
        out.append("Acceptable: every veto party gets at least its reservation, no red line "
                   "is hit and it is ratifiable.")
    else:
        out.append("Not acceptable:")
        out += [f"  - {r}" for r in ev.reasons]
    return "\n".join(out)


def _verdict(p) -> str:
    parts = []
    if p.red_lines:
        parts.append("red line: " + "; ".join(p.red_lines))
    if not p.above_reservation:
        parts.append("below reservation")
    if not parts:
        return "accepts" if p.veto else "above reservation"
    return ", ".join(parts) if p.veto else "(no veto) " + ", ".join(parts)
