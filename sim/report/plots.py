"""Plots: the Pareto frontier pairwise (or, for many parties, in parallel coordinates), and an
acceptability map over two issues (matplotlib, headless). Rendering only: every number comes
from a SolveResult or an AcceptabilityMap. Figures stay a readable size whatever the input:
at most PAIRWISE_UP_TO parties get pairwise panels, at most MAP_CELLS levels a side get a map.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

MARKERS = {"nash": "*", "nash_symmetric": "P", "kalai_smorodinsky": "D", "egalitarian": "s",
           "utilitarian": "^"}
PAIRWISE_UP_TO = 5  # parties: 10 panels; beyond, one parallel-coordinates view
PARALLEL_LINES = 400  # frontier deals drawn at most (evenly spread) in parallel coordinates
MAP_CELLS = 40  # levels a side of the acceptability map beyond which cells carry no numbers


def _metadata(provenance) -> dict:
    """PNG text chunks: where the figure's numbers come from."""
    import json

    return {"Software": "sim", "Description": json.dumps(provenance.to_dict(), sort_keys=True)}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _title(result) -> str:
    if len(result.frontier):
        return (f"{result.scenario}: Pareto frontier of the acceptable deals, in expected "
                "utility (dashed: reservations; x: packages, red if not acceptable)")
    return (f"{result.scenario}: no deal is acceptable; the packages against the "
            "reservations (dashed)")


def _package_groups(result, i: int, j: int, near: float = 0.025) -> list:
    """Packages as drawn on the panel of parties i and j: those within `near` of each other
    (as a share of the panel's span) drawn once, their names joined, since polled packages
    often nearly coincide and their labels would overprint."""
    pi, pj = result.parties[i], result.parties[j]
    points = [(name, st.deal.expected_utility[pi], st.deal.expected_utility[pj], st.acceptable)
              for name, st in result.packages.items()]
    if not points:
        return []
    xs, ys = np.array([p[1] for p in points]), np.array([p[2] for p in points])
    span_x, span_y = max(np.ptp(xs), 1e-9), max(np.ptp(ys), 1e-9)
    groups: list[tuple[list[str], float, float, bool]] = []
    for name, x, y, ok in points:
        for k, (names, gx, gy, gok) in enumerate(groups):
            if abs(x - gx) / span_x < near and abs(y - gy) / span_y < near:
                groups[k] = ([*names, name], gx, gy, gok and ok)
                break
        else:
            groups.append(([name], x, y, ok))
    return groups


def _label(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1} alike)"


