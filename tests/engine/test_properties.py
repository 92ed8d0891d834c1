"""Monotonicity on common random numbers (hypothesis): the same replications, only one
force changed.

- More defenders at the dam never lets the dam fall where fewer held it, so P(dam held
  to the horizon) never goes down.
- A reinforcement that mobilises later, or is sent later, never arrives earlier.
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine import simulate
from simulator.scenario.schema import Trigger

REPLICATIONS = range(12)


def captured(scenario):
    return [simulate(scenario, replication=k, consequences=False).outcomes["dam_captured"] for k in REPLICATIONS]


def arrivals(scenario):
    """Arrival hours of the relief, infinite when it never arrived (NaN in the outcomes)."""
    hours = (simulate(scenario, replication=k, consequences=False).outcomes["reinforcements_arrival_h"]
             for k in REPLICATIONS)
    return [math.inf if math.isnan(h) else h for h in hours]


@settings(max_examples=25, deadline=None)
@given(strength=st.floats(10, 600), extra=st.floats(0, 600))
def test_more_defenders_never_lower_p_dam_held(uncertain, change_force, strength, extra):
    fewer = captured(change_force(uncertain, "dam_garrison", strength=strength))
    more = captured(change_force(uncertain, "dam_garrison", strength=strength + extra))
    assert all(m <= f for m, f in zip(more, fewer, strict=True))


@settings(max_examples=25, deadline=None)
@given(strength=st.floats(5, 300), extra=st.floats(0, 300))
def test_more_defenders_on_the_way_never_lower_p_dam_held(uncertain, change_force, strength,
                                                           extra):
    """The same for the garrison of a town the column must take first (its fall sends
    the relief, so both the column and the relief are delayed alike)."""
    fewer = captured(change_force(uncertain, "alpha_guard", strength=strength))
    more = captured(change_force(uncertain, "alpha_guard", strength=strength + extra))
    assert all(m <= f for m, f in zip(more, fewer, strict=True))


@settings(max_examples=25, deadline=None)
@given(mobilisation_h=st.floats(0, 48), later_h=st.floats(0, 48))
def test_later_mobilisation_never_arrives_earlier(uncertain, change_force, mobilisation_h,
                                                  later_h):
    early = arrivals(change_force(uncertain, "relief", mobilisation_s=mobilisation_h * 3600))
    late = arrivals(change_force(uncertain, "relief",
                                 mobilisation_s=(mobilisation_h + later_h) * 3600))
    assert all(b >= a for a, b in zip(early, late, strict=True))


@settings(max_examples=25, deadline=None)
@given(sent_h=st.floats(0, 48), later_h=st.floats(0, 48))
def test_later_dispatch_never_arrives_earlier(uncertain, change_force, sent_h, later_h):
    def sent_at(hours):
        trigger = Trigger.model_validate({"time": f"{hours!r} h"})
        return change_force(uncertain, "relief", trigger=trigger)

    early = arrivals(sent_at(sent_h))
    late = arrivals(sent_at(sent_h + later_h))
    assert all(b >= a for a, b in zip(early, late, strict=True))
