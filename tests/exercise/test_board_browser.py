"""The board in a real headless Chromium (Debian's chromium and chromium-driver, driven by
Selenium; nothing is downloaded): the shipped Haditha decisions played through /control
with /room open beside it, asserting what each shows at every step, with screenshots in
the test's temporary folder; and the fog of war and the join token."""

from __future__ import annotations

import shutil
import time

import pytest

from simulator.engine.timeline import describe
from simulator.exercise.board.state import Board
from simulator.scenario.decisions import read_decisions

from .board_server import get, post, running
from .conftest import DECISIONS, HADITHA

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser")
                 if shutil.which(n)), None)
DRIVER = shutil.which("chromedriver")
selenium = pytest.importorskip("selenium", reason="selenium is not installed")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None or DRIVER is None,
                                 reason="chromium and chromium-driver are not installed")]

FORECASTS = 20  # branches per option: the test checks the pages, not the forecasts
WIDTH, HEIGHT = 1400, 900


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    fit(driver)
    yield driver
    driver.quit()


def fit(driver) -> None:
    """The current tab's page at WIDTH x HEIGHT (each tab has its own size)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})


def wait_for(condition, timeout_s: float = 60.0, what: str = "the page"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def version(driver) -> int:
    return int(driver.find_element("tag name", "body").get_attribute("data-version") or -1)


def text(driver) -> str:
    return driver.find_element("tag name", "body").text


def seen_strength_sentences(board: Board) -> list[str]:
    """The engine's sentences for the seen events that carry a true strength."""
    return [describe(e) for e in board.session.seen
            if e.strength is not None or e.attackers is not None]


def test_the_shipped_decisions_play_through_the_board(tmp_path, browser):
    script = read_decisions(DECISIONS)
    board = Board(HADITHA, tmp_path / "session", seed=script.seed,
                  replication=script.replication, forecast_replications=FORECASTS)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with running(board) as base:
        browser.get(f"{base}/room")
        room = browser.current_window_handle
        wait_for(lambda: version(browser) == 0, what="the room's first view")
        assert "has not started" in text(browser)
        browser.switch_to.new_window("tab")
        fit(browser)
        control = browser.current_window_handle
        browser.get(f"{base}/control")
        wait_for(lambda: version(browser) == 0, what="the control view")
        shown, chosen, number = [], {}, 0
        while not board.session.finished:
            browser.switch_to.window(control)
            before = version(browser)
            step = board.current
            if step is not None and step.open:
                option = script.choice(step.id).option
                if step.id == "reserve":  # the group's reasons, recorded before choosing
                    browser.find_element("id", "reasons").send_keys("Rawa fell early")
                    browser.find_element("id", "save-reasons").click()
                    wait_for(lambda b=before: version(browser) > b, what="the reasons")
                    before = version(browser)
                browser.find_element("id", f"choose-{option}").click()
                chosen[step.id] = option
            else:
                browser.find_element("id", "advance").click()
            wait_for(lambda b=before: version(browser) > b, what="the control's update")
            number += 1
            step = board.current
            control_text = text(browser)
            browser.save_screenshot(str(shots / f"{number:02d}-control.png"))
            browser.switch_to.window(room)
            wait_for(lambda: version(browser) == board.version, what="the room's update")
            room_text = text(browser)
            browser.save_screenshot(str(shots / f"{number:02d}-room.png"))
            clock = board.view(False)["clock"]
            assert clock in room_text and clock in control_text
            if board.session.finished:
                assert "End of the exercise" in room_text
                break
            if step.kind == "inject":
                shown.append(step.id)
                message = " ".join(step.spec.message.split())[:40]
                assert message in " ".join(room_text.split())
                assert message in " ".join(control_text.split())
                if step.spec.expected_action:  # the controller's, never the players'
                    expected = " ".join(step.spec.expected_action.split())[:40]
                    assert expected in " ".join(control_text.split())
                    assert expected not in " ".join(room_text.split())
            else:
                question = " ".join(step.spec.question.split())[:40]
                assert question in " ".join(room_text.split())
                for option in step.options.values():
                    assert option.id.replace("_", " ") in room_text
                if step.chosen is None:
                    assert "P(breach)" in room_text and "if the dam breaks" in room_text
                    assert len(browser.find_elements("css selector", ".option .fill")) >= 3
                else:
                    assert f"{step.chosen.replace('_', ' ')} ✔ chosen" in room_text
                if step.reasons:
                    assert "The group's reasons: Rawa fell early" in room_text
    assert chosen == {c.decision: c.option for c in script.choices.values()}
    assert shown[:2] == ["briefing", "rawa_falls"]
    assert sorted(p.name for p in shots.iterdir())[-1].endswith("room.png")
    saved = read_decisions(tmp_path / "session" / "decisions.yaml")
    assert {c.decision: c.option for c in saved.choices.values()} == chosen
    report = (tmp_path / "session" / "aar.md").read_text(encoding="utf-8")
    assert "Rawa fell early" in report


def test_the_room_never_shows_true_strengths_or_expected_actions(tmp_path, browser):
    board = Board(HADITHA, tmp_path / "session", replication=20,
                  forecast_replications=FORECASTS)
    token = "join-token-for-the-test"
    with running(board, token) as base:
        assert post(base, "advance")[0] == 403
        assert get(base, "/control")[0] == 403
        assert get(base, "/api/state?view=control")[0] == 403
        assert get(base, f"/control?token={token}")[0] == 200
        browser.get(f"{base}/room")
        room = browser.current_window_handle
        browser.switch_to.new_window("tab")
        fit(browser)
        browser.get(f"{base}/control?token={token}")
        control = browser.current_window_handle
        secrets_seen = 0
        while not board.session.finished:
            step = board.current
            if step is not None and step.open:
                status, _ = post(base, "choose", {"option": next(iter(step.options))}, token)
            else:
                status, _ = post(base, "advance", token=token)
            assert status == 200
            hidden = seen_strength_sentences(board)
            hidden += [" ".join(s.spec.expected_action.split()) for s in board.session.steps
                       if s.kind == "inject" and s.time_s is not None
                       and s.spec.expected_action]
            for handle in (room, control):
                browser.switch_to.window(handle)
                wait_for(lambda: version(browser) == board.version, what="the update")
            browser.switch_to.window(room)
            page = " ".join(browser.page_source.split())
            for secret in hidden:
                assert secret not in page
            browser.switch_to.window(control)
            control_page = " ".join(browser.page_source.split())
            secrets_seen += sum(secret in control_page for secret in hidden)
        assert secrets_seen > 0  # the facilitator does see them
        browser.switch_to.window(room)
        assert "reported 300–1,500" in text(browser)  # the enemy, as intelligence gives it
        status, answer = post(base, "undo", token="wrong")
        assert status == 403 and "token" in answer["error"]