def frontier(result, path: Path) -> Path:
    """The frontier with reservations, solutions and packages: pairwise panels for a few
    parties, parallel coordinates for more."""
    if len(result.parties) > PAIRWISE_UP_TO:
        return parallel(result, path)
    plt = _pyplot()
    parties = result.parties
    pairs = list(itertools.combinations(range(len(parties)), 2))
    cols = min(3, len(pairs))
    rows = -(-len(pairs) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(max(7.0, 4.2 * cols), 3.8 * rows + 1.2),
                             squeeze=False, layout="constrained")
    eu = result.frontier.expected
    for ax, (i, j) in zip(axes.flat, pairs, strict=False):
        pi, pj = parties[i], parties[j]
        if len(eu):
            ax.scatter(eu[:, i], eu[:, j], s=12, c="0.55", label="frontier deals", zorder=2)
        ax.axvline(result.reservation[pi], color="0.8", lw=1, ls="--")
        ax.axhline(result.reservation[pj], color="0.8", lw=1, ls="--")
        for names, x, y, ok in _package_groups(result, i, j):  # below the solutions
            ax.scatter(x, y, marker="x", s=40, zorder=3, color="C2" if ok else "C3")
            ax.annotate(_label(names), (x, y), fontsize=6, xytext=(4, -8),
                        textcoords="offset points", color="0.35", zorder=3)
        # Nash last and largest: the other solutions often sit next to it
        for name in sorted(result.solutions, key=lambda n: n == "nash"):
            deal = result.solutions[name]
            if deal:
                at = deal.expected_utility
                ax.scatter(at[pi], at[pj], marker=MARKERS.get(name, "o"), zorder=5,
                           s=160 if name == "nash" else 80, edgecolors="white",
                           linewidths=0.6, label=name.replace("_", " "))
        ax.set_xlabel(f"{pi} (expected utility)")
        ax.set_ylabel(pj)
    for ax in list(axes.flat)[len(pairs):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if labels:  # nothing acceptable: no frontier and no solutions to name
        fig.legend(handles, labels, loc="outside lower center", ncol=min(4, len(labels)),
                   fontsize=8, frameon=False)
    fig.suptitle(_title(result), fontsize=9, wrap=True)
    fig.savefig(path, dpi=120, metadata=_metadata(result.provenance))
    plt.close(fig)
    return path


def parallel(result, path: Path) -> Path:
    """Parallel coordinates: one axis per party, one line per frontier deal (a spread sample
    when there are many), the solutions and the reservations drawn over them."""
    plt = _pyplot()
    parties = result.parties
    xs = np.arange(len(parties))
    fig, ax = plt.subplots(figsize=(min(16.0, 2.0 + 0.6 * len(parties)), 5.0),
                           layout="constrained")
    eu = result.frontier.expected
    if len(eu):
        pick = np.unique(np.linspace(0, len(eu) - 1, min(len(eu), PARALLEL_LINES)).astype(int))
        for row in eu[pick]:
            ax.plot(xs, row, color="0.7", lw=0.5, alpha=0.6, zorder=1)
    ax.plot(xs, [result.reservation[p] for p in parties], color="0.3", ls="--", lw=1,
            label="reservations", zorder=3)
    for name, deal in result.solutions.items():
        if deal:
            ax.plot(xs, [deal.expected_utility[p] for p in parties], lw=1.6, zorder=4,
                    marker=MARKERS.get(name, "o"), ms=5, label=name.replace("_", " "))
    ax.set_xticks(xs, parties, rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("expected utility")
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    shown = f" ({min(len(eu), PARALLEL_LINES)} of {len(eu)} frontier deals)" if len(eu) else ""
    ax.set_title(_title(result).split(" (")[0] + shown, fontsize=9, wrap=True)
    fig.savefig(path, dpi=120, metadata=_metadata(result.provenance))
    plt.close(fig)
    return path


def acceptability(acc_map, path: Path) -> Path:
    """Heat map of the share of deals acceptable at each pair of levels, in percent."""
    plt = _pyplot()
    share = acc_map.share * 100
    rows, cols = share.shape
    fig, ax = plt.subplots(figsize=(min(14.0, 2.5 + 0.9 * cols), min(12.0, 1.8 + 0.55 * rows)),
                           layout="constrained")
    top = max(float(share.max()), 1e-12)
    image = ax.imshow(share, cmap="viridis", vmin=0, vmax=top, aspect="auto")
    small = max(rows, cols) <= MAP_CELLS
    # at most about MAP_CELLS ticks a side, each naming its level (a tick per level of an
    # 80,001-point grid takes matplotlib minutes)
    xt = np.unique(np.linspace(0, cols - 1, min(cols, MAP_CELLS)).astype(int))
    yt = np.unique(np.linspace(0, rows - 1, min(rows, MAP_CELLS)).astype(int))
    ax.set_xticks(xt, [str(acc_map.second_levels[i]) for i in xt], rotation=35, ha="right",
                  fontsize=8)
    ax.set_yticks(yt, [str(acc_map.first_levels[i]) for i in yt], fontsize=8)
    ax.set_xlabel(acc_map.second)
    ax.set_ylabel(acc_map.first)
    if small:
        for (r, c), v in np.ndenumerate(share):
            text = "0" if v == 0 else f"{v:.0f}%" if v >= 1 else "<1%"
            ax.text(c, r, text, ha="center", va="center", fontsize=7,
                    color="white" if v < top / 2 else "black")
    fig.colorbar(image, ax=ax, label="deals acceptable (%)")
    what = "where the acceptable deals are" if top > 1e-9 else "no deal is acceptable"
    ax.set_title(f"{acc_map.scenario}: {what}", fontsize=10)
    fig.savefig(path, dpi=120, metadata=_metadata(acc_map.provenance))
    plt.close(fig)
    return path


def simulation(result, folder: Path) -> list[Path]:
    """agreement.png (the cumulative shares that agreed and ratified by each step), and fan
    charts (5-95% and 25-75% bands, the median) of the outlook's numeric terms and of each
    body's yes share of the deal on the table, where the scenario has them."""
    plt = _pyplot()
    steps = np.arange(1, result.steps + 1)
    written = []
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for key in ("agreed", "ratified"):
        ax.step(steps, result.by_step[key], where="post", label=key)
    ax.set_xlabel(f"{result.unit}s")
    ax.set_ylabel("share of runs")
    ax.set_ylim(0, 1.02)
    ax.legend(frameon=False)
    ax.set_title(f"{result.name}: agreement by {result.unit} over {result.runs} runs",
                 fontsize=9)
    written.append(_save(fig, folder / "agreement.png", result))
    for name, prefix, label in (("outlook.png", "outlook.", "no-deal outlook"),
                                ("yes_share.png", "yes_share.", "expected yes share of the "
                                 "deal on the table")):
        series = {k[len(prefix):]: v for k, v in result.trajectories.items()
                  if k.startswith(prefix)}
        if not series:
            continue
        fig, axes = plt.subplots(len(series), 1, figsize=(7, 2.4 * len(series)), squeeze=False,
                                 layout="constrained")
        for ax, (term, bands) in zip(axes[:, 0], series.items(), strict=True):
            ax.fill_between(steps, bands[:, 0], bands[:, 4], alpha=0.2, color="C0", lw=0)
            ax.fill_between(steps, bands[:, 1], bands[:, 3], alpha=0.35, color="C0", lw=0)
            ax.plot(steps, bands[:, 2], color="C0")
            ax.set_ylabel(term, fontsize=8)
        axes[-1, 0].set_xlabel(f"{result.unit}s")
        fig.suptitle(f"{result.name}: {label} (median, 50% and 90% bands)", fontsize=9)
        written.append(_save(fig, folder / name, result))
    return written


def _save(fig, path: Path, result) -> Path:
    return _save_figure(fig, path, _metadata(result.provenance))


def sweep(analysis, folder: Path, shown: int = 6) -> list[Path]:
    """A sweep's figures, named summary-* (a reader of the parts skips them): responses (each
    outcome's mean against each of the `shown` strongest inputs), heatmap (the key outcome
    over the two strongest), drivers (the key outcome's indices with their intervals, or rank
    correlations)."""
    from sim.experiments.drivers import response

    plt = _pyplot()
    about = {"Software": "sim", "Description": f"sweep analysis of {analysis.folder}"}
    ranked = [d.input for d in analysis.ranked()][:shown]
    inputs = {u.path: u for u in analysis.inputs}
    outcomes = [analysis.outcome()]
    outcomes += [o for o in analysis.outcomes if o.name != analysis.key][:2]
    written = []
    fig, axes = plt.subplots(len(outcomes), len(ranked), squeeze=False, sharey="row",
                             figsize=(2.4 * len(ranked) + 0.6, 2.2 * len(outcomes)),
                             layout="constrained")
    for r, o in enumerate(outcomes):
        for c, name in enumerate(ranked):
            ax = axes[r, c]
            curve = response(analysis.frame, inputs[name], o.name)
            if curve:
                ax.plot([p["x"] for p in curve], [p["mean"] for p in curve], "o-", ms=3)
                if not all(isinstance(v, int | float) for v in inputs[name].params):
                    ax.set_xticks([p["x"] for p in curve], [p["label"] for p in curve],
                                  fontsize=7)
            ax.tick_params(labelsize=7)
            if r == len(outcomes) - 1:
                ax.set_xlabel(_wrap(name), fontsize=7)
            if c == 0:
                ax.set_ylabel(_wrap(o.label, 28), fontsize=7)
    strongest = (f"the {len(ranked)} strongest of {len(inputs)} inputs"
                 if len(ranked) < len(inputs) else "each input")
    fig.suptitle(f"{analysis.scenario}: mean outcome against {strongest} (strongest first)",
                 fontsize=9)
    written.append(_save_figure(fig, folder / "summary-responses.png", about))
    if len(ranked) >= 2:
        written.append(_heatmap(analysis, inputs[ranked[0]], inputs[ranked[1]],
                                folder / "summary-heatmap.png", about))
    written.append(_drivers(analysis, folder / "summary-drivers.png", about))
    return written


def _wrap(text: str, width: int = 30) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text.replace(".", ". "), width)).replace(". ", ".")


