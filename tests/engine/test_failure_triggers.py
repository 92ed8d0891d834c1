"""Failure modes whose clocks start on something other than the dam's capture: the
scenario's start (a structural failure, with or without forces), the dam's first threat,
a constant rate. Each scenario extends tests/data/engine_valley.yaml, whose numbers are
fixed (see test_processes.py), and removes what it does not need with ``null``."""

from __future__ import annotations

import pytest

from simulator.engine import simulate
from simulator.engine.timeline import describe
from simulator.scenario import ScenarioError

from .conftest import extending

H = 3600.0


def valley_with(tmp_path, overlay: str):
    return extending(tmp_path, "engine_valley.yaml", overlay)


NO_FORCES = "forces: {column: null, ford_guard: null, dam_garrison: null, relief: null}\n"


def test_a_structural_failure_breaches_a_dam_no_force_ever_nears(tmp_path, log):
    """No forces at all: the full breach starts its 10 h clock at the start, so the dam
    breaches at 10 h, uncaptured and unthreatened, and the flood follows."""
    scenario = valley_with(tmp_path, NO_FORCES + """assets:
  dam:
    failure_modes:
      slow_breach: {starts_on: start}
      quick_breach: null
      plant_lost: null
""")
    r = simulate(scenario, timeline=True)
    dam_events = [(t, kind) for t, kind, actor, *_ in log(r) if actor == "dam"]
    assert dam_events == [(pytest.approx(10), "breach")]
    assert {kind for _, kind, *_ in log(r)} <= {"breach", "detect", "warning", "flood_arrival"}
    o = r.outcomes
    assert o["breach_started"] == 1 and o["breach_time_h"] == pytest.approx(10)
    assert o["dam_captured"] == 0 and o["dam_threatened"] == 0
    assert o["fatalities"] >= 0 and o["peak_outflow_m3s"] > 0


def test_a_mode_started_by_the_threat_runs_from_the_first_threat(tmp_path, log):
    """The full breach's 10 h clock starts when the column first sets off for the dam;
    the garrison of 5000 makes sure the dam is never captured, so the demolition (which
    needs capture) never comes."""
    scenario = valley_with(tmp_path, """forces: {dam_garrison: {strength: 5000}}
assets:
  dam:
    failure_modes:
      slow_breach: {starts_on: threat}
      plant_lost: null
""")
    r = simulate(scenario, timeline=True)
    events = log(r)
    threatened = next(t for t, kind, *_ in events if kind == "threatened")
    breaches = [t for t, kind, *_ in events if kind == "breach"]
    assert breaches == [pytest.approx(threatened + 10)]
    assert r.outcomes["dam_captured"] == 0


def test_the_earliest_breach_wins_across_clocks_and_the_dam_breaches_once(tmp_path, log):
    """A structural breach at 2 h comes before any capture: it is *the* breach, and the
    capture-started demolition later finds the dam already breached."""
    scenario = valley_with(tmp_path, """assets:
  dam:
    failure_modes:
      slow_breach: {starts_on: start, delay: 2 h}
""")
    r = simulate(scenario, timeline=True)
    breaches = [(t, rest) for t, kind, *rest in log(r) if kind == "breach"]
    assert len(breaches) == 1 and breaches[0][0] == pytest.approx(2)
    assert r.outcomes["breach_depth_fraction"] == 1.0


def test_a_rate_is_an_exponential_delay_with_mean_one_over_the_rate(tmp_path):
    scenario = valley_with(tmp_path, """assets:
  dam:
    failure_modes:
      slow_breach: {starts_on: start, delay: null, rate: 0.5 /d}
""")
    delay = scenario.assets.dam.failure_modes["slow_breach"].delay_s
    assert delay.kind == "exponential"
    assert delay.params["mean"] == pytest.approx(2 * 86400)


