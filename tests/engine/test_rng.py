"""Named random streams: the fast path gives exactly numpy's reference construction."""

from __future__ import annotations

import threading
import zlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine.rng import StreamSet, seed_sequence, stable_hash, stream


def test_stable_hash_is_crc32_of_the_name():
    """The hash must not change between processes or Python versions (no salting)."""
    assert stable_hash("forces.isil_column") == zlib.crc32(b"forces.isil_column") == 0x966134E5
    assert stable_hash("") == 0


def test_stream_is_the_design_formula():
    """DESIGN.md: SeedSequence(entropy=seed, spawn_key=(k, stable_hash(name)))."""
    expected = np.random.Generator(np.random.PCG64(np.random.SeedSequence(
        entropy=42, spawn_key=(3, stable_hash("warning")))))
    assert stream(42, 3, "warning").random(5).tolist() == expected.random(5).tolist()
    assert seed_sequence(42, 3, "warning").spawn_key == (3, stable_hash("warning"))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), replication=st.integers(0, 2**40),
       names=st.lists(st.text(max_size=30), min_size=1, max_size=6, unique=True))
def test_stream_set_equals_reference(seed, replication, names):
    streams = StreamSet(names)
    for name, generator in streams.positioned(seed, replication):
        got = generator.random(3).tolist() + [generator.triangular(0, 1, 3)]
        reference = stream(seed, replication, name)
        assert got == reference.random(3).tolist() + [reference.triangular(0, 1, 3)]


def test_stream_set_is_safe_across_threads():
    """Dask workers may run replications on several threads of one process."""
    names = [f"component.{i}" for i in range(50)]
    streams = StreamSet(names)
    expected = {k: [stream(9, k, n).random() for n in names] for k in range(8)}
    failures = []

    def work(k):
        for _ in range(50):
            got = [g.random() for _, g in streams.positioned(9, k)]
            if got != expected[k]:
                failures.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), first=st.integers(0, 2**32 - 5),
       count=st.integers(1, 4), names=st.lists(st.text(max_size=30), min_size=1, max_size=5,
                                               unique=True))
def test_stream_block_equals_reference(seed, first, count, names):
    """The block's outputs, doubles and starting states are numpy's own, stream by stream."""
    count = min(count, 2**32 - first)
    block = StreamSet(names).block(seed, first, count)
    outputs, doubles = block.outputs(3), block.doubles(3)
    for column, name in enumerate(names):
        starts = block.states(column)
        for row in range(count):
            reference = stream(seed, first + row, name)
            assert reference.bit_generator.state["state"] == dict(
                zip(("state", "inc"), starts[row], strict=True))
            assert [o[row, column] for o in outputs] == \
                reference.bit_generator.random_raw(3).tolist()
            assert [d[row, column] for d in doubles] == \
                stream(seed, first + row, name).random(3).tolist()


def test_stream_block_refuses_replications_of_two_words():
    """Replications from 2**32 have two entropy words: the block covers one-word ones."""
    import pytest

    with pytest.raises(ValueError, match="2\\*\\*32"):
        StreamSet(["a"]).block(1, 2**32 - 1, 2)
