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
