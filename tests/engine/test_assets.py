"""The assets beside the dam (``assets.others``) on tests/data/engine_assets.yaml: the
engine valley (every number fixed, see test_processes.py) with a bridge at Ford on the
direct road to the dam, Ford's power station and the dam's switchyard. Times are in
hours; the column reaches Ford at 4 h and Ford falls at ``falls``."""

from __future__ import annotations

import pytest

from simulator.analysis.catalogue import catalogue_entry
from simulator.engine import prepare, simulate, simulate_history
from simulator.engine.assets import ASSET_KINDS
from simulator.engine.inputs import InputTable
from simulator.engine.lanchester import resolve
from simulator.scenario.schema import ASSET_FIELDS, Asset

from .conftest import extending

H = 3600.0
ALPHA = 0.1 / H  # every force's effectiveness in the valley
BETA = 2 * ALPHA  # defenders: times a defender advantage of 2
FORD = resolve(400, 50, ALPHA, BETA, 0.2, 0.0)  # the column against Ford's guard
FALLS = 4 + FORD.duration_s / H


def assets_with(tmp_path, overlay: str = ""):
    return extending(tmp_path, "engine_assets.yaml", overlay)


def about(events):
    return [(pytest.approx(t, abs=1e-9), *rest) for t, *rest in events]


def test_the_bridge_blown_as_the_column_reaches_ford_sends_it_round(tmp_path, log):
    """The column reaches Ford at 4 h and the bridge on the direct road goes at once.
    After taking Ford and halting 1 h the column finds its next road closed, plans again
    from Ford and goes round by the junction (3 h + 3 h instead of 2 h): it reaches the
    dam at falls + 7, after the relief (falls + 6), so the dam holds."""
    r = simulate(assets_with(tmp_path), timeline=True)
    column = [e for e in log(r) if e[2] in ("column", "ford_bridge")]
    assert column[:9] == about([
        (1, "depart", "column", "border"),
        (4, "arrive", "column", "ford"),
        (4, "bridge_destroyed", "ford_bridge", "ford"),
        (4, "engage", "column", "ford"),
        (FALLS, "capture", "column", "ford"),
        (FALLS + 1, "reroute", "column", "ford"),
        (FALLS + 1, "depart", "column", "ford"),
        (FALLS + 4, "arrive", "column", "junction"),
        (FALLS + 4, "depart", "column", "junction"),
    ])
    assert (pytest.approx(FALLS + 7), "arrive", "column", "dam") in column
    reroute = next(e for e in r.timeline if e.kind == "reroute")
    assert (reroute.road, reroute.destination) == ("ford_dam", "dam")
    o = r.outcomes
    assert o["asset_lost.ford_bridge"] == 1 and o["asset_lost_h.ford_bridge"] == 4
    assert o["dam_captured"] == 0 and o["dam_held"] == 1


def test_a_bridge_blown_as_an_unopposed_column_reaches_it_is_not_crossed(tmp_path, log):
    """Ford unguarded and without a halt: the column takes it as it arrives (4 h) and the
    bridge goes at that instant (no delay), so the column does not drive on over it but
    goes round by the junction at once (3 h + 3 h instead of 2 h)."""
    r = simulate(assets_with(tmp_path, """network: {nodes: {ford: {halt: 0 h}}}
forces: {ford_guard: null}
"""), timeline=True)
    column = [e for e in log(r) if e[2] in ("column", "ford_bridge")]
    assert column[:7] == about([
        (1, "depart", "column", "border"),
        (4, "arrive", "column", "ford"),
        (4, "bridge_destroyed", "ford_bridge", "ford"),
        (4, "capture", "column", "ford"),
        (4, "reroute", "column", "ford"),
        (4, "depart", "column", "ford"),
        (7, "arrive", "column", "junction"),
    ])
    assert (pytest.approx(10), "arrive", "column", "dam") in column


def test_with_every_road_on_closed_the_column_stays_where_it_is(tmp_path, log):
    """A second bridge at Ford, on the road to the junction, goes too: from Ford no open
    road leads to the dam, so the column stays in Ford and the dam is never threatened."""
    scenario = assets_with(tmp_path, """assets:
  others:
    junction_bridge: {kind: bridge, node: ford, road: ford_junction}
""")
    r = simulate(scenario, timeline=True)
    column = [e for e in log(r) if e[2] == "column"]
    assert column[-2:] == about([(FALLS, "capture", "column", "ford"),
                                 (FALLS + 1, "stranded", "column", "ford")])
    assert r.outcomes["dam_threatened"] == 0


