"""Workflows: a stored run records its exhibits (the timelines of its median and worst
replications, the hourly load shed of a sample), which read back as they were written
and say whether they still fit the run; a run without them gets them when reported."""

import json

import numpy as np
import pytest

from simulator.engine import hourly_load_shed, simulate, simulate_history
from simulator.montecarlo import load_run, run_monte_carlo
from simulator.report.exhibits import EXHIBITS, TIMELINES, read_exhibits
from simulator.report.figures import pick_replications
from simulator.scenario import load_scenario
from simulator.workflows import SHED_SAMPLE, run_scenario, sample_replications, stored_exhibits

SCENARIO = "scenarios/classroom.yaml"


@pytest.fixture(scope="module")
def scenario():
    """The classroom scenario."""
    return load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def stored(scenario, tmp_path_factory):
    """A small run stored by the run workflow."""
    out = tmp_path_factory.mktemp("runs") / "classroom"
    return run_scenario(scenario, replications=24, executor="serial", out=out)


def test_a_run_stores_exhibits_that_read_back_as_written(stored, scenario):
    exhibits = read_exhibits(stored.path)
    assert exhibits is not None and exhibits.fit(stored.manifest, stored.done)
    picked = pick_replications(stored.outcomes, stored.replications)
    assert {t.role: (t.replication, t.why) for t in exhibits.timelines} == picked
    worst = next(t for t in exhibits.timelines if t.role == "worst")
    rerun = simulate(scenario, stored.manifest["seed"], worst.replication, timeline=True)
    assert worst.events == rerun.timeline
    shed = exhibits.load_shed
    assert shed is not None and shed.hourly_mw.shape[0] == shed.replications.size == 24
    assert shed.hourly_mw.shape[1] == shed.baseline_mw.size
    assert shed.plant_out.shape == shed.hourly_mw.shape  # share of each hour out, 0 to 1
    assert ((shed.plant_out >= 0) & (shed.plant_out <= 1)).all() and shed.plant_out.any()
    for k, row in zip(shed.replications, shed.plant_out, strict=True):  # as the history says
        outages = simulate_history(scenario, stored.manifest["seed"], int(k)).plant_outages
        assert row.sum() == pytest.approx(sum(min(end, row.size * 3600.0) - start
                                              for start, end in outages) / 3600.0)
    # the series made from each replication's one rerun are hourly_load_shed's own
    hourly, baseline = hourly_load_shed(scenario, stored.manifest["seed"], shed.replications)
    assert np.array_equal(shed.baseline_mw, baseline)
    assert np.array_equal(shed.hourly_mw, hourly)


def test_exhibits_of_a_run_resumed_since_do_not_fit(stored):
    exhibits = read_exhibits(stored.path)
    assert not exhibits.fit(stored.manifest, stored.done + 10)
    assert not exhibits.fit(dict(stored.manifest, seed=stored.manifest["seed"] + 1),
                            stored.done)


def test_unreadable_exhibits_read_as_none(stored, tmp_path):
    (tmp_path / EXHIBITS).mkdir()
    assert read_exhibits(tmp_path) is None
    document = json.loads((stored.path / EXHIBITS / TIMELINES).read_text())
    document["timelines"][0]["events"][0]["kind"] = "teleport"
    (tmp_path / EXHIBITS / TIMELINES).write_text(json.dumps(document))
    assert read_exhibits(tmp_path) is None


def test_a_run_made_without_them_gets_them_when_asked(scenario, tmp_path):
    run = run_monte_carlo(scenario, replications=12, executor="serial", out=tmp_path / "r")
    assert read_exhibits(run.path) is None
    said = []
    exhibits = stored_exhibits(load_run(run.path), log=said.append)
    assert said and "making them from its scenario file" in said[0]
    assert exhibits is not None and read_exhibits(run.path) is not None
    assert stored_exhibits(load_run(run.path), log=said.append) is not None
    assert len(said) == 1  # stored now: not made again


@pytest.mark.parametrize("n, count, expected", [(5, 10, 5), (1000, SHED_SAMPLE, 200)])
def test_sample_replications(n, count, expected):
    sample = sample_replications(np.arange(n), count)
    assert sample.size == expected and sample[0] == 0 and sample[-1] == n - 1


def test_a_grid_without_loads_has_no_load_shed_and_reruns_nothing_for_it(tmp_path,
                                                                          monkeypatch):
    import simulator.engine

    race = load_scenario("tests/data/race.yaml")  # a scenario whose grid has no loads
    run = run_monte_carlo(race, replications=12, executor="serial", out=tmp_path / "r")

    def refuse(*_args, **_kwargs):
        raise AssertionError("a replication was rerun for a load shed there is none of")

    monkeypatch.setattr(simulator.engine, "simulate_history", refuse)
    assert simulator.engine.hourly_load_shed(race, 1, [0, 1]) is None
    exhibits = stored_exhibits(load_run(run.path))
    assert exhibits is not None and exhibits.load_shed is None
    assert exhibits.timelines  # the median and worst replications are still there
