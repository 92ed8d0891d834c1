"""Lanchester's square law in closed form: who wins an engagement, when, and who is left.

Aimed fire between attackers ``A`` and defenders ``D``::

    dA/dt = -beta * D        dD/dt = -alpha * A

with ``alpha`` the defenders put out of action per attacker per second and ``beta`` the
attackers put out of action per defender per second (the defender's effectiveness times
its defender advantage). With fighting strengths ``u = sqrt(alpha) A``,
``v = sqrt(beta) D`` and scaled time ``x = sqrt(alpha beta) t`` the system becomes
``u' = -v, v' = -u``, solved by ``u = u0 cosh x - v0 sinh x`` and
``v = v0 cosh x - u0 sinh x`` (Lanchester 1916; Taylor, *Lanchester Models of Warfare*,
1983, ch. 2). A side gives up when its strength ratio (own/enemy) falls below its
withdraw ratio; 0 means it fights to the last. The crossing time of ``u/v = rho`` solves
``tanh x = (u0 - rho v0) / (v0 - rho u0)``, so an engagement costs one function call
and one SimPy timeout, never a time-stepped integration.
"""

from __future__ import annotations

import math
from typing import NamedTuple

__all__ = ["Outcome", "resolve", "strengths_at"]


class Outcome(NamedTuple):
    """How an engagement ends (``winner`` is None when neither side gives up: a
    stalemate of equal fighting strengths, ``duration_s`` infinite)."""

    winner: str | None  # "attacker" or "defender"
    duration_s: float
    attackers_left: float
    defenders_left: float
    loser_annihilated: bool  # False: the loser withdrew with survivors


def _crossing(own: float, enemy: float, rho: float) -> float:
    """Scaled time at which own/enemy fighting strength falls below `rho` (inf: never)."""
    if own < rho * enemy:
        return 0.0
    if own >= enemy:  # the ratio own/enemy only grows
        return math.inf
    return math.atanh((own - rho * enemy) / (enemy - rho * own))


def strengths_at(attackers: float, defenders: float, alpha: float, beta: float,
                 t_s: float) -> tuple[float, float]:
    """Attacker and defender strengths after `t_s` seconds of fighting (not past the end
    of the engagement: strengths are floored at zero)."""
    gamma = math.sqrt(alpha * beta)
    x = gamma * t_s
    cosh, sinh = math.cosh(x), math.sinh(x)
    ratio = math.sqrt(beta / alpha)  # converts defenders into attacker units
    a = attackers * cosh - ratio * defenders * sinh
    d = defenders * cosh - attackers / ratio * sinh
    return max(a, 0.0), max(d, 0.0)


def resolve(attackers: float, defenders: float, alpha: float, beta: float,
            attacker_withdraw_ratio: float = 0.0,
            defender_withdraw_ratio: float = 0.0) -> Outcome:
    """Winner, duration and survivors of a square-law engagement.

    Withdraw ratios are in head counts (own/enemy strength), as in the scenario. When
    both sides would give up at once (for example, both start below their ratios) the
    attacker gives up: holding is the default.
    """
    if attackers < 0 or defenders < 0:
        raise ValueError("strengths must not be negative")
    if alpha <= 0 or beta <= 0:
        raise ValueError("effectiveness must be positive")
    if attackers == 0:  # e.g. a force joins at the instant the attackers were wiped out
        return Outcome("defender", 0.0, 0.0, defenders, True)
    if defenders == 0:
        return Outcome("attacker", 0.0, attackers, 0.0, True)
    u0, v0 = math.sqrt(alpha) * attackers, math.sqrt(beta) * defenders
    scale = math.sqrt(alpha / beta)  # head-count ratio -> fighting-strength ratio
    x_attacker = _crossing(u0, v0, attacker_withdraw_ratio * scale)
    x_defender = _crossing(v0, u0, defender_withdraw_ratio / scale)
    x = min(x_attacker, x_defender)
    if math.isinf(x):
        return Outcome(None, math.inf, attackers, defenders, False)
    gamma = math.sqrt(alpha * beta)
    a, d = strengths_at(attackers, defenders, alpha, beta, x / gamma)
    if x_attacker <= x_defender:
        annihilated = attacker_withdraw_ratio == 0.0
        return Outcome("defender", x / gamma, 0.0 if annihilated else a, d, annihilated)
    annihilated = defender_withdraw_ratio == 0.0
    return Outcome("attacker", x / gamma, a, 0.0 if annihilated else d, annihilated)
