"""Control changes both ways: counter-attacks and recapture, places held from the start
(``held_by``), and support that changes a force's effectiveness from a time on. Each
scenario is tests/data/engine_valley.yaml (every number fixed, see test_processes.py)
with an overlay, or tests/data/engine_recapture.yaml; times below are in hours."""

from __future__ import annotations

import math

import pytest

from simulator.engine import simulate, simulate_history
from simulator.engine.lanchester import resolve, strengths_at
from simulator.engine.timeline import describe
from simulator.scenario import ScenarioError

from .conftest import extending

H = 3600.0
ALPHA = 0.1 / H  # every force's effectiveness in the valley
BETA = 2 * ALPHA  # the valley's defenders: effectiveness times a defender advantage of 2


def valley_with(tmp_path, overlay: str, base: str = "engine_valley.yaml"):
    return extending(tmp_path, base, overlay)


def column_takes_the_dam():
    """(Ford's fall, the dam's capture, the column's strength then), as in
    test_processes.test_column_takes_ford_then_the_dam."""
    ford = resolve(400, 50, ALPHA, BETA, 0.2, 0.0)
    falls = 4 + ford.duration_s / H
    dam = resolve(ford.attackers_left, 100, ALPHA, BETA, 0.2, 0.0)
    return falls, falls + 3 + dam.duration_s / H, dam.attackers_left


def test_a_counter_attack_retakes_the_dam_and_stops_the_demolition(tmp_path, log):
    """A relief of 1000 reaches the captured dam 6 h after Ford falls and counter-attacks
    the column holding it: the relief assaults without a defender advantage, the column
    holds with its own (1) and withdraws below 0.2. The dam is retaken before the
    demolition (partial breach, capture + 6 h) fires, so it never does; the overtopping
    breach (capture + 10 h), structural, keeps running and breaches the dam anyway. The
    loss of operation (capture + 1 h) came before the recapture and keeps its 2 h."""
    scenario = valley_with(tmp_path, "forces: {relief: {strength: 1000}}\n")
    falls, captured, column = column_takes_the_dam()
    counter = resolve(1000, column, ALPHA, ALPHA, 0.0, 0.2)
    retaken = falls + 6 + counter.duration_s / H
    assert counter.winner == "attacker" and retaken < captured + 6  # before the demolition
    r = simulate(scenario, timeline=True)
    after = [(t, kind, actor, place) for t, kind, actor, place in log(r) if t >= captured]
    assert after[:9] == [
        (pytest.approx(captured), "defeat", "dam_garrison", "dam"),
        (pytest.approx(captured), "captured", "dam", "dam"),
        (pytest.approx(falls + 6), "arrive", "relief", "dam"),
        (pytest.approx(falls + 6), "engage", "relief", "dam"),
        (pytest.approx(captured + 1), "plant_out", "dam", "valley"),
        (pytest.approx(retaken), "defeat", "column", "dam"),
        (pytest.approx(retaken), "recaptured", "dam", "dam"),
        (pytest.approx(retaken), "garrison", "relief", "dam"),
        (pytest.approx(captured + 3), "plant_restored", "dam", "valley"),
    ]
    engage = next(e for e in r.timeline if e.kind == "engage" and e.actors == ("relief",))
    assert engage.side == "defender" and engage.opponents == ("column",)
    assert describe(engage) == (f"1000 defenders counter-attack {column:.0f} attackers holding "
                                "it (column)")
    retaken_event = next(e for e in r.timeline if e.kind == "recaptured")
    assert describe(retaken_event) == "dam is retaken by relief"
    assert [e.kind for e in r.timeline if e.kind in ("detect", "warning")] == \
        ["detect", "warning", "warning"]  # the warning chain runs on as before
    breaches = [(t, e.mode) for (t, kind, *_), e in zip(log(r), r.timeline, strict=True)
                if kind == "breach"]
    assert breaches == [(pytest.approx(captured + 10), "slow_breach")]
    o = r.outcomes
    assert o["dam_captured"] == 1 and o["dam_recaptured"] == 1
    assert o["time_to_recapture_h"] == pytest.approx(retaken)
    assert o["dam_time_held_h"] == pytest.approx(retaken - captured)
    assert o["breach_depth_fraction"] == 1.0  # the full (overtopping) breach, not the partial


