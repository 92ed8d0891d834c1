"""Ids from data become file and folder names only through `safe_name`: a variant id like
``/../../../../escaped`` can never make ``run``, ``compare --variants`` or ``exercise``
write outside their default folders, whatever ids the schema lets through."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from simulator.exercise.run import EXERCISES, default_out
from simulator.montecarlo import default_run_dir
from simulator.names import MAX_NAME, safe_name

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"
ESCAPE = "/../../../../escaped"


@given(st.text())
def test_a_safe_name_is_one_plain_name_under_its_parent(text):
    name = safe_name(text)
    assert 0 < len(name) <= MAX_NAME and Path(name).name == name
    assert name not in {".", ".."} and not name.startswith((".", "-"))
    assert os.path.normpath(os.path.join("parent", name)).startswith("parent" + os.sep)


def test_ordinary_ids_keep_their_names():
    assert safe_name("haditha_2014-reinforced_early") == "haditha_2014-reinforced_early"


def test_default_folders_stay_under_their_parent(tmp_path):
    scenario = SimpleNamespace(source=str(MINIMAL), variant=ESCAPE)
    run = default_run_dir(scenario, tmp_path / "runs")
    assert run.parent == tmp_path / "runs" and "escaped" in run.name
    exercise = default_out(MINIMAL, ESCAPE, datetime(2014, 6, 22, 10, 30))
    assert exercise.parent == EXERCISES and "escaped" in exercise.name


def infrasim(*argv, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "simulator", *map(str, argv)], input="",
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def test_a_variant_id_with_a_path_writes_nothing_outside_runs(tmp_path):
    text = MINIMAL.read_text().replace("  strong_garrison:", f'  "{ESCAPE}":', 1)
    scenario = tmp_path / "escape.yaml"
    scenario.write_text(text)
    cwd = tmp_path / "a" / "b" / "c" / "d" / "e"
    cwd.mkdir(parents=True)
    commands = [("run", scenario, "--variant", ESCAPE, "-n", 3, "--executor", "serial", "-q"),
                ("compare", scenario, "--variants", ESCAPE, "-n", 3, "--executor", "serial",
                 "-q")]
    for command in commands:
        done = infrasim(*command, cwd=cwd)
        assert "Traceback" not in done.stderr
        assert done.returncode in (0, 2), done.stderr  # 2 if the schema refuses such ids
    outside = [p for p in tmp_path.rglob("*escaped*") if cwd / "runs" not in p.parents]
    assert outside == []
