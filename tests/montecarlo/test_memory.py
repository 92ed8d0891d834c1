"""Memory: flat in the number of replications. Outcomes go to chunk files as batches come
back, finished replications are kept as ranges and adaptive stopping keeps running
moments, so nothing is allocated in proportion to the run while it runs; at the end the
result holds its replication numbers (8 bytes each), and its columns are read back only
when asked for."""

from __future__ import annotations

import gc
import tempfile
import tracemalloc

import numpy as np
import pytest

from simulator.analysis.stats import summarise
from simulator.montecarlo import RunError, run_monte_carlo, runner
from simulator.montecarlo.columns import StoredColumns

CHEAP = "fake_engine:cheap"


def peak_bytes(scenario, n, out=None, **options):
    """Peak traced memory of a run of `n` cheap replications (a fixed count, or the
    adaptive stopping rule's maximum when `options` ask for a precision)."""
    count = None if "precision" in options else n
    if count is None:
        options["max_replications"] = n
    tracemalloc.start()
    try:
        result = run_monte_carlo(scenario, count, executor="serial", out=out, replicate=CHEAP,
                                 **options)
        assert result.done == n
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


ADAPTIVE = dict(precision=1e-9, metrics=["a", "b"], min_replications=100)  # never converges


@pytest.mark.parametrize("stored, options", [(True, {}), (False, {}), (False, ADAPTIVE)],
                         ids=["stored", "not-stored", "adaptive"])
def test_peak_memory_does_not_grow_with_the_number_of_replications(minimal, tmp_path,
                                                                   monkeypatch, stored, options):
    monkeypatch.setattr(runner, "MAX_BATCH_REPLICATIONS", 1000)  # same batches for both
    peak_bytes(minimal, 100, tmp_path / "warm" if stored else None, **options)  # imports
    low = peak_bytes(minimal, 2_000, tmp_path / "small" if stored else None, **options)
    high = peak_bytes(minimal, 20_000, tmp_path / "large" if stored else None, **options)
    # Ten times the replications. Before, the outcome columns (3 x 8 bytes a replication,
    # allocated for all of them up front) made the peak grow by half (300 to 470 kB).
    assert high < 1.25 * low, (low, high)


@pytest.mark.slow
def test_a_long_run_holds_only_its_replication_numbers(minimal, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "MAX_BATCH_REPLICATIONS", 1000)
    low = peak_bytes(minimal, 2_000, tmp_path / "small")
    n = 200_000
    high = peak_bytes(minimal, n, tmp_path / "large")
    assert high - low < 8 * n + 256_000, (low, high)  # the result's replication numbers