def test_the_power_station_lost_after_fords_fall_takes_its_turbines_off(tmp_path, log):
    """One hour after Ford falls its 60 MW go off the grid for 12 h. The tie to the dam's
    plant is cut from the fall for a day, so the city's 200 MW have only the 150 MW
    thermal plant: 50 MW unserved for 12 h, 600 MWh."""
    scenario = assets_with(tmp_path)
    r = simulate(scenario, timeline=True)
    assert [e for e in log(r) if e[2] == "ford_plant"] == about([
        (FALLS + 1, "generators_out", "ford_plant", "ford"),
        (FALLS + 13, "generators_restored", "ford_plant", "ford")])
    out = next(e for e in r.timeline if e.kind == "generators_out")
    assert (out.count, out.capacity_mw, out.duration_s) == (1, 60.0, 12 * H)
    history = simulate_history(prepare(scenario), scenario.scenario.seed, 0)
    ((generator, asset, start_s, end_s),) = history.generator_outages
    assert (generator, asset) == ("ford_gt", "ford_plant")
    assert (start_s / H, end_s / H) == (pytest.approx(FALLS + 1), pytest.approx(FALLS + 13))
    assert r.outcomes["added_unserved_energy_mwh"] == pytest.approx(50 * 12, rel=1e-6)
    assert r.outcomes["asset_lost_h.ford_plant"] == pytest.approx(FALLS + 1)


def test_the_switchyard_lost_with_the_dam_cuts_the_feeder_for_the_repair_time(tmp_path,
                                                                             log):
    """Without the bridge the column takes the dam (as in the plain valley): the
    switchyard goes with it and the feeder is cut for the grid's repair time (1 d)."""
    r = simulate(assets_with(tmp_path, "assets: {others: {ford_bridge: null}}\n"),
                 timeline=True)
    captured = next(t for t, kind, *_ in log(r) if kind == "captured")
    yard = [e for e in log(r) if e[2] in ("dam_switchyard", "feeder")]
    assert yard == about([(captured, "substation_lost", "dam_switchyard", "dam"),
                          (captured, "line_cut", "feeder", "dam"),
                          (captured + 24, "line_repaired", "feeder", "dam")])
    assert r.outcomes["asset_lost.dam_switchyard"] == 1
    assert r.outcomes["lines_cut"] == 2  # the tie (Ford's fall) and the feeder


def test_a_strike_at_a_time_needs_no_force(tmp_path, log):
    """With no forces at all, a strike two hours after the start takes the power station
    off; a bridge waiting for an attacker that never comes stands."""
    r = simulate(assets_with(tmp_path, """forces: {column: null, ford_guard: null,
                 dam_garrison: null, relief: null}
assets:
  others:
    ford_plant: {starts_on: start, delay: 2 h}
"""), timeline=True)
    assert log(r) == about([(2, "generators_out", "ford_plant", "ford"),
                            (14, "generators_restored", "ford_plant", "ford")])
    assert r.outcomes["asset_lost.ford_bridge"] == 0


def test_a_loss_that_does_not_happen_leaves_the_asset(tmp_path, log):
    """Probability 0: the switchyard's clock starts with the dam's capture but it is not
    lost, so no line but the tie is cut."""
    r = simulate(assets_with(tmp_path, """assets:
  others: {ford_bridge: null, dam_switchyard: {probability: 0}}
"""), timeline=True)
    assert not [e for e in log(r) if e[2] == "dam_switchyard"]
    assert r.outcomes["asset_lost.dam_switchyard"] == 0
    assert r.outcomes["lines_cut"] == 1


def test_each_asset_kind_of_the_language_has_its_effect_in_the_engine():
    assert set(ASSET_KINDS) == set(ASSET_FIELDS)


def test_every_outcome_and_input_has_a_catalogue_entry(tmp_path):
    scenario = assets_with(tmp_path, """assets:
  others: {ford_plant: {restoration: {dist: uniform, low: 6 h, high: 18 h},
                        probability: 0.5}}
""")
    r = simulate(scenario)
    missing = [c for c in r.outcomes if catalogue_entry(c, scenario) is None]
    assert missing == []
    assert catalogue_entry("asset_lost.ford_plant", scenario).label == \
        "P(Ford power station lost)"


def test_an_asset_draws_on_its_own_stream_and_leaves_the_others_draws(load):
    """Adding an uncertain asset to a scenario leaves every draw it had as it was."""
    plain = load("engine_uncertain.yaml")
    sub = Asset.model_validate({"kind": "substation", "node": plain.assets.dam.node,
                                "lines": list(plain.grid.lines)[:1], "probability": 0.5,
                                "delay": {"dist": "uniform", "low": "1 h", "high": "3 h"}})
    assets = plain.assets.model_copy(update={"others": {"sub": sub}})
    with_asset = plain.model_copy(update={"assets": assets})
    before = InputTable(plain).draw_by_path(5, 17)
    after = InputTable(with_asset).draw_by_path(5, 17)
    assert {p: after[p] for p in before} == before
    assert {"assets.others.sub.occurs", "assets.others.sub.delay_s"} <= after.keys()


