"""Times of events that did not happen by the horizon are empty in outcomes.csv, never
the horizon: a stored run of a test scenario with random times, read back as text."""

from __future__ import annotations

import csv
from pathlib import Path

from simulator import load_scenario
from simulator.analysis.catalogue import Catalogue
from simulator.montecarlo import run_monte_carlo

ROOT = Path(__file__).resolve().parents[2]


def test_no_time_to_event_holds_the_horizon(tmp_path):
    scenario = load_scenario(ROOT / "tests" / "data" / "engine_uncertain.yaml")
    horizon_h = scenario.scenario.horizon_s / 3600.0
    run_monte_carlo(scenario, replications=20, executor="serial", out=tmp_path / "run")
    with open(tmp_path / "run" / "outcomes.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    catalogue = Catalogue(scenario)
    times = [name for name in rows[0] if name in catalogue
             and catalogue[name].kind == "time_to_event"]
    assert {"time_to_capture_h", "breach_time_h", "reinforcements_arrival_h"} <= set(times)
    assert any(name.startswith("capture_h.") for name in times)
    for name in times:
        values = [float(row[name]) for row in rows if row[name] != ""]
        assert horizon_h not in values, name
        if not name.startswith(("arrival_h.", "peak_h.")):  # the flood may pass it
            assert all(v < horizon_h for v in values), name
    # the flag says when a time is empty: captured exactly where the time has a value
    assert [row["dam_captured"] == "1.0" for row in rows] == \
        [row["time_to_capture_h"] != "" for row in rows]
    assert any(row["dam_captured"] == "0.0" for row in rows)  # some empty times to check
