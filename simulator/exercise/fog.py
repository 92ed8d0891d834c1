"""The fog of war: what the players may see of a story, and what only the facilitator sees.

The engine knows every force's true strength at every moment; a crisis cell does not. The
players learn about forces from reports: the injects' own text, where forces are seen
(they set off, arrive, take a town, fight), how a fight ends, and for each force the range
its intelligence estimate gives (the low and high of the scenario's strength
distribution, the planner's own uncertainty). So the players' sentence for an event is
the timeline's sentence with every engine strength left out, and with every other drawn
value too: a support's factor on effectiveness, how long a plant stays off the grid or a
cut line takes to repair (a crisis cell learns that something happened, not the
model's draw of how much or how long). An inject's expected action, written for the
controller, is not shown to them at all. The facilitator's views
(``--controller`` at the terminal, ``/control`` on the board) show both.
"""

from __future__ import annotations

from collections.abc import Callable

from ..engine.record import Event, EventKind
from ..engine.timeline import describe, fight_length_text
from ..formatting import number_text
from ..scenario.schema import Scenario

__all__ = ["reported", "reported_strength"]


def _fight_end(event: Event, assault_won: bool) -> str:
    assault, holders = (("defenders", "attackers") if event.side == "defender"
                        else ("attackers", "defenders"))
    loser, winner = (holders, assault) if assault_won else (assault, holders)
    how = "are destroyed" if event.annihilated else "withdraw"
    return f"{loser} {how} {fight_length_text(event.duration_s)}; {winner} hold"


def _engage(event: Event) -> str:
    if event.side == "defender":
        return f"defenders counter-attack the attackers holding it ({', '.join(event.opponents)})"
    return f"attackers engage the defenders ({', '.join(event.opponents)})"


def _plant_out(event: Event) -> str:
    if event.capacity_mw is None:
        return f"{event.mode}: loss of operation (the dam has no plant)"
    return f"{event.mode}: plant off the grid ({event.capacity_mw:.0f} MW)"


# The kinds whose timeline sentence carries an engine strength or another drawn value
# (a factor, a duration) are reworded, and a dispatch: the engine's "at the scheduled
# time" reads as a contradiction when the group has just chosen to send the force now
# (the players know why it left).
_REPORTED: dict[EventKind, Callable[[Event], str]] = {
    EventKind.DISPATCH: lambda e: (f"dispatched: {e.trigger_town} has fallen"
                                   if e.trigger_town else "dispatched"),
    EventKind.GARRISON: lambda e: f"holds {e.place}",
    EventKind.ARRIVE: lambda e: "arrives",
    EventKind.ENGAGE: _engage,
    EventKind.JOIN: lambda e: f"joins the engagement ({e.side} side)",
    EventKind.DEFEAT: lambda e: _fight_end(e, assault_won=True),
    EventKind.REPULSE: lambda e: _fight_end(e, assault_won=False),
    EventKind.SUPPORT: lambda e: "support starts",
    EventKind.PLANT_OUT: _plant_out,
    EventKind.GENERATORS_OUT: lambda e: (f"power plant lost: {e.count} generator(s) off the "
                                         f"grid ({e.capacity_mw or 0.0:.0f} MW)"),
    EventKind.LINE_CUT: lambda e: "grid line cut; under repair",
}


def reported(event: Event) -> str:
    """The sentence the players read for `event`: `describe`'s, without the strengths,
    factors and durations the engine drew."""
    words = _REPORTED.get(event.kind)
    return words(event) if words is not None else describe(event)


def reported_strength(scenario: Scenario, force_id: str) -> str:
    """A force's strength as the players' intelligence gives it: the range of the
    scenario's strength distribution (``300-1,500``), or its value if it is fixed; empty
    when the distribution has no bounds to quote (an unbounded one)."""
    force = scenario.forces.get(force_id)
    if force is None:
        return ""
    params = force.strength.params
    if "value" in params:
        return f"about {number_text(params['value'], 3)}"
    if "low" in params and "high" in params:
        low, high = params["low"], params["high"]
        return f"{number_text(low, 3)}–{number_text(high, 3)}"
    return ""
