#!/usr/bin/env python
"""Fit the Ukrainian referendum electorate of scenarios/berlin-2025-12.yaml to KIIS polls.

The body `ukraine_referendum` has a logit acceptance model: intercept plus one effect per issue
level. Seven KIIS polls describe seven deals (the `kiis-*` packages); each gives a decided yes-share
accept / (accept + reject). Seven anchors cannot pin ~20 level effects, so each issue's effects
are a judged *profile* (0 at the level best for Ukraine, -1 at the worst, the order and spacing
a judgement) times a fitted *scale*; the intercept and the eight scales are fitted by
regularised least squares (scipy.optimize.least_squares) toward judgement priors. Levels no poll
described (the free economic zone, a Congress-ratified guarantee...) thus move with their
issue's scale instead of staying at an arbitrary number.

Everything else about the body (segments, swing, turnout) is read from the scenario, and the
yes share is computed by sim's own ratification model, so what is fitted is what `sim
evaluate` reports.

    .venv/bin/python scripts/fit_electorate.py            # fit, print table and YAML snippet
    .venv/bin/python scripts/fit_electorate.py --check    # check the YAML as written (exit 1
                                                          # if a poll is missed by > 5 points)
    .venv/bin/python scripts/fit_electorate.py --loo      # each poll's error when it is left
                                                          # out of the fit
    .venv/bin/python scripts/fit_electorate.py --unpolled # the levels no poll uses, and how
                                                          # the ZOPA moves with them

See docs/calibration.md for the data, the method and its limits.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import optimize

import sim
from sim.ratify import ReferendumModel
from sim.scenario.model import Referendum

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "berlin-2025-12.yaml"
# As the sources state the red lines, the default has no deal at all; how much the zone of
# agreement depends on an effect is read where there is one: the default with four red
# lines given up (it keeps the default's electorate).
OPEN = ROOT / "scenarios" / "berlin-open.yaml"
BODY = "ukraine_referendum"
TOLERANCE = 0.05  # the fit must land within 5 points of every poll
POLL_SE = 0.025  # judgement: split samples of ~500, margin of error +-4-6 points (§3.4)


@dataclass(frozen=True)
class Poll:
    package: str
    fieldwork: str
    accept: float
    reject: float
    note: str = ""

    @property
    def decided_yes(self) -> float:
        return self.accept / (self.accept + self.reject)


# docs/domain/kiis-polls.csv, one row per deal. Where a row gives only one side, the
# other is 1 - given - (don't-know share of the companion poll of the same package type in the
# 26 Nov-13 Dec wave): 14% for the freeze plan, 8% for the withdrawal ("Russian") plan.
# The row "Holding a referendum on a peace agreement (the procedure itself)" (55/32/14) is not a
# deal: it informs the turnout judgement in the YAML, not this fit.
POLLS = [
    Poll("kiis-freeze-guarantees", "2025-11-26/2025-12-13", 0.72, 0.14),
    Poll("kiis-russian-plan", "2025-11-26/2025-12-13", 0.17, 0.75),
    Poll("kiis-freeze-guarantees-no-recognition", "2025-11-26/2025-12-29", 0.69,
         round(1 - 0.69 - 0.14, 2), "reject derived: DK 14% of the 13 Dec freeze poll"),
    Poll("kiis-withdrawal-army-cap", "2025-11-26/2025-12-29", round(1 - 0.74 - 0.08, 2), 0.74,
         "accept derived: DK 8% of the 13 Dec Russian-plan poll"),
    Poll("kiis-de-jure-recognition", "2025-05-15/2025-06-03", 0.24, 0.68),
    Poll("kiis-transfer-territory", "2025-05-15/2025-06-03", 0.15, 0.78),
    Poll("kiis-de-facto-control", "2025-05-15/2025-06-03", 0.43, 0.48),
]

# judgement: per-issue profiles, 0 = the level best for Ukraine's voters, -1 = the worst.
PROFILES: dict[str, dict[str, float]] = {
    "donbas": {"hold_line": 0.0, "mutual_pullback_dmz": -0.2, "free_economic_zone": -0.6,
               "dmz_russian_sovereignty": -0.9, "full_withdrawal": -1.0},
    "guarantee": {"none": -1.0, "assurances": -0.8, "executive_art5": -0.45,
                  "art5_congress_15y": -0.15, "art5_congress_30y": 0.0},
    "foreign_forces": {"eu_force_us_backstop": 0.0, "eu_force": -0.2,
                       "no_western_troops": -0.7, "full_neutrality": -1.0},
    "army_cap": {"no_cap": 0.0, "cap_800k": -0.1, "cap_600k": -0.6,
                 "cap_plus_weapons_limits": -1.0},
    "recognition": {"none": 0.0, "line_of_contact": -0.25, "de_facto": -0.5, "de_jure": -1.0},
    "nato_status": {"aspiration_kept": 0.0, "unaddressed": -0.1,
                    "renounced_politically": -0.4, "legal_non_accession": -0.7,
                    "constitutional_ban": -1.0},
    "sanctions": {"kept": 0.0, "phased_snapback": -0.3, "lifted_g8": -0.8, "all_lifted": -1.0},
}
PROSPERITY_MAX = 800.0  # the prosperity scale is the logit effect of $800bn against none

# judgement: prior (mean, sd) of the intercept and of each scale, in logits.
PRIORS: dict[str, tuple[float, float]] = {
    "intercept": (3.0, 2.0),  # weak: the best conceivable deal
    "donbas": (2.0, 0.75),
    "guarantee": (1.5, 0.75),
    "foreign_forces": (0.8, 0.5),
    "army_cap": (0.6, 0.3),
    "recognition": (1.5, 0.75),
    "nato_status": (0.4, 0.25),
    "sanctions": (0.4, 0.25),
    "prosperity": (0.3, 0.3),
}
PARAMS = list(PRIORS)


def coefficients(theta: np.ndarray) -> tuple[float, dict]:
    """(intercept, effects) as the YAML writes them, from the fitted parameters."""
    p = dict(zip(PARAMS, theta, strict=True))
    effects: dict = {
        issue: {lv: round(p[issue] * w, 2) for lv, w in prof.items() if w != 0.0}
        for issue, prof in PROFILES.items()
    }
    effects["prosperity"] = {"slope": round(p["prosperity"] / PROSPERITY_MAX, 6)}
    return round(p["intercept"], 2), effects


class Electorate:
    """The scenario's referendum body with replaceable coefficients, scored on the polls."""

    def __init__(self, path: Path):
        self.scenario = sim.load(path)
        self.problem = sim.compile_problem(self.scenario)
        self.body = self.scenario.ratification[BODY]
        self.deals = np.stack([self._deal(p.package) for p in POLLS])

    def _deal(self, package: str) -> np.ndarray:
        terms = dict(self.scenario.packages[package].terms)
        terms["referendum"] = True  # as `sim evaluate --deal referendum=true`
        return self.problem.deal_index(terms)

    def yes_share(self, intercept: float, effects: dict) -> np.ndarray:
        data = self.body.model_dump(mode="python")
        data.update(intercept=intercept, effects=effects)
        model = ReferendumModel.build(Referendum.model_validate(data), self.scenario.issues)
        return model.yes_share(self.deals)

    def as_written(self) -> np.ndarray:
        """Yes shares from the compiled scenario itself (what `sim evaluate` prints)."""
        k = self.problem.bodies.index(next(b for b in self.problem.bodies if b.name == BODY))
        return self.problem.bodies[k].model.yes_share(self.deals)


