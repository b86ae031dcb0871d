"""The deal space's counting: variable elimination and the enumeration agree with brute force."""

from unittest import mock

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim import space
from sim.problem import Factor


@st.composite
def constraint_tables(draw):
    """Random boolean tables over random small scopes of up to 7 issues of 1 to 4 levels."""
    sizes = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=7)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    tables = []
    for _ in range(draw(st.integers(1, 6))):
        scope = tuple(sorted(rng.choice(len(sizes), rng.integers(1, min(4, len(sizes)) + 1),
                                        replace=False).tolist()))
        shape = tuple(sizes[k] for k in scope)
        tables.append(Factor(scope, rng.random(shape) < draw(st.floats(0.2, 0.95))))
    return sizes, tables


def brute_force(sizes, tables) -> int:
    idx = np.indices(sizes).reshape(len(sizes), -1).T
    ok = np.ones(len(idx), dtype=bool)
    for t in tables:
        ok &= t.at(idx)
    return int(ok.sum())


@given(constraint_tables(), st.booleans())
def test_variable_elimination_counts_what_brute_force_counts(case, exact_ints):
    sizes, tables = case
    read = sorted(set().union(*(t.issues for t in tables)))
    free = int(np.prod([s for k, s in enumerate(sizes) if k not in read]))
    # exact_ints: the Python-int tables that spaces of 2^62 assignments and more take
    with mock.patch.object(space, "INT64_BELOW", 0 if exact_ints else space.INT64_BELOW):
        got = space._eliminate(tables, sizes)
    assert got * free == brute_force(sizes, tables)


def test_elimination_gives_up_on_tables_that_would_be_too_large():
    sizes = (10,) * 8
    # One table over all eight issues: summing out any of them leaves 10^7 cells.
    tables = [Factor(tuple(range(8)), np.ones(sizes, dtype=bool))]
    with mock.patch.object(space, "ELIMINATION_CELLS", 1000):
        assert space._eliminate(tables, sizes) is None


@given(constraint_tables())
def test_elimination_multiplies_many_tables_in_groups(case):
    """numpy's einsum takes at most 63 operands: more tables on one issue are multiplied in
    groups (forced here at two per group)."""
    sizes, tables = case
    read = sorted(set().union(*(t.issues for t in tables)))
    free = int(np.prod([s for k, s in enumerate(sizes) if k not in read]))
    with mock.patch.object(space, "_OPERANDS", 2):
        got = space._eliminate(tables, sizes)
    assert got * free == brute_force(sizes, tables)


def test_sixty_four_red_lines_on_one_issue_are_counted():
    """Found in review: 64 tables on one issue made einsum refuse, and compiling crash."""
    rng = np.random.default_rng(0)
    tables = [Factor((0,), rng.random(80) < 0.99) for _ in range(64)]
    tables.append(Factor((0, 1), np.ones((80, 2), dtype=bool)))
    assert space._eliminate(tables, (80, 2)) == brute_force((80, 2), tables)
