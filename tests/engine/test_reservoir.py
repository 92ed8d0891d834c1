"""Reservoir operation: an inflow, a routine release and a drawdown move the volume the
breach finds, in closed form. tests/data/reservoir_operation.yaml is the valley of
engine_valley.yaml with a storage curve, an inflow of 200 m^3/s let through and a
drawdown of 600-800 m^3/s from 2 h; times below are in hours."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine import prepare, simulate, simulate_history
from simulator.engine.reservoir import OperationInputs, Schedule, schedule, volume_at
from simulator.scenario import ScenarioError, load_scenario
from simulator.scenario.loader import read_document

from .conftest import DATA, extending

H = 3600.0
START_M3 = 0.2e9  # the valley's stored volume at the start
INFLOW_M3S = 200.0
DRAWDOWN_FROM_S = 2 * H


def operated(tmp_path, overlay: str):
    return extending(tmp_path, "reservoir_operation.yaml", overlay)


@pytest.fixture(scope="module")
def drawing_down():
    return prepare(load_scenario(DATA / "reservoir_operation.yaml"))


def test_a_drawdown_lowers_the_volume_at_the_breach_by_its_net_release(drawing_down, log):
    """The quick demolition breaches the dam; by then the drawdown (its drawn rate less the
    inflow) has run from 2 h: the breach finds that much less water, at the level the
    storage curve gives for it, so less water leaves and its peak is lower."""
    prepared = drawing_down
    for replication in range(3):
        history = simulate_history(prepared, seed=11, replication=replication)
        drawn = prepared.inputs.draw_by_path(11, replication)
        rate_m3s = drawn["assets.dam.reservoir.operation.drawdown_rate_m3s"]
        assert 600.0 <= rate_m3s <= 800.0
        released_m3 = (rate_m3s - INFLOW_M3S) * (history.breach_s - DRAWDOWN_FROM_S)
        assert history.reservoir_volume_m3 == pytest.approx(START_M3 - released_m3, rel=1e-12)
        r = simulate(prepared, seed=11, replication=replication, timeline=True)
        breaches = [t for t, kind, _, _ in log(r) if kind == "breach"]
        assert breaches == [pytest.approx(history.breach_s / H)]


def test_the_drawdown_lowers_the_breach_flood(drawing_down, tmp_path):
    """Same replication, with and without the drawdown: less water at a lower head gives a
    smaller flood volume and peak (the breach's geometry draws are the same)."""
    r = simulate(drawing_down, seed=11, replication=0).outcomes
    held = operated(tmp_path, "assets: {dam: {reservoir: {operation: {drawdown: null}}}}\n")
    kept = simulate(held, seed=11, replication=0).outcomes
    assert r["breach_time_h"] == kept["breach_time_h"]
    assert r["flood_volume_m3"] < kept["flood_volume_m3"]
    assert r["peak_outflow_m3s"] < kept["peak_outflow_m3s"]


def test_an_exercise_option_orders_a_drawdown_from_now():
    """The 'open' option overrides the drawdown with `from: now`, 800 m^3/s for 12 h:
    taken at 5 h, the breach finds the start volume less 600 m^3/s over 12 h (the
    drawdown has ended) or less until the breach."""
    document = read_document(DATA / "reservoir_operation.yaml")
    scenario = document.with_option("outlets", "open", 5 * H).scenario()
    drawdown = scenario.assets.dam.reservoir.operation.drawdown
    assert drawdown.from_s.mean == pytest.approx(5 * H) and drawdown.from_s.mean > 5 * H
    assert drawdown.rate_m3s.mean == 800.0 and drawdown.duration_s.mean == 12 * H
    history = simulate_history(scenario, seed=11, replication=0)
    drawing_s = min(history.breach_s, 17 * H) - drawdown.from_s.mean
    expected_m3 = START_M3 - 600.0 * drawing_s
    assert history.reservoir_volume_m3 == pytest.approx(expected_m3, rel=1e-12)


def test_volume_pieces_by_hand():
    """100 m^3/s in until 1 h, net 1,000 m^3/s out from 1 h to 3 h, then 100 m^3/s in
    again; a release stops at the dead storage (1e6 m^3), the inflow then refills."""
    drawn = OperationInputs(inflow_m3s=100.0, release_m3s=0.0, drawdown_from_s=H,
                            drawdown_rate_m3s=1100.0, drawdown_duration_s=2 * H)
    plan = schedule(drawn, dead_storage_m3=1e6, full_m3=20e6)
    assert plan.steps == ((0.0, 100.0), (H, -1000.0), (3 * H, 100.0))
    start_m3 = 10e6
    assert volume_at(start_m3, plan, 0.0) == start_m3
    assert volume_at(start_m3, plan, H) == pytest.approx(10e6 + 0.36e6)
    assert volume_at(start_m3, plan, 2 * H) == pytest.approx(10.36e6 - 3.6e6)
    # 7.2e6 would leave 3.16e6: above the dead storage, so not held
    assert volume_at(start_m3, plan, 3 * H) == pytest.approx(3.16e6)
    assert volume_at(start_m3, plan, 5 * H) == pytest.approx(3.16e6 + 0.72e6)
    # a smaller start: the drawdown stops at the dead storage
    assert volume_at(5e6, plan, 3 * H) == pytest.approx(1e6)
    assert volume_at(5e6, plan, 4 * H) == pytest.approx(1e6 + 0.36e6)


def test_the_inflow_raises_the_volume_until_the_reservoir_is_full():
    """500 m^3/s in, 200 m^3/s out: the volume rises by 300 m^3/s until the full 20e6 m^3,
    then what comes in spills; a start above the full volume is not moved down."""
    plan = Schedule(((0.0, 300.0),), dead_storage_m3=0.0, full_m3=20e6)
    assert volume_at(10e6, plan, 2 * H) == pytest.approx(10e6 + 300.0 * 2 * H)
    assert volume_at(10e6, plan, 100 * H) == 20e6
    assert volume_at(25e6, plan, 10 * H) == 25e6
    no_drawdown = OperationInputs(500.0, 200.0, math.inf, math.inf, math.inf)
    assert schedule(no_drawdown, 0.0, 20e6).steps == ((0.0, 300.0),)


def test_an_operation_adds_a_stream_and_leaves_the_others_draws(drawing_down):
    """The operation's inputs have their own stream: every other input of the valley is
    drawn as without it (common random numbers for a drawdown option)."""
    plain = prepare(load_scenario(DATA / "engine_valley.yaml"), consequences=False).inputs
    operated_inputs = drawing_down.inputs
    for replication in range(3):
        before = plain.draw_by_path(5, replication)
        after = operated_inputs.draw_by_path(5, replication)
        assert {k: v for k, v in after.items() if k in before} == before
        assert set(after) - set(before) == {
            f"assets.dam.reservoir.operation.{name}"
            for name in ("inflow_m3s", "drawdown_from_s", "drawdown_rate_m3s")}


def test_without_an_operation_the_volume_is_the_draw(uncertain):
    """A reservoir without an operation keeps the drawn volume, breach or not."""
    prepared = prepare(uncertain, consequences=False)
    for replication in range(5):
        history = simulate_history(prepared, seed=2, replication=replication)
        drawn = prepared.inputs.draw_by_path(2, replication)
        assert history.reservoir_volume_m3 == drawn["assets.dam.reservoir.volume_m3"]


def test_a_release_the_outlets_cannot_pass_is_refused(tmp_path):
    """A routine release above spillway, bottom outlets and turbines together is refused
    with the dam's total (2,000 + 800 m^3/s in the valley, which has no plant water)."""
    with pytest.raises(ScenarioError, match="together 2800 m"):
        operated(tmp_path, "assets: {dam: {reservoir: {operation: {release: 3000 m^3/s}}}}\n")


@settings(max_examples=50, deadline=None)
@given(start_m3=st.floats(1e6, 1e10), inflow_m3s=st.floats(0, 5000),
       release_m3s=st.floats(0, 5000), rate_m3s=st.floats(0, 5000),
       from_s=st.floats(0, 1e6), duration_s=st.floats(0, 1e6), time_s=st.floats(0, 2e6))
def test_the_volume_keeps_its_limits_and_a_larger_drawdown_never_leaves_more(
        start_m3, inflow_m3s, release_m3s, rate_m3s, from_s, duration_s, time_s):
    """Whatever the operation, the volume stays between the dead storage and the full
    reservoir (or where it started, outside them), and releasing more never leaves more."""
    dead_m3, full_m3 = 5e5, 2e10
    drawn = OperationInputs(inflow_m3s, release_m3s, from_s, rate_m3s, duration_s)
    volume_m3 = volume_at(start_m3, schedule(drawn, dead_m3, full_m3), time_s)
    assert min(start_m3, dead_m3) <= volume_m3 <= max(start_m3, full_m3)
    more = OperationInputs(inflow_m3s, release_m3s, from_s, rate_m3s + 100.0, duration_s)
    assert volume_at(start_m3, schedule(more, dead_m3, full_m3), time_s) <= volume_m3 * (1 + 1e-12)
