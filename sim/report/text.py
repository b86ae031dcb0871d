"""Plain-text tables for the terminal."""

from __future__ import annotations

from typing import Any

from sim.errors import excerpt
from sim.evaluation import Evaluation
from sim.results import (
    BelowReservation,
    DropBody,
    LowerBar,
    LowerReservation,
    NotRatified,
    RedLineHit,
    RelaxRedLine,
    RuleBroken,
    magnitude,
    probability,
)
from sim.results import shown as level


def table(headers: list[str], rows: list[list[Any]], indent: int = 2) -> str:
    """Aligned columns: text left, numbers right."""
    cells = [[cell(c) for c in row] for row in rows]
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


def _rounded(x: float) -> float:
    return round(x, 3) + 0.0  # + 0.0: never print -0.000


def cell(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{_rounded(x):.3f}"
    return str(x)




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
            ["body", "kind", "votes", "yes share", "P(pass)", "binds"],
            [[b.body, b.kind, b.applies, b.yes_share, b.p_pass if b.applies else None, b.binds]
             for b in ev.bodies]))
        out.append(f"  P(ratified) = {ev.p_ratified:.3f}: every binding body that votes passes "
                   "it (bodies vote independently)")
        out.append(f"  the bar applies to each body on its own: each must pass it with "
                   f"P >= {ev.min_ratification_probability:g}; P(ratified) itself may be lower")
    out.append("")
    if ev.acceptable:
        out.append("Acceptable: every veto party gets at least its reservation, no veto "
                   "party's red line is hit, the rules allow it and every binding body passes "
                   "it.")
    else:
        out.append("Not acceptable:")
        out += [f"  - {r}" for r in ev.reasons]
        out.append("")
        if ev.to_accept is None:
            out.append("No concession makes it acceptable: it breaks a rule (what is possible, "
                       "not what a party accepts).")
        else:
            out.append("What it would take (checked by evaluating it again with all of these):")
            out += [f"  - {c}" for c in ev.to_accept]
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


def _utilities(parties: list[str], utility: dict[str, float]) -> list[float]:
    return [utility[p] for p in parties]


def _count(value: int, exact: bool, interval, what: str) -> str:
    """'1,234 acceptable', or the estimate in words with its interval."""
    if exact:
        return f"{value:,} {what}"
    lo, hi = interval
    first = f"about {magnitude(value)}" if value > lo else f"at least {magnitude(lo)}"
    return (f"{first} {what} (an estimate: the exact count ran past the time budget; 95% "
            f"interval {magnitude(lo)} to {magnitude(hi)})")


def solve_result(r, show_pareto: int = 10) -> str:
    feasible = _count(r.feasible, r.feasible_exact, r.feasible_interval, "feasible")
    acceptable = _count(r.acceptable, r.acceptable_exact, r.acceptable_interval, "acceptable")
    out = [f"{r.scenario}: {r.total:,} deals, {feasible}, {acceptable} (method: {r.method})",
           ""]
    out.append("Parties (expected utility: P(ratified) U + (1 - P) reservation)")
    out.append(table(["party", "reservation", "best acceptable", "veto"],
                     [[p, r.reservation[p], r.ideal[p], r.veto[p]] for p in r.parties]))
    out += [""]
    if r.pareto:
        out.append("Bargaining solutions")
        names = [k for k, v in r.solutions.items() if v]
        out.append(table(["solution", *r.parties, "P(ratified)"],
                         [[k, *_utilities(r.parties, r.solutions[k].expected_utility),
                           r.solutions[k].p_ratified] for k in names]))
        out += ["", "Terms of each solution"]
        issues = list(next(iter(r.solutions.values())).terms)
        out.append(table(["issue", *names],
                         [[i, *(level(r.solutions[k].terms[i]) for k in names)]
                          for i in issues]))
        out += ["", f"Pareto frontier: {len(r.pareto)} acceptable deals not dominated by "
                    "another acceptable deal" + (f" (first {show_pareto} shown; --json for all)"
                                                  if len(r.pareto) > show_pareto else "")]
        out.append(table(["#", *r.parties, "P(ratified)"],
                         [[i + 1, *_utilities(r.parties, d.expected_utility), d.p_ratified]
                          for i, d in enumerate(sorted(
                              r.pareto, key=lambda d: -d.expected_utility[r.parties[0]]
                          )[:show_pareto])]))
    else:
        out.append("No deal is acceptable to every veto party (the ZOPA is empty).")
    if r.noncooperative:
        out += ["", noncooperative_text(r)]
    if r.gap:
        out += ["", gap_text(r)]
    if r.robustness:
        out += ["", _robustness(r)]
    if r.packages:
        out += ["", "Packages (gap > 0: an acceptable frontier deal gives every party at least "
                    "that much more)"]
        out.append(table(["package", *r.parties, "acceptable", "Pareto-optimal", "gap"],
                         [[n, *_utilities(r.parties, s.deal.expected_utility), s.acceptable,
                           s.pareto_optimal, s.gap] for n, s in r.packages.items()]))
        for n, s in r.packages.items():
            if s.reasons:
                out.append(f"  {n}: {why_not(s, r.parties)}")
                if s.to_accept:
                    out.append(f"    would take: {_takes(s.to_accept, r.parties)}")
    return "\n".join(out)


