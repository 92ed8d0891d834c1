"""The rules the board shares with the terminal exercise: the fog of war (players see
strengths only as reported ranges and no expected actions; ``--controller`` shows both)
and the story rule (``--story K|threatened|captured|breach``, default threatened)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from simulator.cli import build_parser
from simulator.engine.timeline import describe
from simulator.exercise.console import Facilitator
from simulator.exercise.run import pick_story
from simulator.exercise.session import Session, find_story
from simulator.scenario import load_scenario
from simulator.scenario.decisions import read_decisions

from .conftest import DECISIONS, HADITHA


def play(controller: bool):
    """The shipped decisions at the terminal, without forecasts or outputs."""
    printed = io.StringIO()
    script = read_decisions(DECISIONS)
    session = Session(HADITHA, seed=script.seed, replication=script.replication,
                      forecast_replications=0)
    session.play(Facilitator(Console(file=printed, width=220), script=script,
                             controller=controller))
    return session, " ".join(printed.getvalue().split())


@pytest.mark.slow  # two plays of the Haditha story with its grid: several seconds
def test_the_terminal_shows_players_reports_and_the_controller_the_truth():
    session, players = play(controller=False)
    _, controller = play(controller=True)
    true_strengths = [describe(e) for e in session.story.timeline if e.strength is not None
                      and any(s.time_s is not None and e.time_s <= s.time_s
                              for s in session.steps)]
    assert true_strengths
    for sentence in true_strengths:
        assert sentence not in players
        assert sentence in controller
    expected = [" ".join(s.spec.expected_action.split()) for s in session.steps
                if s.kind == "inject" and s.time_s is not None]
    for text in expected:
        assert text not in players and text in controller
    assert "300–1,500" in players  # the column as intelligence reports it


def test_the_story_rule():
    scenario = load_scenario(HADITHA)
    seed = scenario.scenario.seed
    assert pick_story(HADITHA, None) == find_story(scenario, seed, "threatened")
    assert pick_story(HADITHA, "breach") == find_story(scenario, seed, "breach")
    assert pick_story(HADITHA, "7") == 7
    assert pick_story(HADITHA, "breach", seed=1) == find_story(scenario, 1, "breach")


@pytest.mark.parametrize("command", ["exercise", "board"])
def test_story_takes_a_number_or_a_level(command, capsys):
    parser = build_parser()
    assert parser.parse_args([command, "f.yaml", "--story", "captured"]).story == "captured"
    assert parser.parse_args([command, "f.yaml", "--story", "12"]).story == "12"
    with pytest.raises(SystemExit):
        parser.parse_args([command, "f.yaml", "--story", "flooded"])
    assert "threatened, captured, breach" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # one or the other
        parser.parse_args([command, "f.yaml", "--story", "3", "--replication", "4"])


def test_fatalities_if_the_dam_breaks_are_over_the_branches_that_breach():
    from types import SimpleNamespace

    import numpy as np

    from simulator.exercise.forecast import fatalities_if_breach

    def result(breach, fatalities):
        return SimpleNamespace(values={"breach_started": np.array(breach, dtype=float),
                                       "fatalities": np.array(fatalities, dtype=float)})

    estimate, branches = fatalities_if_breach(result([1, 0, 1, 0], [100, 0, 300, 0]))
    assert branches == 2 and estimate.mean == 200 and estimate.low >= 0 < estimate.high
    assert fatalities_if_breach(result([0, 0], [0, 0])) == (None, 0)
    single, one = fatalities_if_breach(result([0, 1], [0, 50]))
    assert one == 1 and single.mean == 50 and np.isnan(single.low)


PREMISES = """
injects:
  early_alarm:
    time: 0 h
    from: Dam operator
    to: Crisis cell
    message: The column is on the crest.
    assumes_dam: captured
    assumes_fallen: [upland]
  late_alarm:
    time: 12 h
    from: Dam operator
    to: Crisis cell
    message: Upland has fallen.
    assumes_fallen: [upland]
"""


def test_an_inject_whose_premise_does_not_hold_says_so(tmp_path):
    from .conftest import write_classroom

    path = write_classroom(tmp_path, PREMISES)
    session = Session(path, forecast_replications=0)
    early = session.next_step()
    assert early.id == "early_alarm"
    assert early.note == ("its premise does not hold in this story: upland has not fallen; "
                          "the dam has not been captured")
    late = session.next_step()
    fallen = any(e.kind == "capture" and e.place == "upland" for e in session.seen)
    assert late.id == "late_alarm" and fallen and late.note == ""
    printed = io.StringIO()
    facilitator = Facilitator(Console(file=printed, width=100), stdin=io.StringIO("\n"))
    facilitator.inject(session, early)
    assert "premise does not hold in this story: upland has not fallen" in printed.getvalue()


def test_a_premise_note_goes_to_the_facilitator_only(tmp_path):
    """On the board, the note that an inject's premise does not hold is in the control
    view and in neither the room's nor a role's JSON."""
    pytest.importorskip("starlette", reason="the board extra is not installed")
    from simulator.exercise.board.state import Board

    from .conftest import write_classroom

    board = Board(write_classroom(tmp_path, PREMISES), tmp_path / "out",
                  forecast_replications=0)
    board.advance()
    assert board.current.id == "early_alarm" and board.current.note
    assert board.view(True)["step"]["note"] == board.current.note
    for view in (board.view(False), *(board.view(False, r) for r in board.roles)):
        assert "note" not in view["step"] and "premise" not in str(view)


def test_the_story_s_seed_and_replication_go_to_the_facilitator_only(tmp_path):
    """Which story is played (seed, replication) would let a player replay it: only the
    control view carries it."""
    pytest.importorskip("starlette", reason="the board extra is not installed")
    from simulator.exercise.board.state import Board

    from .conftest import CLASSROOM

    board = Board(CLASSROOM, tmp_path / "out", replication=3, forecast_replications=0)
    board.advance()
    story = f"seed {board.session.seed}, replication 3"
    assert board.view(True)["story"] == story
    for view in (board.view(False), *(board.view(False, r) for r in board.roles)):
        assert "story" not in view and str(board.session.seed) not in str(view)


def test_a_premise_names_a_place_the_scenario_has(tmp_path):
    from simulator.scenario import ScenarioError, load_scenario

    from .conftest import write_classroom

    path = write_classroom(tmp_path, PREMISES.replace("[upland]", "[uplnd]", 1))
    with pytest.raises(ScenarioError, match="unknown node 'uplnd'; did you mean 'upland'"):
        load_scenario(path)