def fit(electorate: Electorate, leave_out: int | None = None) -> np.ndarray:
    """The fitted parameters; with `leave_out`, fitted without that poll."""
    target = np.array([p.decided_yes for p in POLLS])
    keep = np.array([i != leave_out for i in range(len(POLLS))])
    mean = np.array([PRIORS[k][0] for k in PARAMS])
    sd = np.array([PRIORS[k][1] for k in PARAMS])

    def unrounded(theta: np.ndarray) -> tuple[float, dict]:
        p = dict(zip(PARAMS, theta, strict=True))
        effects: dict = {issue: {lv: p[issue] * w for lv, w in prof.items() if w != 0.0}
                         for issue, prof in PROFILES.items()}
        effects["prosperity"] = {"slope": p["prosperity"] / PROSPERITY_MAX}
        return p["intercept"], effects

    def residuals(theta: np.ndarray) -> np.ndarray:
        model = electorate.yes_share(*unrounded(theta))
        return np.concatenate([((model - target) / POLL_SE)[keep], (theta - mean) / sd])

    lower = np.array([-np.inf] + [0.0] * (len(PARAMS) - 1))  # effects keep their sign
    result = optimize.least_squares(residuals, mean, bounds=(lower, np.inf), method="trf")
    if not result.success:
        sys.exit(f"fit failed: {result.message}")
    return result.x


def table(model: np.ndarray, title: str) -> float:
    print(title)
    print(f"  {'package':40s} {'fieldwork':22s} {'accept':>6s} {'reject':>6s} "
          f"{'poll':>6s} {'model':>6s} {'resid':>6s}")
    worst = 0.0
    for p, m in zip(POLLS, model, strict=True):
        r = m - p.decided_yes
        worst = max(worst, abs(r))
        print(f"  {p.package:40s} {p.fieldwork:22s} {p.accept:6.2f} {p.reject:6.2f} "
              f"{p.decided_yes:6.3f} {m:6.3f} {r:+6.3f}" + (f"  ({p.note})" if p.note else ""))
    print(f"  largest |residual| = {worst:.3f} (tolerance {TOLERANCE})")
    return worst


