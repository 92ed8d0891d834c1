"""The board without a browser: its game (the session driven step by step, saved, resumed,
undone), the players' and the facilitator's views, the map's geometry, story selection and
the join token over HTTP."""

from __future__ import annotations

import json

import pytest
import yaml

from simulator.engine.timeline import describe
from simulator.exercise.board.mapview import map_layout
from simulator.exercise.board.state import BOARD_JSON, DECISIONS_YAML, Board, BoardRefusal
from simulator.exercise.fog import reported, reported_strength
from simulator.exercise.session import STORY_LEVELS, find_story, story_level
from simulator.plotting import map_distance_km
from simulator.scenario import load_scenario

from .board_server import get, post, running
from .conftest import CLASSROOM, HADITHA

pytest.importorskip("starlette", reason="the board extra is not installed")


@pytest.fixture
def board(tmp_path):
    return Board(CLASSROOM, tmp_path / "session", forecast_replications=0)


def play_to_decision(board: Board):
    while not (board.current is not None and board.current.open):
        board.advance()
    return board.current


def test_the_board_refuses_to_pass_an_open_decision_and_takes_a_choice(board):
    step = play_to_decision(board)
    with pytest.raises(BoardRefusal, match="choose an option first"):
        board.advance()
    with pytest.raises(BoardRefusal, match="not an option"):
        board.choose("no_such_option")
    option = next(o for o in step.options.values() if o.allowed)
    board.choose(option.id)
    assert step.chosen == option.id and not step.open
    saved = yaml.safe_load((board.out / DECISIONS_YAML).read_text())
    assert saved["decisions"] == {step.id: option.id}
    assert saved["replication"] == board.replication


def test_undo_gives_the_story_before_the_decision_with_it_open_again(board):
    step = play_to_decision(board)
    before = board.session.story.outcomes
    seen = board.session.seen
    last = list(step.options)[-1]
    board.choose(last)
    board.undo()
    again = board.current
    assert again.id == step.id and again.open and again.chosen is None
    assert board.session.seen == seen
    assert board.session.story.outcomes == before
    with pytest.raises(BoardRefusal, match="no decision to undo"):
        board.undo()


def test_a_resumed_board_is_where_the_saved_one_was(tmp_path, board):
    step = play_to_decision(board)
    board.record_reasons("the river is high")
    board.add_note("long discussion")
    board.choose(list(step.options)[-1])
    board.advance()
    board.hold(True)
    with pytest.raises(BoardRefusal, match="on hold"):
        board.advance()
    resumed = Board(CLASSROOM, board.out, forecast_replications=0, resume=True)
    assert [s.id for s in resumed._played()] == [s.id for s in board._played()]
    assert resumed.session.seen == board.session.seen
    assert resumed.held
    decision = next(s for s in resumed.session.steps if s.id == step.id)
    assert decision.chosen == step.chosen and decision.reasons == "the river is high"
    assert "long discussion" in decision.notes
    saved = json.loads((board.out / BOARD_JSON).read_text())
    assert saved["played"] == len(board._played())


def test_resume_needs_a_saved_session(tmp_path):
    with pytest.raises(BoardRefusal, match="nothing to resume"):
        Board(CLASSROOM, tmp_path / "empty", resume=True)


def test_the_room_view_has_no_true_strengths_or_expected_actions(tmp_path):
    board = Board(HADITHA, tmp_path / "h", replication=20, forecast_replications=0)
    for _ in range(2):
        board.advance()
    room, control = board.view(False), board.view(True)
    room_text = json.dumps(room, ensure_ascii=False)
    control_text = json.dumps(control, ensure_ascii=False)
    strengths = [describe(e) for e in board.session.seen if e.strength is not None]
    assert strengths  # the garrison and the column's arrival
    for sentence in strengths:
        assert sentence not in room_text and sentence in control_text
    expected = board.current.spec.expected_action
    assert expected not in room_text and expected in control_text
    assert all("strength" not in force for force in room["forces"])
    assert {f["id"]: f["reported_strength"] for f in room["forces"]}["isil_column"] == "300–1,500"


