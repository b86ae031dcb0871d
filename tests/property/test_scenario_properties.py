"""Every generated scenario loads; one broken value is rejected naming that value's path."""

import numpy as np
from hypothesis import given

import sim
from sim import space
from sim.scenario import yamlio
from tests.strategies import broken_scenarios, scenario_dicts


@given(scenario_dicts())
def test_every_generated_scenario_validates(data):
    scenario = sim.from_dict(data)
    problem = sim.compile_problem(scenario)
    assert space.count(problem, limit=1) >= 1
    assert np.allclose(problem.weights.sum(axis=1), 1.0)


@given(broken_scenarios())
def test_one_broken_value_is_named_by_its_path(case):
    data, path, kind = case
    try:
        sim.from_dict(data)
    except sim.InputError as e:
        paths = [p.where.path for p in e.problems]
        assert path in paths, (kind, path, str(e))
    else:
        raise AssertionError(f"{kind} at {path} was accepted")


@given(scenario_dicts())
def test_load_dump_load_gives_an_equal_scenario(data):
    first = sim.from_dict(data)
    text = yamlio.dump(first.model_dump(mode="json", exclude_defaults=True))
    again = sim.from_dict(yamlio.parse(text)[0])
    assert again == first
