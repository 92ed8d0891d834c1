"""What a story has already realised at a decision time: the pinning rule.

Every random input of a replication is drawn up front (`engine.inputs.InputTable`), but
in the story each one *takes effect* at a moment: a road's time when a force sets off on
it, a halt's length when a force stops at a town, a force's strength when it is first
seen, a dam failure mode's clock when what it starts on happens (capture, threat, or
the scenario's start). At a decision time ``t`` the rule,
read off the story's timeline before ``t``, sorts every input into one of three sets:

- **observed** (pinned to the story's value in branch forecasts): the activity it times
  has *finished* before ``t``, or the value is visible in the timeline. A road driven to
  its end, a halt left, a force's wait before departure once it has departed, a force's
  strength once it has been seen (garrison, arrive, engage, join), its combat
  parameters once every engagement it fought before ``t`` has ended (a counter-attack on
  a node the attackers hold is an engagement like any other), its support (start time
  and factor) once the support has started, the failure modes
  of a breach (with their breach geometry, the reservoir volume and the river's
  sections, which with the breach fix the flood downstream) once the breach happened,
  a loss of operation once the plant went off the grid (with its restoration: the
  outage's event shows its length), the decision to warn and each town's warning once they happened (their delays run from
  the dam event that set the warning off, ``warning.starts_on``), the grid repair time
  once a line is cut (the cut's event shows it), an asset's loss beside the dam
  (``assets.others``: whether and when) once it is lost, a power plant's restoration
  once it goes off the grid (its event shows the outage's length).
- **under way** (drawn fresh, and only branches that reproduce the story's past are
  kept): the activity has *begun* before ``t`` but not finished: a force on a road, a
  halt not yet left, a wait not yet over, an engagement still going, failure clocks
  running since capture (or threat, or the start; a deliberate mode's clock stopped by a
  recapture stays under way: a fresh draw that would have fired it while the attackers
  held the dam contradicts the story), an asset's clock beside the dam since what it
  starts on, a support's start time before it starts (its
  clock runs from the scenario's start; its factor is not begun), a warning on its way. A fresh draw that
  would have ended it before ``t`` contradicts what the group has seen; the forecast
  rejects that branch, which conditions the draw on "not finished yet" exactly.
- **not begun**: drawn fresh, nothing to condition on.

Observed and under-way inputs together are *begun*: an option may not change their
specification (the engine cannot alter an activity in progress, and changing one that
is over would rewrite the past). `same_past` tells whether a timeline reproduces the seen
events, `first_difference` where it departs from them. Both compare the engine's events
only: the flood's arrivals follow from the breach and the pinned inputs above, so a
branch that reproduces the engine's past reproduces them too (branches are checked
without running the consequence models, which is what makes forecasts fast).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..engine import EventKind, PreparedScenario, prepare
from ..engine.inputs import BREACH_INPUT_FIELDS, SUPPORT_INPUT_FIELDS
from ..engine.record import Event, Replication
from ..scenario.schema import Scenario

__all__ = ["Realised", "first_difference", "past", "realised_inputs", "same_past"]

FORCE_KINDS = frozenset({"dispatch", "depart", "arrive", "garrison", "engage", "join",
                         "defeat", "repulse", "capture", "recaptured"})
SHOWS_STRENGTH = frozenset({"garrison", "arrive", "engage", "join"})
COMBAT_FIELDS = ("effectiveness_per_s", "defender_advantage", "withdraw_ratio")
WAIT_FIELDS = ("mobilisation_s", "departure_s")


@dataclass(frozen=True)
class Realised:
    """The inputs of a story at time `time_s`: `pinned` (observed, path -> the story's
    value; random inputs only), `begun` (observed or under way, path -> (since when,
    what is going on)) and `under_way` (random, begun, not observed)."""

    time_s: float
    pinned: dict[str, float]
    begun: dict[str, tuple[float, str]]
    under_way: tuple[str, ...] = ()  # random inputs begun but not observed: drawn fresh


def past(timeline: Sequence[Event] | None, time_s: float) -> tuple[Event, ...]:
    """The events strictly before `time_s`."""
    return tuple(e for e in timeline or () if e.time_s < time_s)


def _engine_events(events: Sequence[Event] | None) -> tuple[Event, ...]:
    """The events the engine itself produces (not the flood's arrivals)."""
    return tuple(e for e in events or () if e.kind is not EventKind.FLOOD_ARRIVAL)


def same_past(seen: Sequence[Event], timeline: Sequence[Event] | None, time_s: float) -> bool:
    """Whether `timeline` begins with exactly the `seen` engine events and has no other
    engine event before `time_s` (a step triggered by a capture sees events up to that
    capture, which may share its time with later ones)."""
    seen, timeline = _engine_events(seen), _engine_events(timeline)
    count = len(seen)
    if timeline[:count] != tuple(seen):
        return False
    return count == len(timeline) or timeline[count].time_s >= time_s


def first_difference(seen: Sequence[Event], timeline: Sequence[Event] | None,
                     time_s: float) -> tuple[Event | None, Event | None] | None:
    """The first pair (seen event, event of `timeline`) where `timeline` departs from the
    seen past (None for a missing event), or None when `same_past` holds."""
    seen, timeline = _engine_events(seen), _engine_events(timeline)
    if same_past(seen, timeline, time_s):
        return None
    for index, event in enumerate(seen):
        other = timeline[index] if index < len(timeline) else None
        if event != other:
            return event, other
    return None, timeline[len(seen)]  # the seen events, then one more before time_s


class _Rule:
    """Collects begun and observed inputs while the timeline is read."""

    def __init__(self, specs: dict[str, object]) -> None:
        self.specs = specs
        self.begun: dict[str, tuple[float, str]] = {}
        self.observed: set[str] = set()

    def begin(self, path: str, since_s: float, what: str) -> None:
        if path in self.specs and path not in self.begun:
            self.begun[path] = (since_s, what)

    def observe(self, path: str, since_s: float, what: str) -> None:
        self.begin(path, since_s, what)
        if path in self.specs:
            self.observed.add(path)


def realised_inputs(scenario: Scenario | PreparedScenario, story: Replication,
                    seen: Sequence[Event] | None, time_s: float) -> Realised:
    """Sort the inputs of `story` (a replication of `scenario`) at `time_s` by the rule
    of the module docstring, reading the `seen` events (default: those before `time_s`)."""
    prepared = prepare(scenario, consequences=False)
    scenario = prepared.scenario
    table = prepared.inputs
    values = table.draw_by_path(story.seed, story.replication)
    rule = _Rule(table.specs)
    events = tuple(seen) if seen is not None else past(story.timeline, time_s)
    if time_s > 0 or events:
        _forces(prepared, events, time_s, rule)
        _engagements(events, rule)
        _support(scenario, events, rule)
        _dam(scenario, events, values, rule)
        _other_assets(scenario, events, rule)
        _warning(scenario, events, rule)
        _grid(events, rule)
    random = set(table.random_paths)
    pinned = {path: values[path] for path in sorted(rule.observed) if path in random}
    under_way = tuple(p for p in rule.begun if p in random and p not in rule.observed)
    return Realised(time_s, pinned, dict(rule.begun), under_way)


def _forces(prepared, events: tuple[Event, ...], time_s: float, rule: _Rule) -> None:
    for force in prepared.plan.forces:
        name = force.id
        prefix = f"forces.{name}."
        mine = [e for e in events if e.kind in FORCE_KINDS and name in e.actors]
        if mine:
            rule.begin(prefix + "strength", mine[0].time_s, f"{name} is in play")
            shown = next((e for e in mine if e.kind in SHOWS_STRENGTH), None)
            if shown is not None:
                rule.observe(prefix + "strength", shown.time_s, f"{name} has been seen")
        if force.trigger_node is None and force.trigger_time_s is None:
            dispatch_s = 0.0 if time_s > 0 else None
        else:
            dispatch_s = next((e.time_s for e in mine if e.kind == "dispatch"), None)
        if dispatch_s is not None:
            after = [e for e in mine if e.kind != "dispatch"]
            for field in WAIT_FIELDS:
                if after:
                    rule.observe(prefix + field, dispatch_s, f"{name} has set off")
                else:
                    rule.begin(prefix + field, dispatch_s, f"{name} is getting ready to move")
        departs = [e for e in mine if e.kind == "depart"]
        arrives = [e for e in mine if e.kind == "arrive"]
        for index, depart in enumerate(departs[:len(force.legs)]):
            leg = force.legs[index]
            drive, delay = prepared.inputs.road_paths(leg.road)
            what = f"{name} on the road from {leg.origin} to {leg.destination}"
            for path in (drive, delay):
                if index < len(arrives):
                    rule.observe(path, depart.time_s, what)
                else:
                    rule.begin(path, depart.time_s, what)
        for index, arrive in enumerate(arrives[:len(force.legs) - 1]):
            node = force.legs[index].destination
            path = f"network.nodes.{node}.halt_s"
            if index + 1 < len(departs):
                rule.observe(path, arrive.time_s, f"{name} halted at {node}")
            else:
                rule.begin(path, arrive.time_s, f"{name} is halted at {node}")


def _engagements(events: tuple[Event, ...], rule: _Rule) -> None:
    going: dict[str, tuple[float, set[str]]] = {}
    fought: list[tuple[float, str, set[str], bool]] = []  # start, node, forces, finished
    for event in events:
        if event.kind == "engage":
            going[event.place] = (event.time_s, set(event.actors) | set(event.opponents))
        elif event.kind == "join" and event.place in going:
            going[event.place][1].update(event.actors)
        elif event.kind in ("defeat", "repulse") and event.place in going:
            start, forces = going.pop(event.place)
            fought.append((start, event.place, forces, True))
    fought += [(start, node, forces, False) for node, (start, forces) in going.items()]
    still_fighting = {name for _, _, forces, finished in fought if not finished
                      for name in forces}
    for start, node, forces, _ in sorted(fought, key=lambda item: item[0]):
        for name in sorted(forces):
            prefix = f"forces.{name}."
            rule.observe(prefix + "strength", start, f"{name} has been seen")
            for field in COMBAT_FIELDS:
                if name in still_fighting:
                    rule.begin(prefix + field, start, f"{name} is fighting at {node}")
                else:
                    rule.observe(prefix + field, start, f"{name} fought at {node}")


def _support(scenario: Scenario, events: tuple[Event, ...], rule: _Rule) -> None:
    """A force's support waits from the scenario's start; it shows when it starts."""
    for name, force in scenario.forces.items():
        if force.support is None:
            continue
        prefix = f"support.{name}."
        started = next((e for e in events if e.kind == "support" and name in e.actors), None)
        if started is not None:
            for field in SUPPORT_INPUT_FIELDS:
                rule.observe(prefix + field, 0.0, f"{name}'s support has started")
        else:  # its factor has done nothing yet: an option may still change it
            rule.begin(prefix + "from_s", 0.0, f"{name}'s support is on its way")


def _dam(scenario: Scenario, events: tuple[Event, ...], values: dict[str, float],
         rule: _Rule) -> None:
    dam = scenario.assets.dam
    clock_starts = _clock_starts(dam.node, events)
    breach = next((e for e in events if e.kind == "breach"), None)
    for mode_id, mode in dam.failure_modes.items():
        started_s = clock_starts.get(mode.starts_on)
        if mode.starts_on == "level":  # its own event: the water reached its level
            started_s = next((e.time_s for e in events
                              if e.kind == "level_reached" and e.mode == mode_id), None)
        if started_s is None:
            continue
        prefix = f"assets.dam.failure_modes.{mode_id}."
        what = f"the dam's failure clock has run since its {mode.starts_on} ({mode_id})"
        fields = ["occurs", "delay_s"] + (["restoration_s"] if mode.restoration_s else [])
        if mode.kind != "loss_of_operation":
            fields += BREACH_INPUT_FIELDS  # the breach's geometry shows when it breaches
        for field in fields:
            rule.begin(prefix + field, started_s, what)
        if breach is not None and mode.kind != "loss_of_operation":
            for field in fields:
                rule.observe(prefix + field, started_s, "the dam has breached")
            continue
        out = next((e for e in events if e.kind == "plant_out" and e.mode == mode_id), None)
        if out is None:
            continue
        rule.observe(prefix + "occurs", started_s, f"{mode_id} has happened")
        rule.observe(prefix + "delay_s", started_s, f"{mode_id} has happened")
        if mode.restoration_s is not None:  # the outage's event shows how long it lasts
            rule.observe(prefix + "restoration_s", out.time_s, f"{mode_id} has happened")
    if breach is None:
        return
    rule.observe("assets.dam.reservoir.volume_m3", breach.time_s, "the dam has breached")
    for path in values:  # the river's sections shape every arrival the group will see
        if path.startswith("river.reaches."):
            rule.observe(path, breach.time_s, "the flood is running down the river")


#: The events that show an asset beside the dam lost, and one over (engine/assets.py).
_ASSET_LOST = frozenset({"generators_out", "substation_lost", "bridge_destroyed"})


def _other_assets(scenario: Scenario, events: tuple[Event, ...], rule: _Rule) -> None:
    """An asset's clock (``assets.others``) runs from what it starts on: the scenario's
    start, its node's first capture, or the first arrival of an attacking force there;
    its loss shows its occurrence and delay, a power plant back on the grid its
    restoration."""
    attackers = {f for f, force in scenario.forces.items() if force.side == "attacker"}
    for asset_id, asset in scenario.assets.others.items():
        if asset.starts_on == "start":
            started_s: float | None = 0.0
        else:
            kinds = {"capture", "captured"} if asset.starts_on == "capture" else {"arrive"}
            first = next((e for e in events if e.kind in kinds and e.place == asset.node
                          and (e.kind != "arrive" or attackers & set(e.actors))), None)
            started_s = None if first is None else first.time_s
        if started_s is None:
            continue
        prefix = f"assets.others.{asset_id}."
        fields = ["occurs", "delay_s"] + (["restoration_s"] if asset.restoration_s else [])
        for field in fields:
            rule.begin(prefix + field, started_s, f"{asset_id}'s clock has run since its "
                       f"node's {asset.starts_on}")
        mine = [e for e in events if asset_id in e.actors]
        if any(e.kind in _ASSET_LOST for e in mine):
            for field in ("occurs", "delay_s"):
                rule.observe(prefix + field, started_s, f"{asset_id} has been lost")
        if any(e.kind == "generators_out" for e in mine):  # it shows the outage's length
            rule.observe(prefix + "restoration_s", started_s, f"{asset_id} is off the grid")


def _clock_starts(dam_node: str, events: tuple[Event, ...]) -> dict[str, float]:
    """When each thing a failure mode's clock may start on (``starts_on``) happened, for
    those that have: the scenario's start, the dam's first threat, its capture."""
    starts = {"start": 0.0}
    for kind, name in (("threatened", "threat"), ("captured", "capture")):
        first = next((e for e in events if e.kind == kind and e.place == dam_node), None)
        if first is not None:
            starts[name] = first.time_s
    return starts


#: The dam's events that can set the warning off (engine.warning.TRIGGERS), by kind.
_TRIGGER_KINDS = {"threat": "threatened", "capture": "captured", "breach": "breach"}


def _warning(scenario: Scenario, events: tuple[Event, ...], rule: _Rule) -> None:
    """The warning's delays run from the dam event that set it off (``starts_on``, or a
    later one of the chain when that never came; engine/warning.py)."""
    triggers = tuple(_TRIGGER_KINDS)
    names = {_TRIGGER_KINDS[t]: t for t in triggers[triggers.index(scenario.warning.starts_on):]}
    dam = scenario.assets.dam.node
    start = next((e for e in events if e.kind in names and e.place == dam), None)
    if start is None:
        return
    what = f"the warning set off by the dam's {names[start.kind]} is under way"
    if any(e.kind == "detect" for e in events):
        rule.observe("warning.detection_delay_s", start.time_s, "the warning was decided")
    else:
        rule.begin("warning.detection_delay_s", start.time_s, what)
    warned = {e.place for e in events if e.kind == "warning"}
    for town in scenario.river.towns:
        path = f"warning.towns.{town}.dissemination_delay_s"
        if town in warned:
            rule.observe(path, start.time_s, f"{town} has been warned")
        else:
            rule.begin(path, start.time_s, what)


def _grid(events: tuple[Event, ...], rule: _Rule) -> None:
    cut = next((e for e in events if e.kind == "line_cut"), None)
    if cut is None:
        return
    # the cut's event shows the repair time (duration_s): observed from then on
    rule.observe("grid.repair_time_s", cut.time_s, "a grid line has been cut")