def _heatmap(analysis, ux, uy, path: Path, about: dict) -> Path:
    """The key outcome's mean over bins of two inputs (drivers.heat)."""
    from sim.experiments.drivers import heat

    plt = _pyplot()
    ex, ey, mean = heat(analysis.frame, ux, uy, analysis.key)
    fig, ax = plt.subplots(figsize=(6, 4.6), layout="constrained")
    image = ax.pcolormesh(ex, ey, mean, cmap="viridis", shading="flat")
    fig.colorbar(image, ax=ax, label=analysis.outcome().label)
    ax.set_xlabel(ux.path, fontsize=8)
    ax.set_ylabel(uy.path, fontsize=8)
    ax.set_title(f"{analysis.scenario}: the two strongest inputs", fontsize=9)
    return _save_figure(fig, path, about)


def _drivers(analysis, path: Path, about: dict) -> Path:
    """Bars: the key outcome's total and first-order Sobol indices, or Morris's mu*, or the
    absolute rank correlations, with their 95% intervals where they have them."""
    plt = _pyplot()
    ranked = analysis.ranked()[::-1]
    names = [d.input for d in ranked]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(names) + 1.2), layout="constrained")
    at = np.arange(len(names))
    if analysis.design == "saltelli":
        for shift, key, label in ((0.2, "st", "total (ST)"), (-0.2, "s1", "first-order (S1)")):
            values = [getattr(d, key) or 0.0 for d in ranked]
            errors = [getattr(d, f"{key}_conf") or 0.0 for d in ranked]
            ax.barh(at + shift, values, 0.4, xerr=errors, label=label, capsize=2)
        ax.legend(frameon=False, fontsize=8)
        ax.set_xlabel("Sobol index (95% bootstrap interval)")
    elif analysis.design == "morris":
        ax.barh(at, [d.mu_star or 0.0 for d in ranked],
                xerr=[d.mu_star_conf or 0.0 for d in ranked], capsize=2)
        ax.set_xlabel("Morris mu* (95% bootstrap interval)")
    else:
        ax.barh(at, [abs(d.spearman or 0.0) for d in ranked],
                color=["C0" if (d.spearman or 0) >= 0 else "C3" for d in ranked])
        ax.set_xlabel("|Spearman rank correlation| (blue: rises with the input, red: falls)")
    ax.set_yticks(at, names, fontsize=7)
    ax.set_title(f"{analysis.scenario}: what decides: {analysis.outcome().label}", fontsize=9)
    return _save_figure(fig, path, about)


