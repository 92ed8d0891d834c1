"""How a forecast is computed does not change what it says: the same branches, candidates
and outcomes on one worker or two, the unchanged option's outcomes taken from the
acceptance tests equal to its own runs, and the session's shared preparations (one per
scenario, the grid and the flood routing shared) give what a scenario prepared on its
own gives."""

from __future__ import annotations

import numpy as np

from simulator.engine import prepare, simulate
from simulator.exercise.prepared import FloodMemo, Preparations
from simulator.exercise.session import Session
from simulator.scenario import load_scenario


def test_one_worker_and_two_give_the_same_forecast(paths):
    """At the warn decision of Haditha story 20 the column's halt at Anah is under way:
    some candidates are rejected, so the rounds of acceptance tests must be read in
    order to keep the same branches."""
    session = Session(paths["haditha"], replication=20, forecast_replications=0,
                      forecast_workers=1)
    while (step := session.next_step()).id != "warn":
        if step.open:
            session.choose(step, next(o.id for o in step.options.values() if o.allowed))
    session.forecast_replications = 30
    one = session.forecast(step)
    session.forecast_workers = 2
    two = session.forecast(step)
    assert one.attempts > one.count
    assert (one.branches, one.attempts, one.pinned, one.conditioning) == \
        (two.branches, two.attempts, two.pinned, two.conditioning)
    for option, first in one.options.items():
        second = two.options[option]
        assert first == second  # the estimates, the paired difference and the driver
        assert list(first.values) == list(second.values)
        for name, column in first.values.items():
            np.testing.assert_array_equal(column, second.values[name], err_msg=name)
    # the unchanged option was run with consequences by the acceptance tests: its
    # outcomes are those of its own runs of the kept branches
    unchanged = step.options["wait_for_breach"].scenario
    assert unchanged == session.scenario
    runs = [simulate(unchanged, one.seed, branch, pinned=one.pinned).outcomes
            for branch in one.branches]
    for name, column in one.options["wait_for_breach"].values.items():
        np.testing.assert_array_equal(column, [run[name] for run in runs], err_msg=name)


def test_a_session_prepares_each_scenario_once_and_shares_the_grid(paths):
    preparations = Preparations()
    scenario = load_scenario(paths["classroom"])
    other = load_scenario(paths["classroom"])
    first = preparations(scenario)
    assert preparations(scenario) is first and preparations(first) is first
    second = preparations(other)
    assert second is not first
    assert second.consequences.grid is first.consequences.grid
    alone = prepare(other)
    for replication in range(30):
        assert simulate(second, 42, replication).outcomes == \
            simulate(alone, 42, replication).outcomes


def test_the_flood_memo_routes_each_breach_once():
    calls = []

    def route(times_s, inflow_m3s, reaches, distances_m, **options):
        calls.append(options)
        return [float(np.sum(inflow_m3s)) + distance for distance in distances_m]

    memo = FloodMemo(route)
    times, inflow = np.arange(3.0), np.array([0.0, 5.0, 1.0])
    first = memo(times, inflow, (), (1.0, 2.0), base_flow_m3s=1.0)
    again = memo(times.copy(), inflow.copy(), (), (1.0, 2.0), base_flow_m3s=1.0)
    assert first == again == [7.0, 8.0] and len(calls) == 1
    memo(times, inflow, (), (1.0, 2.0), base_flow_m3s=2.0)
    memo(times, inflow * 2, (), (1.0, 2.0), base_flow_m3s=1.0)
    assert len(calls) == 3
