"""A run directory is data people share: its manifest never chooses code to import, and a
malformed one gives one message with exit status 2 (``report``, ``replay``, ``compare``,
``run --resume``), no traceback, and leaves the run as it was."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from fake_engine import MINIMAL, ROOT

from simulator.montecarlo import run_monte_carlo
from simulator.montecarlo.store import check_manifest

COMMANDS = {
    "report": ["report", "{run}"],
    "replay": ["replay", "{run}", "-k", "1"],
    "compare": ["compare", "{reference}", "{run}"],
    "resume": ["run", str(MINIMAL), "--out", "{run}", "--resume", "-q", "--executor", "serial"],
}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("manifest") / "reference"
    run_monte_carlo(str(MINIMAL), 12, executor="serial", out=out)
    return out


def infrasim(command, run, reference, cwd):
    argv = [part.format(run=run, reference=reference) for part in COMMANDS[command]]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "simulator", *argv], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120)


def copy_with(reference, tmp_path, text):
    run = tmp_path / "run"
    shutil.copytree(reference, run)
    (run / "manifest.json").write_text(text)
    return run


def files(path):
    return {p.relative_to(path): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", ["report", "replay", "resume"])
def test_a_manifest_naming_a_function_never_imports_it(reference, tmp_path, command):
    (tmp_path / "planted.py").write_text(
        "import pathlib\npathlib.Path('imported').write_text('yes')\n"
        "def go(*args, **kwargs):\n    pathlib.Path('called').write_text('yes')\n")
    manifest = json.loads((reference / "manifest.json").read_text())
    for key in ("replicate", "prepare"):
        bad = copy_with(reference, tmp_path / key, json.dumps({**manifest, key: "planted:go"}))
        shutil.rmtree(bad / "exhibits", ignore_errors=True)
        done = infrasim(command, bad, reference, cwd=tmp_path)
        assert not (tmp_path / "imported").exists() and not (tmp_path / "called").exists()
        assert "Traceback" not in done.stderr
        if command != "report":  # the report reruns exhibits with the engine's own functions
            assert done.returncode == 2, done.stderr
            assert "planted:go" in done.stderr and len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("text, message", [
    ("[]", "expected a JSON object, found a list"),
    ('{"seed": "abc"}', "'seed' should be a whole number"),
    ("{}", "'seed' is missing"),
    ("null", "expected a JSON object, found null"),
])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_malformed_manifest_is_one_message(reference, tmp_path, command, text, message):
    run = copy_with(reference, tmp_path, text)
    before = files(run)
    done = infrasim(command, run, reference, cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert "is not a run's manifest" in done.stderr and message in done.stderr
    assert files(run) == before


def test_check_manifest_accepts_what_a_run_writes_and_names_the_bad_field(reference):
    manifest = json.loads((reference / "manifest.json").read_text())
    assert check_manifest(manifest) is None
    assert "'seed' should be from 0" in check_manifest({**manifest, "seed": -1})
    assert "'seed' should be a whole number" in check_manifest({**manifest, "seed": True})
    assert "'result.replications'" in check_manifest({**manifest, "result": {"replications": "x"}})
    assert "'sessions'" in check_manifest({**manifest, "sessions": [3]})
