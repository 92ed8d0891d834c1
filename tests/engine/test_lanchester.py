"""The closed-form square law against a numerical integration of Lanchester's ODEs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from simulator.engine.lanchester import resolve, strengths_at

HOUR = 3600.0


def integrate(attackers, defenders, alpha, beta, attacker_ratio, defender_ratio):
    """solve_ivp of dA/dt = -beta D, dD/dt = -alpha A until a side gives up."""

    def rhs(_t, y):
        return [-beta * y[1], -alpha * y[0]]

    def attacker_gives_up(_t, y):
        return y[0] - attacker_ratio * y[1]

    def defender_gives_up(_t, y):
        return y[1] - defender_ratio * y[0]

    for event in (attacker_gives_up, defender_gives_up):
        event.terminal = True
        event.direction = -1
    solution = solve_ivp(rhs, (0.0, 1000 * HOUR), [attackers, defenders], method="DOP853",
                         events=(attacker_gives_up, defender_gives_up), rtol=1e-11,
                         atol=1e-9)
    (t_attacker, t_defender) = solution.t_events
    if len(t_attacker):
        return "defender", t_attacker[0], solution.y_events[0][0]
    return "attacker", t_defender[0], solution.y_events[1][0]


CASES = [
    # attackers, defenders, alpha/h, beta/h, attacker ratio, defender ratio
    (400, 50, 0.1, 0.2, 0.2, 0.0),  # the valley's first fight: defenders destroyed
    (300, 100, 0.05, 0.1, 0.0, 0.0),  # to the last on both sides
    (528, 585, 0.045, 0.12, 0.57, 0.19),  # attacker withdraws
    (1000, 400, 0.04, 0.12, 0.5, 0.3),  # defender withdraws first
    (150, 149, 0.05, 0.05, 0.0, 0.0),  # nearly even: a long fight
]


@pytest.mark.parametrize("case", CASES)
def test_closed_form_matches_integration(case):
    attackers, defenders, alpha_h, beta_h, ra, rd = case
    alpha, beta = alpha_h / HOUR, beta_h / HOUR
    outcome = resolve(attackers, defenders, alpha, beta, ra, rd)
    winner, duration_s, (a, d) = integrate(attackers, defenders, alpha, beta, ra, rd)
    assert outcome.winner == winner
    assert outcome.duration_s == pytest.approx(duration_s, rel=1e-6)
    if outcome.winner == "attacker":
        assert outcome.attackers_left == pytest.approx(a, rel=1e-6)
        assert outcome.defenders_left == pytest.approx(0.0 if rd == 0 else d, abs=1e-5)
    else:
        assert outcome.defenders_left == pytest.approx(d, rel=1e-6)
        assert outcome.attackers_left == pytest.approx(0.0 if ra == 0 else a, abs=1e-5)


@settings(max_examples=40, deadline=None)
@given(attackers=st.floats(10, 5000), defenders=st.floats(10, 5000),
       alpha_h=st.floats(0.01, 0.2), beta_h=st.floats(0.01, 0.5),
       ra=st.sampled_from([0.0, 0.1, 0.3, 0.6]), rd=st.sampled_from([0.0, 0.2, 0.5]))
def test_closed_form_matches_integration_everywhere(attackers, defenders, alpha_h, beta_h,
                                                     ra, rd):
    alpha, beta = alpha_h / HOUR, beta_h / HOUR
    outcome = resolve(attackers, defenders, alpha, beta, ra, rd)
    fighting = math.sqrt(alpha) * attackers / (math.sqrt(beta) * defenders)
    # near-ties take arbitrarily long; instant withdrawals need no ODE
    assume(abs(fighting - 1) >= 1e-3 and outcome.duration_s >= 60)
    winner, duration_s, _ = integrate(attackers, defenders, alpha, beta, ra, rd)
    assert outcome.winner == winner
    assert outcome.duration_s == pytest.approx(duration_s, rel=1e-5)


def test_square_law_invariant():
    """alpha A^2 - beta D^2 is constant along the solution."""
    alpha, beta = 0.05 / HOUR, 0.2 / HOUR
    invariant = alpha * 500**2 - beta * 200**2
    for t_h in np.linspace(0, 5, 11):
        a, d = strengths_at(500, 200, alpha, beta, t_h * HOUR)
        assert alpha * a**2 - beta * d**2 == pytest.approx(invariant, rel=1e-9)


def test_immediate_withdrawal_and_stalemate():
    """A side already below its ratio gives up at once (the attacker on a tie); equal
    fighting strengths fighting to the last never finish."""
    outcome = resolve(100, 1000, 1e-5, 1e-5, attacker_withdraw_ratio=0.5)
    assert outcome.winner == "defender" and outcome.duration_s == 0.0
    assert outcome.attackers_left == 100 and not outcome.loser_annihilated
    outcome = resolve(100, 100, 1e-5, 1e-5, 2.0, 2.0)
    assert outcome.winner == "defender" and outcome.duration_s == 0.0
    outcome = resolve(100, 100, 1e-5, 1e-5)
    assert outcome.winner is None and math.isinf(outcome.duration_s)
    # a side already wiped out (a force joining at that very instant) loses at once
    assert resolve(0.0, 10, 1e-5, 1e-5)[:2] == ("defender", 0.0)
    assert resolve(10, 0.0, 1e-5, 1e-5)[:2] == ("attacker", 0.0)


def test_defender_advantage_helps():
    alpha = 0.05 / HOUR
    plain = resolve(300, 200, alpha, alpha)
    dug_in = resolve(300, 200, alpha, 3 * alpha)
    assert plain.winner == "attacker" and dug_in.winner == "defender"