MILITIA = """forces:
  militia: {side: defender, strength: 100, start: junction, objective: ford,
            trigger: {town_falls: ford}, mobilisation: 2 h, effectiveness: 0.1 /h}
assets:
  others:
    ford_bridge: null
    ford_substation: {kind: substation, node: ford, lines: [feeder], delay: %s}
"""


@pytest.mark.parametrize(("delay_h", "lost"), [(4, True), (8, False)])
def test_a_recapture_before_the_clock_runs_out_saves_the_asset(tmp_path, log, delay_h,
                                                               lost):
    """A substation at Ford is lost some hours after Ford falls. The column drives on to
    the dam at falls + 1, leaving Ford to nobody; a militia sent from the junction when
    Ford falls (2 h mobilisation, 3 h road) retakes it unopposed at falls + 5. Lost after
    4 h, the substation goes while the attackers hold Ford; after 8 h it is saved."""
    r = simulate(assets_with(tmp_path, MILITIA % f"{delay_h} h"), timeline=True)
    events = log(r)
    assert (pytest.approx(FALLS + 5), "recaptured", "militia", "ford") in events
    losses = [e for e in events if e[2] == "ford_substation"]
    assert losses == (about([(FALLS + delay_h, "substation_lost", "ford_substation", "ford")])
                      if lost else [])
    assert r.outcomes["asset_lost.ford_substation"] == float(lost)


def test_each_capture_starts_the_assets_clock_again(tmp_path, log):
    """Ford falls, the militia retakes it at falls + 5 and a second wave (400, leaving
    the border at 8 h) takes it again. The substation's 8 h clock started by the first
    capture dies with the recapture; the second capture starts it again, and the
    substation is lost 8 h after it, on the second holders' clock."""
    second = ("  second_wave: {side: attacker, strength: 400, start: border, objective: ford,"
              " departure: 8 h, effectiveness: 0.1 /h}\n")
    r = simulate(assets_with(tmp_path, MILITIA.replace("assets:", second + "assets:")
                             % "8 h"), timeline=True)
    events = log(r)
    captures = [t for t, kind, _, place in events if kind == "capture" and place == "ford"]
    assert len(captures) == 2 and captures[0] == pytest.approx(FALLS)
    assert (pytest.approx(FALLS + 5), "recaptured", "militia", "ford") in events
    assert captures[1] > FALLS + 5
    losses = [e for e in events if e[2] == "ford_substation"]
    assert losses == about([(captures[1] + 8, "substation_lost", "ford_substation", "ford")])


def test_an_explicit_route_through_a_closed_road_is_planned_again_from_where_it_stands(
        tmp_path, log):
    """The column's route names the direct road by its nodes (border, ford, dam); with the
    bridge gone it too goes round by the junction, from Ford."""
    r = simulate(assets_with(tmp_path, """forces:
  column: {objective: null, route: [border, ford, dam]}
"""), timeline=True)
    departs = [(t, place) for t, kind, actor, place in log(r)
               if actor == "column" and kind in ("reroute", "depart")]
    assert departs == about([(1, "border"), (FALLS + 1, "ford"), (FALLS + 1, "ford"),
                             (FALLS + 4, "junction")])


def test_an_exercise_pins_an_assets_loss_and_its_restoration_once_seen(tmp_path):
    """At a decision the story's past fixes what it showed: Ford's power station lost
    (occurrence and delay pinned) and its restoration, which the loss's event shows
    (``duration_s``): fresh branches reproduce the story's past, none is rejected for an
    outage of another length."""
    from simulator.exercise.forecast import accepted_branches
    from simulator.exercise.realised import past, realised_inputs

    scenario = assets_with(tmp_path, """assets:
  others:
    ford_plant: {probability: 0.9, delay: {dist: uniform, low: 30 min, high: 90 min},
                 restoration: {dist: uniform, low: 10 h, high: 14 h}}
""")
    story = simulate(scenario, timeline=True)
    out = next(e for e in story.timeline if e.kind == "generators_out")
    back = next(e for e in story.timeline if e.kind == "generators_restored")
    prefix = "assets.others.ford_plant."
    before = realised_inputs(scenario, story, None, FALLS)
    assert not any(p.startswith(prefix) for p in before.begun)
    during = realised_inputs(scenario, story, None, out.time_s + 1)
    assert {prefix + "occurs", prefix + "delay_s", prefix + "restoration_s"} <= \
        during.pinned.keys()
    assert not any(p.startswith(prefix) for p in during.under_way)
    time_s = out.time_s + 1
    branches, attempts = accepted_branches(prepare(scenario, consequences=False),
                                           past(story.timeline, time_s), time_s,
                                           during.pinned, 7, 10, 40)
    assert len(branches) == 10 and attempts < 40
    after = realised_inputs(scenario, story, None, back.time_s + 1)
    assert prefix + "restoration_s" in after.pinned
