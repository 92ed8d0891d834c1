"""A run's outcomes depend only on scenario, variant, seed and replication indices.

The same run on every executor and worker count must give byte-identical outcomes.csv,
and any row must equal the replication computed alone with `simulate`. These use the real
engine on the minimal scenario.
"""

from __future__ import annotations

import pytest

from simulator.engine import simulate
from simulator.montecarlo import run_monte_carlo, runner

N = 100


def test_outcomes_csv_identical_on_every_executor(minimal, tmp_path):
    runs = {
        "serial": dict(executor="serial"),
        "processes-1": dict(executor="processes", workers=1),
        "processes-2": dict(executor="processes", workers=2),
        "dask-2": dict(executor="dask", workers=2),
    }
    texts = {}
    for name, options in runs.items():
        result = run_monte_carlo(minimal, N, out=tmp_path / name, **options)
        assert result.done == N and result.failed == 0, name
        texts[name] = (tmp_path / name / "outcomes.csv").read_bytes()
    reference = texts["serial"]
    assert reference.count(b"\n") == N + 1
    for name, text in texts.items():
        assert text == reference, f"{name} differs from serial"


def test_each_row_equals_the_replication_run_alone(minimal):
    result = run_monte_carlo(minimal, 40, executor="serial", seed=11)
    assert result.replications.tolist() == list(range(40))
    for k in (0, 17, 39):
        alone = simulate(minimal, 11, k).outcomes
        assert {name: result.outcomes[name][k] for name in alone} == pytest.approx(
            alone, abs=0, rel=0, nan_ok=True)


@pytest.mark.parametrize("first, shortest", [(1, 1e-6), (3, 1e-4), (64, 10.0)])
def test_batch_sizes_do_not_change_the_numbers(minimal, tmp_path, monkeypatch, first, shortest):
    reference = run_monte_carlo(minimal, 60, executor="serial", out=tmp_path / "ref")
    monkeypatch.setattr(runner, "FIRST_BATCH", first)
    monkeypatch.setattr(runner, "MIN_BATCH_S", shortest)
    monkeypatch.setattr(runner, "MAX_BATCH_S", max(shortest, 1e-3))
    other = run_monte_carlo(minimal, 60, executor="serial", out=tmp_path / "other")
    assert (tmp_path / "ref" / "outcomes.csv").read_bytes() == (
        tmp_path / "other" / "outcomes.csv").read_bytes()
    assert other.manifest["outcomes"] == reference.manifest["outcomes"]


def test_seed_changes_the_numbers_and_defaults_to_the_scenario_seed(minimal):
    default = run_monte_carlo(minimal, 20, executor="serial")
    same = run_monte_carlo(minimal, 20, executor="serial", seed=minimal.scenario.seed)
    other = run_monte_carlo(minimal, 20, executor="serial", seed=minimal.scenario.seed + 1)
    assert default.manifest["seed"] == minimal.scenario.seed
    name = "input.network.roads.border_dam.speed_mps"
    assert (default.outcomes[name] == same.outcomes[name]).all()
    assert not (default.outcomes[name] == other.outcomes[name]).all()