def noncooperative_text(r) -> str:
    nc = r.noncooperative
    out = [f"Non-cooperative prediction: {nc.protocol}"]
    if hasattr(nc, "first_proposer"):
        rows = [[f"{first} proposes first", *_utilities(r.parties, proposal.expected_utility)]
                for first, (proposal, _) in nc.first_proposer.items()]
        out.append(table(["equilibrium", *r.parties], rows))
        return "\n".join(out)
    rows = [[f"{p} proposes", *_utilities(r.parties, d.expected_utility)]
            for p, d in nc.proposals.items() if d]
    stuck = [p for p, d in nc.proposals.items() if not d]
    rows.append(["expected (value)", *_utilities(r.parties, nc.value)])
    out.append(table(["when", *r.parties], rows))
    if stuck:
        out.append(f"  {', '.join(stuck)}: no offer every veto party accepts; the round passes")
    out.append("  proposer premium: " + ", ".join(
        f"{p} {_rounded(v):+.3f}" for p, v in nc.proposer_premium.items()))
    out.append("  cost of one round of delay: " + ", ".join(
        f"{p} {_rounded(v):.3f}" for p, v in nc.cost_of_delay.items()))
    if not nc.converged:
        out.append(f"  not settled: the values still moved by {nc.residual:.1e} in the last "
                   "round (the proposals cycle on this discrete set); the table shows the last "
                   "round")
    return "\n".join(out)


def gap_text(r) -> str:
    g = r.gap
    out = []
    if g.openers:
        out.append("What alone would open a ZOPA (each relaxed alone, then solved again)")
        out.append(table(["kind", "name", "deals it lets through"],
                         [[o.kind, excerpt(o.name, 70) + (f" (lowered by {o.drop:.3f})" if o.drop
                                                     else ""),
                           o.opens if o.exact else f"about {magnitude(o.opens)}"]
                          for o in g.openers]))
        for o in g.openers:
            if o.example:
                terms = ", ".join(f"{k}={level(v)}" for k, v in o.example.items())
                out.append(f"  {excerpt(o.name)}: its Nash deal then: {terms}")
        out.append("")
    elif not g.note:
        out += ["Nothing alone would open a ZOPA: no red line, body or reservation relaxed "
                "alone lets a deal through (several together may: `sim sweep` over the "
                "red lines' `holds:`)", ""]
    if g.note:
        out += [f"({g.note})", ""]
    out.append("How far apart the parties are")
    if g.joint_drop is not None:
        out.append(f"  every veto party lowering its reservation by {g.joint_drop:.3f} "
                   "opens a ZOPA")
        alone = g.drop_alone
        if alone:
            out.append("  or one party alone: " + ", ".join(
                f"{p} by {v:.3f}" if v is not None else f"{p}: not enough alone"
                for p, v in alone.items()))
    elif not g.note:
        out.append("  no deal passes every veto party's red lines and the rules"
                   if r.feasible == 0 and r.feasible_exact
                   else "  no deal is both feasible and ratifiable")
    opened = {(o.kind, o.name) for o in g.openers}
    top = [b for b in g.blockers if b.excludes and (b.kind, b.name) not in opened][:6]
    if top:
        out.append("  what else excludes most deals on its own:" if opened
                   else "  what excludes most deals on its own:")
        out.append(table(["kind", "name", "deals excluded"],
                         [[b.kind, excerpt(b.name, 70),
                           b.excludes if b.exact else f"about {b.excludes:,}"] for b in top],
                         indent=4))
    return "\n".join(out)


def _robustness(r, shown: int = 5) -> str:
    rb = r.robustness
    if not rb.valid:
        return (f"Robustness: all {rb.invalid} draws of the uncertainty were invalid "
                "scenarios (check the distributions' ranges)")
    out = [f"Robustness over {rb.valid} draws of the uncertainty (seed {rb.seed}; "
           f"{rb.invalid} invalid draws skipped): the ZOPA is non-empty in "
           f"{rb.p_zopa_nonempty:.0%} of them"]
    names = list(rb.deals[0].solution_share) if rb.deals else []
    deals = rb.deals[:shown]
    labels = [chr(ord("A") + i) for i in range(len(deals))]  # letters: not the frontier's #
    out.append(table(["deal", "P(acceptable)", *names],
                     [[label, d.p_acceptable, *(d.solution_share[k] for k in names)]
                      for label, d in zip(labels, deals, strict=True)]))
    for label, d in zip(labels, deals, strict=True):
        terms = ", ".join(f"{k}={level(v)}" for k, v in d.terms.items())
        out.append(f"  {label}: {terms}")
    if rb.most_robust:
        out.append("  most robust deal: A (most often acceptable, then most often a solution)")
    if rb.packages:
        out.append("  packages, P(acceptable): " + ", ".join(
            f"{k} {v:.2f}" for k, v in rb.packages.items()))
    return "\n".join(out)


