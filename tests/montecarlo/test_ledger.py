"""The ledger of finished replications (ranges, not a byte per replication) and the
stopping rule's running moments (blocks folded in index order, not the values)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.analysis.stats import Moments
from simulator.montecarlo.batch import BatchResult, Failure
from simulator.montecarlo.ledger import Ledger
from simulator.montecarlo.stopping import MOMENT_BLOCK, PrefixMoments


def batch(start, stop, failed=(), names=("x",)):
    """Replications start..stop-1 with x = k / 2, those in `failed` raising."""
    ok = np.array([k for k in range(start, stop) if k not in failed], np.int64)
    values = np.column_stack([ok / 2.0] * len(names)) if names else np.empty((ok.size, 0))
    return BatchResult(ok, names, values.reshape(ok.size, len(names)),
                       np.full(len(names), start, np.int64),
                       tuple(Failure(k, 7, "boom") for k in failed),
                       indices=np.arange(start, stop, dtype=np.int64))


def test_batches_in_any_order_make_one_range_with_its_failures():
    ledger = Ledger()
    assert ledger.add(batch(10, 20, failed=(12,))) is not None
    assert ledger.prefix() == 0
    assert ledger.pending(0, 100, 50).tolist() == list(range(10))  # up to the next finished
    assert ledger.pending(10, 100, 5).tolist() == list(range(20, 25))  # from past a range
    ledger.add(batch(0, 10))
    assert ledger.prefix() == 20 and ledger.done == 19 and ledger.failed == 1
    assert ledger.replications(15).tolist() == [k for k in range(15) if k != 12]
    assert [f.replication for f in ledger.failures_below(20)] == [12]
    assert ledger.pending(0, 25, 100).tolist() == list(range(20, 25))


def test_a_replication_recorded_twice_counts_once():
    ledger = Ledger()
    ledger.add(batch(0, 10, failed=(3,)))
    assert ledger.add(batch(0, 10)) is None
    part = ledger.add(batch(5, 15, failed=(12,)))
    assert part.replications.tolist() == [10, 11, 13, 14]
    assert [f.replication for f in part.failures] == [12]
    assert ledger.done == 13 and ledger.prefix() == 15


def test_names_below_a_cut_are_those_returned_there():
    ledger = Ledger()
    ledger.add(batch(0, 10, names=("x",)))
    ledger.add(batch(10, 20, names=("x", "y")))
    assert ledger.names == ["x", "y"]
    assert ledger.names_below(10) == ["x"] and ledger.names_below(11) == ["x", "y"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 3000), min_size=1, max_size=12), st.randoms())
def test_running_moments_depend_on_the_values_alone(sizes, random):
    """Any batch sizes and arrival order: the moments at each checkpoint are bit for bit
    the same, and equal those of the values up to rounding."""
    edges = np.cumsum([0, *sizes])
    values = np.random.default_rng(len(sizes)).normal(3.0, 2.0, edges[-1])
    values[::17] = np.nan  # replications that returned no value
    batches = [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    checkpoints = sorted({int(edges[-1]), *(int(c) for c in edges[1:] // 3 if c > 0)})

    def moments_at_checkpoints(order):
        moments, ledger, results = PrefixMoments(["x"]), Ledger(), []
        pending = list(checkpoints)
        for a, b in order:
            rows = np.arange(a, b)
            moments.add(ledger.add(BatchResult(rows, ("x",), values[a:b, None],
                                               np.array([a]), indices=rows)))
            while pending and ledger.prefix() >= pending[0]:
                results.append(moments.at(pending.pop(0)))
            moments.fold(min(ledger.prefix(), pending[0] if pending else ledger.prefix()))
        return results

    in_order = moments_at_checkpoints(batches)
    shuffled = list(batches)
    random.shuffle(shuffled)
    assert moments_at_checkpoints(shuffled) == in_order
    for n, at in zip(checkpoints, in_order, strict=True):
        expected = Moments.of(values[:n])
        assert at["x"].count == expected.count
        assert at["x"].mean == pytest.approx(expected.mean, rel=1e-12, nan_ok=True)
        assert at["x"].variance == pytest.approx(expected.variance, rel=1e-9, nan_ok=True)


def test_running_moments_keep_only_the_unfolded_values():
    moments = PrefixMoments(["x"])
    n = 5 * MOMENT_BLOCK + 7
    rows = np.arange(n)
    moments.add(BatchResult(rows, ("x",), rows[:, None] / 2.0, np.array([0]), indices=rows))
    moments.fold(n)
    replications, _ = moments._buffer()
    assert replications.tolist() == list(range(5 * MOMENT_BLOCK, n))
