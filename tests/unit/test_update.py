"""Compiler.update: a point that moves only utilities, per-party numbers, the no-deal
outlook and costs or the ratification bodies gives the very Problem that compiling the
changed scenario gives, and the same answers; anything else is not updatable."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim import space
from sim.compile import Compiler, updatable
from sim.scenario import paths
from sim.scenario.model import Scenario
from sim.solver import solve
from tests.conftest import SCENARIOS

TRADE = sim.load(SCENARIOS / "trade-deal.yaml")
BERLIN = sim.load(SCENARIOS / "berlin-open.yaml")


def same_problem(a, b) -> None:
    for name in a.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), name
        elif name == "values":
            assert all(np.array_equal(p, q) for p, q in zip(x, y, strict=True)), name
        elif name == "curves":
            assert [[c is None for c in row] for row in x] == [[c is None for c in row]
                                                            for row in y], name
            for rx, ry in zip(x, y, strict=True):
                for cx, cy in zip(rx, ry, strict=True):
                    if cx is not None:
                        assert np.array_equal(cx.xs, cy.xs) and np.array_equal(cx.vs, cy.vs)
                        assert cx.exponent == cy.exponent and cx.scale == cy.scale
        elif name in ("packages",):
            assert x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x)
        elif name not in ("interactions", "rules", "red_lines", "bodies", "advisory_red_lines",
                          "advisory_bodies", "dynamics", "specs", "memo"):
            assert x == y, name


def same_votes(a, b) -> None:
    """The same bodies, binding and advisory, with the same votes on every feasible deal."""
    deals = np.concatenate(list(space.deals(a)))
    for mine, theirs in ((a.bodies, b.bodies), (a.advisory_bodies, b.advisory_bodies)):
        assert [(x.name, x.kind, x.party) for x in mine] == [(y.name, y.kind, y.party)
                                                             for y in theirs]
        for x, y in zip(mine, theirs, strict=True):
            for table in ("applies", "yes_share", "p_pass"):
                assert np.array_equal(getattr(x, table).at(deals), getattr(y, table).at(deals))
    assert np.array_equal(a.ratifiable(deals), b.ratifiable(deals))


def check(scenario, values: dict) -> None:
    data = scenario.model_dump(mode="json", exclude={"extends"})
    changed = paths.set_values(data, values)
    compiler = Compiler()
    base = compiler.compile(scenario)
    updated = compiler.update(base, Scenario.model_validate(changed), values)
    compiled = Compiler().compile(sim.from_dict(changed))
    same_problem(updated, compiled)
    same_votes(updated, compiled)
    assert solve(updated, diagnose=False).metrics() == solve(compiled, diagnose=False).metrics()


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 0.95), st.floats(0.01, 3.0), st.floats(0.5, 3.0), st.floats(0.5, 1.0),
       st.floats(0.0, 1.0))
def test_updating_the_trade_deal_is_compiling_it(reservation, weight, power, patience, value):
    check(TRADE, {"parties.exporter.reservation": reservation,
                  "parties.importer.weights.tariff": weight,
                  "parties.exporter.power": power, "parties.importer.patience": patience,
                  "parties.exporter.values.quota.medium": value})


@pytest.mark.parametrize("values", [
    {"parties.ukraine.weights.donbas": 0.3, "no_deal.cost.russia": 0.12},
    {"no_deal.outlook.territory_kept": 0.78, "parties.europe.power": 2},
    {"parties.russia.reservation": 0.35},  # a derived reservation made a fixed number
    {"ratification.ukraine_referendum.turnout": 0.47,
     "ratification.ukraine_referendum.swing_sd": 0.7},  # the thresholds mapped again
    {"ratification.us_congress.blocs.republicans.intercept": 0.4,
     "parties.ukraine.weights.donbas": 0.2},  # a bloc rebuilt, with a utility moved
    {"ratification.ukraine_referendum.effects.donbas.free_economic_zone": -2.0},
    {"ratification.ukraine_referendum.applies_when": {"referendum": False}},  # where it votes
], ids=["weights-and-cost", "outlook-and-power", "derived-to-fixed", "turnout", "senate-bloc",
        "referendum-effect", "applies-when"])
def test_updating_the_default_scenario_is_compiling_it(values):
    check(BERLIN, values)


def test_what_update_moves():
    assert all(updatable(p) for p in (
        "parties.a.reservation", "parties.a.power", "parties.a.patience",
        "parties.a.weights.x", "parties.a.values.x.low", "parties.a.values.x.points.0.1",
        "no_deal.cost.a", "no_deal.outlook.x", "ratification.b.turnout",
        "ratification.b.blocs.c.intercept", "ratification.b.applies_when.x"))
    assert not any(updatable(p) for p in (
        "parties.a.veto", "parties.a.red_lines.0.when.x", "parties.a.interactions.0.add",
        "ratification.b", "rules.0.note", "settings.min_ratification_probability",
        "dynamics.deadline", "parties.a.ratified_by.0"))
