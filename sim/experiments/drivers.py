"""What drives a sweep's outcome: read a sweep's folder and say which varied inputs decide
whether a deal exists, and where in their space one does.

Outcomes are read per design point (a point's replicates averaged, runs that raised left
out): for the solver, whether a ZOPA exists, how many deals are acceptable, the chance that a
ratified Nash deal comes out of it (0 where there is no ZOPA), and the Nash deal's numeric
and true/false terms; for the agent-based model, its agreement and ratification rates and the
median step of agreement. For each outcome and input:

- a rank correlation (Spearman's rho, with its p-value): a monotone association;
- Sobol first-order and total indices (Sobol 2001; Saltelli et al. 2010) on a `saltelli`
  design, and Morris's mu* and sigma (Morris 1991; Campolongo et al. 2007) on a `morris`
  design, both by SALib with bootstrap 95% intervals. Their units: mu* is the mean absolute
  change in the outcome when an input moves across Morris's grid, its 1/8 to 7/8 quantiles.
- response curves (the outcome's mean by bins of one input) and a heat map for two.

Shares (a ZOPA exists, each package is acceptable, each of the Nash deal's terms) are over the
design points, with the Wilson 95% interval of that many points: on a Monte Carlo or Latin
hypercube design they are the chances under the stated distributions; on a grid, shares of
the grid. Shares, rank correlations and scenario discovery (PRIM, sim.experiments.prim, on the
key outcome: a ZOPA exists, or the agreement rate) read a Saltelli or Morris design's
independently drawn points only (`independent`); the indices read every point.
Categorical inputs enter the correlations and indices by the order their levels were given in.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim import seeds
from sim.errors import InputError
from sim.experiments import design, prim
from sim.experiments.store import MANIFEST, read_manifest, read_parts
from sim.intervals import wilson
from sim.results import shown

BINS = 8  # response curves: an input with more distinct values is read in this many bins
RESAMPLES = 200  # SALib's bootstrap resamples for the indices' intervals
KEY = {"solve": "zopa", "simulate": "agreed"}


@dataclass(frozen=True)
class Outcome:
    name: str
    label: str
    kind: str  # "bool", "share" (in [0, 1]: what PRIM can explain) or "number"


@dataclass(frozen=True)
class Driver:
    """How one input moves one outcome."""

    outcome: str
    input: str
    spearman: float | None = None
    p_value: float | None = None
    s1: float | None = None
    s1_conf: float | None = None
    st: float | None = None
    st_conf: float | None = None
    mu_star: float | None = None
    mu_star_conf: float | None = None
    sigma: float | None = None

    def strength(self) -> float:
        """What ranks it: the total index, else mu*, else |rho| (0 when undefined)."""
        for value in (self.st, self.mu_star,
                      None if self.spearman is None else abs(self.spearman)):
            if value is not None and math.isfinite(value):
                return value
        return 0.0

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class ShareRow:
    """A share over the design points (a point's replicates averaged: the solver's are the
    same run again, the agent-based model's runs at one point are not independent of each
    other), with the Wilson 95% interval of that many points."""

    name: str
    label: str
    share: float
    of: int  # design points

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.share * self.of, self.of)

    def to_dict(self) -> dict:
        lo, hi = self.interval
        return {"name": self.name, "label": self.label, "share": self.share, "low": lo,
                "high": hi, "of": self.of}


@dataclass(frozen=True)
class Analysis:
    folder: str
    scenario: str
    engine: str
    design: str
    points: int
    runs: int
    errors: int
    inputs: tuple[design.Uncertainty, ...]
    outcomes: tuple[Outcome, ...]
    key: str
    shares: tuple[ShareRow, ...]
    drivers: tuple[Driver, ...]
    boxes: tuple[prim.Box, ...]
    notes: tuple[tuple[str | None, str], ...]  # (the outcome it is about, or None; text)
    frame: Any = field(repr=False, compare=False)  # one row per design point

    def ranked(self, outcome: str | None = None) -> list[Driver]:
        """The drivers of one outcome (the key one by default), strongest first (ties, such
        as indices of 0, by the rank correlation's size)."""
        outcome = outcome or self.key
        return sorted((d for d in self.drivers if d.outcome == outcome),
                      key=lambda d: (-d.strength(), -abs(d.spearman or 0.0)))

    def table(self):
        """The drivers as a pandas DataFrame, one row per (outcome, input), strongest first
        within each outcome."""
        import pandas as pd

        rows = [d.to_dict() for o in self.outcomes for d in self.ranked(o.name)]
        return pd.DataFrame(rows, columns=list(Driver.__dataclass_fields__))

    def to_dict(self) -> dict:
        return {"folder": self.folder, "scenario": self.scenario, "engine": self.engine,
                "design": self.design, "points": self.points, "runs": self.runs,
                "errors": self.errors, "inputs": [u.path for u in self.inputs],
                "outcomes": [o.__dict__ for o in self.outcomes], "key": self.key,
                "shares": [s.to_dict() for s in self.shares],
                "drivers": [d.to_dict() for d in self.drivers],
                "boxes": [b.to_dict() for b in self.boxes],
                "notes": [{"outcome": o, "text": t} for o, t in self.notes]}

    def outcome(self, name: str | None = None) -> Outcome:
        """An outcome by name (the key one by default)."""
        return _outcome(self.outcomes, name or self.key)

    def notes_for(self, outcome: str | None) -> list[str]:
        """The notes about the sweep as a whole and about this outcome."""
        return [t for o, t in self.notes if o is None or o == outcome]


def analyse(folder: str | Path, outcome: str | None = None) -> Analysis:
    """The analysis of a sweep's folder; `outcome` names what PRIM explains (a column that is
    true/false or in [0, 1]; by default a ZOPA exists, or the agreement rate)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    try:
        spec = manifest["spec"]
        engine, which, planned = spec["engine"], spec["design"], int(manifest["points"])
        uncertainties = tuple(design.Uncertainty(u["path"], u["kind"], tuple(u["params"]))
                              for u in spec["uncertainties"])
        columns = [name for name, _ in manifest["schema"]]
        outcomes = _outcomes(manifest, columns)
        name = manifest["scenario"].get("name", "")
        expected = planned * int(spec["replicates"])
        if engine not in KEY or not uncertainties:
            raise ValueError
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InputError(f"{folder / MANIFEST}: not a sweep's manifest (a key is missing or "
                         "malformed)") from None
    wanted = ["run", "point", "replicate", "error", *(f"in.{u.path}" for u in uncertainties),
              *(c for c in columns if c in _read(outcomes, columns))]
    frame = read_parts(folder, wanted)
    if not len(frame):
        raise InputError(f"{folder}: the sweep has no runs stored yet")
    ok = frame[frame["error"].isna()]
    notes = []
    if len(ok) < len(frame):
        notes.append((None, f"{len(frame) - len(ok)} of {len(frame)} runs raised; they are "
                            "left out"))
    if expected - len(frame) > 0:
        notes.append((None, f"{expected - len(frame)} runs are not stored yet (resume the "
                            "sweep): the indices that need every design point are not "
                            "computed"))
    points = _per_point(ok, uncertainties, outcomes, engine)
    key = outcome or KEY[engine]
    explained = [o.name for o in outcomes if o.kind in ("bool", "share")]
    if key not in explained:
        raise InputError(f"--outcome: '{key}' is not an outcome of this sweep that PRIM can "
                         f"explain (true/false or in [0, 1]); valid: {', '.join(explained)}")
    drawn = points[independent(points.index.to_numpy(), which, len(uncertainties))]
    if which in ("saltelli", "morris"):
        notes.append((None, f"shares, rank correlations and PRIM read the {len(drawn)} of "
                            f"{len(points)} {which} points drawn independently (the others "
                            "each move one input of one of them: for the indices only)"))
    drivers = _drivers(points, drawn, uncertainties, outcomes, spec, planned, notes)
    boxes = _boxes(drawn, uncertainties, key, _outcome(outcomes, key).label, notes)
    return Analysis(str(folder), name, engine, which, planned, len(frame),
                    len(frame) - len(ok), uncertainties, outcomes, key,
                    _shares(drawn, manifest, engine), tuple(drivers), boxes, tuple(notes),
                    points)


def independent(point: np.ndarray, which: str, inputs: int) -> np.ndarray:
    """Which design points were drawn independently of each other: a Saltelli design's A
    and B rows (each block of D + 2 is A, the D rows of A with one column from B, then B),
    a Morris design's trajectories' first points; every point of the other designs."""
    if which == "saltelli":
        return np.isin(point % (inputs + 2), (0, inputs + 1))
    if which == "morris":
        return point % (inputs + 1) == 0
    return np.ones(len(point), dtype=bool)


def _boxes(drawn, uncertainties, key: str, label: str, notes: list) -> tuple[prim.Box, ...]:
    """PRIM's boxes for the key outcome over the independently drawn points."""
    y = drawn[key].to_numpy(dtype=float)
    finite = np.isfinite(y)
    if finite.sum() < 2:
        notes.append((key, "fewer than two design points with a result: no region to find"))
        return ()
    if (y[finite] == y[finite][0]).all():
        notes.append((key, f"{label}: {shown(float(y[finite][0]))} at every design point, "
                           "no region to find"))
        return ()
    x = {u.path: drawn[f"in.{u.path}"].to_numpy()[finite] for u in uncertainties}
    boxes = tuple(b for b in prim.discover(x, y[finite]) if b.restricts())
    if not boxes:
        notes.append((key, f"{label}: no region narrower than the whole design holds it more "
                           "densely"))
    return boxes


def _outcome(outcomes, name: str) -> Outcome:
    return next(o for o in outcomes if o.name == name)


def _outcomes(manifest: dict, columns: list[str]) -> tuple[Outcome, ...]:
    if manifest["spec"]["engine"] == "simulate":
        return (Outcome("agreed", "the talks agree (share of runs)", "share"),
                Outcome("ratified", "the deal is ratified (share of runs)", "share"),
                Outcome("median_steps_to_agreement", "median steps to agreement", "number"))
    kinds = dict(manifest["schema"])  # a term's column: float (numeric), bool or str
    out = [Outcome("zopa", "a ZOPA exists", "bool"),
           Outcome("acceptable", "acceptable deals", "number"),
           Outcome("deal_ratified", "P(ratified) of the Nash deal (0 without a ZOPA)",
                   "share")]
    for name in manifest["scenario"]["issues"]:
        kind = kinds.get(f"nash.{name}")
        if kind in ("float", "bool"):
            out.append(Outcome(f"nash.{name}", f"the Nash deal's {name}",
                               "bool" if kind == "bool" else "number"))
    return tuple(out)


def _read(outcomes, columns: list[str]) -> set[str]:
    """The stored columns the outcomes and shares are made from."""
    names = {o.name for o in outcomes} | {"nash.p_ratified", "runs"}
    names |= set(_terms(columns))
    names |= {c for c in columns if c.startswith("package.") and c.endswith(".acceptable")}
    return names


def _terms(columns) -> list[str]:
    """The Nash deal's terms among the columns (nash.<issue>)."""
    return [c for c in columns if c.startswith("nash.") and c.count(".") == 1]


def _per_point(ok, uncertainties, outcomes, engine: str):
    """One row per design point: its inputs and each outcome's mean over its replicates."""
    import pandas as pd

    frame = ok.copy()
    if engine == "solve":
        frame["deal_ratified"] = frame["nash.p_ratified"].fillna(0.0).where(frame["zopa"], 0.0)
    names = [o.name for o in outcomes]
    for name in names:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    inputs = [f"in.{u.path}" for u in uncertainties]
    terms = _terms(ok.columns)
    packages = [c for c in ok.columns if c.startswith("package.")]
    for c in packages:
        frame[c] = frame[c].astype(float)
    grouped = frame.groupby("point", sort=True)
    firsts = grouped[terms].first().add_prefix("term.")  # a term: categorical or missing
    return pd.concat([grouped[inputs].first(), grouped[names].mean(), grouped[packages].mean(),
                      firsts], axis=1)


def encoded(values, u: design.Uncertainty) -> np.ndarray:
    """An input's values as numbers: a number as it is, true/false as 1/0, a word by the
    order its level was given in."""
    values = np.asarray(values)
    if values.dtype.kind in "iuf":
        return values.astype(float)
    order = {v: k for k, v in enumerate(u.params)}
    order.update({str(v): k for k, v in enumerate(u.params)})
    return np.array([order.get(v, np.nan) if not isinstance(v, bool | np.bool_) else float(v)
                     for v in values.tolist()], dtype=float)


def _drivers(points, drawn, uncertainties, outcomes, spec: dict, planned: int,
             notes: list) -> list[Driver]:
    """Rank correlations over the independently drawn points, indices over every point."""
    from scipy import stats

    x = {u.path: encoded(drawn[f"in.{u.path}"], u) for u in uncertainties}
    complete = len(points) == planned
    indices = _indices(points, uncertainties, outcomes, spec, complete, notes)
    out = []
    for o in outcomes:
        y = drawn[o.name].to_numpy(dtype=float)
        for u in uncertainties:
            keep = np.isfinite(y) & np.isfinite(x[u.path])
            rho = p = None
            if keep.sum() >= 3 and np.ptp(y[keep]) > 0 and np.ptp(x[u.path][keep]) > 0:
                r = stats.spearmanr(x[u.path][keep], y[keep])
                rho, p = float(r.statistic), float(r.pvalue)
            out.append(Driver(o.name, u.path, rho, p, **indices.get((o.name, u.path), {})))
    return out


def _indices(points, uncertainties, outcomes, spec: dict, complete: bool,
             notes: list) -> dict:
    """SALib's Sobol or Morris indices, for the designs that support them."""
    which = spec["design"]
    if which not in ("saltelli", "morris"):
        return {}
    if not complete:
        notes.append((None, f"{which} indices need a result at every design point; some "
                            "are missing or raised"))
        return {}
    from SALib.analyze import morris, sobol

    problem = design.salib_problem(list(uncertainties))
    out: dict = {}
    for o in outcomes:
        y = points[o.name].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            notes.append((o.name, f"{which} indices of '{o.name}': undefined at some points "
                                  "(no Nash deal without a ZOPA)"))
            continue
        if np.ptp(y) == 0:
            notes.append((o.name, f"{which} indices of '{o.name}': it does not vary"))
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if which == "saltelli":
                r = sobol.analyze(problem, y, calc_second_order=False,
                                  num_resamples=RESAMPLES, seed=seeds.analysis(spec["seed"]))
                for j, u in enumerate(uncertainties):
                    out[(o.name, u.path)] = {
                        "s1": _num(r["S1"][j]), "s1_conf": _num(r["S1_conf"][j]),
                        "st": _num(r["ST"][j]), "st_conf": _num(r["ST_conf"][j])}
            else:
                x = _morris_matrix(points, uncertainties, spec)
                if x is None:
                    notes.append((None, "morris indices: this SALib does not draw the "
                                        "sweep's points again (another version?); not "
                                        "computed"))
                    return {}
                r = morris.analyze(problem, x, y, num_resamples=RESAMPLES,
                                   num_levels=design.MORRIS_LEVELS,
                                   seed=seeds.analysis(spec["seed"]))
                for j, u in enumerate(uncertainties):
                    out[(o.name, u.path)] = {
                        "mu_star": _num(r["mu_star"][j]),
                        "mu_star_conf": _num(r["mu_star_conf"][j]),
                        "sigma": _num(r["sigma"][j])}
    return out


def _morris_matrix(points, uncertainties, spec: dict) -> np.ndarray | None:
    """SALib's Morris matrix for the sweep, drawn again from its seed, or None unless it
    gives back the values the sweep stored (SALib's estimator reads the steps from it)."""
    x = design.sample(list(uncertainties), "morris", spec["samples"], spec["seed"])
    again = design.points(list(uncertainties), "morris", spec["samples"], spec["seed"])
    for u in uncertainties:
        stored = points[f"in.{u.path}"].tolist()
        if [p[u.path] for p in again] != stored:
            return None
    return x


def _num(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _shares(drawn, manifest: dict, engine: str) -> tuple[ShareRow, ...]:
    """Every share over the independently drawn design points, with its Wilson interval."""
    n = len(drawn)
    if engine == "simulate":
        return tuple(ShareRow(name, label, float(drawn[name].mean()), n)
                     for name, label in (("agreed", "the talks agree"),
                                         ("ratified", "a deal is ratified")))
    rows = [ShareRow("zopa", "a ZOPA exists", float(drawn["zopa"].mean()), n)]
    for c in drawn.columns:
        if c.startswith("package.") and c.endswith(".acceptable"):
            name = c[len("package."):-len(".acceptable")]
            rows.append(ShareRow(c, f"package {name} is acceptable",
                                 float(drawn[c].fillna(0.0).mean()), n))
    with_deal = drawn[drawn["zopa"] == 1.0]
    for issue in manifest["scenario"]["issues"]:
        column = f"term.nash.{issue}"
        if column not in drawn.columns or not len(with_deal):
            continue
        for level, count in with_deal[column].map(shown).value_counts().items():
            rows.append(ShareRow(f"nash.{issue}={level}",
                                 f"the Nash deal has {issue} = {level} (of the points with a "
                                 "ZOPA)", count / len(with_deal), len(with_deal)))
    return tuple(rows)


def bin_edges(x: np.ndarray, bins: int = BINS) -> np.ndarray:
    """Edges of the bins an input is read in: one bin per value when it takes at most `bins`
    values (edges halfway between them), else `bins` quantile bins."""
    values = np.unique(x[np.isfinite(x)])
    if len(values) <= bins:
        mids = (values[1:] + values[:-1]) / 2
        return np.concatenate([[values[0] - 0.5], mids, [values[-1] + 0.5]])
    return np.unique(np.quantile(x[np.isfinite(x)], np.linspace(0, 1, bins + 1)))


def _bin(edges: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)


def response(points, u: design.Uncertainty, outcome: str, bins: int = BINS) -> list[dict]:
    """The outcome's mean by bin of one input (bin_edges): [{label, x, mean, points}], in
    the input's order; a bin of one value is labelled by it (a word by its name)."""
    x = encoded(points[f"in.{u.path}"], u)
    y = points[outcome].to_numpy(dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if not len(x):
        return []
    edges = bin_edges(x, bins)
    which = _bin(edges, x)
    words = u.kind in ("choice", "values") and not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in u.params)
    out = []
    for k in range(len(edges) - 1):
        inside = which == k
        if not inside.any():
            continue
        values = np.unique(x[inside])
        label = (str(u.params[int(values[0])]) if words else _short(values[0])) \
            if len(values) == 1 else f"{_short(edges[k])}-{_short(edges[k + 1])}"
        out.append({"label": label, "x": float(x[inside].mean()),
                    "mean": float(y[inside].mean()), "points": int(inside.sum())})
    return out


def heat(points, ux: design.Uncertainty, uy: design.Uncertainty, outcome: str,
         bins: int = BINS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The outcome's mean over bins of two inputs: (x edges, y edges, means (y, x), NaN in
    a cell without a point)."""
    x, y = encoded(points[f"in.{ux.path}"], ux), encoded(points[f"in.{uy.path}"], uy)
    z = points[outcome].to_numpy(dtype=float)
    ex, ey = bin_edges(x, bins), bin_edges(y, bins)
    keep = np.isfinite(x) & np.isfinite(y) & np.isfinite(z)
    total = np.zeros((len(ey) - 1, len(ex) - 1))
    count = np.zeros_like(total)
    cells = (_bin(ey, y[keep]), _bin(ex, x[keep]))
    np.add.at(total, cells, z[keep])
    np.add.at(count, cells, 1)
    with np.errstate(invalid="ignore"):
        return ex, ey, np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _short(v: float) -> str:
    return f"{v:.3g}"
