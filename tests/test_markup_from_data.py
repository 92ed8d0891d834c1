"""Text from data prints as written: a scenario name, a run directory or an id with square
brackets is not read as rich markup (no MarkupError after the run was written, no
vanished ``[red]``), and control characters in it never reach the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.formatting import terminal_text

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"
NAME = "Dam [/] x [red]red\x1b[31m\x07 done"
SHOWN = "Dam [/] x [red]red[31m done"


def infrasim(*argv, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "simulator", *map(str, argv)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


@pytest.fixture
def scenario(tmp_path):
    quoted = NAME.encode("unicode_escape").decode()  # YAML's double quotes read \x1b back
    path = tmp_path / "markup.yaml"
    path.write_text(MINIMAL.read_text().replace("name: Minimal valley", f'name: "{quoted}"', 1))
    return path


def test_terminal_text_escapes_markup_and_drops_control_characters():
    from rich.console import Console

    console = Console(record=True, width=200, force_terminal=False)
    console.print(terminal_text(NAME))
    assert console.export_text().strip() == SHOWN
    assert terminal_text("line\tone\nline two") == "line\tone\nline two"


@pytest.mark.parametrize("command", ["run", "simulate"])
def test_a_scenario_name_with_markup_prints_as_written(scenario, tmp_path, command):
    extra = ["-n", 5, "--executor", "serial", "--out", tmp_path / "run", "-q"] \
        if command == "run" else []
    done = infrasim(command, scenario, *extra, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert SHOWN in done.stdout and "\x1b" not in done.stdout and "\x07" not in done.stdout


def test_compare_prints_run_labels_as_written(tmp_path):
    runs = [tmp_path / "plain", tmp_path / "odd [b] [red]label"]
    for run in runs:
        assert infrasim("run", MINIMAL, "-n", 5, "--executor", "serial", "--out", run, "-q",
                        "--seed", 3, cwd=tmp_path).returncode == 0
    done = infrasim("compare", *runs, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "odd [b] [red]label" in done.stdout
