"""What one replication returns: a flat table row of named outcomes, and a timeline.

Outcomes are plain floats keyed by name (``dam_captured``, ``fatalities``,
``arrival_h.ramadi``, ``input.forces.isil_column.strength``) so a run can store them as
columns and analysis never needs to know how they were produced.

Timeline events are data, not sentences: an `Event` has a `kind` from the closed set
`EventKind`, the ids of the forces, assets or systems that acted (`actors`), the node,
town or bus where it happened (`place`) and the typed facts its kind needs (a road and a
destination for ``depart``, strengths before and after and the winner of a fight, the
failure mode of a breach, ...). The sentence a person reads is rendered from those
fields in one place, `engine.timeline.describe`; no code reads prose.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["Event", "EventKind", "Replication", "event_from_dict", "event_to_dict"]


class EventKind(enum.StrEnum):
    """The closed set of things that can happen in a replication."""

    GARRISON = "garrison"  # a force holds a node (actors: the force; strength)
    DISPATCH = "dispatch"  # a waiting force is sent (trigger_town, or a scheduled time)
    DEPART = "depart"  # a force sets off on a road (road, destination)
    ARRIVE = "arrive"  # a force reaches a node (strength)
    CAPTURE = "capture"  # a node falls (actors: the attackers)
    RECAPTURED = "recaptured"  # the defenders retake a node (actors: the defenders; the
    #                            dam: actors the dam, opponents the defenders)
    ENGAGE = "engage"  # a fight starts (actors: the assault; opponents: the node's holders;
    #                    strengths; side: the assault's side, "defender" in a counter-attack)
    JOIN = "join"  # a force joins a fight (side, strength)
    DEFEAT = "defeat"  # the node's holders lose (actors: holders; opponents: the assault)
    REPULSE = "repulse"  # the assault fails (actors: the assault; opponents: holders)
    SUPPORT = "support"  # a force's support starts (factor on its effectiveness)
    THREATENED = "threatened"  # the dam is threatened (actors: the dam; opponents: the force)
    HELD = "held"  # an attack on the dam is repulsed
    CAPTURED = "captured"  # the dam is captured (opponents: the attackers)
    LEVEL_REACHED = "level_reached"  # the reservoir rises to a failure mode's level (mode,
    # depth_m: the level above the dam's base), which starts that mode's clock if it happens
    BREACH = "breach"  # the dam breaches (mode, breach_kind, depth_fraction)
    DETECT = "detect"  # the authorities decide to warn (count: towns to warn; warned_on)
    WARNING = "warning"  # a town receives the warning (warned_on; after_breach_s)
    FLOOD_ARRIVAL = "flood_arrival"  # the flood reaches a town (after_breach_s, depth_m)
    PLANT_OUT = "plant_out"  # the plant goes off the grid (mode, capacity_mw, duration_s)
    PLANT_RESTORED = "plant_restored"  # the plant is back on the grid
    LINE_CUT = "line_cut"  # a grid line is cut (actors: the line; duration_s: repair)
    LINE_REPAIRED = "line_repaired"  # a grid line is back in service
    GENERATORS_OUT = "generators_out"  # a power plant asset is lost (actors: the asset;
    #                                    count: generators, capacity_mw, duration_s)
    GENERATORS_RESTORED = "generators_restored"  # its generators are back on the grid
    SUBSTATION_LOST = "substation_lost"  # a substation asset is lost (count: its lines)
    BRIDGE_DESTROYED = "bridge_destroyed"  # a bridge asset is destroyed (road: closed)
    REROUTE = "reroute"  # a force plans again round a closed road (road: the closed
    #                      one; destination: where it still goes)
    STRANDED = "stranded"  # a force finds no open road to its destination: it stays


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened in a replication, with the facts of its kind.

    The facts a kind does not use stay None (or empty). Strength fields count people;
    ``attackers`` and ``defenders`` are the total strengths of the assault and of the
    node's holders (the roles in the fight: in a counter-attack, ``side`` "defender",
    the assault is the defenders'), before a fight for ``engage`` and after it for
    ``defeat`` and ``repulse``.
    """

    time_s: float
    kind: EventKind
    actors: tuple[str, ...]
    place: str
    opponents: tuple[str, ...] = ()  # the other side (a fight) or the force (dam states)
    road: str | None = None  # depart: the road taken; bridge_destroyed, reroute,
    #                          stranded: the road closed
    destination: str | None = None  # depart: the node at the road's end; reroute,
    #                                 stranded: where the force was going
    strength: float | None = None  # garrison, arrive, join: the actor's strength
    side: str | None = None  # join: the force's side; engage/defeat/repulse: the assault's
    attackers: float | None = None  # the assault: engage (before), defeat/repulse (after)
    defenders: float | None = None  # the holders: engage (before), defeat/repulse (after)
    winner: str | None = None  # defeat/repulse: "attacker" or "defender"
    annihilated: bool | None = None  # defeat/repulse: the loser was destroyed
    duration_s: float | None = None  # defeat/repulse: the fight; plant_out and
    #                                  generators_out: the outage; line_cut: the repair
    trigger_town: str | None = None  # dispatch: the town whose fall sent the force
    mode: str | None = None  # breach, plant_out: the failure mode id
    breach_kind: str | None = None  # breach: "full_breach" or "partial_breach"
    depth_fraction: float | None = None  # breach: share of the dam height cut
    capacity_mw: float | None = None  # plant_out, generators_out: output the grid loses
    count: int | None = None  # detect: towns the warning goes out to; generators_out:
    #                           generators; substation_lost: lines
    warned_on: str | None = None  # detect, warning: what set it off (threat, capture, breach)
    after_breach_s: float | None = None  # warning (None before a breach), flood_arrival:
    #                                       time since the breach
    depth_m: float | None = None  # flood_arrival: the peak depth above normal there
    factor: float | None = None  # support: the factor on the force's effectiveness


_FIELDS = tuple(f.name for f in fields(Event))
_FLOAT_FIELDS = frozenset(f.name for f in fields(Event) if "float" in str(f.type))


def event_to_dict(event: Event) -> dict[str, Any]:
    """The event as JSON-ready data: the facts it has, without the empty ones."""
    out: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(event, name)
        if value is None or value == ():
            continue
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, float) and not math.isfinite(value):
            value = repr(value)  # JSON has no inf; "inf" reads back through float()
        out[name] = value
    out["kind"] = str(event.kind)
    return out


def event_from_dict(data: dict[str, Any]) -> Event:
    """The event that `event_to_dict` wrote (unknown keys are a ValueError)."""
    unknown = set(data) - set(_FIELDS)
    if unknown:
        raise ValueError(f"unknown event fields: {', '.join(sorted(unknown))}")
    values = dict(data)
    values["kind"] = EventKind(values["kind"])
    for name in ("actors", "opponents"):
        if name in values:
            values[name] = tuple(values[name])
    for name in _FLOAT_FIELDS & values.keys():
        values[name] = float(values[name])
    return Event(**values)


@dataclass(frozen=True)
class Replication:
    """The result of `simulate(scenario, seed, replication)`."""

    seed: int
    replication: int
    outcomes: dict[str, float]
    timeline: tuple[Event, ...] | None = field(default=None)
