"""The warning process (engine/warning.py): what sets it off and when each town hears it.

In the valley (tests/data/engine_valley.yaml) the column sets off for the dam, captures it,
and the dam breaches 6 h later; the warning is decided 30 min after what sets it off and
reaches both towns 1 h after that. ``warning.starts_on`` moves the start from the breach
to the capture or to the threat, and nothing else."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine import EventKind, prepare, simulate, simulate_history
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"

KINDS = {EventKind.THREATENED: "threat", EventKind.CAPTURED: "capture",
         EventKind.BREACH: "breach"}


def warned_on(scenario, starts_on):
    """`scenario` with its warning set off by `starts_on`."""
    return scenario.model_copy(update={"warning": scenario.warning.model_copy(
        update={"starts_on": starts_on})})


@pytest.mark.parametrize("starts_on", ["breach", "capture", "threat"])
def test_the_warning_follows_what_sets_it_off(valley, log, starts_on):
    """The decision to warn comes 30 min after the chosen dam event and each town hears
    it 1 h later, once; the breach itself is where it was."""
    scenario = warned_on(valley, starts_on)
    run = simulate(scenario, timeline=True, consequences=False)
    dam_events = {KINDS[e.kind]: e.time_s / 3600 for e in run.timeline if e.kind in KINDS}
    start_h = dam_events[starts_on]
    assert log(run, {EventKind.DETECT, EventKind.WARNING}) == [
        (pytest.approx(start_h + 0.5), EventKind.DETECT, "warning", "dam"),
        (pytest.approx(start_h + 1.5), EventKind.WARNING, "warning", "near"),
        (pytest.approx(start_h + 1.5), EventKind.WARNING, "warning", "far"),
    ]
    detect = next(e for e in run.timeline if e.kind is EventKind.DETECT)
    assert detect.warned_on == starts_on
    history = simulate_history(scenario)
    assert history.breach_s / 3600 == pytest.approx(dam_events["breach"])
    assert history.warning_received_s == {"near": pytest.approx((start_h + 1.5) * 3600),
                                          "far": pytest.approx((start_h + 1.5) * 3600)}


def test_a_warning_before_the_breach_says_so(valley):
    """A warning heard before any breach has no time since the breach; one heard after
    it has (the timeline renders each)."""
    early = simulate(warned_on(valley, "threat"), timeline=True, consequences=False)
    late = simulate(valley, timeline=True, consequences=False)
    assert all(e.after_breach_s is None for e in early.timeline if e.kind is EventKind.WARNING)
    assert all(e.after_breach_s == pytest.approx(5400)
               for e in late.timeline if e.kind is EventKind.WARNING)


ORDER = ("threat", "capture", "breach")
SCENARIOS = {"uncertain": DATA / "engine_uncertain.yaml",
             "haditha_2014": ROOT / "scenarios" / "haditha_2014.yaml"}


@pytest.fixture(scope="module")
def warned_scenarios():
    """Each scenario of SCENARIOS prepared once for each value of starts_on."""
    return {(name, on): prepare(warned_on(load_scenario(path), on))
            for name, path in SCENARIOS.items() for on in ORDER}


@pytest.mark.parametrize("name", SCENARIOS)
@settings(max_examples=10, deadline=None)
@given(replication=st.integers(0, 10_000))
def test_an_earlier_warning_never_costs_lives(warned_scenarios, name, replication):
    """With the same draws, warning on threat, on capture or on breach warns each town no
    later, so its lead time is no shorter and no more people die (Graham's rates fall
    with warning time); the flood and the people at risk are the same."""
    outcomes = [simulate(warned_scenarios[name, on], replication=replication).outcomes
                for on in ORDER]
    towns = warned_scenarios[name, "breach"].scenario.river.towns
    for earlier, later in zip(outcomes, outcomes[1:], strict=False):
        assert earlier["fatalities"] <= later["fatalities"] + 1e-9
        assert earlier["people_exposed"] == later["people_exposed"]
        for town in towns:
            assert earlier[f"depth_m.{town}"] == later[f"depth_m.{town}"]
            lead, shorter = earlier[f"warning_lead_h.{town}"], later[f"warning_lead_h.{town}"]
            assert lead >= shorter or (math.isnan(lead) and math.isnan(shorter))
