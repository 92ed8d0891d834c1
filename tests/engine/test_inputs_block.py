"""Inputs drawn a block of replications at a time are exactly those drawn one by one.

`InputTable.draw_one` positions a numpy generator on each component's stream and calls
the distributions' samplers; `InputTable.draw_block` computes the streams' outputs as
arrays and turns them into draws with `Distribution.sample_doubles`. Outcomes of a run
must not depend on which path drew them, so every comparison here is bit for bit.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine import prepare
from simulator.engine.inputs import BLOCK
from simulator.engine.rng import stream
from simulator.scenario import load_scenario
from simulator.scenario.distributions import DISTRIBUTIONS, Distribution

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "tests" / "data")
                                                                 .glob("*.yaml"))
SCENARIOS = [path for path in SCENARIOS if not path.name.endswith(".decisions.yaml")]


def _bits(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).view(np.uint64)


def _table(path: Path):
    return prepare(load_scenario(path), consequences=False).inputs


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_block_equals_one_by_one(path):
    table = _table(path)
    block = table.draw_block(11, 40, 150)
    one_by_one = [table.draw_one(11, k) for k in range(40, 190)]
    assert np.array_equal(_bits(block), _bits(one_by_one))


@pytest.mark.parametrize("order", ["forward", "backward", "shuffled", "two seeds",
                                   "one seed then another"])
def test_draw_gives_the_same_numbers_in_any_order(order):
    """`draw` serves runs of consecutive replications from blocks; whatever the order
    of the calls, each replication gets its own numbers."""
    table = _table(ROOT / "scenarios" / "haditha_2014.yaml")
    replications = list(range(2 * BLOCK + 7))
    calls = [(3, k) for k in replications]
    if order == "backward":
        calls.reverse()
    elif order == "shuffled":
        np.random.default_rng(0).shuffle(calls)
    elif order == "two seeds":
        calls = [(seed, k) for k in replications for seed in (3, 4)]
    elif order == "one seed then another":
        calls = [(seed, k) for seed in (3, 4, 3) for k in replications]
    for seed, k in calls:
        assert np.array_equal(_bits(table.draw(seed, k)), _bits(table.draw_one(seed, k)))


def test_draw_near_the_end_of_one_word_replications():
    """Blocks stop at 2**32; later replications have two entropy words and are drawn alone."""
    table = _table(ROOT / "scenarios" / "classroom.yaml")
    for k in range(2**32 - 3, 2**32 + 3):
        assert np.array_equal(_bits(table.draw(5, k)), _bits(table.draw_one(5, k)))


def test_pinned_values_replace_block_draws():
    table = _table(ROOT / "scenarios" / "haditha_2014.yaml")
    path = table.random_paths[0]
    for k in range(5):
        values = table.draw(2, k, pinned={path: 123.0})
        reference = table.draw_one(2, k)
        reference[table.index[path]] = 123.0
        assert np.array_equal(_bits(values), _bits(reference))


def test_threads_draw_their_own_blocks():
    """Dask may run two batches on threads of one process: each thread's blocks are its own."""
    table = _table(ROOT / "scenarios" / "haditha_2014.yaml")
    expected = {seed: _bits([table.draw_one(seed, k) for k in range(300)]) for seed in (1, 2)}
    failures = []

    def work(seed):
        got = _bits([table.draw(seed, k) for k in range(300)])
        if not np.array_equal(got, expected[seed]):
            failures.append(seed)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


_ONE_DOUBLE = [name for name, kind in DISTRIBUTIONS.items() if kind.draws_one_double]


def _distribution(kind: str, a: float, b: float, c: float) -> Distribution:
    low, mode, high = sorted((a, b, c))
    if high == low:
        high = low + 1.0
    params = {"uniform": {"low": low, "high": high},
              "triangular": {"low": low, "mode": min(max(mode, low), high), "high": high},
              "bernoulli": {"p": (mode - low) / (high - low)}}[kind]
    return Distribution(kind=kind, params=params)


@settings(max_examples=80, deadline=None)
@given(kind=st.sampled_from(_ONE_DOUBLE),
       numbers=st.tuples(*[st.floats(-1e6, 1e6, allow_nan=False)] * 3),
       seed=st.integers(0, 2**32), replication=st.integers(0, 2**20))
def test_sample_doubles_equals_sample(kind, numbers, seed, replication):
    """Every one-double kind: the vectorised draw is numpy's scalar draw, bit for bit."""
    distribution = _distribution(kind, *numbers)
    generator = stream(seed, replication, "x")
    scalar = [distribution.sample(generator) for _ in range(20)]
    doubles = stream(seed, replication, "x").random(20)
    assert np.array_equal(_bits(distribution.sample_doubles(doubles)), _bits(scalar))


def test_the_one_double_kinds_are_the_expected_ones():
    """A kind whose sampler draws anything but one double must not claim the fast path
    (its draws would be wrong); a new kind that does may add itself here."""
    assert sorted(_ONE_DOUBLE) == ["bernoulli", "triangular", "uniform"]
