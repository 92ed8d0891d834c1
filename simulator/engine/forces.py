"""Forces on the road network and the engagements between them.

A force is one SimPy process: wait for its trigger (a town falls, or a scheduled time),
mobilise and depart, then drive its route with one timeout per road segment and one per
halt at an intermediate node. A road closed on the way (a bridge destroyed,
`assets`) makes the force plan again from the node where it stands (`World.reroute`).

Control changes both ways. Attackers fight at every defended node on their way and
capture every undefended node that can change hands; the attacker units at a node their
side holds are its *holders* (the winners of the fight there, a column that took it
unopposed, a force that stays where it started) until they set off again. Defenders
fight at every node on their way that the attackers hold *with holders there*: a
counter-attack, the same engagement with the roles swapped (the defenders' force
assaults, the holders get their own defender advantage), which retakes the node if it
is won. A node the attackers hold with nobody there (they moved on, or it was held from
the start, ``held_by: attacker``, by a force the scenario does not model) is passed at
the cost of its halt, which stands for the detour round it, and stays in the
attackers' hands; only a force whose destination it is retakes it, unopposed. At its
destination a defender joins the garrison, or the fight going on there. A defender that
passes a node where attackers assault a garrison drives on, as before.

An engagement is resolved in closed form (`lanchester.resolve`) and costs one timeout.
When a force joins it, or a force in it gets support (its effectiveness multiplied from
a time on, ``support``), the strengths are brought forward to that moment, the change is
made and the engagement is resolved again from there (the stale end event is ignored).
Forces on one side fight as one group whose effectiveness, defender advantage and
withdraw ratio are the strength-weighted means of its members'; losses are shared in
proportion to strength.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from functools import partial
from typing import TYPE_CHECKING, Any

from .inputs import ForceInputs
from .lanchester import resolve, strengths_at
from .plan import ForcePlan
from .record import EventKind

if TYPE_CHECKING:
    from .world import World

__all__ = ["Engagement", "Unit", "force_process", "support_process"]


class Unit:
    """A force's state during a replication (its sampled parameters and strength)."""

    __slots__ = ("id", "side", "initial", "strength", "effectiveness_per_s",
                 "defender_advantage", "withdraw_ratio", "active", "at")

    def __init__(self, force_id: str, side: str, drawn: ForceInputs) -> None:
        self.id = force_id
        self.side = side
        self.initial = self.strength = drawn.strength
        self.effectiveness_per_s = drawn.effectiveness_per_s
        self.defender_advantage = drawn.defender_advantage
        self.withdraw_ratio = drawn.withdraw_ratio
        self.active = True  # False once destroyed or withdrawn
        self.at = ""  # the last node it was at (its start until it arrives somewhere)

    @property
    def losses(self) -> float:
        """Strength lost so far in this replication: fighters put out of action."""
        return self.initial - self.strength


def _group(units: list[Unit], defending: bool) -> tuple[float, float, float]:
    """Total strength, mean effectiveness and mean withdraw ratio of one side."""
    if len(units) == 1:
        (unit,) = units
        effect = unit.effectiveness_per_s * (unit.defender_advantage if defending else 1.0)
        return unit.strength, effect, unit.withdraw_ratio
    total = sum(u.strength for u in units)
    # weights: strengths, or equal weights if the side is down to nothing
    weights = [u.strength / total for u in units] if total > 0 else [1 / len(units)] * len(units)
    if defending:
        effect = sum(w * u.effectiveness_per_s * u.defender_advantage
                     for w, u in zip(weights, units, strict=True))
    else:
        effect = sum(w * u.effectiveness_per_s for w, u in zip(weights, units, strict=True))
    ratio = sum(w * u.withdraw_ratio for w, u in zip(weights, units, strict=True))
    return total, effect, ratio


def _rescale(units: list[Unit], old_total: float, new_total: float) -> None:
    factor = new_total / old_total if old_total > 0 else 0.0
    for unit in units:
        unit.strength *= factor


