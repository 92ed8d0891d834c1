"""Exercise additions to the scenario language: the ``now`` placeholder in option
overrides, and decisions scripts (``infrasim validate`` checks them against their
scenario, pointing at the line and column of a bad id)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.cli import main
from simulator.scenario import ScenarioError, validate_file
from simulator.scenario.decisions import check_decisions, read_decisions
from simulator.scenario.loader import apply_overrides, resolve_document, validate_document
from simulator.scenario.overrides import seconds_text, with_decision_time
from simulator.scenario.units import to_si

ROOT = Path(__file__).resolve().parents[2]
HADITHA = ROOT / "scenarios" / "haditha_2014.yaml"
RESERVE = ("exercise", "decisions", "reserve", "options", "dispatch_now", "overrides")


@pytest.mark.parametrize("time_s", [0.0, 1e-9, 1.0, 10647.814, 23328.123456789012,
                                    3 * 86400 + 1 / 3, 863999.9999999999])
def test_now_is_just_after_the_decision(time_s):
    text = seconds_text(time_s)
    assert to_si(text, "time") > time_s or time_s == 0.0
    assert to_si(text, "time") - time_s < 1e-6 * max(time_s, 1.0)


def test_now_and_now_plus_resolve_in_option_overrides(tmp_path):
    document = resolve_document(HADITHA)
    resolved = with_decision_time(document, RESERVE, 7200.0)
    trigger = resolved.data["exercise"]["decisions"]["reserve"]["options"]["dispatch_now"][
        "overrides"]["forces"]["baghdad_reinforcement"]["trigger"]
    assert to_si(trigger["time"], "time") == pytest.approx(7200.0, abs=1e-9)
    scenario = validate_document(apply_overrides(resolved, RESERVE))
    assert 7200.0 < scenario.forces["baghdad_reinforcement"].trigger.time_s < 7200.000001
    assert document.data["exercise"]["decisions"]["reserve"]["options"]["dispatch_now"][
        "overrides"]["forces"]["baghdad_reinforcement"]["trigger"]["time"] == "now"  # copied
    path = tmp_path / "later.yaml"
    path.write_text(HADITHA.read_text(encoding="utf-8").replace("trigger: {time: now}",
                                                                "trigger: {time: now + 90 min}"))
    later = with_decision_time(resolve_document(path), RESERVE, 3600.0)
    scenario = validate_document(apply_overrides(later, RESERVE))
    assert scenario.forces["baghdad_reinforcement"].trigger.time_s == pytest.approx(9000.0)


def test_bad_offset_points_at_its_line(tmp_path):
    path = tmp_path / "bad.yaml"
    text = HADITHA.read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "trigger: {time: now}" in row)
    path.write_text(text.replace("trigger: {time: now}", "trigger: {time: now + 2 parsecs}"))
    with pytest.raises(ScenarioError) as error:
        validate_file(path)
    message = str(error.value)
    assert f"bad.yaml:{line}:" in message
    assert "now + 2 parsecs" in message and "dispatch_now" in message


def write_script(folder: Path, body: str) -> Path:
    (folder / "haditha_2014.yaml").write_text(HADITHA.read_text(encoding="utf-8"))
    path = folder / "class.decisions.yaml"
    path.write_text(body)
    return path


def test_bundled_decisions_file_validates(capsys):
    status = main(["validate", str(ROOT / "scenarios" / "haditha_2014.decisions.yaml")])
    assert status == 0
    assert "OK (decisions for" in capsys.readouterr().out


def test_unknown_ids_are_reported_with_line_and_column(tmp_path, capsys):
    path = write_script(tmp_path, "scenario: haditha_2014.yaml\ndecisions:\n"
                        "  reserve: dispatch_nw\n  drawdwn: draw_down\n  warn: no\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err  # structure first: the ids are checked once it is sound
    assert f"{path}:5:9: decision 'warn': expected an option id, found False; YAML reads " \
           "unquoted yes/no/on/off/true/false as a boolean: quote the option id" in err
    path.write_text("scenario: haditha_2014.yaml\ndecisions:\n"
                    "  reserve: dispatch_nw\n  drawdwn: draw_down\n")
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr().err
    assert f"{path}:3:12: decision 'reserve' has no option 'dispatch_nw'; did you mean " \
           "'dispatch_now'?" in out
    assert f"{path}:4:3: unknown decision 'drawdwn'; did you mean 'drawdown'?" in out


def test_script_structure_errors(tmp_path):
    path = write_script(tmp_path, "scenario: haditha_2014.yaml\nvarient: x\nseed: -1\n"
                        "decisions: {}\n")
    with pytest.raises(ScenarioError) as error:
        read_decisions(path)
    text = str(error.value)
    assert "unknown key 'varient' in a decisions file; did you mean 'variant'?" in text
    assert "'seed' must be a whole number >= 0, found -1" in text
    assert "'decisions' maps each decision id to the option chosen" in text
    path.write_text("decisions: {reserve: wait_for_anah}\n")
    with pytest.raises(ScenarioError, match="does not name its scenario"):
        validate_file(path)
    path.write_text("scenario: haditha_2014.yaml\nvariant: no_such\n"
                    "decisions: {reserve: wait_for_anah}\n")
    with pytest.raises(ScenarioError, match=r"class.decisions.yaml:2:10: unknown variant"):
        validate_file(path)


def test_check_decisions_against_a_scenario(tmp_path):
    path = write_script(tmp_path, "decisions:\n  reserve: hold_in_baghdad\n")
    script = read_decisions(path)
    check_decisions(script, validate_file(HADITHA))
    assert script.choices["reserve"].option == "hold_in_baghdad"
    assert str(script.choices["reserve"].option_mark).endswith(":2:12")


def test_cached_unit_parsing_is_transparent():
    """Quantities are parsed once per text (validating a file's variants and options
    re-reads the same strings); errors are raised every time, long texts refused."""
    assert to_si("6 h", "time") == to_si("6 h", "time") == 21600.0
    for _ in range(2):
        with pytest.raises(ValueError, match="unknown unit 'parsecz'"):
            to_si("2 parsecz", "time")
        with pytest.raises(ValueError, match="which is a plain number"):
            to_si("2", "time")
    with pytest.raises(ValueError, match="at most 100 characters"):
        to_si("1." + "0" * 150 + " m", "length")
