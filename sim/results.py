"""The shared vocabulary of results: deals, reasons, provenance, and the Result protocol.

Every engine returns a frozen dataclass without a Problem inside. `to_dict()` is its JSON,
`metrics()` one flat row of scalars (what a sweep stores, compare diffs and summaries rank) and,
where it is tabular, `to_frame()` a pandas DataFrame. Reasons are typed values that render to
the wording the CLI prints; nothing parses them back from strings.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

FORMAT_VERSION = 2
"""The version of the JSON results print. 2: `utility` is the deal's own utility and
`expected_utility` the ratification-weighted one everywhere, reasons are objects, and every
result carries this provenance (1: the unversioned JSON before, where `sim solve --json`
called the expected utility `utility`)."""

Scalar = bool | int | float | str | None


@runtime_checkable
class Result(Protocol):
    """What every engine returns."""

    def to_dict(self) -> dict: ...

    def metrics(self) -> dict[str, Scalar]: ...


def magnitude(n: int) -> str:
    """A count as text: digits with commas up to a quadrillion, then three significant
    figures (from the digits: a count may be larger than a float can hold)."""
    if n < 10**15:
        return f"{n:,}"
    digits = str(n)
    return f"{digits[0]}.{digits[1:3]}e+{len(digits) - 1}"


def probability(p: float) -> str:
    """A probability as text: two decimals, or two digits when it is below 0.01."""
    return f"{p:.2f}" if p >= 0.01 or p == 0 else f"{p:.1e}"


def shown(value: Any, unit: str = "") -> str:
    """A level as text: yes/no, a number without trailing zeros (and its unit), a name."""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        return f"{float(value) + 0.0:g}" + (f" {unit}" if unit else "")
    return str(value)


def plain(level: Any) -> Any:
    """A level as JSON has it: a Python str, float or bool, never a numpy scalar."""
    return level.item() if isinstance(level, np.generic) else level


def named(names, values) -> dict[str, float]:
    """{name: value} with plain floats: a row of an array named by parties."""
    return {n: float(x) for n, x in zip(names, values, strict=True)}


def metric_count(n: int) -> int | float:
    """A deal count as a metric: an int while it fits an int64, else a float."""
    return n if n < 2**63 else float(n)


def scenario_hash(data: dict) -> str:
    """sha256 of the resolved scenario's canonical JSON (keys sorted): the same scenario,
    however it was written or split across `extends:` files, has the same hash."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Provenance:
    """Where a result comes from: carried by every JSON and report."""

    scenario_hash: str
    seed: int | None = None
    format_version: int = FORMAT_VERSION

    def to_dict(self) -> dict:
        from sim import __version__

        out: dict = {"sim_version": __version__, "format_version": self.format_version,
                     "scenario_hash": self.scenario_hash}
        if self.seed is not None:
            out["seed"] = self.seed
        return out


@dataclass(frozen=True)
class Deal:
    """One deal with its scores. `utility` is U(deal); `expected_utility` is
    P(ratified) U + (1 - P(ratified)) reservation, the scale the frontier and the solutions
    are computed on."""

    terms: dict[str, Any]
    utility: dict[str, float]
    expected_utility: dict[str, float]
    p_ratified: float = 1.0
    refined: bool = False  # numeric terms moved off the grid by the continuous refinement

    def to_dict(self) -> dict:
        out = {"terms": self.terms, "utility": self.utility,
               "expected_utility": self.expected_utility, "p_ratified": self.p_ratified}
        if self.refined:
            out["refined"] = True
        return out


# --- why a deal is not acceptable ------------------------------------------------------------


@dataclass(frozen=True)
class RuleBroken:
    rule: int
    note: str = ""
    kind = "rule_broken"

    def __str__(self) -> str:
        return f"breaks rule {self.rule}" + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True)
class BelowReservation:
    party: str
    utility: float
    reservation: float
    kind = "below_reservation"

    def __str__(self) -> str:
        return (f"{self.party} gets {self.utility:.3f}, below its reservation "
                f"{self.reservation:.3f}")


@dataclass(frozen=True)
class RedLineHit:
    party: str
    note: str
    kind = "red_line"

    def __str__(self) -> str:
        return f"{self.party} red line: {self.note}"


@dataclass(frozen=True)
class NotRatified:
    body: str
    p_pass: float
    needed: float
    kind = "not_ratified"

    def __str__(self) -> str:
        if self.p_pass == 0:
            return f"{self.body} never passes it (P = 0)"
        return f"{self.body} passes it with probability {self.p_pass:.2f} < {self.needed:g}"


Reason = RuleBroken | BelowReservation | RedLineHit | NotRatified


def reason_dict(reason: Reason | Change) -> dict:
    """A reason (or a change) as JSON: its kind, its fields, and the sentence the CLI prints."""
    return {"kind": reason.kind, **asdict(reason), "message": str(reason)}


# --- what it would take to make a deal acceptable ----------------------------------------------


@dataclass(frozen=True)
class LowerReservation:
    party: str
    by: float
    to: float
    kind = "lower_reservation"

    def __str__(self) -> str:
        return f"{self.party} lowers its reservation by {self.by:.3f} (to {self.to:.3f})"


@dataclass(frozen=True)
class RelaxRedLine:
    party: str
    note: str
    kind = "relax_red_line"

    def __str__(self) -> str:
        return f"{self.party} gives up its red line: {self.note}"


@dataclass(frozen=True)
class LowerBar:
    body: str
    p_pass: float
    needed: float
    kind = "lower_bar"

    def __str__(self) -> str:
        return (f"{self.body} is taken to ratify at P = {probability(self.p_pass)} (the bar "
                f"is {self.needed:g})")


@dataclass(frozen=True)
class DropBody:
    body: str
    kind = "drop_body"

    def __str__(self) -> str:
        return f"the deal does without {self.body} (it never passes it)"


Change = LowerReservation | RelaxRedLine | LowerBar | DropBody


def flat(prefix: str, values: dict[str, Any]) -> dict[str, Scalar]:
    """{prefix.key: value} with non-finite floats as None (a Parquet null)."""
    out: dict[str, Scalar] = {}
    for key, value in values.items():
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[f"{prefix}.{key}"] = value
    return out