def test_a_dam_retaken_after_it_breached_stays_breached(tmp_path, log):
    """The relief (1000) mobilises for 12 h: the demolition breaches the dam at
    capture + 6 h before the relief gets there; the relief then retakes the breached
    dam, and the dam's final state stays "breached"."""
    scenario = valley_with(tmp_path, "forces: {relief: {strength: 1000, mobilisation: 12 h}}\n")
    _, captured, _ = column_takes_the_dam()
    r = simulate(scenario, timeline=True)
    kinds = [(kind, t) for t, kind, _, place in log(r, {"breach", "recaptured"})]
    assert [k for k, _ in kinds] == ["breach", "recaptured"]
    assert kinds[0][1] == pytest.approx(captured + 6)
    assert simulate_history(scenario).dam_state == "breached"


def test_a_repulsed_counter_attack_has_still_arrived(tmp_path, log):
    """A relief of 50 reaches the captured dam 6 h after Ford falls and is repulsed by the
    column holding it: the reinforcements arrived on the scene (the outcome's meaning,
    simulator/analysis/catalogue.py), at falls + 6, though the dam stays captured."""
    scenario = valley_with(tmp_path, "forces: {relief: {strength: 50}}\n")
    falls, _, _ = column_takes_the_dam()
    r = simulate(scenario, timeline=True)
    fights = [row for row in log(r, {"engage", "repulse"}) if row[2] == "relief"]
    assert fights[0] == (pytest.approx(falls + 6), "engage", "relief", "dam")
    assert fights[1][1:] == ("repulse", "relief", "dam") and fights[1][0] > falls + 6
    o = r.outcomes
    assert o["reinforcements_arrived"] == 1 and o["dam_recaptured"] == 0
    assert o["reinforcements_arrival_h"] == pytest.approx(falls + 6)


def test_a_recapture_after_the_loss_of_operation_is_too_late_to_stop_it(tmp_path, log):
    """A weaker relief (700) takes longer to retake the dam; the capture-started loss of
    operation (capture + 1 h) has fired by then and keeps its 2 h restoration."""
    scenario = valley_with(tmp_path, "forces: {relief: {strength: 700}}\n")
    _, captured, column = column_takes_the_dam()
    r = simulate(scenario, timeline=True)
    assert r.outcomes["time_to_recapture_h"] > captured + 1
    assert log(r, {"plant_out"}) == [(pytest.approx(captured + 1), "plant_out", "dam", "valley")]
    assert log(r, {"plant_restored"}) == [(pytest.approx(captured + 3), "plant_restored", "dam",
                                           "valley")]


def test_a_deliberate_loss_of_operation_stopped_by_the_recapture(tmp_path, log):
    """With the loss of operation at capture + 8 h, the relief of 1000 retakes the dam
    first: the plant never goes off the grid (the breach, which would take it off for
    good, is removed)."""
    scenario = valley_with(tmp_path, """forces: {relief: {strength: 1000}}
assets: {dam: {failure_modes: {plant_lost: {delay: 8 h}, slow_breach: null}}}
""")
    r = simulate(scenario, timeline=True)
    assert r.outcomes["dam_recaptured"] == 1
    assert log(r, {"plant_out"}) == [] and r.outcomes["plant_outage_h"] == 0


def test_a_place_held_from_the_start_is_not_taken_again(tmp_path, log):
    """Ford held by the attackers from the start (its guard removed, the relief sent at a
    time instead of on Ford's fall): the column reaches it at 4 h and takes nothing, so
    Ford has no capture time column, no town counts as captured and the tie line, cut
    only by a capture during the run, stays in."""
    scenario = valley_with(tmp_path, """network: {nodes: {ford: {held_by: attacker}}}
forces: {ford_guard: null, relief: {trigger: {town_falls: null, time: 0 h}}}
""")
    r = simulate(scenario, timeline=True)
    column = [row for row in log(r, {"arrive", "capture", "engage"}) if row[2] == "column"]
    assert column[:3] == [(4, "arrive", "column", "ford"),
                          (pytest.approx(7), "arrive", "column", "dam"),
                          (pytest.approx(7), "engage", "column", "dam")]
    o = r.outcomes
    assert "capture_h.ford" not in o and "capture_h.capital" in o
    assert o["towns_captured"] == 0 and o["lines_cut"] == 0


RESCUE = """network: {{nodes: {{ford: {{held_by: attacker}}}}}}
forces:
  column: null
  ford_guard: null
  relief: null
  rescue: {{side: defender, strength: 300, start: border, {plan}, effectiveness: 0.1 /h}}
{extra}"""


