"""A replication that raises, or kills its worker, is recorded and the run goes on."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simulator.montecarlo import run_monte_carlo


def test_failures_are_recorded_and_isolated(minimal, tmp_path):
    out = tmp_path / "run"
    result = run_monte_carlo(minimal, 50, executor="serial", out=out,
                             replicate="fake_engine:failing")
    bad = [k for k in range(50) if k % 7 == 3]
    assert [f.replication for f in result.failures] == bad
    assert all(f.seed == 7 for f in result.failures)
    assert result.failures[0].error == "ValueError: replication 3 hit a bad state"
    assert "Traceback" in result.failures[0].traceback
    assert result.replications.tolist() == [k for k in range(50) if k not in bad]
    assert result.done + result.failed == 50
    stored = json.loads((out / "failures.json").read_text())
    assert [f["replication"] for f in stored] == bad
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["failed"] == len(bad) and manifest["status"] == "complete"
    rows = (out / "outcomes.csv").read_text().splitlines()[1:]
    assert [int(row.split(",")[0]) for row in rows] == result.replications.tolist()


def test_failures_survive_resume(minimal, tmp_path):
    out = tmp_path / "run"
    run_monte_carlo(minimal, 30, executor="serial", out=out, replicate="fake_engine:failing")
    again = run_monte_carlo(minimal, executor="serial", out=out, resume=True,
                            replicate="fake_engine:failing")
    assert [f.replication for f in again.failures] == [3, 10, 17, 24]


def test_a_run_where_everything_fails_stops_early_and_raises(minimal, tmp_path):
    from simulator.montecarlo import ReplicationsFailed

    with pytest.raises(ReplicationsFailed, match="every replication failed") as raised:
        run_monte_carlo(minimal, 10_000, executor="serial", out=tmp_path / "run",
                        replicate="fake_engine:always_failing")
    result = raised.value.result
    assert result.status == "aborted"
    assert result.done == 0 and 50 <= result.failed < 10_000
    assert "RuntimeError: the engine is broken" in result.manifest["message"]
    assert "RuntimeError: the engine is broken" in raised.value.summary
    assert "Traceback" in str(raised.value)  # the first failure's, to fix it from
    stored = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert stored["status"] == "aborted"


def test_a_replication_that_kills_its_worker_is_isolated(minimal):
    result = run_monte_carlo(minimal, 40, executor="processes", workers=2,
                             replicate="fake_engine:crashing")
    assert [f.replication for f in result.failures] == [13]
    assert result.failures[0].error.startswith("worker lost")
    assert result.done == 39 and result.status == "complete"


def test_missing_outcomes_are_nan_and_columns_follow_the_replications_kept(minimal, tmp_path):
    short = run_monte_carlo(minimal, 30, executor="serial", replicate="fake_engine:ragged")
    long = run_monte_carlo(minimal, 60, executor="serial", out=tmp_path / "run",
                           replicate="fake_engine:ragged")
    assert "rare" not in short.outcomes  # only replication 40 returns it
    rare = long.outcomes["rare"]
    assert rare[40] == 1.0 and np.isnan(np.delete(rare, 40)).all()
    arrival = long.outcomes["arrival_h.village"]
    breached = long.outcomes["dam_breached"] == 1.0
    assert np.isfinite(arrival[breached]).all() and np.isnan(arrival[~breached]).all()
    header, *rows = (tmp_path / "run" / "outcomes.csv").read_text().splitlines()
    assert header.split(",")[1] == "arrival_h.village"
    cells = [row.split(",")[1] for row in rows]
    assert cells == [repr(float(v)) if b else "" for v, b in zip(arrival, breached, strict=True)]
    (summary,) = long.summary(["rare"])  # one replication's 1: Wilson still bounds it
    assert (summary.count, summary.mean, summary.ci_high) == (1, 1.0, 1.0)
    assert summary.method == "wilson" and 0.0 < summary.ci_low < 1.0


@pytest.mark.parametrize("executor", ["serial", "processes"])
def test_bad_replication_function_is_refused_up_front(minimal, executor):
    from simulator.montecarlo import RunError

    with pytest.raises(RunError, match="cannot import"):
        run_monte_carlo(minimal, 5, executor=executor, replicate="fake_engine:nope")


def test_infrasim_run_says_when_every_replication_failed(minimal, tmp_path, monkeypatch,
                                                         capsys):
    """One message and exit status 1, no traceback of the command itself."""
    from simulator import workflows
    from simulator.cli import main
    from simulator.montecarlo import ReplicationsFailed

    def every_replication_fails(scenario, **options):
        return run_monte_carlo(scenario, 5, executor="serial", out=options["out"],
                               replicate="fake_engine:always_failing")

    monkeypatch.setattr(workflows, "run_scenario", every_replication_fails)
    status = main(["run", str(minimal.source), "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("infrasim run: stopped: every replication failed: 5 of 5")
    assert "RuntimeError: the engine is broken" in err
    assert ReplicationsFailed.__name__ not in err  # said in words, not as a traceback
