"""The story of an exercise: deterministic, and nothing before a decision changes with the
choice; options that would rewrite the past are refused with the reason; forecast
branches reproduce the story's past exactly and share random numbers across options."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest

from simulator.engine import simulate
from simulator.exercise.forecast import forecast_seed
from simulator.exercise.realised import first_difference, past, same_past
from simulator.exercise.session import Session

# A decision at 6 h of the classroom story (seed 42, replication 0): Upland fell at 3:29,
# which dispatched the reinforcement, and the column has been fighting the dam's
# garrison since 4:54 (the reinforcement joins at 9:31 and the attack is repulsed).
LATE = """
injects:
  upland_falls:
    trigger: {town_falls: upland}
    from: police
    to: players
    message: Upland has fallen.
decisions:
  late:
    time: 6 h
    question: What now?
    options:
      keep: {description: nothing changes}
      send_at_start:
        overrides: {forces: {reinforcement: {trigger: {time: 1 h}}}}
      send_now:
        overrides: {forces: {reinforcement: {trigger: {time: now}}}}
      sharper_garrison:
        overrides: {forces: {garrison: {effectiveness: 0.2 /h}}}
      draw_down:
        overrides: {assets: {dam: {reservoir: {volume: 0.1 km^3}}}}
"""


def _play(paths, recorder):
    def play(name, choices=None, pick="first", replication=0, forecasts=0):
        session = Session(paths[name], replication=replication,
                          forecast_replications=forecasts)
        facilitator = recorder(choices, pick)
        session.play(facilitator)
        return session, facilitator.log

    return play


@pytest.fixture
def play(paths, recorder):
    return _play(paths, recorder)


def test_same_seed_and_choices_give_the_same_story_and_forecasts(play):
    first, log_a = play("haditha", replication=20, forecasts=10, pick="last")
    second, log_b = play("haditha", replication=20, forecasts=10, pick="last")
    assert log_a == log_b
    assert first.story.timeline == second.story.timeline
    assert first.taken == second.taken
    for a, b in zip(first.steps, second.steps, strict=True):
        assert (a.id, a.time_s, a.chosen, a.note) == (b.id, b.time_s, b.chosen, b.note)
        if a.forecast is not None:
            assert a.forecast.branches == b.forecast.branches
            for option, result in a.forecast.options.items():
                other = b.forecast.options[option]
                for name, values in result.values.items():
                    np.testing.assert_array_equal(values, other.values[name])
    # a decision's forecast seed is the same in any process, whatever its string hashing
    seed_here = forecast_seed(5, 2, "reserve")
    code = "from simulator.exercise.forecast import forecast_seed as f; print(f(5, 2, 'reserve'))"
    for hash_seed in ("1", "2"):
        elsewhere = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                   check=True, env={**os.environ, "PYTHONHASHSEED": hash_seed})
        assert int(elsewhere.stdout) == seed_here
    assert forecast_seed(5, 2, "reserve") != forecast_seed(5, 2, "warn")
    assert forecast_seed(5, 2, "reserve") != forecast_seed(5, 3, "reserve")


@pytest.mark.parametrize("path,replication,pick", [
    ("haditha", 20, "first"), ("haditha", 5, "last"), ("haditha", 2, "first"),
    # story 21: Rawa falls at a time with no more than 15 significant digits, so "now"
    # must be written strictly after it, or the reserve's dispatch (scheduled at the
    # start) would run at the same instant before the column's arrival at Rawa
    ("haditha", 21, "last"), ("classroom", 0, "last"), ("classroom", 3, "first"),
])
def test_nothing_before_a_decision_changes_with_the_choice(play, path, replication, pick):
    """For every decision of the story, every allowed option's story has exactly the
    story's events before the decision time (and all the events the group had seen)."""
    session, _ = play(path, replication=replication, pick=pick)
    decisions = [s for s in session.steps if s.kind == "decision" and s.time_s is not None]
    assert decisions
    for step in decisions:
        stories = [o.story for o in step.options.values() if o.allowed]
        assert len(stories) == len(step.options)  # the bundled options are all allowed
        reference = past(stories[0].timeline, step.time_s)
        for story in stories:
            assert past(story.timeline, step.time_s) == reference
            assert story.timeline[:step.seen] == session.story.timeline[:step.seen]
    # the final story still begins with everything seen at each step
    for step in session.steps:
        assert tuple(session.story.timeline[:step.seen]) == tuple(session.seen[:step.seen])