def test_a_defender_passes_a_held_place_nobody_holds_at_the_cost_of_its_halt(tmp_path, log):
    """The rescue drives border -> Ford -> dam. Ford is the attackers' with nobody there:
    the rescue arrives at 3 h (2 h + 1 h delay), spends Ford's 1 h halt going round it,
    reaches the dam at 6 h and garrisons it; Ford stays the attackers'."""
    scenario = valley_with(tmp_path, RESCUE.format(plan="route: [border, ford, dam]", extra=""))
    r = simulate(scenario, timeline=True)
    mine = [row for row in log(r) if row[2] == "rescue"]
    assert mine == [(0, "depart", "rescue", "border"), (3, "arrive", "rescue", "ford"),
                    (4, "depart", "rescue", "ford"), (6, "arrive", "rescue", "dam"),
                    (6, "garrison", "rescue", "dam")]
    assert log(r, {"recaptured", "engage"}) == []


def test_a_defender_fights_the_holders_of_a_place_on_its_way(tmp_path, log):
    """Fifty attackers hold Ford (a force that stays where it starts): the rescue (300)
    counter-attacks them there at 3 h, retakes Ford when they are destroyed, then halts
    and drives on to the dam."""
    holders = "  ford_holders: {side: attacker, strength: 50, start: ford, effectiveness: 0.1 /h}\n"
    scenario = valley_with(tmp_path, RESCUE.format(plan="route: [border, ford, dam]",
                                                   extra=holders))
    fight = resolve(300, 50, ALPHA, ALPHA, 0.0, 0.0)
    won = 3 + fight.duration_s / H
    r = simulate(scenario, timeline=True)
    assert log(r, {"engage", "defeat", "recaptured", "depart", "garrison"}) == [
        (0, "garrison", "dam_garrison", "dam"),
        (0, "depart", "rescue", "border"),
        (3, "engage", "rescue", "ford"),
        (pytest.approx(won), "defeat", "ford_holders", "ford"),
        (pytest.approx(won), "recaptured", "rescue", "ford"),
        (pytest.approx(won + 1), "depart", "rescue", "ford"),
        (pytest.approx(won + 3), "garrison", "rescue", "dam"),
    ]
    assert r.outcomes["attacker_losses"] == pytest.approx(50)


def test_attackers_waiting_where_they_hold_defend_it(tmp_path, log):
    """The fifty attackers at Ford wait 6 h before they would set off (they have no road
    to drive): while they wait they hold Ford, so the rescue reaching it at 3 h fights
    them as if they had never waited, instead of passing unopposed."""
    holders = ("  ford_holders: {side: attacker, strength: 50, start: ford, departure: 6 h,"
               " effectiveness: 0.1 /h}\n")
    scenario = valley_with(tmp_path, RESCUE.format(plan="route: [border, ford, dam]",
                                                   extra=holders))
    won = 3 + resolve(300, 50, ALPHA, ALPHA, 0.0, 0.0).duration_s / H
    r = simulate(scenario, timeline=True)
    assert log(r, {"engage", "defeat", "recaptured"}) == [
        (3, "engage", "rescue", "ford"),
        (pytest.approx(won), "defeat", "ford_holders", "ford"),
        (pytest.approx(won), "recaptured", "rescue", "ford"),
    ]


def test_a_defender_retakes_its_destination_when_nobody_holds_it(tmp_path, log):
    """The rescue's objective is Ford, the attackers' with nobody there: it retakes it
    on arrival (3 h) and holds it."""
    scenario = valley_with(tmp_path, RESCUE.format(plan="objective: ford", extra=""))
    r = simulate(scenario, timeline=True)
    assert log(r, {"recaptured", "garrison"}) == [(0, "garrison", "dam_garrison", "dam"),
                                                  (3, "recaptured", "rescue", "ford"),
                                                  (3, "garrison", "rescue", "ford")]


def test_support_re_resolves_the_counter_attack_in_progress(load, log):
    """tests/data/engine_recapture.yaml: the relief (600) counter-attacks the column at
    the dam 6 h after Ford falls; at 12 h its air support triples its effectiveness, the
    strengths are brought forward to 12 h and the fight is resolved again from there.
    The border post is the attackers' from the start: no capture there."""
    scenario = load("engine_recapture.yaml")
    falls, captured, column = column_takes_the_dam()
    start = falls + 6
    assert captured < start < 12
    relief, holders = strengths_at(600, column, ALPHA, ALPHA, (12 - start) * H)
    unsupported = resolve(600, column, ALPHA, ALPHA, 0.0, 0.2)
    assert start + unsupported.duration_s / H > 12  # the support comes mid-fight
    supported = resolve(relief, holders, 3 * ALPHA, ALPHA, 0.0, 0.2)
    retaken = 12 + supported.duration_s / H
    r = simulate(scenario, timeline=True)
    assert log(r, {"support", "defeat", "recaptured"})[-3:] == [
        (12, "support", "relief", "dam"),
        (pytest.approx(retaken), "defeat", "column", "dam"),
        (pytest.approx(retaken), "recaptured", "dam", "dam"),
    ]
    support = next(e for e in r.timeline if e.kind == "support")
    assert support.factor == 3
    assert r.outcomes["time_to_recapture_h"] == pytest.approx(retaken)
    assert "capture_h.border" not in r.outcomes  # a border post, and held from the start
    assert not [e for e in r.timeline if e.kind == "capture" and e.place == "border"]