def test_a_batch_returns_at_most_max_batch_values_outcome_values(minimal, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setattr(runner, "MIN_BATCH_S", 10.0)  # the time alone asks for big batches
    monkeypatch.setattr(runner, "MAX_BATCH_S", 10.0)
    monkeypatch.setattr(runner, "MAX_BATCH_VALUES", 300)  # 100 replications of a, b and c
    result = run_monte_carlo(minimal, 2_000, executor="serial", out=tmp_path / "run",
                             replicate=CHEAP)
    sizes = [batch.values.size for batch in result.outcomes.store.read_chunks()]
    assert max(sizes) == 300 and sum(sizes) == 3 * 2_000


def test_columns_are_read_from_the_chunks_and_summarised_exactly(minimal, tmp_path,
                                                                 monkeypatch):
    monkeypatch.setattr(runner, "MAX_BATCH_REPLICATIONS", 50)  # chunks with other names
    result = run_monte_carlo(minimal, 300, executor="serial", out=tmp_path / "run",
                             replicate="fake_engine:ragged")
    columns = result.outcomes
    assert isinstance(columns, StoredColumns) and "300 replications" in repr(columns)
    whole = {name: np.array(columns[name]) for name in columns}
    assert all(len(values) == result.done for values in whole.values())
    assert np.isnan(whole["rare"]).sum() == result.done - 1
    files = sorted(path.name for path in (tmp_path / "run").rglob("*"))
    one_at_a_time = StoredColumns(columns.store, columns.final, list(columns), columns.rows,
                                  budget=8 * columns.rows)
    assert [list(group) for group in one_at_a_time.groups(["fatalities", "rare"])] == [
        ["fatalities"], ["rare"]]
    for name in whole:
        np.testing.assert_array_equal(one_at_a_time[name], whole[name])
    grouped = runner.RunResult(result.replications, one_at_a_time, result.failures,
                               result.manifest, result.path)
    assert grouped.summary() == result.summary() == summarise(whole)
    # the columns, turned around, went to a file without a name
    assert sorted(path.name for path in (tmp_path / "run").rglob("*")) == files


def test_summarising_a_big_run_holds_a_few_columns_not_all_of_them(minimal, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setattr(runner, "MAX_BATCH_REPLICATIONS", 5000)
    result = run_monte_carlo(minimal, 40_000, executor="serial", out=tmp_path / "run",
                             replicate="fake_engine:cheap")
    column = 8 * result.done
    expected = result.summary()

    def peak(budget):
        """Peak traced memory of the summary of every outcome, read with `budget`."""
        stored = result.outcomes
        columns = StoredColumns(stored.store, stored.final, list(stored), stored.rows,
                                budget=budget)
        tracemalloc.start()
        try:
            assert runner.RunResult(result.replications, columns, result.failures,
                                    result.manifest, result.path).summary() == expected
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    whole = peak(3 * column)  # every column (3) read at once
    turned = peak(column)
    assert whole > 3 * column  # the three columns, and what summarising them takes
    assert turned < 3 * column, (turned / column, whole / column)  # 4.2 when each group was a pass over the chunks


def test_columns_of_a_run_whose_directory_cannot_be_written(minimal, tmp_path, monkeypatch):
    result = run_monte_carlo(minimal, 300, executor="serial", out=tmp_path / "run",
                             replicate=CHEAP)
    columns = result.outcomes
    one_at_a_time = StoredColumns(columns.store, columns.final, list(columns), columns.rows,
                                  budget=8 * columns.rows)
    scratch = tempfile.TemporaryFile

    def read_only(*args, dir=None, **options):
        if dir is not None:
            raise PermissionError(13, "Permission denied", str(dir))
        return scratch(*args, **options)

    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    assert one_at_a_time["c"].tolist() == list(range(300))
    assert one_at_a_time._by_column is not None  # the scratch file went to $TMPDIR instead


def test_columns_of_a_run_on_a_full_disk_are_read_from_the_chunks(minimal, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setattr(runner, "MAX_BATCH_REPLICATIONS", 50)  # several chunks
    result = run_monte_carlo(minimal, 300, executor="serial", out=tmp_path / "run",
                             replicate=CHEAP)
    columns = result.outcomes
    one_at_a_time = StoredColumns(columns.store, columns.final, list(columns), columns.rows,
                                  budget=8 * columns.rows)

    def full_disk(*args, **options):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(columns.store, "write_columns", full_disk)
    assert one_at_a_time["c"].tolist() == list(range(300))
    groups = list(one_at_a_time.groups(["a", "c"]))
    assert [list(group) for group in groups] == [["a"], ["c"]]
    assert groups[1]["c"].tolist() == list(range(300))


def test_columns_of_a_changed_run_are_refused(minimal, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "MAX_BATCH_REPLICATIONS", 50)  # several chunks
    result = run_monte_carlo(minimal, 300, executor="serial", out=tmp_path / "run",
                             replicate=CHEAP)
    for chunk in sorted((tmp_path / "run" / "chunks").glob("*.npz"))[1:]:
        chunk.unlink()
    with pytest.raises(RunError, match="no longer hold the run's 300 replications"):
        result.outcomes["a"]


def test_a_run_without_out_keeps_its_chunks_only_while_its_result_lives(minimal):
    result = run_monte_carlo(minimal, 50, executor="serial", replicate=CHEAP)
    scratch = result.outcomes.store.path
    assert list((scratch / "chunks").glob("chunk-*.npz"))
    assert result.outcomes["c"].tolist() == list(range(50))
    del result
    gc.collect()
    assert not scratch.exists()