def test_triggered_steps_happen_when_the_town_falls(play):
    session, log = play("haditha", replication=20)
    times = {s.id: s.time_s for s in session.steps}
    rawa = session.story.outcomes["capture_h.rawa"] * 3600
    assert times["rawa_falls"] == times["reserve"] == pytest.approx(rawa)
    assert times["mortar_fire"] == times["warn"] == 24 * 3600
    # injects come before decisions at the same moment, everything in time order
    assert log[:4] == [("inject", "briefing"), ("inject", "rawa_falls"),
                       ("decision", "reserve"), ("inject", "anah_falls")]
    played = [s.time_s for s in session.steps if s.time_s is not None]
    assert played == sorted(played)


def test_unreached_steps_are_skipped_with_a_note(play):
    session, log = play("classroom")  # the dam holds in this story
    skipped = {s.id: s.note for s in session.steps if s.time_s is None}
    assert skipped == {"dam_falls": "dam does not fall in this story",
                       "warn": "dam does not fall in this story"}
    assert ("skipped", "warn") in log


def test_options_that_would_change_the_past_are_refused(classroom_with):
    session = Session(classroom_with(LATE), forecast_replications=0)
    session.advance()  # upland falls
    step = session.advance()
    assert step.id == "late" and step.time_s == 6 * 3600
    options = session.options_at(step)
    assert options["keep"].allowed and options["draw_down"].allowed
    assert "sets the trigger of reinforcement to +0 01:00, before the decision at +0 06:00" \
        in options["send_at_start"].refusal
    refusal = options["send_now"].refusal
    assert "would change what has already happened" in refusal
    assert "dispatch reinforcement at capital: dispatched: upland has fallen" in refusal
    refusal = options["sharper_garrison"].refusal
    assert refusal.startswith("it changes forces.garrison.effectiveness_per_s, already in "
                              "effect since +0 04:54 (garrison is fighting at dam)")
    with pytest.raises(ValueError, match="is refused"):
        session.choose(step, "send_now")
    session.choose(step, "draw_down")
    assert session.scenario.assets.dam.reservoir.volume_m3.mean == pytest.approx(1e8)


def test_forecast_branches_reproduce_the_seen_past(classroom_with):
    """Mid-engagement: the combat parameters are under way (drawn afresh), and every
    branch kept, for every option, has exactly the story's past."""
    session = Session(classroom_with(LATE), forecast_replications=40)
    session.advance()
    step = session.advance()
    session.options_at(step)
    forecast = session.forecast(step)
    realised = forecast.realised
    assert "forces.column.strength" in realised.pinned
    assert "network.roads.pass_upland.speed_mps" in realised.pinned
    assert "network.nodes.upland.halt_s" in realised.pinned
    assert "grid.repair_time_s" in realised.pinned  # the line cut's event shows it
    assert {"forces.column.effectiveness_per_s", "forces.garrison.defender_advantage",
            "forces.reinforcement.mobilisation_s"} <= set(realised.under_way)
    # the activities under way are drawn afresh: enough fresh draws fit the story
    assert forecast.conditioning == "rejection" and forecast.rejected is None
    assert not set(realised.under_way) & set(forecast.pinned)
    assert forecast.count == 40
    assert set(forecast.options) == {"keep", "draw_down"}
    for option in ("keep", "draw_down"):
        scenario = step.options[option].scenario
        for branch in forecast.branches:
            run = simulate(scenario, forecast.seed, branch, timeline=True, consequences=False,
                           pinned=forecast.pinned)
            assert same_past(session.seen, run.timeline, step.time_s), \
                first_difference(session.seen, run.timeline, step.time_s)
    # common random numbers: the options differ only through the reservoir volume, so the
    # dam is captured in exactly the same branches
    keep, drawn = forecast.options["keep"], forecast.options["draw_down"]
    np.testing.assert_array_equal(keep.values["dam_captured"], drawn.values["dam_captured"])
    assert keep.fatalities_vs_reference is None
    assert drawn.fatalities_vs_reference is not None
    assert drawn.fatalities.mean <= keep.fatalities.mean