def test_support_is_drawn_on_its_own_stream(load):
    """Adding support to a force leaves every other input's draw as it was."""
    from simulator.engine import prepare

    base = prepare(load("engine_uncertain.yaml"), consequences=False).inputs
    supported = load("engine_uncertain.yaml").model_copy(deep=True)
    relief = supported.forces["relief"].model_copy(update={"support": _support()})
    supported = supported.model_copy(update={"forces": {**supported.forces, "relief": relief}})
    table = prepare(supported, consequences=False).inputs
    before, after = base.draw_by_path(5, 3), table.draw_by_path(5, 3)
    assert {p: v for p, v in after.items() if not p.startswith("support.")} == before
    assert 1 <= after["support.relief.effectiveness_factor"] <= 4


def _support():
    from simulator.scenario.schema import Support

    return Support.model_validate({"from": "10 h", "effectiveness_factor":
                                   {"dist": "uniform", "low": 1, "high": 4}})


@pytest.mark.parametrize(("overlay", "message"), [
    ("network: {nodes: {ford: {held_by: attacker}}}\nforces: {ford_guard: null}\n",
     "'ford' is held by the attackers from the start"),
    ("network: {nodes: {ford: {held_by: attacker}}}\n"
     "forces: {relief: {trigger: {town_falls: null, time: 1 h}}}\n",
     "a defender force cannot start at 'ford'"),
    ("network: {nodes: {dam: {held_by: attacker}}}\n", "the dam starts in the defenders' hands"),
    ("forces: {relief: {support: {from: 1 h}}}\n", "effectiveness_factor"),
])
def test_malformed_control_is_refused(tmp_path, overlay, message):
    with pytest.raises(ScenarioError, match=message):
        valley_with(tmp_path, overlay)


def test_nan_for_a_recapture_that_did_not_happen(valley):
    o = simulate(valley).outcomes
    assert o["dam_recaptured"] == 0 and math.isnan(o["time_to_recapture_h"])


def test_pinning_reads_the_counter_attack_and_the_support(tmp_path):
    """Exercise pinning on engine_recapture.yaml with the relief's effectiveness and its
    support uncertain. Just before the support starts, its start time is under way (its
    clock has run since the scenario's start) and its factor not begun (an option may
    still change it); the relief, counter-attacking, has its combat parameters under way.
    Once the dam is retaken, the support and the relief's combat parameters are pinned to
    the story's values."""
    from simulator.exercise.realised import realised_inputs

    scenario = valley_with(tmp_path, """forces:
  relief:
    effectiveness: {dist: uniform, low: 0.09 /h, high: 0.11 /h}
    support: {from: {dist: uniform, low: 11.5 h, high: 13 h},
              effectiveness_factor: {dist: uniform, low: 2, high: 4}}
""", base="engine_recapture.yaml")
    story = simulate(scenario, seed=1, replication=0, timeline=True)
    support = next(e for e in story.timeline if e.kind == "support")
    retaken = next(e for e in story.timeline if e.kind == "recaptured")
    assert support.time_s < retaken.time_s
    drawn = {k.removeprefix("input."): v for k, v in story.outcomes.items()
             if k.startswith("input.")}
    before = realised_inputs(scenario, story, None, support.time_s - 60)
    assert "support.relief.from_s" in before.under_way
    assert "support.relief.effectiveness_factor" not in before.begun
    assert "forces.relief.effectiveness_per_s" in before.under_way
    after = realised_inputs(scenario, story, None, retaken.time_s + 60)
    for path in ("support.relief.from_s", "support.relief.effectiveness_factor",
                 "forces.relief.effectiveness_per_s"):
        assert after.pinned[path] == drawn[path]
    assert support.factor == drawn["support.relief.effectiveness_factor"]


def test_a_fight_s_duration_runs_from_first_contact(load):
    """A fight re-resolved mid-way (here by the support) reports how long it lasted from
    first contact, not from the last re-resolution."""
    r = simulate(load("engine_recapture.yaml"), timeline=True)
    engage = next(e for e in r.timeline if e.kind == "engage" and e.actors == ("relief",))
    end = next(e for e in r.timeline if e.kind == "defeat" and e.place == "dam"
               and e.actors == ("column",))
    assert end.duration_s == pytest.approx(end.time_s - engage.time_s)
