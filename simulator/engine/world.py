"""One replication: build the SimPy environment, run it to the horizon, read it out.

`run` takes the replication's drawn inputs (typed, see `inputs`), creates one process
per force that moves or waits (garrisons in place from the start need none), runs the environment until the scenario's horizon, and returns the
`History` for the consequence models, the flat outcomes and, when asked, the timeline.
`World` is the replication's mutable state that the processes share: who holds each
node (the attackers' side: the nodes it holds and its units there; the defenders':
garrisons), engagements in progress, the dam and the assets beside it, lines cut.

The engine's outcomes (flags are 1.0/0.0; a time in hours from the start is empty (NaN)
when the thing did not happen within the horizon, never the horizon itself, so that a
mean of times is a mean of things that happened; see `simulator.analysis.catalogue`):
``dam_threatened``, ``dam_held`` (final state: an attack was repulsed), ``dam_captured``,
``time_to_capture_h`` (first capture), ``dam_recaptured``, ``time_to_recapture_h`` (first
recapture), ``dam_time_held_h`` (hours the attackers held the dam within the horizon),
``towns_captured`` (nodes of kind town or city taken during the run: a town the
attackers hold from the start, ``held_by: attacker``, is not counted),
``capture_h.<node>`` per town or city not held by the attackers from the start (its
first capture), ``reinforcements_arrived`` and
``reinforcements_arrival_h`` (first defender reinforcement to reach its destination
node: arrived on the scene, whatever the fight there then does; a counter-attack it
loses still counts),
``breach_started``, ``breach_time_h``, ``breach_depth_fraction`` (0 without a breach),
``plant_outage_h`` (plant hours off the grid within the horizon), ``lines_cut``,
``asset_lost.<asset>`` and ``asset_lost_h.<asset>`` per asset beside the dam
(``assets.others``: lost within the horizon, and when),
``attacker_losses``, ``defender_losses`` (strength lost, engagements still going at the
horizon counted as they stand), and ``input.<path>`` for every random input of the
engine.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import simpy

from ..formatting import HOUR_S
from .assets import Assets
from .dam import Dam
from .forces import Engagement, Unit, force_process, support_process
from .history import History, LineCut, merge_intervals
from .inputs import Inputs
from .plan import CAPTURABLE_KINDS, ForcePlan, Leg, shortest_route
from .record import Event, EventKind
from .reservoir import stored_m3

if TYPE_CHECKING:
    from .prepare import PreparedScenario

__all__ = ["Run", "World", "run"]


def _run_counting(env: simpy.Environment, horizon_s: float) -> int:
    """Run `env` to `horizon_s` as ``env.run(until=horizon_s)`` does and return the number
    of events processed (for the benchmarks' comparison with bare SimPy).

    It steps through SimPy's public `peek` and `step` while the next event comes before
    the horizon, then lets `run` move the clock to the horizon: the same events in the
    same order (events at the horizon itself are not processed by either), counted
    without a Python-level `step` override (a call and a `super()` per event, about 3 %
    of a run).
    """
    peek, step = env.peek, env.step
    processed = 0
    while peek() < horizon_s:
        step()
        processed += 1
    env.run(until=horizon_s)
    return processed


class World:
    """The shared state of one running replication."""

    def __init__(self, prepared: PreparedScenario, inputs: Inputs, record: bool) -> None:
        self.env = simpy.Environment(0.0)
        self.plan = prepared.plan
        self.scenario = prepared.scenario
        self.inputs = inputs
        self.timeline: list[Event] | None = [] if record else None
        self.captured: dict[str, float] = {}  # node -> first capture during the run
        self.recaptured: dict[str, float] = {}  # node -> first recapture
        self.attacker_held = set(self.plan.attacker_nodes)  # nodes the attackers hold now
        self.holders: dict[str, list[Unit]] = {}  # node -> attacker units holding it
        self.garrisons: dict[str, list[Unit]] = {}  # node -> defenders holding it
        self.engagements: dict[str, Engagement] = {}  # node -> engagement in progress
        self.falls = {node: self.env.event() for node in self.plan.trigger_nodes}
        self.units: list[Unit] = []
        self.reinforcement_arrival_s = math.inf
        self.line_cuts: list[LineCut] = []
        self.detection_s = math.inf
        self.warning_received_s: dict[str, float] = {}
        self.dam = Dam(self)
        self.assets = Assets(self)  # the assets beside the dam (assets.others)

    # ------------------------------------------------------------------ timeline
    def note(self, kind: EventKind, actors: tuple[str, ...], place: str,
             **facts: Any) -> None:
        """Add an event with its typed facts to the timeline, when one is kept."""
        if self.timeline is not None:
            self.timeline.append(Event(self.env.now, kind, actors, place, **facts))

    # ------------------------------------------------------------------ movement
    def depart(self, unit: Unit, leg: Leg) -> None:
        """A force sets off on a leg of its route (an attacker heading for the dam
        threatens it)."""
        if self.timeline is not None:
            self.note(EventKind.DEPART, (unit.id,), leg.origin, road=leg.road,
                      destination=leg.destination)
        if unit.side == "attacker":
            holders = self.holders.get(leg.origin)
            if holders and unit in holders:
                holders.remove(unit)
            if leg.destination == self.dam.node:
                self.dam.threaten(unit.id)

    def holding(self, node: str) -> list[Unit]:
        """The attacker units holding `node` now (empty: nobody, or not the attackers')."""
        return [u for u in self.holders.get(node, ()) if u.active and u.strength > 0]

    def attacker_arrives(self, unit: Unit, node: str) -> Engagement | None:
        """An attacker reaches a node: join or start a fight, take the node, or hold it
        with the others of its side there."""
        self.assets.reached(node)
        engagement = self.engagements.get(node)
        if engagement is not None:
            engagement.join(unit)
            return engagement
        garrison = self.garrisons.get(node)
        if garrison:
            engagement = self.engagements[node] = Engagement(self, node, [unit], garrison)
            return engagement
        if node in self.attacker_held:
            self.holders.setdefault(node, []).append(unit)
        elif self.scenario.network.nodes[node].kind in CAPTURABLE_KINDS:
            self.holders[node] = [unit]
            self.capture(node, (unit.id,))
        return None

    def defender_arrives(self, plan: ForcePlan, unit: Unit, node: str,
                         destination: bool) -> Engagement | None:
        """A defender reaches a node of its route (`destination`: the last): join the
        fight at its destination or a counter-attack, counter-attack the attackers
        holding it, or retake its destination when nobody holds it."""
        if destination and plan.is_reinforcement:
            self.reinforcement_arrival_s = min(self.reinforcement_arrival_s, self.env.now)
        engagement = self.engagements.get(node)
        if engagement is not None and (destination or engagement.assault_side == "defender"):
            engagement.join(unit)
            return engagement
        if node not in self.attacker_held:
            return None
        holders = self.holding(node)
        if holders:
            engagement = self.engagements[node] = Engagement(self, node, [unit], holders,
                                                             assault_side="defender")
            return engagement
        if destination:
            self.recapture(node, (unit.id,))
        return None

    def arrive_at_destination(self, plan: ForcePlan, unit: Unit) -> None:
        """A force is where it was sent (or stays where it starts): a defender holds it
        (unless a fight it won there already made it the garrison); an attacker that
        stays where its side holds joins the holders (unless it held there from the
        start, its wait included)."""
        node = plan.destination
        if unit.side == "attacker":
            holders = self.holders.setdefault(node, [])
            if not plan.legs and node in self.attacker_held and unit not in holders:
                holders.append(unit)
            return
        if unit in self.garrisons.get(node, ()):
            return
        self.garrisons.setdefault(node, []).append(unit)
        self.note(EventKind.GARRISON, (unit.id,), node, strength=unit.strength)

    # ------------------------------------------------------------------ outcomes
    def engagement_over(self, engagement: Engagement) -> None:
        """A fight has ended: the winner holds or takes the node. In a counter-attack
        (the defenders assault) the attackers' holders are the side that holds, and the
        winners of the assault retake the node; those whose destination it is stay as
        its garrison (`arrive_at_destination`), the others drive on."""
        node = engagement.node
        del self.engagements[node]
        outcome = engagement.outcome
        assault = tuple(u.id for u in engagement.attackers)
        if self.timeline is not None:
            self._note_fight_over(engagement, assault)
        counter = engagement.assault_side == "defender"
        if outcome.winner == "attacker":
            if counter:
                self.holders[node] = []
                self.recapture(node, assault)
            else:
                self.garrisons[node] = []
                self.holders[node] = [u for u in engagement.attackers if u.active]
                self.capture(node, assault)
            return
        survivors = [u for u in engagement.defenders if u.strength > 0 and u.active]
        if counter:
            self.holders[node] = survivors
        else:
            self.garrisons[node] = survivors
            if node == self.dam.node:
                self.dam.hold()

    def _note_fight_over(self, engagement: Engagement, assault: tuple[str, ...]) -> None:
        """Put a fight's end on the timeline: the holders' defeat or the assault's repulse."""
        outcome = engagement.outcome
        holding = tuple(u.id for u in engagement.defenders)
        facts = {"attackers": outcome.attackers_left, "defenders": outcome.defenders_left,
                 "winner": outcome.winner, "annihilated": outcome.loser_annihilated,
                 "duration_s": self.env.now - engagement.started_s,  # from first contact
                 "side": engagement.assault_side}
        if outcome.winner == "attacker":
            self.note(EventKind.DEFEAT, holding, engagement.node, opponents=assault, **facts)
        else:
            self.note(EventKind.REPULSE, assault, engagement.node, opponents=holding, **facts)

    def capture(self, node: str, by: tuple[str, ...]) -> None:
        """A node falls to the attackers: triggers fire (on its first fall), lines
        depending on it are cut, the clocks of assets lost on its capture start."""
        now = self.env.now
        self.captured.setdefault(node, now)
        self.attacker_held.add(node)
        if node != self.dam.node:  # the dam notes its own capture
            self.note(EventKind.CAPTURE, by, node)
        fall = self.falls.get(node)
        if fall is not None and not fall.triggered:
            fall.succeed()
        lines = self.plan.lines_by_node.get(node, ())
        if lines:
            self.cut_lines(lines, node)
        self.assets.captured(node)
        if node == self.dam.node:
            self.dam.capture(by)

    def cut_lines(self, lines: tuple[str, ...], node: str) -> None:
        """Grid `lines` go out of service because of what happened at `node` (its
        capture, or its substation lost), each until the replication's repair time."""
        now = self.env.now
        repair_s = self.inputs.repair_time_s
        for line in lines:
            self.line_cuts.append(LineCut(line, node, now, now + repair_s))
            self.note(EventKind.LINE_CUT, (line,), node, duration_s=repair_s)
        self.env.timeout(repair_s).callbacks.append(
            lambda _e: [self.note(EventKind.LINE_REPAIRED, (line,), node) for line in lines])

    def reroute(self, unit: Unit, leg: Leg, destination: str) -> tuple[Leg, ...]:
        """`unit` finds the road of its next `leg` closed: its new route from where it
        stands to `destination` on the roads still open (empty: none is left, it stays)."""
        closed = frozenset(self.assets.closed_roads)
        try:
            legs = shortest_route(self.scenario, leg.origin, destination, closed)
        except ValueError:
            legs = ()
        kind = EventKind.REROUTE if legs else EventKind.STRANDED
        self.note(kind, (unit.id,), leg.origin, road=leg.road, destination=destination)
        return legs

    def recapture(self, node: str, by: tuple[str, ...]) -> None:
        """The defenders retake a node the attackers held (cut lines stay under repair)."""
        self.recaptured.setdefault(node, self.env.now)
        self.attacker_held.discard(node)
        self.assets.recaptured(node)
        if node == self.dam.node:
            self.dam.recapture(by)  # the dam notes its own recapture
        else:
            self.note(EventKind.RECAPTURED, by, node)

    def finish(self) -> None:
        """At the horizon: bring engagements still going to their state at that time."""
        for engagement in self.engagements.values():
            engagement.advance()


class Run(NamedTuple):
    """Everything one replication produced (`events` counts SimPy events processed)."""

    history: History
    outcomes: dict[str, float]
    timeline: tuple[Event, ...] | None
    events: int


def run(prepared: PreparedScenario, inputs: Inputs, seed: int, replication: int,
        timeline: bool = False) -> Run:
    """Run replication `replication` (root seed `seed`) of the prepared scenario with its
    drawn `inputs`."""
    world = World(prepared, inputs, timeline)
    env = world.env
    for force in world.plan.forces:
        drawn = inputs.forces[force.id]
        unit = Unit(force.id, force.side, drawn)
        unit.at = force.start
        world.units.append(unit)
        support = inputs.support.get(force.id)
        if support is not None and support.from_s <= world.plan.horizon_s:
            env.process(support_process(world, unit, support.from_s,
                                        support.effectiveness_factor))
        if force.side == "attacker" and force.start in world.attacker_held:
            # it holds where it starts until it sets off, waiting included
            world.holders.setdefault(force.start, []).append(unit)
        waits = force.legs or force.trigger_node is not None or \
            force.trigger_time_s is not None or drawn.mobilisation_s > 0 or drawn.departure_s > 0
        if waits:
            env.process(force_process(world, force, unit))
        else:
            world.arrive_at_destination(force, unit)  # a garrison in place from the start
    world.dam.start()
    world.assets.start()
    events = _run_counting(env, world.plan.horizon_s)
    world.finish()
    history = _history(world, seed, replication)
    return Run(history, _outcomes(world, history), None if world.timeline is None
               else tuple(world.timeline), events)


def _history(world: World, seed: int, replication: int) -> History:
    dam = world.dam
    breached = dam.breach_mode_id is not None
    mode = world.scenario.assets.dam.failure_modes[dam.breach_mode_id] if breached else None
    return History(
        seed=seed,
        replication=replication,
        horizon_s=world.plan.horizon_s,
        reservoir_volume_m3=stored_m3(world.scenario.assets.dam.reservoir,
                                      world.inputs.reservoir_volume_m3,
                                      world.inputs.reservoir_operation,
                                      min(dam.breach_s, world.plan.horizon_s)),
        dam_state=dam.state,
        capture_s=dam.capture_s,
        recapture_s=dam.recapture_s,
        breach_mode=mode.kind if mode is not None else None,
        breach_mode_id=dam.breach_mode_id,
        breach_depth_fraction=dam.breach_depth_fraction,
        breach_s=dam.breach_s,
        detection_s=world.detection_s,
        warning_received_s=dict(world.warning_received_s) if breached else
        dict.fromkeys(world.scenario.river.towns, math.inf),
        plant_outages=merge_intervals(dam.outages),
        line_cuts=tuple(world.line_cuts),
        generator_outages=tuple(world.assets.generator_outages),
        captures=dict(world.captured),
        recaptures=dict(world.recaptured),
    )


def _event_h(time_s: float, horizon_s: float) -> float:
    """Hours from the start to an event, or NaN when it did not happen by the horizon."""
    return time_s / HOUR_S if time_s <= horizon_s else math.nan


def _outcomes(world: World, history: History) -> dict[str, float]:
    """The replication's row of named scalars (flags are 1.0 or 0.0; times of things that
    did not happen within the horizon are NaN)."""
    horizon_s = history.horizon_s
    dam = world.dam
    captured = world.captured
    out = {
        "dam_threatened": float(dam.threatened_s < math.inf),
        "dam_held": float(dam.control == "held"),  # a later breach does not undo it
        "dam_captured": float(dam.capture_s < math.inf),
        "time_to_capture_h": _event_h(dam.capture_s, horizon_s),
        "dam_recaptured": float(dam.recapture_s < math.inf),
        "time_to_recapture_h": _event_h(dam.recapture_s, horizon_s),
        "dam_time_held_h": sum(min(end, horizon_s) - start
                               for start, end in dam.held) / HOUR_S,
        "towns_captured": float(sum(1 for node in world.plan.town_nodes if node in captured)),
        "reinforcements_arrived": float(world.reinforcement_arrival_s < math.inf),
        "reinforcements_arrival_h": _event_h(world.reinforcement_arrival_s, horizon_s),
        "breach_started": float(history.breached),
        "breach_time_h": _event_h(history.breach_s, horizon_s),
        "breach_depth_fraction": history.breach_depth_fraction,
        "plant_outage_h": sum(min(end, horizon_s) - start
                              for start, end in history.plant_outages) / HOUR_S,
        "lines_cut": float(len(history.line_cuts)),
        "attacker_losses": sum(u.losses for u in world.units if u.side == "attacker"),
        "defender_losses": sum(u.losses for u in world.units if u.side == "defender"),
    }
    for name, node in world.plan.capture_outcomes:
        out[name] = _event_h(captured.get(node, math.inf), horizon_s)
    lost = world.assets.lost_s
    for asset_id, lost_name, lost_h_name in world.plan.asset_outcomes:
        lost_s = lost.get(asset_id, math.inf)
        out[lost_name] = float(lost_s <= horizon_s)
        out[lost_h_name] = _event_h(lost_s, horizon_s)
    return out
