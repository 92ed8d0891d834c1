"""The run summary table as the terminal shows it after ``infrasim run``."""

from __future__ import annotations

import numpy as np
from rich.console import Console

from simulator.analysis import summarise, summary_table


def rendered(outcomes, title=None):
    console = Console(width=120, record=True)
    console.print(summary_table(summarise(outcomes), title=title))
    return console.export_text()


def test_columns_and_numbers():
    text = rendered({"fatalities": np.array([0.0, 10.0, 2000.5])}, title="a run")
    assert text.startswith("a run")
    for heading in ("outcome", "mean", "95% CI", "p5", "p50", "p95", "P(>0)"):
        assert heading in text
    line = next(line for line in text.splitlines() if "fatalities" in line)
    assert line.split() == ["fatalities", "670.2", "-2,190", "to", "3,530", "1", "10",
                            "1,801", "0.6667"]
    assert " n " not in text  # every outcome has every replication


def test_a_yes_no_outcome_shows_its_wilson_interval_not_plus_minus_zero():
    text = rendered({"dam_threatened": np.ones(500), "dam_captured": np.r_[np.ones(166),
                                                                          np.zeros(334)]})
    threatened = next(line for line in text.splitlines() if "dam_threatened" in line)
    assert threatened.split()[1:3] == ["1", "0.992–1"]
    captured = next(line for line in text.splitlines() if "dam_captured" in line)
    assert captured.split()[1:3] == ["0.332", "0.292–0.374"]
    assert "±" not in text


def test_a_count_column_when_some_replications_lack_an_outcome():
    text = rendered({"fatalities": np.array([1.0, 2.0, 3.0]),
                     "time_h": np.array([np.nan, 2.0, 4.0])})
    header = next(line for line in text.splitlines() if "outcome" in line)
    assert header.split()[-1] == "n"
    assert next(line for line in text.splitlines() if "time_h" in line).split()[-1] == "2"