def _takes(changes, parties: list[str]) -> str:
    """One line: the concessions that would make a package acceptable (evaluate lists each)."""
    parts = [f"{c.party} -{c.by:.3f} on its reservation" for c in changes
             if isinstance(c, LowerReservation)]
    lines = {p: sum(isinstance(c, RelaxRedLine) and c.party == p for c in changes)
             for p in parties}
    parts += [f"{p} gives up {n} red line{'s' if n > 1 else ''}" for p, n in lines.items() if n]
    parts += [f"{c.body} at P {probability(c.p_pass)}" for c in changes
              if isinstance(c, LowerBar)]
    parts += [f"without {c.body}" for c in changes if isinstance(c, DropBody)]
    return "; ".join(parts)


def why_not(standing, parties: list[str]) -> str:
    """One line: who is below its reservation, whose red lines, which bodies (evaluate and
    --json give the full reasons)."""
    reasons = standing.reasons
    below = [p for p in parties if any(isinstance(x, BelowReservation) and x.party == p
                                       for x in reasons)]
    lines = {p: sum(isinstance(x, RedLineHit) and x.party == p for x in reasons)
             for p in parties}
    bodies = [x.body for x in reasons if isinstance(x, NotRatified)]
    parts = []
    if below:
        parts.append("below reservation: " + ", ".join(below))
    if any(lines.values()):
        parts.append("red lines: " + ", ".join(f"{p} ({n})" for p, n in lines.items() if n))
    if bodies:
        parts.append("not ratified: " + ", ".join(bodies))
    parts += [str(x) for x in reasons if isinstance(x, RuleBroken)]
    return "; ".join(parts)


def _median(bands) -> float | None:
    x = float(bands[2])  # the 50% quantile
    return None if x != x else x  # NaN: no offer on the table at that step in any run


def simulation(r, shown: int = 5) -> str:
    """One screen: how likely a ratified deal is by the horizon, which deal, and why runs
    fail."""
    unit = r.unit
    out = [f"{r.name}: {r.runs} runs of up to {r.steps} {unit}s (seed {r.seed})"]
    if r.runs < r.asked:
        out.append(f"  only {r.runs} of {r.asked} runs done within the time budget")
    rows = []
    for label, share in (("ratified deal", r.ratified), ("agreed (all signed)", r.agreed)):
        lo, hi = share.interval
        rows.append([label, share.share, f"[{lo:.3f}, {hi:.3f}]"])  # shares to 3 decimals
    out += ["", table(["outcome", "share", "95% interval"], rows)]
    if r.quartiles:
        q1, q2, q3 = r.quartiles
        out.append(f"  {unit}s to agreement: median {q2:g} (quartiles {q1:g} to {q3:g})")
    marks = sorted({max(1, round(r.steps * f)) for f in (0.25, 0.5, 0.75, 1.0)})
    out += ["", table([f"by {unit}", *map(str, marks)],
                      [[k, *(float(r.by_step[k][m - 1]) for m in marks)]
                       for k in ("agreed", "ratified")])]
    series = [k for k in r.trajectories if not k.startswith("aspiration.")] + [
        k for k in r.trajectories if k.startswith("aspiration.")]
    if series:
        out += ["", f"Medians over the runs by {unit} (a finished run holds its last value)",
                table(["series", *map(str, marks)],
                      [[k, *(_median(r.trajectories[k][m - 1]) for m in marks)]
                       for k in series])]
    out += ["", "How runs ended"]
    why = {}
    for key, n in r.why.items():
        reason, _, detail = key.partition(": ")
        why.setdefault(reason, []).append(f"{detail}: {n}")
    out.append(table(["end", "runs", "why"], [[reason, n, "; ".join(why.get(reason, []))]
                                             for reason, n in r.ended.items()]))
    if r.events:
        out.append("  scheduled: " + "; ".join(f"{unit} {t}: {note}" for t, note in r.events))
    if r.reneged or r.failed_votes:
        out.append(f"  runs in which a signed deal was reneged on before the votes: "
                   f"{r.reneged}; in which a vote failed: {r.failed_votes} (the talks resumed "
                   "unless that ended them)")
    if r.deals:
        top = r.deals[0]
        out += ["", f"Deals reached ({len(r.deals)} distinct; the most common first, the "
                    "others by how they differ)"]
        rows = []
        for d in r.deals[:shown]:
            diff = {k: v for k, v in d.terms.items() if v != top.terms[k]} if d is not top \
                else d.terms
            terms = ", ".join(f"{k}={level(v)}" for k, v in diff.items()) or "(the same)"
            rows.append([d.count, d.ratified, *_utilities(list(r.parties), d.utility),
                         excerpt(terms, 200)])
        out.append(table(["runs", "ratified", *(f"U {p}" for p in r.parties), "terms"], rows))
    return "\n".join(out)
