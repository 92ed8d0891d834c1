"""What can be checked before work starts is checked then, with one message and exit
status 2, and nothing written before is touched: the exercise's output folder and its
script's scenario line, a resume with nothing to resume; and more workers than cores are
capped, saying so, unless asked for with --oversubscribe."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
HADITHA = SCENARIOS / "haditha_2014.yaml"
DECISIONS = SCENARIOS / "haditha_2014.decisions.yaml"
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"


def infrasim(*argv, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "simulator", *map(str, argv)], input="",
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def one_message(done, *words):
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
    assert all(word in done.stderr for word in words), done.stderr


def scripted(out, *extra, scenario=HADITHA):
    return ("exercise", scenario, "--script", DECISIONS, "-n", 0, "--out", out, *extra)


def test_an_exercise_out_that_is_a_file_is_refused_before_the_first_inject(tmp_path):
    taken = tmp_path / "notes.txt"
    taken.write_text("mine")
    done = infrasim(*scripted(taken), cwd=tmp_path)
    one_message(done, "notes.txt exists and is not a folder")
    assert "INJECT" not in done.stdout and taken.read_text() == "mine"


def test_an_earlier_exercise_is_kept_unless_forced(tmp_path):
    out = tmp_path / "class-a"
    assert infrasim(*scripted(out), cwd=tmp_path).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    done = infrasim(*scripted(out), cwd=tmp_path)
    one_message(done, "already holds an exercise", "--force")
    assert "INJECT" not in done.stdout
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert infrasim(*scripted(out, "--force"), cwd=tmp_path).returncode == 0


def test_a_script_for_another_scenario_file_is_refused(tmp_path):
    other = tmp_path / "copy.yaml"
    shutil.copy(HADITHA, other)
    done = infrasim(*scripted(tmp_path / "out", scenario=other), cwd=tmp_path)
    one_message(done, "'scenario:' line names", "copy.yaml")
    assert not (tmp_path / "out").exists()


def test_resume_of_chunks_without_a_manifest_says_one_thing(tmp_path):
    run = tmp_path / "run"
    (run / "chunks").mkdir(parents=True)
    (run / "chunks" / "chunk-000000000000.npz").write_bytes(b"kept")
    done = infrasim("run", MINIMAL, "--out", run, "--resume", "-q", cwd=tmp_path)
    one_message(done, "holds files but no run to resume")
    assert "starting it" not in done.stderr and "use --resume" not in done.stderr
    assert (run / "chunks" / "chunk-000000000000.npz").read_bytes() == b"kept"


def test_more_workers_than_cores_are_capped_and_said(tmp_path):
    done = infrasim("run", MINIMAL, "-n", 4, "--executor", "serial", "--workers", 100000,
                    "--out", tmp_path / "run", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "--workers 100000 is more than the" in done.stderr and "--oversubscribe" in done.stderr
    done = infrasim("run", MINIMAL, "-n", 4, "--executor", "serial", "--workers", 100000,
                    "--oversubscribe", "--out", tmp_path / "run2", "-q", cwd=tmp_path)
    assert done.returncode == 0 and "more than" not in done.stderr
