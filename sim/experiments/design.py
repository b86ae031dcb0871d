"""Designs: which values of the uncertain inputs a sweep runs.

In EMA Workbench's vocabulary an *uncertainty* is one varied input, addressed by a dotted path
into the scenario; a *design point* is one assignment of values to all of them; a *run* is one
engine call at a design point (a design point may have several replicates). Uncertainties come
from `--vary PATH=SPEC` or from the scenario's `uncertainty:` section.

SPEC, by design:
- `grid`: `lo:hi:n` (n evenly spaced values, both ends included) or a list `a,b,c` (numbers,
  words, true/false); the points are every combination.
- `lhs`, `sobol`, `saltelli`, `morris`, `mc` (sampled): a range `lo:hi` (uniform) or a
  distribution written as in `uncertainty:`: `uniform(lo, hi)`, `normal(mean, sd)`,
  `triangular(lo, mode, hi)`, `beta(a, b)`, `choice(a, b, ...)`.
`lhs` and `sobol` map scipy.stats.qmc's unit samples through each distribution's inverse CDF
(a choice takes the k-th of its values on the k-th equal slice of [0, 1)). `saltelli` and
`morris` do the same with the samples SALib's Sobol and Morris estimators need: N base
samples make N (D + 2) points (first-order and total indices of D inputs) or N trajectories
of D + 1 points; Morris's four levels are read at the quantiles 1/8, 3/8, 5/8 and 7/8, so an
unbounded distribution stays finite; `mc` draws each
point from its own generator, `seeds.generator(seed, 0, point)`, every uncertainty in sorted
path order (`mc_point`), which is also how `sim solve --samples` draws.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim import seeds

MAX_POINTS = 100_000  # design points at most: each is validated before any run
DESIGNS = ("grid", "lhs", "sobol", "saltelli", "morris", "mc")
SAMPLED = ("lhs", "sobol", "saltelli", "morris", "mc")
MORRIS_LEVELS = 4
KINDS = ("values", "uniform", "normal", "triangular", "beta", "choice")


class SpecError(ValueError):
    """A SPEC that does not parse, or does not fit the design; the message says why."""


@dataclass(frozen=True)
class Uncertainty:
    """One varied input: a dotted path and what it takes (`values` for a grid's list)."""

    path: str
    kind: str
    params: tuple

    def check(self, design: str) -> None:
        """SpecError unless this SPEC fits the design."""
        if design == "grid" and self.kind != "values":
            raise SpecError(f"{self.path}: a grid takes lo:hi:n or a list a,b,c, not a "
                            f"distribution ({self.kind}); use --design lhs, sobol or mc for "
                            "sampled values")
        if design in SAMPLED and self.kind == "values":
            raise SpecError(f"{self.path}: --design {design} samples: give a range lo:hi or a "
                            "distribution (uniform, normal, triangular, beta, choice), not a "
                            "grid's lo:hi:n or list")

    def ppf(self, u: np.ndarray) -> list[Any]:
        """The values at unit samples u in [0, 1) (the inverse CDF)."""
        from scipy import stats

        u = np.asarray(u, dtype=float)
        if self.kind == "choice":
            k = np.minimum((u * len(self.params)).astype(int), len(self.params) - 1)
            return [self.params[i] for i in k]
        if self.kind == "uniform":
            lo, hi = self.params
            x = lo + (hi - lo) * u
        elif self.kind == "normal":
            x = stats.norm.ppf(u, *self.params)
        elif self.kind == "triangular":
            lo, mode, hi = self.params
            x = (stats.triang.ppf(u, (mode - lo) / (hi - lo), lo, hi - lo) if hi > lo
                 else np.full(u.shape, lo))
        elif self.kind == "beta":
            x = stats.beta.ppf(u, *self.params)
        else:
            raise SpecError(f"{self.path}: a list of values is not sampled")
        return [float(v) for v in x]

    def draw(self, rng: np.random.Generator) -> Any:
        """One value drawn from the generator (the `mc` design and `sim solve --samples`)."""
        if self.kind == "uniform":
            return float(rng.uniform(*self.params))
        if self.kind == "normal":
            return float(rng.normal(*self.params))
        if self.kind == "triangular":
            lo, mode, hi = self.params
            return float(rng.triangular(lo, mode, hi)) if hi > lo else float(lo)
        if self.kind == "beta":
            return float(rng.beta(*self.params))
        if self.kind == "choice":
            return self.params[int(rng.integers(len(self.params)))]
        raise SpecError(f"{self.path}: a list of values is not drawn")


def parse(text: str) -> Uncertainty:
    """`PATH=SPEC` as written after --vary (SpecError saying what would be valid)."""
    path, sep, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    if not sep or not path or not spec:
        raise SpecError(f"--vary '{text}': write PATH=SPEC, e.g. "
                        "parties.russia.reservation=0.3:0.6:4")
    if not re.fullmatch(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*", path):
        raise SpecError(f"--vary '{text}': '{path}' is not a dotted path like "
                        "parties.russia.reservation")
    return spec_of(path, spec)


_CALL = re.compile(r"^([a-z]+)\s*\((.*)\)$", re.S)


def spec_of(path: str, spec: str) -> Uncertainty:
    """The Uncertainty a SPEC describes."""
    call = _CALL.match(spec)
    if call:
        name, inside = call.group(1), call.group(2)
        args = [_value(a) for a in _split(inside)]
        return _distribution(path, name, args, spec)
    if ":" in spec:
        parts = spec.split(":")
        nums = [_number(p, path, spec) for p in parts]
        if len(nums) == 2:
            lo, hi = nums
            if not lo <= hi:
                raise SpecError(f"{path}={spec}: the range needs lo <= hi")
            return Uncertainty(path, "uniform", (lo, hi))
        if len(nums) == 3:
            lo, hi, n = nums
            if n != int(n) or n < 2:
                raise SpecError(f"{path}={spec}: lo:hi:n needs a whole n of at least 2")
            if not lo <= hi:
                raise SpecError(f"{path}={spec}: the range needs lo <= hi")
            # 12 significant digits: 0.2:0.4:3 holds 0.3, not linspace's 0.30000000000000004
            return Uncertainty(path, "values", tuple(float(f"{x:.12g}") for x in
                                                      np.linspace(lo, hi, int(n))))
        raise SpecError(f"{path}={spec}: write lo:hi (a range) or lo:hi:n (a grid)")
    if re.fullmatch(r"[+-]?[\d.]+\s*-\s*[+-]?[\d.]+", spec):
        raise SpecError(f"{path}={spec}: write a range with a colon, lo:hi (or lo:hi:n for a "
                        "grid), not a dash")
    items = [p.strip() for p in spec.split(",")]
    if not all(items):
        raise SpecError(f"{path}={spec}: an empty value in the list; write a,b,c")
    return Uncertainty(path, "values", tuple(_value(v) for v in items))


def _distribution(path: str, name: str, args: list, spec: str) -> Uncertainty:
    arity = {"uniform": 2, "normal": 2, "triangular": 3, "beta": 2}
    if name == "choice":
        if not args:
            raise SpecError(f"{path}={spec}: choice needs at least one value")
        return Uncertainty(path, "choice", tuple(args))
    if name not in arity:
        raise SpecError(f"{path}={spec}: unknown distribution '{name}'; valid: uniform, "
                        "normal, triangular, beta, choice")
    if len(args) != arity[name] or not all(_is_number(a) for a in args):
        raise SpecError(f"{path}={spec}: {name} takes {arity[name]} numbers")
    a = [float(x) for x in args]
    if name == "uniform" and not a[0] <= a[1]:
        raise SpecError(f"{path}={spec}: uniform needs low <= high")
    if name == "normal" and not a[1] > 0:
        raise SpecError(f"{path}={spec}: normal needs sd > 0")
    if name == "triangular" and not a[0] <= a[1] <= a[2]:
        raise SpecError(f"{path}={spec}: triangular needs low <= mode <= high")
    if name == "beta" and not (a[0] > 0 and a[1] > 0):
        raise SpecError(f"{path}={spec}: beta needs a > 0 and b > 0")
    return Uncertainty(path, name, tuple(a))


def from_scenario(path: str, dist) -> Uncertainty:
    """An `uncertainty:` entry (sim.scenario.model.Distribution) as an Uncertainty."""
    for kind in ("uniform", "normal", "triangular", "beta", "choice"):
        value = getattr(dist, kind)
        if value is not None:
            return Uncertainty(path, kind, tuple(value))
    raise SpecError(f"{path}: no distribution given")


def of_scenario(scenario) -> tuple[Uncertainty, ...]:
    """The scenario's `uncertainty:` section as Uncertainties, in the order written."""
    return tuple(from_scenario(path, dist) for path, dist in scenario.uncertainty.items())


def points(uncertainties: list[Uncertainty], design: str, samples: int | None,
           seed: int) -> list[dict[str, Any]]:
    """The design points: {path: value} for every uncertainty, in a fixed order."""
    if design not in DESIGNS:
        raise SpecError(f"--design: unknown design '{design}'; valid: {', '.join(DESIGNS)}")
    if not uncertainties:
        raise SpecError("nothing to vary: give --vary PATH=SPEC, or an `uncertainty:` section")
    paths_seen = [u.path for u in uncertainties]
    twice = sorted({p for p in paths_seen if paths_seen.count(p) > 1})
    if twice:
        raise SpecError(f"{', '.join(twice)}: varied twice; give each path once")
    for u in uncertainties:
        u.check(design)
    names = [u.path for u in uncertainties]
    d = len(uncertainties)
    size = (math.prod(len(u.params) for u in uncertainties) if design == "grid" else
            (samples or 0) * {"saltelli": d + 2, "morris": d + 1}.get(design, 1))
    if size > MAX_POINTS:
        raise SpecError(f"the design has {size:,} points; at most {MAX_POINTS:,} (each is "
                        "validated before any run): fewer --samples or shorter lists")
    if design == "grid":
        if samples:
            raise SpecError("--samples is for sampled designs: a grid's size is the product "
                            "of its lists")
        return [dict(zip(names, combo, strict=True))
                for combo in itertools.product(*(u.params for u in uncertainties))]
    if not samples or samples < 1:
        raise SpecError(f"--design {design} needs --samples N (N >= 1)")
    if design == "mc":
        return [mc_point(uncertainties, seed, i) for i in range(samples)]
    unit = sample(uncertainties, design, samples, seed)
    if design == "morris":  # the levels 0, 1/3, 2/3, 1 read at the quantiles 1/8 ... 7/8
        unit = (unit * (MORRIS_LEVELS - 1) + 0.5) / MORRIS_LEVELS
    columns = [u.ppf(unit[:, j]) for j, u in enumerate(uncertainties)]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def sample(uncertainties: list[Uncertainty], design: str, samples: int,
           seed: int) -> np.ndarray:
    """The sampler's own matrix, a row per design point, in [0, 1]: what SALib's estimators
    read back (for Morris, its grid levels). `points` maps it through the distributions."""
    from scipy.stats import qmc

    d = len(uncertainties)
    rng = seeds.design(seed)
    if design == "lhs":
        return qmc.LatinHypercube(d, rng=rng).random(samples)
    if design == "morris":
        from SALib.sample import morris

        return morris.sample(salib_problem(uncertainties), samples, num_levels=MORRIS_LEVELS,
                             seed=rng)
    m = int(math.log2(samples)) if samples > 0 else 0  # sobol and saltelli
    if 2 ** m != samples:
        raise SpecError(f"--design {design} needs --samples a power of 2 (it balances "
                        f"only then): {2 ** m} or {2 ** (m + 1)}, not {samples}")
    if design == "sobol":
        return qmc.Sobol(d, scramble=True, rng=rng).random_base2(m)
    from SALib.sample import sobol

    return sobol.sample(salib_problem(uncertainties), samples, calc_second_order=False,
                        seed=rng)


def salib_problem(uncertainties: list[Uncertainty]) -> dict:
    """SALib's problem over the unit cube (the distributions are applied afterwards)."""
    return {"num_vars": len(uncertainties), "names": [u.path for u in uncertainties],
            "bounds": [[0.0, 1.0]] * len(uncertainties)}


def mc_point(uncertainties: list[Uncertainty], seed: int, i: int) -> dict[str, Any]:
    """Point i of a Monte Carlo design: drawn from `seeds.generator(seed, 0, i)`, the
    uncertainties in sorted path order, so a point does not depend on how many there are or
    on the order they were given in."""
    rng = seeds.generator(seed, 0, i)
    return {u.path: u.draw(rng) for u in sorted(uncertainties, key=lambda u: u.path)}


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def _value(text: str) -> Any:
    """A value as written: a number, true/false, or a word; quoted, always a word."""
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        return t[1:-1]
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    try:
        x = float(t)
    except ValueError:
        return t
    return int(x) if re.fullmatch(r"[+-]?\d+", t) else x


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _number(text: str, path: str, spec: str) -> float:
    v = _value(text)
    if not _is_number(v):
        raise SpecError(f"{path}={spec}: '{text}' is not a number")
    return float(v)