class Engagement:
    """An assault on a held node, from first contact until one side gives up.

    `attackers` and `defenders` are the roles in the fight (`lanchester.resolve`): the
    assaulting units and the units holding the node. `assault_side` is the side the
    assaulting units belong to: ``attacker``, or ``defender`` in a counter-attack on a
    node the attackers hold.
    """

    def __init__(self, world: World, node: str, attackers: list[Unit],
                 defenders: list[Unit], assault_side: str = "attacker") -> None:
        self.world = world
        self.node = node
        self.attackers = list(attackers)
        self.defenders = list(defenders)
        self.assault_side = assault_side
        self.started_s = world.env.now  # first contact
        self.done = world.env.event()  # succeeds with the winning side ("attacker"/"defender")
        self._version = 0
        if world.timeline is not None:
            world.note(EventKind.ENGAGE, tuple(u.id for u in self.attackers), node,
                       opponents=tuple(u.id for u in self.defenders),
                       attackers=sum(u.strength for u in self.attackers),
                       defenders=sum(u.strength for u in self.defenders), side=assault_side)
        self._resolve()

    @property
    def winning_side(self) -> str | None:
        """The side (not the role) that wins as the engagement stands now."""
        winner = self.outcome.winner
        if winner is None or self.assault_side == "attacker":
            return winner
        return "defender" if winner == "attacker" else "attacker"

    def _resolve(self) -> None:
        env = self.world.env
        attackers, alpha, attacker_ratio = _group(self.attackers, defending=False)
        defenders, beta, defender_ratio = _group(self.defenders, defending=True)
        self._since_s = env.now
        self._start = (attackers, defenders, alpha, beta)
        self.outcome = resolve(attackers, defenders, alpha, beta, attacker_ratio,
                               defender_ratio)
        self._version += 1
        if not math.isinf(self.outcome.duration_s):
            end = env.timeout(self.outcome.duration_s)
            end.callbacks.append(partial(self._end, self._version))

    def advance(self) -> None:
        """Bring both sides' strengths forward to now (before a join, or at the horizon)."""
        elapsed = self.world.env.now - self._since_s
        if elapsed <= 0:
            return
        attackers, defenders, alpha, beta = self._start
        left_a, left_d = strengths_at(attackers, defenders, alpha, beta, elapsed)
        _rescale(self.attackers, attackers, left_a)
        _rescale(self.defenders, defenders, left_d)
        self._start = (left_a, left_d, alpha, beta)
        self._since_s = self.world.env.now

    def join(self, unit: Unit) -> None:
        """A force arrives mid-engagement: re-resolve from now with it included."""
        self.advance()
        (self.attackers if unit.side == self.assault_side else self.defenders).append(unit)
        self.world.note(EventKind.JOIN, (unit.id,), self.node, strength=unit.strength,
                        side=unit.side)
        self._resolve()

    def involves(self, unit: Unit) -> bool:
        """Whether `unit` fights in this engagement."""
        return unit in self.attackers or unit in self.defenders

    def reconsider(self) -> None:
        """A force in the fight changed (support): re-resolve from now."""
        self.advance()
        self._resolve()

    def _end(self, version: int, _event: Any) -> None:
        if version != self._version:
            return  # superseded by a re-resolution
        attackers, defenders = self._start[:2]
        outcome = self.outcome
        _rescale(self.attackers, attackers, outcome.attackers_left)
        _rescale(self.defenders, defenders, outcome.defenders_left)
        losers = self.defenders if outcome.winner == "attacker" else self.attackers
        for unit in losers:
            unit.active = False
        winning_side = self.winning_side
        self.world.engagement_over(self)
        self.done.succeed(winning_side)


def force_process(world: World, plan: ForcePlan, unit: Unit) -> Generator[Any, Any, None]:
    """The life of one force: trigger, mobilisation and departure, then its route."""
    env = world.env
    inputs = world.inputs
    if plan.trigger_time_s is not None:
        if plan.trigger_time_s > 0:
            yield env.timeout(plan.trigger_time_s)
        world.note(EventKind.DISPATCH, (unit.id,), plan.start)
    elif plan.trigger_node is not None:
        yield world.falls[plan.trigger_node]
        world.note(EventKind.DISPATCH, (unit.id,), plan.start, trigger_town=plan.trigger_node)
    drawn = inputs.forces[unit.id]
    wait_s = drawn.mobilisation_s + drawn.departure_s
    if wait_s > 0:
        yield env.timeout(wait_s)
    if not plan.legs:
        if unit.side == "defender":
            engagement = _reach(world, plan, unit, plan.start, True)
            if engagement is not None and (yield engagement.done) != unit.side:
                return
        world.arrive_at_destination(plan, unit)
        return
    halt_s = 0.0
    legs = plan.legs
    closed = world.assets.closed_roads
    index = 0
    while index < len(legs):
        if halt_s > 0:
            yield env.timeout(halt_s)
        leg = legs[index]
        if leg.road in closed:  # a bridge on it is down: plan again from here
            legs = legs[:index] + world.reroute(unit, leg, plan.destination)
            if index == len(legs):
                return  # no open road leads there: it stays where it is
            leg = legs[index]
        world.depart(unit, leg)
        yield env.timeout(inputs.road_time_s[leg.road])
        node = leg.destination
        unit.at = node
        if world.timeline is not None:
            world.note(EventKind.ARRIVE, (unit.id,), node, strength=unit.strength)
        engagement = _reach(world, plan, unit, node, index == len(legs) - 1)
        if engagement is not None and (yield engagement.done) != unit.side:
            return  # beaten: it goes no further
        halt_s = inputs.halt_s[node]
        index += 1
    world.arrive_at_destination(plan, unit)


def _reach(world: World, plan: ForcePlan, unit: Unit, node: str,
           destination: bool) -> Engagement | None:
    """A force reaches `node` (`destination`: the end of its route): the engagement it
    fights there, if it must (the force goes on only if its side wins it). A plain
    function, not a sub-generator: most nodes are passed without a fight, and a
    generator per node cost more than the caller's one `yield` of the fight's end."""
    if unit.side == "attacker":
        return world.attacker_arrives(unit, node)
    return world.defender_arrives(plan, unit, node, destination)


def support_process(world: World, unit: Unit, from_s: float,
                    factor: float) -> Generator[Any, Any, None]:
    """A force's support starts at `from_s`: its effectiveness is multiplied by `factor`
    and a fight it is in is re-resolved from that moment."""
    if from_s > 0:
        yield world.env.timeout(from_s)
    if not unit.active:
        return
    unit.effectiveness_per_s *= factor
    world.note(EventKind.SUPPORT, (unit.id,), unit.at, factor=factor)
    for engagement in world.engagements.values():
        if engagement.involves(unit):
            engagement.reconsider()
