"""`kill -9` in the middle of a run, then `--resume`: nothing missing, nothing twice, and
the same bytes as a run that was never interrupted (real engine, minimal scenario)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from fake_engine import KILL_TEST_REPLICATIONS, MINIMAL, ROOT

from simulator.cli import main
from simulator.montecarlo import run_monte_carlo
from simulator.montecarlo.store import run_status

SCALE = float(os.environ.get("INFRASIM_SLOW_SCALE", "1"))


def _start(out, n, executor):
    command = [sys.executable, "-m", "simulator", "run", str(MINIMAL), "-n", str(n),
               "--executor", executor, "--workers", "2", "--out", str(out), "--quiet"]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _kill_after_chunks(process, out, chunks):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if len(list((out / "chunks").glob("chunk-*.npz"))) >= chunks:
            break
        time.sleep(0.01)
    if process.poll() is not None:
        pytest.fail("the run ended before it could be killed: "
                    + process.stderr.read().decode())
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stderr.close()


@pytest.mark.parametrize("executor", [
    "processes", pytest.param("serial", marks=pytest.mark.slow)])
def test_resume_after_kill_9_equals_an_uninterrupted_run(uninterrupted, tmp_path, executor):
    n = KILL_TEST_REPLICATIONS
    out = tmp_path / "killed"
    process = _start(out, n, executor)
    _kill_after_chunks(process, out, chunks=2)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running"  # all a killed process could leave
    assert manifest["sessions"][-1]["pid"] == process.pid
    assert run_status(manifest) == "died"  # its process is gone
    assert not (out / "outcomes.csv").exists()

    status = main(["run", str(MINIMAL), "--out", str(out), "--resume", "--executor",
                   "processes", "--workers", "2", "--quiet"])
    assert status == 0
    resumed = json.loads((out / "manifest.json").read_text())
    assert resumed["status"] == "complete" and resumed["result"]["done"] == n
    assert len(resumed["sessions"]) == 2
    killed = resumed["sessions"][0]
    assert killed["status"] == "died" and killed["finished"] == killed["heartbeat"]
    assert (out / "outcomes.csv").read_bytes() == uninterrupted


@pytest.mark.slow
def test_repeated_kills_at_random_moments(minimal, tmp_path):
    """Kill the same run again and again, each time a random moment after it made some
    progress, until it completes; then it must equal a run never interrupted."""
    import random

    n = max(3000, int(40_000 * SCALE))
    out = tmp_path / "killed"
    generator = random.Random(1)
    kills = 0
    for _ in range(50):
        if (out / "manifest.json").exists():
            command = [sys.executable, "-m", "simulator", "run", str(MINIMAL), "--out",
                       str(out), "--resume", "--quiet"]
        else:
            command = [sys.executable, "-m", "simulator", "run", str(MINIMAL), "-n", str(n),
                       "--out", str(out), "--quiet"]
        before = len(list(out.glob("chunks/chunk-*.npz")))
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        while process.poll() is None and len(list(out.glob("chunks/chunk-*.npz"))) < before + 3:
            time.sleep(0.01)
        time.sleep(generator.uniform(0.0, 1.0))
        if process.poll() is None and kills < 8:
            process.kill()
            kills += 1
        process.wait()
        if (out / "outcomes.csv").exists():
            break
    assert kills >= 2
    assert (out / "outcomes.csv").exists()
    reference = tmp_path / "reference"
    run_monte_carlo(minimal, n, executor="processes", out=reference)
    assert (out / "outcomes.csv").read_bytes() == (reference / "outcomes.csv").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    # A process killed before it first saved the manifest leaves no session record, so
    # the count of sessions is bounded by the number of starts, not equal to it.
    assert manifest["result"]["done"] == n and 2 <= len(manifest["sessions"]) <= kills + 1


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(minimal, tmp_path, uninterrupted):
    out = tmp_path / "interrupted"
    process = _start(out, KILL_TEST_REPLICATIONS, "serial")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if list((out / "chunks").glob("chunk-*.npz")):
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert f"--out {out} --resume" in stderr.decode()
    assert "Traceback" not in stderr.decode()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["finished"]
    assert run_monte_carlo(minimal, out=out, resume=True, executor="processes").done == 1500
    assert (out / "outcomes.csv").read_bytes() == uninterrupted