def test_reported_sentences_leave_out_every_strength(tmp_path):
    scenario = load_scenario(HADITHA)
    from simulator.engine import simulate

    story = simulate(scenario, replication=20, timeline=True)
    for event in story.timeline:
        numbers = [v for v in (event.strength, event.attackers, event.defenders) if v]
        for value in numbers:
            assert f"{value:.0f}" not in reported(event)
    assert reported_strength(scenario, "dam_garrison") == "200–800"


def test_reported_sentences_leave_out_factors_and_durations():
    """A support's factor, a plant's outage and a line's repair time are the model's
    draws: the players read that the thing happened, the controller how much and how
    long."""
    from simulator.engine.record import Event, EventKind

    events = [
        Event(1.0, EventKind.SUPPORT, ("column",), "ford", factor=2.64),
        Event(1.0, EventKind.PLANT_OUT, ("dam",), "valley", mode="plant_lost",
              capacity_mw=100.0, duration_s=659.4 * 3600),
        Event(1.0, EventKind.GENERATORS_OUT, ("ford_plant",), "ford", count=2,
              capacity_mw=60.0, duration_s=12.5 * 3600),
        Event(1.0, EventKind.LINE_CUT, ("tie",), "ford", duration_s=31 * 3600),
    ]
    drawn = ("2.64", "659.4", "12.5", "31")
    for event in events:
        assert any(value in describe(event) for value in drawn)
        assert not any(value in reported(event) for value in drawn), reported(event)
    assert [reported(e) for e in events] == [
        "support starts", "plant_lost: plant off the grid (100 MW)",
        "power plant lost: 2 generator(s) off the grid (60 MW)", "grid line cut; under repair"]


def test_the_map_keeps_plot_maps_distances():
    scenario = load_scenario(HADITHA)
    layout = map_layout(scenario)
    nodes = {n["id"]: n for n in layout["nodes"]}
    spec = scenario.network.nodes
    mean_lat = sum(n.lat for n in spec.values()) / len(spec)
    for a, b in (("al_qaim", "baghdad"), ("rawa", "anah"), ("haditha_dam", "hit")):
        board_km = ((nodes[a]["x_km"] - nodes[b]["x_km"]) ** 2
                    + (nodes[a]["y_km"] - nodes[b]["y_km"]) ** 2) ** 0.5
        expected = map_distance_km(spec[a].lat, spec[a].lon, spec[b].lat, spec[b].lon, mean_lat)
        assert board_km == pytest.approx(expected, abs=0.01)
    assert layout["river"][0] == "haditha_dam" and layout["river"][-1] == "fallujah"
    assert nodes["baghdad"]["x_km"] > nodes["al_qaim"]["x_km"]  # east is right
    assert nodes["rawa"]["y_km"] < nodes["baghdad"]["y_km"]  # north is up


def test_a_story_level_picks_the_first_replication_that_reaches_it():
    scenario = load_scenario(HADITHA)
    seed = scenario.scenario.seed
    from simulator.engine import prepare, simulate

    prepared = prepare(scenario, consequences=False)
    dam = scenario.assets.dam.node
    found = [find_story(scenario, seed, level) for level in STORY_LEVELS]
    assert found == sorted(found)
    for wanted, replication in enumerate(found, start=1):
        def level(k):
            story = simulate(prepared, seed, k, timeline=True, consequences=False)
            return story_level(story.timeline, dam)
        assert level(replication) >= wanted
        assert all(level(k) < wanted for k in range(replication))
    with pytest.raises(ValueError, match="unknown story level"):
        find_story(scenario, seed, "flooded")


def test_with_a_token_control_is_refused_without_it(tmp_path, board):
    token = "t0ken"
    with running(board, token) as base:
        assert get(base, "/room")[0] == 200
        assert get(base, "/api/state?view=room")[0] == 200
        status, answer = post(base, "advance")
        assert status == 403 and "token" in answer["error"]
        assert get(base, "/control")[0] == 403
        assert get(base, "/api/state?view=control")[0] == 403
        assert board.version == 0
        assert post(base, "advance", token=token)[0] == 200
        assert get(base, f"/api/state?view=control&token={token}")[0] == 200
        status, answer = post(base, "choose", {"option": "x"}, token)
        assert status == 409 and "no decision is open" in answer["error"]


