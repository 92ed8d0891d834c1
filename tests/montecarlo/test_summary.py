"""The summary printed after a run: mean with 95% CI, percentiles, P(>0)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.montecarlo import summarize, summary_table
from simulator.montecarlo.summary import key_outcomes, summarize_column


def test_statistics_match_numpy():
    values = np.random.default_rng(3).exponential(2.0, 1000)
    values[:300] = 0.0
    s = summarize_column("x", values)
    half = 1.959963984540054 * values.std(ddof=1) / math.sqrt(1000)
    assert s.mean == pytest.approx(values.mean())
    assert (s.ci_low, s.ci_high) == pytest.approx((values.mean() - half, values.mean() + half))
    assert (s.p5, s.p50, s.p95) == pytest.approx(tuple(np.percentile(values, [5, 50, 95])))
    assert s.p_positive == pytest.approx(0.7)
    assert s.count == 1000


def test_nan_is_left_out_and_empty_is_nan():
    s = summarize_column("x", np.array([np.nan, 1.0, 3.0]))
    assert s.count == 2 and s.mean == 2.0
    empty = summarize_column("y", np.array([np.nan]))
    assert empty.count == 0 and math.isnan(empty.mean)


def test_key_outcomes_are_the_top_level_names():
    names = ["fatalities", "arrival_h.ramadi", "input.forces.x.strength", "dam_breached"]
    assert key_outcomes(names) == ["dam_breached", "fatalities"]
    outcomes = {name: np.arange(3.0) for name in names}
    assert [s.name for s in summarize(outcomes)] == ["dam_breached", "fatalities"]
    assert [s.name for s in summarize(outcomes, ["arrival_h.ramadi", "nope"])] == [
        "arrival_h.ramadi"]


def test_table_renders():
    from rich.console import Console

    console = Console(width=120, record=True)
    console.print(summary_table(summarize({"fatalities": np.array([0.0, 10.0, 2000.5])}),
                                title="t"))
    text = console.export_text()
    assert "fatalities" in text and "670.2 ± " in text and "1.801k" in text and "0.6667" in text
