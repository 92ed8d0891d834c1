"""Every malformed scenario in tests/data/bad/ gives its expected message, pointing at
file:line:column, with exit status 2 and no traceback."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from simulator.cli import main

BAD = Path(__file__).parents[1] / "data" / "bad"
EXPECTED = yaml.safe_load((BAD / "expected.yaml").read_text())


def test_every_bad_file_has_an_expectation():
    files = {p.name for p in BAD.glob("*.yaml")} - {"expected.yaml"}
    assert files == set(EXPECTED)
    assert len(files) >= 20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_message(name, capsys, monkeypatch):
    monkeypatch.chdir(BAD)
    case = EXPECTED[name]
    args = case.get("args", ["validate"]) + [name]
    status = main(args)
    err = capsys.readouterr().err
    assert status == 2
    assert "Traceback" not in err
    wanted_place = case["at"]
    lines = [line for line in err.splitlines() if case["message"] in line]
    assert lines, f"expected message not printed; got:\n{err}"
    assert any(line.split(": ")[0].endswith(wanted_place) for line in lines), err


def _limit_memory() -> None:
    """Cap the child's address space so that a reader without a size limit fails fast
    instead of filling the machine's memory."""
    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))


def run_validate(path: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """`infrasim validate PATH` in its own process, with a bounded time and memory."""
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "validate", str(path)],
        input=stdin,
        capture_output=True,
        timeout=120,
        preexec_fn=_limit_memory,
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
    )


def test_real_process_exits_2_without_traceback():
    """The installed entry point, not just main(): status 2, message on stderr."""
    result = run_validate(BAD / "duplicate_key.yaml")
    assert result.returncode == 2
    assert "duplicate key 'seed'" in result.stderr
    assert "Traceback" not in result.stderr


def test_file_over_size_limit(tmp_path, capsys):
    from simulator.scenario.marked_yaml import MAX_FILE_BYTES

    huge = tmp_path / "huge.yaml"
    huge.write_text("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    assert main(["validate", str(huge)]) == 2
    assert "scenarios are limited to" in capsys.readouterr().err


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_endless_device_is_read_only_up_to_the_size_limit():
    """/dev/zero reports a size of 0 and never ends: the reader stops past the limit."""
    result = run_validate("/dev/zero")
    assert result.returncode == 2, result.stderr
    assert "/dev/zero:1:1: the file holds more than 2,000,000 bytes" in result.stderr
    assert "Traceback" not in result.stderr


def test_pipe_is_read_only_up_to_the_size_limit():
    result = run_validate("/dev/stdin", stdin=b"# padding\n" * 300_000)
    assert result.returncode == 2, result.stderr
    assert "the file holds more than 2,000,000 bytes" in result.stderr
    assert "Traceback" not in result.stderr


def test_unit_arithmetic_is_refused_before_it_is_evaluated(tmp_path):
    """'9**9**9 m' would keep pint busy for hours: it is refused as text, at once."""
    text = (BAD.parent / "minimal.yaml").read_text().replace("length: 50 km", "length: 9**9**9 m")
    path = tmp_path / "tower.yaml"
    path.write_text(text)
    result = run_validate(path)
    assert result.returncode == 2, result.stderr
    assert "tower.yaml:13:49: network.roads.border_dam.length: cannot read '9**9**9 m'" in (
        result.stderr
    )
    assert "(no arithmetic)" in result.stderr


def test_extends_through_a_symlink_loop(tmp_path, capsys):
    (tmp_path / "loop_a.yaml").symlink_to(tmp_path / "loop_b.yaml")
    (tmp_path / "loop_b.yaml").symlink_to(tmp_path / "loop_a.yaml")
    child = tmp_path / "child.yaml"
    child.write_text("extends: loop_a.yaml\n")
    assert main(["validate", str(child)]) == 2
    err = capsys.readouterr().err
    assert "child.yaml:1:10: 'extends' path 'loop_a.yaml' cannot be resolved" in err
    assert "Traceback" not in err


def test_all_problems_reported_together(tmp_path, capsys):
    """Three independent mistakes in one file give three messages, not just the first."""
    text = (BAD.parent / "minimal.yaml").read_text()
    text = text.replace("height: 30 m", "height: 30 s").replace(
        "probability: 0.5", "probability: 2"
    )
    text = text.replace("  horizon: 3 d", "  horizn: 3 d")
    path = tmp_path / "three.yaml"
    path.write_text(text)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "found '30 s'" in err
    assert "found 2" in err
    assert "did you mean 'horizon'" in err
