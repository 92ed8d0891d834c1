"""Roles: an exercise's player roles, the injects and decisions that go to each, checked
when the scenario loads; each role's inbox on the board; the MSEL's planning columns."""

from __future__ import annotations

import pytest

from simulator.exercise.board.state import Board
from simulator.exercise.msel import msel_rows
from simulator.exercise.session import Session
from simulator.scenario import ScenarioError, load_scenario

from .board_server import get, running
from .conftest import write_classroom

pytest.importorskip("starlette", reason="the board extra is not installed")

ROLES = """
roles:
  defence: {name: Defence ministry}
  power: {name: Electricity ministry, description: runs the grid}
injects:
  column_sighted:
    time: 0 h
    from: Border police
    to: Defence ministry
    message: An armed column has crossed the pass.
    roles: [defence]
    method: phone
    objective: the reserve's orders are reviewed
  grid_alert:
    time: 0 h
    from: Grid control
    to: Electricity ministry
    message: The line past Upland may be cut.
    roles: [power]
    method: email
  everyone:
    time: 1 h
    from: Crisis cell chair
    to: All
    message: Briefing in ten minutes.
decisions:
  reinforce:
    time: 2 h
    question: Send the soldiers in the capital now?
    roles: [defence]
    options:
      wait_for_upland: {description: keep the plan, overrides: {}}
      send_now:
        description: they leave now
        overrides: {forces: {reinforcement: {trigger: {time: now}}}}
"""


def test_roles_of_injects_and_decisions_must_be_defined(tmp_path):
    path = write_classroom(tmp_path, ROLES.replace("roles: [power]", "roles: [powr]"))
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), start=1)
                if "powr" in text)
    message = str(error.value)
    assert f"{path}:{line}:" in message
    assert "unknown role 'powr'; did you mean 'power'?" in message


def test_each_role_sees_its_own_inbox(tmp_path):
    board = Board(write_classroom(tmp_path, ROLES), tmp_path / "session",
                  forecast_replications=0)
    assert board.roles == {"defence": "Defence ministry", "power": "Electricity ministry"}
    for _ in range(3):
        board.advance()
    defence, power = board.view(False, "defence"), board.view(False, "power")
    assert [c["id"] for c in defence["cards"]] == ["everyone", "column_sighted"]
    assert [c["id"] for c in power["cards"]] == ["everyone", "grid_alert"]
    assert [c["id"] for c in board.view(False)["cards"]] == ["everyone", "grid_alert",
                                                              "column_sighted"]
    board.advance()  # the decision goes to defence only
    assert board.view(False, "defence")["step"]["id"] == "reinforce"
    assert board.view(False, "power")["step"] is None
    with running(board) as base:
        assert get(base, "/role/defence")[0] == 200
        status, page = get(base, "/role/navy")
        assert status == 404 and "defence, power" in page
        assert get(base, "/api/state?view=role&role=power")[0] == 200
        assert get(base, "/api/state?view=role&role=navy")[0] == 404


def test_the_msel_has_the_planning_columns(tmp_path):
    session = Session(write_classroom(tmp_path, ROLES), forecast_replications=0)
    while session.next_step() is not None:
        step = session.steps[-1]
        if step.open:
            session.choose(step, "send_now")
    rows = {row["inject"]: row for row in msel_rows(session)}
    assert rows["column_sighted"]["number"] == "1" and rows["reinforce"]["number"] == "D1"
    assert rows["column_sighted"]["method"] == "phone"
    assert rows["column_sighted"]["objective"] == "the reserve's orders are reviewed"
    assert rows["column_sighted"]["responsible_role"] == "Defence ministry"
    assert rows["grid_alert"]["responsible_role"] == "Electricity ministry"
    assert rows["everyone"]["responsible_role"] == ""
    assert rows["reinforce"]["responsible_role"] == "Defence ministry"
