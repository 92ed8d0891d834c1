"""Adaptive stopping: the rule, and runs that stop at the same place whatever runs them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simulator.analysis.stats import Moments
from simulator.montecarlo import RunError, StoppingRule, run_monte_carlo
from simulator.montecarlo.stopping import parse_metrics

FAKE = "fake_engine:simulate"


def test_parse_metrics_reads_floors():
    assert parse_metrics(["fatalities", "unserved_energy_mwh:100"]) == {
        "fatalities": 0.0, "unserved_energy_mwh": 100.0}
    assert parse_metrics({"x": 2}) == {"x": 2.0}
    with pytest.raises(RunError, match="floor"):
        parse_metrics(["x:-1"])


def test_half_width_and_target():
    values = np.random.default_rng(1).normal(10.0, 2.0, 400)
    rule = StoppingRule(0.05, {"x": 0.0}, 10, 1000)
    check = rule.evaluate(400, {"x": Moments.of(values)}).metrics["x"]
    assert check.mean == pytest.approx(values.mean())
    assert check.half_width == pytest.approx(1.959963984540054 * values.std(ddof=1) / 20)
    assert check.target == pytest.approx(0.05 * abs(values.mean()))
    assert check.ok


def test_floor_lets_a_near_zero_mean_converge():
    values = np.zeros(1000)
    values[::200] = 1.0  # mean 0.005: relative precision would need ~10^6 replications
    strict = StoppingRule(0.1, {"x": 0.0}, 10, 10**7).evaluate(1000, {"x": Moments.of(values)})
    floored = StoppingRule(0.1, {"x": 1.0}, 10, 10**7).evaluate(1000, {"x": Moments.of(values)})
    assert not strict.converged and strict.next_replications == 2000  # at most doubles
    assert floored.converged and floored.next_replications is None


def test_next_checkpoint_is_predicted_and_bounded():
    rule = StoppingRule(0.01, {"x": 0.0}, 10, 5000)
    values = np.random.default_rng(2).normal(10.0, 1.0, 100)
    checkpoint = rule.evaluate(100, {"x": Moments.of(values)})
    assert 110 <= checkpoint.next_replications <= 200
    assert rule.evaluate(5000, {"x": Moments.of(np.r_[values, values])}).next_replications is None


def test_rule_needs_a_metric_and_sane_bounds():
    with pytest.raises(RunError, match="at least one metric"):
        StoppingRule(0.02, {})
    with pytest.raises(RunError, match="below --min"):
        StoppingRule(0.02, {"x": 0.0}, 500, 100)


def test_adaptive_run_stops_at_the_same_place_on_any_executor(minimal, tmp_path):
    options = dict(precision=0.05, metrics=["unserved_energy_mwh"], min_replications=50,
                   max_replications=5000, replicate=FAKE)
    serial = run_monte_carlo(minimal, executor="serial", out=tmp_path / "s", **options)
    parallel = run_monte_carlo(minimal, executor="processes", workers=2, out=tmp_path / "p",
                               **options)
    trace = serial.manifest["convergence"]
    assert trace == parallel.manifest["convergence"]
    assert trace[0]["replications"] == 50 and trace[-1]["converged"]
    assert all(not step["converged"] for step in trace[:-1])
    final = trace[-1]["replications"]
    assert serial.done == parallel.done == final
    assert (tmp_path / "s" / "outcomes.csv").read_bytes() == (
        tmp_path / "p" / "outcomes.csv").read_bytes()
    check = trace[-1]["metrics"]["unserved_energy_mwh"]
    assert check["half_width"] <= 0.05 * check["mean"]
    values = serial.outcomes["unserved_energy_mwh"]
    assert check["mean"] == pytest.approx(values.mean())
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["stopping"] == {"precision": 0.05, "metrics": {"unserved_energy_mwh": 0.0},
                                    "min": 50, "max": 5000}
    assert manifest["result"]["converged"] is True


def test_adaptive_run_stops_at_max_when_precision_is_out_of_reach(minimal):
    result = run_monte_carlo(minimal, precision=1e-6, metrics=["fatalities"], executor="serial",
                             min_replications=20, max_replications=300, replicate=FAKE)
    trace = result.manifest["convergence"]
    assert result.done == 300 and trace[-1]["replications"] == 300
    assert not trace[-1]["converged"] and result.manifest["result"]["converged"] is False
    sizes = [step["replications"] for step in trace]
    assert sizes == sorted(sizes) and all(b <= 2 * a for a, b in zip(sizes, sizes[1:], strict=False))


def test_adaptive_resume_retraces_the_same_checkpoints(minimal, tmp_path):
    options = dict(precision=0.03, metrics=["unserved_energy_mwh"], min_replications=40,
                   max_replications=8000, replicate=FAKE, executor="serial")
    whole = run_monte_carlo(minimal, out=tmp_path / "whole", **options)
    part = tmp_path / "part"
    run_monte_carlo(minimal, out=part, **options)
    chunks = sorted((part / "chunks").glob("*.npz"))
    for chunk in chunks[len(chunks) // 2:]:
        chunk.unlink()
    resumed = run_monte_carlo(minimal, out=part, resume=True, executor="processes", workers=2,
                              replicate=FAKE)  # the rule comes from the manifest
    assert resumed.manifest["convergence"] == whole.manifest["convergence"]
    assert (part / "outcomes.csv").read_bytes() == (tmp_path / "whole" / "outcomes.csv").read_bytes()


def test_unknown_metric_is_named(minimal, tmp_path):
    with pytest.raises(RunError, match="unknown metric 'fatality'; did you mean 'fatalities'"):
        run_monte_carlo(minimal, precision=0.1, metrics=["fatality"], executor="serial",
                        out=tmp_path / "run", replicate=FAKE)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "aborted" and "fatality" in manifest["message"]


def test_fixed_and_adaptive_arguments_do_not_mix(minimal):
    with pytest.raises(RunError, match="either"):
        run_monte_carlo(minimal, 100, precision=0.1, metrics=["x"], executor="serial")
    with pytest.raises(RunError, match="go with --precision"):
        run_monte_carlo(minimal, 100, metrics=["x"], executor="serial")
