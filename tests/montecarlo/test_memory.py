"""Memory: a run's peak grows with the number of replications by the outcome columns
(8 bytes per outcome per replication) and little else: batches, chunks and the CSV
writer work in bounded pieces."""

from __future__ import annotations

import tracemalloc

import pytest

from simulator.montecarlo import run_monte_carlo, runner


def peak_bytes(scenario, n, out):
    tracemalloc.start()
    try:
        run_monte_carlo(scenario, n, executor="serial", out=out, replicate="fake_engine:cheap")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("small, large", [(3_000, 23_000)])
def test_peak_memory_grows_only_by_the_outcome_columns(minimal, tmp_path, monkeypatch,
                                                       small, large):
    monkeypatch.setattr(runner, "MAX_BATCH_REPLICATIONS", 1000)  # same batches for both
    peak_bytes(minimal, 100, tmp_path / "warm")  # imports and caches
    low = peak_bytes(minimal, small, tmp_path / "small")
    high = peak_bytes(minimal, large, tmp_path / "large")
    columns = 3 * 8 * (large - small)  # the cheap engine returns 3 outcomes
    # Beyond the columns: the result's replication numbers (8 bytes each), the table's
    # state byte and one transient byte per replication; 256 kB for everything else.
    bookkeeping = 10 * (large - small)
    growth = high - low
    assert growth <= columns + bookkeeping + 256_000, (growth, columns)
