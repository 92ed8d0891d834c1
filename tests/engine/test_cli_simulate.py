"""``infrasim simulate``: a readable timeline and the outcomes of one replication."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from simulator.cli import main
from simulator.engine.timeline import clock_text, elapsed_text

DATA = Path(__file__).resolve().parents[1] / "data"


def test_prints_timeline_and_outcomes(capsys):
    status = main(["simulate", str(DATA / "engine_valley.yaml"), "--seed", "3", "-k", "0"])
    out = capsys.readouterr().out
    assert status == 0
    assert "seed 3, replication 0" in out
    # the column reaches Ford at 4 h: elapsed and clock (start 06:00) side by side
    assert "+0 04:00" in out and "2020-06-01 10:00" in out
    for word in ("engage", "captured", "breach", "warning", "dam_captured",
                 "time_to_capture_h", "capture_h.ford"):
        assert word in out
    # outcomes by their catalogue labels, the id beside the value
    captured = next(line for line in out.splitlines() if " dam_captured " in line)
    assert "Dam captured (1 = yes)" in captured
    assert "Time to capture of the dam (h)" in out and "Fatalities (people)" in out


def test_variant_and_scenario_errors(capsys):
    assert main(["simulate", str(DATA / "engine_valley.yaml"), "--variant", "no_relief"]) == 0
    assert "variant no_relief" in capsys.readouterr().out
    assert main(["simulate", str(DATA / "engine_valley.yaml"), "--variant", "nope"]) == 2
    assert "unknown variant 'nope'" in capsys.readouterr().err


def test_time_formats():
    assert elapsed_text(0) == "+0 00:00"
    assert elapsed_text(90061) == "+1 01:01"
    assert elapsed_text(3599.9) == "+0 01:00"
    start = datetime(2014, 6, 21, 6, 0, tzinfo=timezone(timedelta(hours=3)))
    assert clock_text(start, 20 * 3600 + 30 * 60) == "2014-06-22 02:30"
