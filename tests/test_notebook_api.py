"""The notebook API: a stored run as pandas tables, runs compared replication by
replication, and run_monte_carlo from a plain script (no main guard) and when every
replication fails."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import simulator
from simulator.analysis.catalogue import DEFAULT_HEADLINE
from simulator.montecarlo import RunResult

pandas = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A stored run of the minimal scenario (40 replications, in this process)."""
    out = tmp_path_factory.mktemp("notebook") / "run"
    simulator.run_monte_carlo(str(MINIMAL), 40, executor="serial", out=out)
    return out


def test_load_run_gives_outcomes_as_a_float_table_with_nan_for_missing(stored):
    run = simulator.load_run(stored)
    frame = run.outcomes
    assert isinstance(frame, pandas.DataFrame)
    assert frame.index.name == "replication"
    assert frame.index.tolist() == list(range(40))
    assert list(frame.columns) == run.manifest["outcomes"]
    assert set(frame.dtypes) == {np.dtype("float64")}
    for name in frame.columns:  # the same numbers as the stored columns, NaN included
        np.testing.assert_array_equal(frame[name].to_numpy(), run.result.outcomes[name])
    breached = frame["breach_started"] == 1.0
    assert 0 < breached.sum() < 40  # both kinds of replication, so both cases are checked
    assert frame.loc[~breached, "breach_time_h"].isna().all()  # no breach: empty
    assert frame.loc[breached, "breach_time_h"].notna().all()


def test_run_summary_catalogue_and_manifest(stored):
    run = simulator.load_run(stored)
    assert run.manifest["seed"] == 7 and run.status == "complete"
    summary = run.summary()
    assert summary.index.name == "outcome"
    assert summary.index[0] == DEFAULT_HEADLINE[0]  # the headline first
    assert summary.loc["dam_captured", "mean"] == pytest.approx(
        run.outcomes["dam_captured"].mean())
    assert summary.loc["dam_captured", "count"] == 40
    assert summary.loc["dam_captured", "label"] == run.catalogue.loc["dam_captured", "label"]
    assert not any(name.startswith("input.") for name in summary.index)
    catalogue = run.catalogue
    assert set(catalogue.index) == set(run.outcomes.columns)
    assert catalogue.loc["time_to_capture_h", "kind"] == "time_to_event"
    assert {"label", "unit", "kind", "meaning", "worse"} <= set(catalogue.columns)
    assert "40 replications" in repr(run)
    assert run.outcome_catalogue.label("dam_captured") == catalogue.loc["dam_captured", "label"]


def _result(replications, values, seed=1):
    return RunResult(np.asarray(replications), {"fatalities": np.asarray(values, float)},
                     (), {"seed": seed, "scenario": {"name": "valley"},
                          "resolved_scenario": {}})


def test_compare_runs_pairs_replications_by_index_not_by_row():
    # B lacks replication 0 (it failed there) and has 5: row i of A is not row i of B.
    a = _result([0, 1, 2, 3, 4], [100.0, 1.0, 2.0, 3.0, 4.0])
    b = _result([1, 2, 3, 4, 5], [11.0, 12.0, 13.0, 24.0, 999.0])
    table = simulator.compare_runs(a, b)
    assert table.index.names == ["outcome", "measure"]
    row = table.loc[("fatalities", "mean")]
    assert bool(row["paired"]) and row["pairs"] == 4
    assert row["difference"] == pytest.approx(np.mean([10.0, 10.0, 10.0, 20.0]))
    assert row["mean_a"] == pytest.approx(22.0) and row["mean_b"] == pytest.approx(211.8)
    assert row["low"] < row["difference"] < row["high"]
    assert row["method"] == "paired t, 4 pairs"
    other_seed = simulator.compare_runs(a, _result([1, 2, 3, 4, 5], [11, 12, 13, 24, 999],
                                                   seed=2))
    assert not bool(other_seed.loc[("fatalities", "mean"), "paired"])  # no shared numbers


def test_compare_stored_runs_by_directory(stored, tmp_path):
    shorter = tmp_path / "short"
    simulator.run_monte_carlo(str(MINIMAL), 25, executor="serial", out=shorter)
    table = simulator.compare_runs(stored, shorter)
    measures = set(table.index.get_level_values("measure"))
    assert {"mean", "probability", "given"} <= measures  # as each outcome's kind asks
    paired = table[table["paired"]]
    assert set(paired.index.get_level_values("measure")) <= {"mean", "probability"}
    assert paired.loc[("dam_captured", "mean"), "pairs"] == 25
    assert paired.loc[("fatalities", "mean"), "pairs"] == 25
    assert paired.loc[("arrival_h.village", "probability"), "pairs"] == 25
    # the same seed and scenario: replication k is the same history in both runs
    assert (paired["difference"] == 0).all()
    assert not table.xs("given", level="measure")["paired"].any()  # conditional: Welch


def test_every_replication_failing_raises(tmp_path):
    with pytest.raises(simulator.ReplicationsFailed, match="every replication failed") as raised:
        simulator.run_monte_carlo(str(MINIMAL), 5, executor="serial",
                                  replicate="simulator.notebook:load_run")  # wrong arity
    assert raised.value.result.done == 0 and raised.value.result.failed == 5


@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_a_script_without_a_main_guard_runs_in_worker_processes(tmp_path, executor):
    """Workers, the process pool's and a local Dask cluster's, are forked (Linux): the
    script is not run again in each of them, which used to print a traceback per worker
    and abort the run."""
    if not sys.platform.startswith("linux"):
        pytest.skip("elsewhere workers re-import the main module: it needs the guard")
    if executor == "dask":
        pytest.importorskip("distributed")
    script = tmp_path / "study.py"
    script.write_text(textwrap.dedent(f"""
        import simulator
        result = simulator.run_monte_carlo({str(MINIMAL)!r}, 12, executor={executor!r},
                                           workers=2)
        print("ran", result.done, result.failed, result.status)
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ran", "12", "0", "complete"]
    assert "Traceback" not in done.stderr and "bootstrapping" not in done.stderr


def test_a_missing_pandas_is_one_clear_import_error(stored, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises
    run = simulator.load_run(stored)
    with pytest.raises(ImportError, match=r"pip install \"infrasim\[notebook\]\""):
        run.outcomes  # noqa: B018 - the attribute access is the test
    assert not math.isnan(run.result.outcomes["dam_captured"][0])  # numpy still works
