"""Plots are written where asked, and the map's numbers are shares of acceptable deals."""

import numpy as np
from typer.testing import CliRunner

import sim
from sim.api import acceptability_map
from sim.cli import app
from tests.conftest import SCENARIOS

TRADE = SCENARIOS / "trade-deal.yaml"


def test_solve_writes_both_plots(tmp_path):
    result = CliRunner().invoke(app, ["solve", str(TRADE), "--plot", str(tmp_path / "out"),
                                      "--map", "quota,phase_in"])
    assert result.exit_code == 0, result.stderr
    want = sim.compile_problem(sim.load(TRADE)).scenario_hash
    for name in ("frontier.png", "acceptability.png"):
        data = (tmp_path / "out" / name).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000
        assert want.encode() in data  # the provenance travels with the figure


def test_acceptability_map_counts_acceptable_deals():
    problem = sim.compile_problem(sim.load(TRADE))
    share = acceptability_map(problem, "quota", "phase_in").share
    idx = np.concatenate(list(problem.enumerate()))
    ok = problem.acceptable(idx)
    q, ph = problem.issues.index("quota"), problem.issues.index("phase_in")
    for a in range(share.shape[0]):
        for b in range(share.shape[1]):
            at = (idx[:, q] == a) & (idx[:, ph] == b)
            assert share[a, b] == ok[at].mean()


def test_a_bad_map_is_bad_input(tmp_path):
    result = CliRunner().invoke(app, ["solve", str(TRADE), "--plot", str(tmp_path),
                                      "--map", "quota,nope"])
    assert result.exit_code == 2 and "unknown issue 'nope'" in result.stderr


def test_plotting_a_scenario_with_no_acceptable_deal(tmp_path):
    result = CliRunner().invoke(app, ["solve", str(SCENARIOS / "berlin-no-congress.yaml"),
                                      "--plot", str(tmp_path)])
    assert result.exit_code == 1, result.stderr
    assert (tmp_path / "frontier.png").exists()


def _png_size(path):
    data = path.read_bytes()
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_many_parties_get_one_readable_figure(tmp_path):
    import sys

    from sim.report import plots
    from tests.conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    from problems import random_scenario

    for parties in (3, 12, 60):
        result = sim.solve(sim.from_dict(random_scenario(3, levels=3, parties=parties)))
        path = plots.frontier(result, tmp_path / f"f{parties}.png")
        width, height = _png_size(path)
        assert width <= 2000 and height <= 1600, (parties, width, height)


def test_packages_that_nearly_coincide_are_labelled_once():
    from sim.report.plots import _package_groups

    result = sim.solve(sim.load(SCENARIOS / "berlin-open.yaml"))
    groups = _package_groups(result, 0, 1)  # ukraine against russia
    assert sum(len(g[0]) for g in groups) == len(result.packages)
    assert max(len(g[0]) for g in groups) >= 3  # the polled withdrawal packages
    assert len(groups) < len(result.packages)