def test_under_way_inputs_are_drawn_afresh_and_conditioned(play):
    """At 24 h of Haditha story 20 the column has been halted at Anah since 12:43: the
    halt is drawn afresh in every branch, branches whose column would already have left
    are rejected, and every branch kept, for every option, reproduces the story so far."""
    session, _ = play("haditha", replication=20, forecasts=30)
    step = next(s for s in session.steps if s.id == "warn")
    forecast = step.forecast
    assert forecast.conditioning == "rejection"
    assert "network.nodes.anah.halt_s" in forecast.realised.under_way
    assert "network.nodes.anah.halt_s" not in forecast.pinned
    assert forecast.count == 30 and forecast.attempts > 30
    seen = session.seen[:step.seen]
    halts = set()
    for option in step.options.values():
        for branch in forecast.branches:
            run = simulate(option.scenario, forecast.seed, branch, timeline=True,
                           consequences=False, pinned=forecast.pinned)
            assert same_past(seen, run.timeline, step.time_s)
            halts.add(run.outcomes["input.network.nodes.anah.halt_s"])
    assert len(halts) == 30  # a fresh halt in every branch, shared by both options
    rejected = sorted(set(range(forecast.attempts)) - set(forecast.branches))
    run = simulate(step.options["wait_for_breach"].scenario, forecast.seed, rejected[0],
                   timeline=True, consequences=False, pinned=forecast.pinned)
    assert not same_past(seen, run.timeline, step.time_s)
    assert first_difference(seen, run.timeline, step.time_s) is not None


def test_forecast_matches_probabilities_at_the_start(paths):
    """At time 0 nothing is realised: the forecast of the plan option is a plain Monte
    Carlo estimate of the scenario, close to a run of the scenario itself."""
    session = Session(paths["classroom"], forecast_replications=150)
    step = session.advance()  # column_sighted at 0 h
    step = session.advance()  # reinforce at 0 h
    session.options_at(step)
    forecast = session.forecast(step)
    assert forecast.attempts == forecast.count == 150 and not forecast.realised.pinned
    plan = forecast.options["wait_for_upland"].p_captured.mean
    direct = np.mean([simulate(session.base, 1, k, consequences=False)
                      .outcomes["dam_captured"] for k in range(150)])
    assert abs(plan - direct) < 0.15
    assert not math.isnan(forecast.options["send_now"].fatalities.mean)


def test_forecast_after_the_flood_keeps_the_story_flood(paths):
    """Classroom story 1 (seed 42) breaches at 14.8 h and the flood reaches Millbrook at
    15.8 h and Riverton at 17.8 h. At 18 h the group has seen both arrivals: the breach's
    width factor is pinned with the breach, so branches are accepted and every branch
    floods the towns exactly when the story did."""
    from simulator.engine import EventKind, prepare
    from simulator.exercise.forecast import branch_forecast
    from simulator.scenario import load_scenario

    scenario = load_scenario(paths["classroom"])
    story = simulate(scenario, 42, 1, timeline=True)
    time_s = 18 * 3600.0
    seen = past(story.timeline, time_s)
    arrivals = [e for e in seen if e.kind is EventKind.FLOOD_ARRIVAL]
    assert [e.place for e in arrivals] == ["millbrook", "riverton"]
    forecast = branch_forecast(scenario, story, time_s, {"keep": scenario}, 20, "flood",
                               seen=seen)
    assert "assets.dam.failure_modes.breach.width_factor" in forecast.realised.pinned
    assert forecast.count == 20
    prepared = prepare(scenario)
    for branch in forecast.branches:
        run = simulate(prepared, forecast.seed, branch, timeline=True, pinned=forecast.pinned)
        assert [e for e in run.timeline if e.time_s < time_s
                and e.kind is EventKind.FLOOD_ARRIVAL] == arrivals
