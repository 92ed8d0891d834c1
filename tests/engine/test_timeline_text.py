"""The timeline's sentences for the end of a fight read as a person would say them."""

from __future__ import annotations

from simulator.engine.record import Event, EventKind
from simulator.engine.timeline import describe
from simulator.exercise.fog import reported
from simulator.formatting import HOUR_S


def _retaken(duration_s: float) -> Event:
    """Defenders counter-attack attackers who hold the dam; the holders win or go."""
    return Event(time_s=10 * HOUR_S, kind=EventKind.DEFEAT, actors=("reserve",), place="dam",
                 opponents=("column",), side="defender", attackers=400.0, defenders=0.0,
                 winner="defender", annihilated=False, duration_s=duration_s)


def test_holders_who_withdraw_at_first_contact_withdraw_at_once():
    assert describe(_retaken(0.0)).startswith("attackers withdraw at once; 400 defenders left")
    assert describe(_retaken(30.0)).startswith("attackers withdraw at once;")
    assert describe(_retaken(2.5 * HOUR_S)).startswith("attackers withdraw after 2.5 h;")


def test_the_players_read_the_same():
    assert reported(_retaken(0.0)).startswith("attackers withdraw at once;")
