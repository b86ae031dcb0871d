"""Plots: the Pareto frontier pairwise, and an acceptability map over two issues (matplotlib,
headless). Rendering only: every number comes from a SolveResult or an AcceptabilityMap."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

MARKERS = {"nash": "*", "nash_symmetric": "P", "kalai_smorodinsky": "D", "egalitarian": "s",
           "utilitarian": "^"}


def _metadata(provenance) -> dict:
    """PNG text chunks: where the figure's numbers come from."""
    import json

    return {"Software": "sim", "Description": json.dumps(provenance.to_dict(), sort_keys=True)}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def frontier(result, path: Path) -> Path:
    """Pairwise expected utilities of the frontier, with reservations, solutions, packages."""
    plt = _pyplot()
    parties = result.parties
    pairs = list(itertools.combinations(range(len(parties)), 2))
    cols = min(3, len(pairs))
    rows = -(-len(pairs) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.8 * rows), squeeze=False)
    eu = result.frontier.expected
    for ax, (i, j) in zip(axes.flat, pairs, strict=False):
        pi, pj = parties[i], parties[j]
        if len(eu):
            ax.scatter(eu[:, i], eu[:, j], s=12, c="0.55", label="frontier deals", zorder=2)
        ax.axvline(result.reservation[pi], color="0.8", lw=1, ls="--")
        ax.axhline(result.reservation[pj], color="0.8", lw=1, ls="--")
        for name, deal in result.solutions.items():
            if deal:
                at = deal.expected_utility
                ax.scatter(at[pi], at[pj], marker=MARKERS.get(name, "o"),
                           s=90, zorder=4, label=name.replace("_", " "))
        for name, st in result.packages.items():
            at = st.deal.expected_utility
            ax.scatter(at[pi], at[pj], marker="x", s=40, zorder=3,
                       color="C3" if not st.acceptable else "C2")
            ax.annotate(name, (at[pi], at[pj]), fontsize=6,
                        xytext=(3, 3), textcoords="offset points", color="0.3")
        ax.set_xlabel(f"{pi} (expected utility)")
        ax.set_ylabel(pj)
    for ax in list(axes.flat)[len(pairs):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if labels:  # nothing acceptable: no frontier and no solutions to name
        fig.legend(handles, labels, loc="lower center", ncol=min(6, len(labels)), fontsize=8,
                   frameon=False)
    fig.suptitle(f"{result.scenario}: Pareto frontier of the acceptable deals "
                 "(dashed: reservations; x: packages, red if not acceptable)", fontsize=10)
    fig.tight_layout(rect=(0, 0.06, 1, 0.95))
    fig.savefig(path, dpi=120, metadata=_metadata(result.provenance))
    plt.close(fig)
    return path


def acceptability(acc_map, path: Path) -> Path:
    """Heat map of the share of deals acceptable at each pair of levels."""
    plt = _pyplot()
    share = acc_map.share
    fig, ax = plt.subplots(figsize=(1.2 + 0.9 * share.shape[1], 1.2 + 0.55 * share.shape[0]))
    image = ax.imshow(share, cmap="viridis", vmin=0, vmax=max(share.max(), 1e-12),
                      aspect="auto")
    ax.set_xticks(range(share.shape[1]), [str(x) for x in acc_map.second_levels], rotation=35,
                  ha="right", fontsize=8)
    ax.set_yticks(range(share.shape[0]), [str(x) for x in acc_map.first_levels], fontsize=8)
    ax.set_xlabel(acc_map.second)
    ax.set_ylabel(acc_map.first)
    for (r, c), v in np.ndenumerate(share):
        ax.text(c, r, f"{100 * v:.2g}%" if v else "0", ha="center", va="center", fontsize=7,
                color="white" if v < share.max() / 2 else "black")
    fig.colorbar(image, ax=ax, label="share of deals acceptable")
    ax.set_title(f"{acc_map.scenario}: where the acceptable deals are", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata=_metadata(acc_map.provenance))
    plt.close(fig)
    return path