def _save_figure(fig, path: Path, metadata: dict) -> Path:
    fig.savefig(path, dpi=120, metadata=metadata)
    _pyplot().close(fig)
    return path


def compare(comparison, folder: Path, shown: int = 4) -> list[Path]:
    """A comparison's figures: compare-outcomes (the deal counts and each package's
    P(ratified), variant by variant) and, with an attribution, compare-attribution (each
    input's Shapley value for the `shown` first outcomes)."""
    from sim.report.compare import _outcome_label, _rank

    plt = _pyplot()
    about = {"Software": "sim", "Description": "sim compare of "
             + ", ".join(v.label for v in comparison.variants)}
    variants = comparison.variants
    packages = list(dict.fromkeys(p for v in variants for p in v.packages))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    width = 0.8 / len(variants)
    for i, v in enumerate(variants):
        counts = [v.metrics.get(k) or 0 for k in ("feasible", "acceptable", "pareto")]
        left.bar(np.arange(3) + i * width, counts, width, label=_wrap(v.label, 40))
        p = [v.packages[k]["p_ratified"] if k in v.packages else np.nan for k in packages]
        right.barh(np.arange(len(packages)) + i * width, p, width)
    left.set_xticks(np.arange(3) + width * (len(variants) - 1) / 2,
                    ["feasible", "acceptable", "Pareto frontier"], fontsize=8)
    left.set_yscale("symlog")
    left.set_title("deals", fontsize=9)
    left.legend(fontsize=7)
    right.set_yticks(np.arange(len(packages)) + width * (len(variants) - 1) / 2, packages,
                     fontsize=7)
    right.set_xlim(0, 1)
    right.set_title("each package's P(ratified)", fontsize=9)
    written = [_save_figure(fig, folder / "compare-outcomes.png", about)]
    at = comparison.attribution
    if at is not None and at.outcomes:
        outcomes = sorted(at.outcomes, key=_rank)[:shown]
        fig, axes = plt.subplots(1, len(outcomes), squeeze=False, sharey=True,
                                 figsize=(2.6 * len(outcomes) + 2.4, 0.45 * len(at.players)
                                          + 1.6), layout="constrained")
        names = [_wrap(p.name, 36) for p in at.players]
        for ax, o in zip(axes[0], outcomes, strict=True):
            j = at.outcomes.index(o)
            values = at.values[:, j]
            ax.barh(np.arange(len(names)), values,
                    color=["C0" if x >= 0 else "C3" for x in values])
            ax.axvline(0, color="0.5", lw=0.8)
            ax.set_title(_wrap(f"{_outcome_label(o, at)}: {at.change(o):+.3g}", 28),
                         fontsize=8)
            ax.tick_params(labelsize=7)
        axes[0][0].set_yticks(np.arange(len(names)), names, fontsize=7)
        axes[0][0].invert_yaxis()
        fig.suptitle("which differences explain each change (Shapley values)", fontsize=9)
        written.append(_save_figure(fig, folder / "compare-attribution.png", about))
    return written
