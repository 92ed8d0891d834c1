"""Every malformed scenario in tests/data/bad/ gives its expected message, pointing at
file:line:column, with exit status 2 and no traceback."""

from __future__ import annotations

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


def test_real_process_exits_2_without_traceback():
    """The installed entry point, not just main(): status 2, message on stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "validate", str(BAD / "duplicate_key.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "duplicate key 'seed'" in result.stderr
    assert "Traceback" not in result.stderr


def test_file_over_size_limit(tmp_path, capsys):
    from simulator.scenario.marked_yaml import MAX_FILE_BYTES

    huge = tmp_path / "huge.yaml"
    huge.write_text("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    assert main(["validate", str(huge)]) == 2
    assert "scenarios are limited to" in capsys.readouterr().err


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
