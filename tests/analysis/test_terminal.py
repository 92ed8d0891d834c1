"""The run summary as the terminal shows it after ``infrasim run``: the headline first,
then every outcome grouped as the catalogue groups them, labelled, never raw ids."""

from __future__ import annotations

import numpy as np
from rich.console import Console

from simulator.analysis import Catalogue, headline_table, summarise, summary_table

CATALOGUE = Catalogue()


def outcomes() -> dict[str, np.ndarray]:
    """500 replications: captured in 166, a breach in 2 of those with 300 and 900 deaths."""
    captured = np.r_[np.ones(166), np.zeros(334)]
    breach = np.zeros(500)
    breach[[3, 9]] = 1.0
    fatalities = np.zeros(500)
    fatalities[[3, 9]] = [300.0, 900.0]
    return {"dam_threatened": np.ones(500), "dam_captured": captured,
            "time_to_capture_h": np.where(captured == 1, np.linspace(10, 60, 500), np.nan),
            "breach_started": breach, "fatalities": fatalities,
            "fatalities.hit": fatalities / 3}


def rendered(table, width: int = 140) -> list[str]:
    console = Console(width=width, record=True)
    console.print(table)
    return console.export_text().splitlines()


def line_of(lines: list[str], start: str) -> str:
    return next(line for line in lines if line.strip().startswith(start))


def test_the_headline_answers_first_with_intervals_and_replications():
    data = outcomes()
    rows = summarise(data, list(data), catalogue=CATALOGUE)
    lines = rendered(headline_table(rows, CATALOGUE, title="a run"), width=160)
    assert lines[0].startswith("a run")
    answers = [line.split("  ")[0].strip() for line in lines[4:] if line.strip()]
    assert answers[:5] == ["P(dam captured)", "P(breach)", "Expected fatalities (people)",
                           "Fatalities given breach (people)",
                           "Time to capture of the dam, given dam captured (h)"]
    assert line_of(lines, "P(dam captured)").split()[2:6] == ["33.2%", "29.2–37.4%", "500",
                                                             "replications"]
    given = line_of(lines, "Fatalities given breach")
    assert "median 600 (300–900) · p95 870" in given  # the median's interval beside it
    assert "2 of 500 with breach (0.4%)" in given
    expected = line_of(lines, "Expected fatalities").split()
    assert expected[3] == "2.4" and expected[4].startswith("0–")  # never below zero
    capture = line_of(lines, "Time to capture of the dam")
    assert "166 of 500 with dam captured" in capture


def test_the_full_table_is_grouped_labelled_and_never_plus_minus_zero():
    data = outcomes()
    rows = summarise(data, list(data), catalogue=CATALOGUE)
    lines = rendered(summary_table(rows, CATALOGUE))
    groups = [line.strip() for line in lines if line.strip() in ("Forces", "Dam", "Life loss")]
    assert groups == ["Forces", "Dam", "Life loss"]
    threatened = line_of(lines, "P(dam threatened)").split()
    assert threatened[2:4] == ["100%", "99.24–100%"]
    assert "±" not in "\n".join(lines) and "dam_captured" not in "\n".join(lines)
    time = line_of(lines, "Time to capture of the dam (h)").split()
    assert time[-5:] == ["166", "of", "500", "(33.2%,", "29.2–37.4%)"]  # P and its interval
    assert float(time[7]) == np.nanmean(data["time_to_capture_h"]).round(2)
    assert line_of(lines, "Fatalities in Hit (people)")
    given = [line for line in lines if line.strip().startswith("given breach")]
    assert len(given) == 2 and given[0].split()[2:4] == ["600", "300–900"]  # t, in range


def test_a_constant_amount_reads_always_with_no_interval():
    """Every replication captured one town: the table says so, with no interval around
    it (neither a Wilson interval nor one of width 0)."""
    data = {**outcomes(), "towns_captured": np.ones(500)}
    rows = summarise(data, list(data), catalogue=CATALOGUE)
    towns = line_of(rendered(summary_table(rows, CATALOGUE)), "Towns captured").split()
    assert towns[3:5] == ["always", "1"] and "–" not in towns[5]


def test_places_never_captured_are_one_line():
    """Two places the attackers never took fold into one line; one they took keeps its
    row; an empty conditional headline says no replication had the event."""
    data = {**outcomes(), "capture_h.a": np.full(500, np.nan),
            "capture_h.b": np.full(500, np.nan), "capture_h.c": np.linspace(1, 5, 500),
            "dam_captured": np.zeros(500), "time_to_capture_h": np.full(500, np.nan)}
    rows = summarise(data, list(data), catalogue=CATALOGUE)
    lines = rendered(summary_table(rows, CATALOGUE))
    assert line_of(lines, "Never captured: A, B").split()[-3:] == ["0", "of", "500"]
    assert line_of(lines, "Time to capture of C (h)")
    assert not any(line.strip().startswith("Time to capture of A") for line in lines)
    head = rendered(headline_table(rows, CATALOGUE))
    assert "no replication with dam captured" in line_of(head, "Time to capture of the dam")


def test_a_warning_lead_is_only_shown_given_a_flood():
    """Even when every replication flooded, the warning lead has no unconditional line."""
    data = {"breach_started": np.ones(20), "warning_lead_h.hit": np.linspace(-1, 4, 20)}
    rows = summarise(data, list(data), catalogue=CATALOGUE)
    lines = rendered(summary_table(rows, CATALOGUE))
    lead = [line for line in lines if "Warning lead" in line]
    assert len(lead) == 1 and "given breach" in lead[0]


def test_a_constant_amount_given_its_event_reads_always():
    """Every breach cut the whole dam: 'given breach' reads 'always 1', not '1–1'."""
    data = {**outcomes(), "breach_depth_fraction": outcomes()["breach_started"].copy()}
    rows = summarise(data, list(data), catalogue=CATALOGUE)
    lines = rendered(summary_table(rows, CATALOGUE))
    at = next(i for i, line in enumerate(lines) if "Breach depth" in line)
    given = next(line for line in lines[at:] if line.strip().startswith("given breach"))
    assert given.split()[2:4] == ["always", "1"] and " 1–1 " not in given