def _request(base: str, path: str, data: bytes | None = None, **headers: str) -> int:
    """The status of a request with the given headers (a POST when `data` is given)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{base}{path}", data=data, headers=headers,
                                     method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_other_web_pages_can_neither_drive_nor_read_the_board(board):
    """Without a token (bound to localhost), a page from another site open in the
    facilitator's browser is refused: a foreign Origin, a rebound host name (DNS
    rebinding) and a control action not sent as JSON (a plain form) all get an error and
    change nothing; the board's own pages still work."""
    json_type = {"Content-Type": "application/json"}
    with running(board) as base:
        port = base.rsplit(":", 1)[1]
        assert _request(base, "/api/advance", b"{}", Origin="https://evil.example",
                        **json_type) == 403
        assert _request(base, "/api/advance", b"{}", Host=f"evil.example:{port}",
                        **json_type) == 403
        assert _request(base, "/api/state?view=control", Host="rebound.example") == 403
        assert _request(base, "/api/advance", b"option=x",
                        **{"Content-Type": "text/plain"}) == 415
        assert _request(base, "/api/undo", b"") == 415
        assert board.version == 0
        assert _request(base, "/api/state?view=control", Host=f"localhost:{port}",
                        Origin=f"http://localhost:{port}") == 200
        assert _request(base, "/api/advance", b"{}", Origin=base, **json_type) == 200
        assert board.version == 1


@pytest.mark.slow  # plays the whole story and writes the report's figures
def test_a_finished_board_shows_the_whole_story_and_resumes_finished(tmp_path, board):
    while not board.session.finished:
        step = board.current
        if step is not None and step.open:
            board.choose(next(o.id for o in step.options.values() if o.allowed))
        else:
            board.advance()
    assert board.session.seen == board.session.story.timeline
    view = board.view(False)
    assert view["finished"] and view["ending"][0]["label"] == "dam captured"
    assert (board.out / "aar.md").is_file() and (board.out / "msel.csv").is_file()
    resumed = Board(CLASSROOM, board.out, forecast_replications=0, resume=True)
    assert resumed.session.finished and resumed.session.seen == board.session.seen


def test_printable_inject_cards_one_per_page_behind_the_token(tmp_path):
    board = Board(HADITHA, tmp_path / "h", replication=20, forecast_replications=0)
    token = "t0ken"
    with running(board, token) as base:
        assert get(base, "/cards")[0] == 403
        status, page = get(base, f"/cards?token={token}")
    assert status == 200
    assert page.count('class="card"') == len(board.session.base.exercise.injects)
    assert "break-after: page" in page
    assert "Inject 2" in page and "when rawa falls" in page
    assert "Contact with the dam&#x27;s control room is lost." in page


def test_the_cards_style_sheet_is_not_escaped():
    """The cards' CSS goes into the page as CSS: its quoted font names stay quoted."""
    from simulator.exercise.board.cards import STYLE, inject_cards_page

    page = inject_cards_page(load_scenario(HADITHA))
    assert STYLE in page and '"DejaVu Sans"' in page and "&quot;" not in page


def test_the_facilitator_sees_what_is_coming_in_this_story(tmp_path):
    board = Board(HADITHA, tmp_path / "h", replication=20, forecast_replications=0)
    coming = board.view(True)["coming"]
    assert [c["id"] for c in coming[:3]] == ["briefing", "rawa_falls", "reserve"]
    assert coming[2]["time"] == board.view(True)["coming"][1]["time"]  # both on Rawa's fall
    assert "coming" not in board.view(False)
    board.advance()
    assert [c["id"] for c in board.view(True)["coming"]][0] == "rawa_falls"


def test_several_rooms_follow_the_same_board(board):
    import urllib.request

    def next_view(stream) -> dict:
        while True:
            line = stream.readline().decode()
            assert line, "the event stream ended"
            if line.startswith("data: {"):
                return json.loads(line[len("data: "):])

    with running(board) as base:
        rooms = [urllib.request.urlopen(f"{base}/api/events?view=room", timeout=30)
                 for _ in range(3)]
        assert [next_view(room)["version"] for room in rooms] == [0, 0, 0]
        assert post(base, "advance")[0] == 200
        views = [next_view(room) for room in rooms]
        assert [v["version"] for v in views] == [1, 1, 1]
        assert all(v["step"]["id"] == board.current.id for v in views)
        for room in rooms:
            room.close()