def leave_one_out(electorate: Electorate) -> list[tuple[str, float, float, float]]:
    """Each poll's out-of-sample error: (package, poll, model fitted without it, error)."""
    out = []
    for i, p in enumerate(POLLS):
        model = electorate.yes_share(*coefficients(fit(electorate, leave_out=i)))[i]
        out.append((p.package, p.decided_yes, float(model), float(model - p.decided_yes)))
    return out


def unpolled(electorate: Electorate, zone: Path = OPEN
             ) -> list[tuple[str, str, float, int, int, int]]:
    """Each level with an effect that no polled package uses: (issue, level, its effect as
    written, the acceptable deals of `zone` (a scenario with the same electorate) as written,
    with the effect halved, doubled). What the answer depends on that no poll pins."""
    polled = {(k, str(v)) for p in POLLS
              for k, v in electorate.scenario.packages[p.package].terms.items()}
    scenario = sim.load(zone)
    data = scenario.model_dump(mode="json", exclude={"extends"})
    base = sim.solve(scenario).acceptable
    out = []
    for issue, effect in data["ratification"][BODY]["effects"].items():
        if not isinstance(effect, dict) or "slope" in effect:
            continue
        for level, b in effect.items():
            if (issue, level) in polled or b == 0:
                continue
            counts = []
            for factor in (0.5, 2.0):
                data["ratification"][BODY]["effects"][issue][level] = b * factor
                counts.append(sim.solve(sim.from_dict(data)).acceptable)
            data["ratification"][BODY]["effects"][issue][level] = b
            out.append((issue, level, b, base, *counts))
    return out


def snippet(intercept: float, effects: dict) -> str:
    def fmt(v: float) -> str:
        return f"{v + 0.0:g}"  # + 0.0 turns -0.0 into 0

    lines = [f"    intercept: {intercept:.2f}", "    effects:"]
    for issue, eff in effects.items():
        inner = ", ".join(f"{k}: {fmt(v)}" for k, v in eff.items())
        lines.append(f"      {issue}: {{{inner}}}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", type=Path, default=SCENARIO)
    ap.add_argument("--check", action="store_true",
                    help="only check the coefficients written in the YAML against the polls")
    ap.add_argument("--loo", action="store_true",
                    help="leave each poll out of the fit in turn and print its error")
    ap.add_argument("--unpolled", action="store_true",
                    help="the levels no poll uses, and the ZOPA with each effect halved and "
                    "doubled")
    args = ap.parse_args()

    electorate = Electorate(args.scenario)
    if args.unpolled:
        print("Levels no polled package uses: berlin-open's acceptable deals with the effect")
        print(f"  {'issue':15s} {'level':25s} {'effect':>7s} {'as is':>6s} {'x0.5':>6s} "
              f"{'x2':>6s}")
        for issue, level, b, base, half, double in unpolled(electorate):
            print(f"  {issue:15s} {level:25s} {b:7.2f} {base:6d} {half:6d} {double:6d}")
        return 0
    if args.loo:
        print(f"Leave one out: each poll predicted by the fit to the other {len(POLLS) - 1}")
        print(f"  {'package':40s} {'poll':>6s} {'model':>6s} {'error':>6s}")
        rows = leave_one_out(electorate)
        for package, poll, model, error in rows:
            print(f"  {package:40s} {poll:6.3f} {model:6.3f} {error:+6.3f}")
        rms = float(np.sqrt(np.mean([e * e for *_, e in rows])))
        print(f"  root mean square error {rms:.3f}; largest |error| "
              f"{max(abs(e) for *_, e in rows):.3f}")
        return 0
    if args.check:
        title = f"Polls vs the YAML as written ({args.scenario.name})"
        worst = table(electorate.as_written(), title)
        return 0 if worst <= TOLERANCE else 1

    theta = fit(electorate)
    intercept, effects = coefficients(theta)
    worst = table(electorate.yes_share(intercept, effects),
                  "Polls vs model (decided yes-share; coefficients rounded as in the YAML)")
    print("\nFitted parameters (prior mean, sd -> fitted)")
    for k, v in zip(PARAMS, theta, strict=True):
        print(f"  {k:15s} {PRIORS[k][0]:5.2f} {PRIORS[k][1]:5.2f} -> {v:6.3f}")
    print("\nCopy into ratification.ukraine_referendum:")
    print(snippet(intercept, effects))
    return 0 if worst <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
