"""``infrasim exercise`` end to end: a scripted run writes aar.md, aar.html and msel.csv;
scenario text is escaped; the interactive prompts are driven through a real process's
standard input and output (bad answers are asked again, end of input stops with status 2
and no traceback, keeping what was played)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

from rich.console import Console

from simulator.cli import main
from simulator.exercise.run import run_exercise

LATE = """
decisions:
  late:
    time: 6 h
    question: What now?
    options:
      keep: {description: nothing changes}
      send_now:
        overrides: {forces: {reinforcement: {trigger: {time: now}}}}
"""

NASTY = """
injects:
  briefing:
    time: 0 h
    from: <b>HQ</b>
    to: players | all
    message: "<script>alert('x')</script> & more"
    expected_action: "=HYPERLINK(\\"http://example.com\\")"
decisions:
  reinforce:
    time: 0 h
    question: "Send them? <img src=x onerror=alert(1)>"
    options:
      wait: {description: "<i>wait</i>"}
      send_now:
        description: go | now
        overrides: {forces: {reinforcement: {trigger: {time: now}}}}
"""


def read_msel(folder):
    with open(folder / "msel.csv", newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_script_run_writes_report_and_msel(paths, tmp_path, capsys):
    out = tmp_path / "class-a"
    status = main(["exercise", str(paths["haditha"]), "--script", str(paths["decisions"]),
                   "--out", str(out), "-n", "20"])
    printed = capsys.readouterr().out
    assert status == 0
    assert "story: seed 20140621, replication 20" in printed  # from the script
    assert "forecast by option" in printed and "P(breach)" in printed
    assert "chosen (script" in printed and "haditha_2014.decisions.yaml:13:12): dispatch_now" \
        in printed
    assert f"wrote {out / 'aar.html'}" in printed
    md = (out / "aar.md").read_text(encoding="utf-8")
    for text in ("# After-action report: Haditha Dam, June 2014", "### Decision reserve at",
                 "| # | option | P(dam captured) | P(breach) | expected fatalities |",
                 "Chosen by the script", "What then happened",
                 "![The story's timeline", "## How the forecasts were made",
                 "| +1 00:00 | 2014-06-22 06:00 | INJECT | mortar_fire |"):
        assert text in md, text
    page = (out / "aar.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('<img src="data:image/png;base64,') == 5  # map, timeline, 3 forecasts
    assert (out / "timeline.png").read_bytes().startswith(b"\x89PNG")
    assert (out / "map.png").read_bytes().startswith(b"\x89PNG")
    assert "![Where the story happened" in md
    rows = read_msel(out)
    assert list(rows[0]) == ["number", "time", "elapsed_h", "type", "inject", "method", "from",
                             "to", "message", "expected_action", "objective",
                             "responsible_role", "decision_taken", "note"]
    decisions = {r["inject"]: r for r in rows if r["type"] == "decision"}
    assert decisions["reserve"]["decision_taken"].startswith("dispatch_now: ")
    assert decisions["drawdown"]["decision_taken"].startswith("draw_down: ")
    assert decisions["warn"]["decision_taken"].startswith("warn_now: ")
    injects = [r for r in rows if r["type"] == "inject"]
    assert [r["inject"] for r in injects] == ["briefing", "rawa_falls", "anah_falls",
                                              "mortar_fire", "dam_falls"]
    assert injects[0]["time"] == "2014-06-21T06:00:00+03:00" and injects[0]["elapsed_h"] == "0.00"
    assert injects[3]["from"] == "Dam garrison commander"
    assert all(r["time"] for r in rows)  # in this story the dam falls: everything reached


def test_scenario_text_is_escaped(classroom_with, tmp_path):
    scenario = classroom_with(NASTY)
    script = tmp_path / "nasty.decisions.yaml"
    script.write_text("decisions: {reinforce: send_now}\n")
    out = tmp_path / "out"
    result = run_exercise(scenario, script=script, out=out, forecast_replications=5,
                          console=Console(file=io.StringIO(), width=120))
    assert result.status == 0
    page = (out / "aar.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page and "<i>wait" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;HQ&lt;/b&gt;" in page
    md = (out / "aar.md").read_text(encoding="utf-8")
    assert "<script>" not in md and "&lt;script&gt;alert" in md
    assert "players \\| all" in md  # a pipe cannot break a Markdown table row
    row = read_msel(out)[0]
    assert row["message"] == "<script>alert('x')</script> & more"  # CSV keeps the data...
    assert row["expected_action"] == "'=HYPERLINK(\"http://example.com\")"  # ...not formulas


def run_cli(*arguments, stdin=""):
    return subprocess.run([sys.executable, "-m", "simulator", "exercise", *map(str, arguments)],
                          input=stdin, capture_output=True, text=True, timeout=120)


def test_interactive_prompts_through_stdin(paths, tmp_path):
    """Classroom story 0: the column is sighted (Enter), reinforce? ('x' and '9' are
    refused, then 1), Upland falls (Enter), draw down? (by id); the dam holds, so the
    last inject and decision are never reached."""
    out = tmp_path / "class"
    done = run_cli(paths["classroom"], "--out", out, "-n", "20",
                   stdin="\nx\n9\n1\n\ndraw_down\n")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    text = done.stdout
    assert text.count("press Enter to continue") == 2
    assert "not an option: 'x'; answer 1-2 or one of: wait_for_upland, send_now" in text
    assert "not an option: '9'" in text
    assert text.count("choose 1-2 or an option id:") == 4
    assert "chosen: wait_for_upland" in text and "chosen: draw_down" in text
    assert text.index("INJECT column_sighted") < text.index("DECISION reinforce") < \
        text.index("INJECT upland_falls") < text.index("DECISION drawdown")
    assert "not reached: decision warn (dam does not fall in this story)" in text
    taken = {r["inject"]: r["decision_taken"] for r in read_msel(out)}
    assert taken["reinforce"].startswith("wait_for_upland")
    assert taken["drawdown"].startswith("draw_down")


def test_end_of_input_stops_with_status_2_and_keeps_what_was_played(paths, tmp_path):
    out = tmp_path / "stopped"
    done = run_cli(paths["classroom"], "--out", out, "-n", "10", stdin="\n")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "no answer at decision 'reinforce': end of input" in done.stderr
    assert f"the exercise so far is in {out}" in done.stderr
    rows = read_msel(out)
    assert [r["inject"] for r in rows][:2] == ["column_sighted", "reinforce"]
    assert rows[1]["decision_taken"] == ""
    assert rows[1]["note"] == "no decision taken (the exercise stopped here)"
    assert len(rows) == 6
    assert all(r["note"].startswith("not played: the exercise stopped (no answer at decision "
                                    "'reinforce': end of input)") for r in rows[2:])
    md = (out / "aar.md").read_text(encoding="utf-8")
    assert "> Incomplete: stopped: no answer at decision 'reinforce': end of input" in md
    assert "No option was chosen: the exercise stopped here." in md


def test_refused_option_is_asked_again(classroom_with, tmp_path):
    console = io.StringIO()
    result = run_exercise(classroom_with(LATE), out=tmp_path / "late", forecast_replications=5,
                          console=Console(file=console, width=160),
                          stdin=io.StringIO("2\nsend_now\nkeep\n"))
    text = console.getvalue()
    assert result.status == 0
    assert text.count("'send_now' cannot be taken now: it would change what has already "
                      "happened") == 2
    assert "refused: it would change what has already happened" in text  # in the table
    assert "chosen: keep" in text


def test_script_errors_point_at_the_script(classroom_with, tmp_path, capsys):
    scenario = classroom_with(LATE)
    script = tmp_path / "late.decisions.yaml"
    script.write_text("decisions:\n  late: send_now\n")
    assert main(["exercise", str(scenario), "--script", str(script), "--out",
                 str(tmp_path / "a"), "-n", "0"]) == 2
    err = capsys.readouterr().err
    assert f"{script}:2:9: option 'send_now' of decision 'late' cannot be taken at +0 06:00: " \
           "it would change what has already happened" in err
    assert "Traceback" not in err
    script.write_text("decisions:\n  lat: keep\n")
    assert main(["exercise", str(scenario), "--script", str(script), "--out",
                 str(tmp_path / "b"), "-n", "0"]) == 2
    assert f"{script}:2:3: unknown decision 'lat'; did you mean 'late'?" in \
        capsys.readouterr().err
    assert not (tmp_path / "b").exists()  # ids are checked before anything is played
    script.write_text("decisions:\n  late: keep\n")
    other = classroom_with(LATE + "\n  second:\n    time: 7 h\n    question: again?\n"
                           "    options: {a: {}, b: {}}\n")
    assert main(["exercise", str(other), "--script", str(script), "--out",
                 str(tmp_path / "c"), "-n", "0"]) == 2
    assert f"{script}:1:1: no choice for decision 'second', reached at +0 07:00; add " \
           "'second: OPTION' (options: a, b)" in capsys.readouterr().err
    assert (tmp_path / "c" / "msel.csv").is_file()


def test_scenario_without_exercise(tmp_path, capsys):
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "data" / "minimal.yaml"
    assert main(["exercise", str(data), "--out", str(tmp_path / "x")]) == 2
    assert "this scenario has no 'exercise:' section" in capsys.readouterr().err


def test_board_host_is_a_flag_that_leaves_the_file_alone(capsys):
    """``--host FILE`` opens the board to the network for FILE (``--host`` took FILE as
    its address before); ``--bind`` names the address, and only with ``--host``."""
    from simulator.cli import build_parser

    args = build_parser().parse_args(["board", "--host", "scenario.yaml"])
    assert args.host is True and args.file == "scenario.yaml" and args.bind is None
    args = build_parser().parse_args(["board", "f.yaml", "--host", "--bind", "10.0.0.5"])
    assert args.host and args.bind == "10.0.0.5"
    assert main(["board", "f.yaml", "--bind", "10.0.0.5"]) == 2
    assert "--bind goes with --host" in capsys.readouterr().err


def test_option_overriding_what_the_variant_removes(tmp_path, capsys):
    """A variant that removes a force an option overrides: one line per option saying so,
    status 2, before anything is played."""
    from pathlib import Path

    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "haditha_2014.yaml"
    assert main(["exercise", str(scenario), "--variant", "no_reinforcement", "--out",
                 str(tmp_path / "x"), "-n", "0"]) == 2
    err = capsys.readouterr().err
    text = scenario.read_text(encoding="utf-8").splitlines()
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 2
    for line, option in zip(lines, ("dispatch_now", "hold_in_baghdad"), strict=True):
        where, message = line.split(": ", 1)
        assert message == (f"option 'reserve.{option}' overrides forces.baghdad_reinforcement, "
                           "which variant 'no_reinforcement' removes")
        path, row, column = where.rsplit(":", 2)
        assert path == str(scenario)  # the mark is the option's key for the force
        assert text[int(row) - 1][int(column) - 1:] == "baghdad_reinforcement:"
    assert "Traceback" not in err
    assert not (tmp_path / "x").exists()
