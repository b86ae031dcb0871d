"""The one seeding recipe: every random draw in sim comes from `generator(root, point, replicate)`.

A run's generator depends only on the root seed, its design point and its replicate number,
never on how many runs there are, in which order they finish or which worker runs them, so the
same seed gives the same bytes on any executor and any number of workers.
"""

from __future__ import annotations

import numpy as np


def sequence(root: int, point: int = 0, replicate: int = 0) -> np.random.SeedSequence:
    """The SeedSequence of one run: entropy (root, point, replicate)."""
    for name, value in (("root", root), ("point", point), ("replicate", replicate)):
        if int(value) != value or not 0 <= value < 2**32:
            # 32 bits each: SeedSequence would read (2**32, 0, 0) as (0, 1, 0)
            raise ValueError(f"{name} must be an integer in [0, 2^32), got {value!r}")
    return np.random.SeedSequence((int(root), int(point), int(replicate)))


def generator(root: int, point: int = 0, replicate: int = 0) -> np.random.Generator:
    """A numpy Generator for replicate `replicate` of design point `point` under seed `root`."""
    return np.random.default_rng(sequence(root, point, replicate))


def design(root: int) -> np.random.Generator:
    """The generator a sampled design draws its points from: a stream of its own (a spawn key
    sets it apart from every run's), so the points do not move any run's draws."""
    return np.random.default_rng(np.random.SeedSequence(sequence(root).entropy, spawn_key=(0,)))


def analysis(root: int) -> int:
    """The seed of a sweep's analysis (SALib's bootstrap of the indices' intervals): a stream
    of its own (spawn key 1), as a nonzero integer, since SALib's Sobol analysis leaves its
    resampling unseeded for a seed of 0."""
    state = np.random.SeedSequence(sequence(root).entropy, spawn_key=(1,)).generate_state(1)
    return int(state[0]) or 1
