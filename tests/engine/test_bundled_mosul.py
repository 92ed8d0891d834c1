"""The bundled Mosul Dam case, scenarios/mosul_2014.yaml, in the engine.

Every variant runs a few replications (slow tests: the grid's baseline takes about half a
second to prepare per variant). Mosul and Wana are held by ISIL from the start, so the
column takes no town on its way and only the dam can fall. The validation variant
``jrc_case`` makes a breach certain one hour after the capture (the JRC's main case):
where the column takes the dam, the log shows the capture, the breach an hour later and
the flood reaching Mosul, Tikrit, Samarra and Baghdad in that order, and a recapture, if
any, comes after. Air support can only help the counter-attack: replication by
replication (common random numbers), the dam retaken without it is retaken with it, and
no later. In ``reinforce_early`` the Duhok reserve is dispatched at the start.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from simulator.engine import prepare, simulate
from simulator.scenario import load_scenario

MOSUL = Path(__file__).resolve().parents[2] / "scenarios" / "mosul_2014.yaml"
VARIANTS = [None, *yaml.safe_load(MOSUL.read_text())["variants"]]
HORIZON_H = 14 * 24


def engine_only(variant=None):
    """The scenario prepared without its flood and grid models (cheap)."""
    return prepare(load_scenario(MOSUL, variant=variant), consequences=False)


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v or "base")
def test_every_variant_runs(variant):
    prepared = prepare(load_scenario(MOSUL, variant=variant))
    for k in range(3):
        o = simulate(prepared, replication=k).outcomes
        assert o["dam_captured"] + o["dam_held"] <= 1
        if o["breach_started"] == 1:
            assert 0 <= o["breach_time_h"] <= HORIZON_H and o["peak_outflow_m3s"] > 0
        else:
            assert math.isnan(o["breach_time_h"]) and o["fatalities"] == 0


@pytest.mark.slow
def test_jrc_case_breaches_an_hour_after_capture_and_floods_down_the_tigris(log):
    prepared = prepare(load_scenario(MOSUL, variant="jrc_case"))
    r = next((r for k in range(30)
              if (r := simulate(prepared, replication=k, timeline=True)).outcomes["dam_captured"]),
             None)
    assert r is not None, "the dam was not captured in 30 replications"
    captured = r.outcomes["time_to_capture_h"]
    events = log(r, {"captured", "breach", "flood_arrival", "recaptured"})
    assert events[:2] == [(pytest.approx(captured), "captured", "dam", "mosul_dam"),
                          (pytest.approx(captured + 1), "breach", "dam", "mosul_dam")]
    arrivals = [(t, place) for t, kind, _, place in events if kind == "flood_arrival"]
    assert [place for _, place in arrivals] == ["mosul", "tikrit", "samarra", "baghdad"]
    assert all(t > captured + 1 for t, _ in arrivals)
    retaken = [t for t, kind, _, _ in events if kind == "recaptured"]
    if r.outcomes["dam_recaptured"] == 1:
        assert retaken == [pytest.approx(r.outcomes["time_to_recapture_h"])]
        assert retaken[0] > captured + 1
    else:
        assert retaken == []


def test_towns_held_from_the_start_are_not_taken_again():
    o = simulate(engine_only(), replication=0, consequences=False).outcomes
    assert "capture_h.mosul" not in o and "capture_h.wana" not in o
    assert o["towns_captured"] == 0


def test_air_support_never_delays_or_prevents_the_recapture():
    supported, unsupported = engine_only(), engine_only("no_air_support")
    retaken = 0
    for k in range(40):
        a = simulate(supported, replication=k, consequences=False).outcomes
        b = simulate(unsupported, replication=k, consequences=False).outcomes
        assert a["dam_captured"] == b["dam_captured"]  # the capture comes before any support
        if b["dam_recaptured"] == 1:
            retaken += 1
            assert a["dam_recaptured"] == 1
            assert a["time_to_recapture_h"] <= b["time_to_recapture_h"] + 1e-9
    assert retaken > 0, "no recapture without air support in 40 replications"


def test_reinforce_early_dispatches_the_reserve_at_the_start(log):
    r = simulate(engine_only("reinforce_early"), replication=0, timeline=True,
                 consequences=False)
    assert log(r, {"dispatch"}) == [(0, "dispatch", "peshmerga_counterforce", "dohuk")]
