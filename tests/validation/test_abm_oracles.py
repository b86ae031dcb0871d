"""The agent-based model against published results (docs/validation/oracles.md): Rubinstein's
alternating offers, and Fearon's commitment problem played out over time."""

import numpy as np
import pytest

import sim

RUBINSTEIN = [((0.9, 0.8), 0.714286), ((0.9, 0.9), 0.526316), ((0.95, 0.9), 0.689655)]


def split(step: float, patience: tuple[float, float], **dynamics) -> dict:
    return {
        "name": "alternating offers",
        "issues": {"x": {"range": [0, 1], "step": step}},
        "parties": {
            "one": {"weights": {"x": 1}, "values": {"x": {"linear": "increasing"}},
                    "reservation": 0.0, "patience": patience[0]},
            "two": {"weights": {"x": 1}, "values": {"x": {"linear": "decreasing"}},
                    "reservation": 0.0, "patience": patience[1]}},
        "dynamics": {"default_strategy": "subgame_perfect", "deadline": 200, **dynamics}}


@pytest.mark.parametrize("patience,expected", RUBINSTEIN)
def test_alternating_offers_approach_rubinstein_as_the_grid_shrinks(patience, expected):
    """Subgame-perfect play to a deadline of 200 steps (Stahl's finite game) agrees at once
    on the first proposer's share within step / (1 - d1 d2) of Rubinstein's (1982) x1: each
    step back from the deadline rounds the responder's due up to the grid, and those
    roundings add up geometrically; the remaining term, (d1 d2)^100, is below 1e-14."""
    errors = []
    for step in (0.01, 0.001):
        r = sim.simulate(sim.from_dict(split(step, patience)), runs=1, steps=200, seed=0)
        assert r.ratified.count == 1 and r.quartiles[1] == 1  # agreement at the first step
        x = r.deals[0].terms["x"]
        errors.append(abs(x - expected))
        assert errors[-1] <= step / (1 - patience[0] * patience[1]) + 1e-9
    assert errors[1] < errors[0]


def commitment(shift_at: int | None) -> dict:
    """Fearon (1995) / Powell (2006): the declining side D wins with p1 = 0.7, then from step
    `shift_at` with p2 = 0.2; costs c = 0.05 each. x is D's share; the war gives D x = p.
    The votes come two steps after the signature."""
    events = [{"at": shift_at, "set": "no_deal.outlook.x", "to": 0.2, "note": "power shifts"}]
    return {
        "name": "commitment problem",
        "issues": {"x": {"range": [0, 1], "step": 0.01}},
        "parties": {
            "declining": {"weights": {"x": 1}, "values": {"x": {"linear": "increasing"}},
                          "reservation": "derived"},
            "rising": {"weights": {"x": 1}, "values": {"x": {"linear": "decreasing"}},
                       "reservation": "derived"}},
        "no_deal": {"outlook": {"x": 0.7}, "cost": {"declining": 0.05, "rising": 0.05}},
        "dynamics": {"default_strategy": {"strategy": "conceder", "exponent": 0.5},
                     "deadline": 12, "ratification_delay": 2,
                     "events": events if shift_at else []}}


def test_a_shifting_outlook_makes_the_rising_side_renege():
    """A deal signed before the shift gives D at least p1 - c = 0.65; once power has shifted
    the rising side's reservation is 1 - p2 - c = 0.75, so it reneges before the votes, and
    the deal finally ratified gives D at most p2 + c = 0.25 (the commitment problem: the
    rising side cannot promise to keep today's terms). With the shift prevented (a guarantee
    holding p2 at p1) the first deal stands."""
    steady = sim.simulate(sim.from_dict(commitment(None)), runs=1, steps=12)
    assert steady.ratified.count == 1 and steady.reneged == 0
    assert steady.deals[0].terms["x"] >= 0.65 - 1e-9
    signed = int(steady.quartiles[0])  # the step it signs; the votes come two steps later
    shifted = sim.simulate(sim.from_dict(commitment(signed + 1)), runs=1, steps=12)
    x = shifted.deals[0].terms["x"]
    assert shifted.ratified.count == 1 and x <= 0.25 + 1e-9
    assert shifted.reneged == 1  # reneging is not an end: the talks went on
    frame = shifted.trajectories["reservation.rising"][:, 2]
    assert np.isclose(frame[signed - 1], 0.25) and np.isclose(frame[signed], 0.75)