@pytest.mark.parametrize(("overlay", "message"), [
    ("quick_breach: {starts_on: threat}", "a demolition needs an attacker in control"),
    ("slow_breach: {rate: 1 /d}", "exactly one of 'delay' or 'rate'"),
    ("slow_breach: {starts_on: launch}", "'capture', 'threat', 'start' or 'level'"),
])
def test_malformed_triggers_are_refused(tmp_path, overlay, message):
    with pytest.raises(ScenarioError, match=message):
        valley_with(tmp_path, f"assets:\n  dam:\n    failure_modes:\n      {overlay}\n")


RISING = NO_FORCES + """assets:
  dam:
    reservoir:
      operation: {inflow: 1000 m^3/s, release: 200 m^3/s, drawdown: null}
    failure_modes:
      slow_breach: {starts_on: level, level: 27 m}
      quick_breach: null
      plant_lost: null
"""


def operated_with(tmp_path, overlay: str):
    return extending(tmp_path, "reservoir_operation.yaml", overlay)


def test_a_mode_started_by_the_reservoir_level_runs_from_when_the_water_gets_there(
        tmp_path, log):
    """The reservoir fills at a net 800 m^3/s from 0.2 km^3 (25 m on its storage curve);
    27 m holds 0.25 km^3, so the water gets there after 0.05e9 / 800 s = 17.36 h, and the
    overtopping breach's 10 h clock runs from then: breach at 27.36 h, no force in sight."""
    r = simulate(operated_with(tmp_path, RISING), timeline=True)
    reached_h = 0.05e9 / 800 / H
    dam_events = [(t, kind) for t, kind, actor, *_ in log(r) if actor == "dam"]
    assert dam_events == [(pytest.approx(reached_h), "level_reached"),
                          (pytest.approx(reached_h + 10), "breach")]


def test_the_water_reaching_a_level_shows_though_the_mode_does_not_happen(tmp_path, log):
    """The same rise with the overtopping mode's probability 0: the water still reaches
    27 m at 17.36 h and the timeline says so, in words that do not tell whether the mode
    will happen, but no clock runs and the dam never breaches."""
    never = RISING.replace("{starts_on: level, level: 27 m}",
                           "{starts_on: level, level: 27 m, probability: 0}")
    r = simulate(operated_with(tmp_path, never), timeline=True)
    dam_events = [(t, kind) for t, kind, actor, *_ in log(r) if actor == "dam"]
    assert dam_events == [(pytest.approx(0.05e9 / 800 / H), "level_reached")]
    assert r.outcomes["breach_started"] == 0
    reached = next(e for e in r.timeline if e.kind == "level_reached")
    assert describe(reached) == ("the reservoir reaches 27.0 m (the level at which "
                                 "slow_breach may start)")


def test_a_level_the_water_never_reaches_starts_no_clock(tmp_path, log):
    """With the release above the inflow the reservoir falls, so 27 m never comes."""
    falling = RISING.replace("inflow: 1000 m^3/s, release: 200 m^3/s",
                             "inflow: 200 m^3/s, release: 600 m^3/s")
    r = simulate(operated_with(tmp_path, falling), timeline=True)
    assert not [kind for _, kind, actor, *_ in log(r) if actor == "dam"]
    assert r.outcomes["breach_started"] == 0


@pytest.mark.parametrize(("overlay", "message"), [
    ("slow_breach: {starts_on: level}", "starts_on: level needs a 'level'"),
    ("slow_breach: {level: 27 m}", "'level' goes with starts_on: level"),
    ("slow_breach: {starts_on: level, level: 40 m}", "above the storage curve's top"),
])
def test_malformed_level_triggers_are_refused(tmp_path, overlay, message):
    with pytest.raises(ScenarioError, match=message):
        operated_with(tmp_path, f"assets:\n  dam:\n    failure_modes:\n      {overlay}\n")


def test_a_level_trigger_needs_a_storage_curve(tmp_path):
    with pytest.raises(ScenarioError, match="needs the reservoir's storage_curve"):
        valley_with(tmp_path, "assets:\n  dam:\n    failure_modes:\n"
                              "      slow_breach: {starts_on: level, level: 27 m}\n")
