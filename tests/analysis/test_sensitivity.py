"""Rank sensitivity on synthetic runs whose answer is known: a monotone function of one
input, a spurious input correlated with the real one (Spearman sees it, PRCC removes it),
and the identity between PRCC and the inverse of the rank correlation matrix."""

import dataclasses
import math

import numpy as np
import pytest
from scipy.stats import rankdata, spearmanr

from simulator.analysis.sensitivity import input_names, rank_sensitivity


def by_input(rows):
    return {row.input: row for row in rows}


def test_monotone_function_of_one_input():
    rng = np.random.default_rng(0)
    n = 500
    outcomes = {f"input.x{i}": rng.random(n) for i in range(3)}
    outcomes["y"] = np.exp(3 * outcomes["input.x0"])
    rows = rank_sensitivity(outcomes, "y")
    assert rows[0].input == "input.x0" and rows[0].label == "x0"
    assert rows[0].spearman == pytest.approx(1.0) and rows[0].prcc == pytest.approx(1.0)
    for row in rows[1:]:
        assert abs(row.spearman) < 0.15 and abs(row.prcc) < 0.15
        assert row.prcc_p > 1e-3


def test_prcc_removes_an_input_that_only_correlates_with_the_driver():
    rng = np.random.default_rng(1)
    n = 2000
    driver = rng.normal(size=n)
    shadow = driver + 0.3 * rng.normal(size=n)  # no effect on y of its own
    other = rng.normal(size=n)
    y = driver + 0.5 * other + 0.2 * rng.normal(size=n)
    rows = by_input(rank_sensitivity(
        {"input.driver": driver, "input.shadow": shadow, "input.other": other, "y": y}, "y"))
    assert rows["input.shadow"].spearman > 0.7  # looks important on its own ...
    assert abs(rows["input.shadow"].prcc) < 0.08  # ... but not once the driver is known
    assert rows["input.driver"].prcc > 0.6 and rows["input.other"].prcc > 0.6
    assert rows["input.driver"].spearman == pytest.approx(
        spearmanr(driver, y).statistic, abs=1e-12)
    assert rows["input.driver"].prcc_p < 1e-10


def residual_prcc(x, y):
    """PRCC by its definition: correlate the residuals of input i and of the outcome,
    each regressed (on ranks, with an intercept) on the other inputs."""
    ranks = rankdata(np.column_stack([x, y]), axis=0)
    n, k = x.shape
    result = []
    for i in range(k):
        others = np.column_stack([np.ones(n), np.delete(ranks[:, :k], i, axis=1)])
        residuals = []
        for target in (ranks[:, i], ranks[:, k]):
            coefficients, *_ = np.linalg.lstsq(others, target, rcond=None)
            residuals.append(target - others @ coefficients)
        result.append(np.corrcoef(*residuals)[0, 1])
    return result


def test_prcc_equals_the_correlation_of_regression_residuals():
    rng = np.random.default_rng(2)
    n, k = 300, 4
    x = rng.normal(size=(n, k)) @ rng.normal(size=(k, k))  # correlated inputs
    y = x[:, 0] - 2 * x[:, 2] ** 3 + rng.normal(size=n)
    outcomes = {f"input.x{i}": x[:, i] for i in range(k)} | {"y": y}
    rows = by_input(rank_sensitivity(outcomes, "y"))
    for i, expected in enumerate(residual_prcc(x, y)):
        assert rows[f"input.x{i}"].prcc == pytest.approx(expected, abs=1e-10)


def test_an_outcome_that_copies_an_input_rank_for_rank():
    """A singular rank correlation matrix: PRCC falls back to the regressions."""
    rng = np.random.default_rng(4)
    x = rng.random((200, 3))
    rows = by_input(rank_sensitivity(
        {"input.a": x[:, 0], "input.b": x[:, 1], "input.c": x[:, 2], "y": x[:, 1] ** 2}, "y"))
    assert rows["input.b"].prcc == pytest.approx(1.0)
    assert abs(rows["input.a"].prcc) < 0.2 and abs(rows["input.c"].prcc) < 0.2


def test_constant_inputs_and_missing_values_are_left_out():
    rng = np.random.default_rng(3)
    n = 100
    a = rng.random(n)
    y = a.copy()
    y[5] = math.nan
    outcomes = {"input.a": a, "input.fixed": np.full(n, 2.0), "input.b": rng.random(n), "y": y}
    assert input_names(outcomes) == ["input.a", "input.b", "input.fixed"]
    rows = rank_sensitivity(outcomes, "y")
    assert [r.input for r in rows] == ["input.a", "input.b"]
    constant = rank_sensitivity({"input.a": a, "y": np.zeros(n)}, "y")
    assert len(constant) == 1 and math.isnan(constant[0].prcc)
    assert rank_sensitivity({"y": y}, "y") == []


def test_decile_swing_is_the_change_of_the_mean_in_the_outcomes_unit():
    """y = 3 x + 5 b + noise with x uniform on [0, 1] and b a yes/no input: the mean of y
    over x's top decile minus its bottom decile is 3 (0.95 - 0.05) = 2.7, b's swing is 5,
    an input that does nothing swings by about 0 with an interval around 0; a time to an
    event is swung among the replications where it happened."""
    from simulator.analysis.sensitivity import decile_swing

    rng = np.random.default_rng(4)
    n = 20_000
    x, b, idle = rng.random(n), (rng.random(n) < 0.3).astype(float), rng.random(n)
    y = 3 * x + 5 * b + rng.normal(0, 0.1, n)
    outcomes = {"input.x": x, "input.b": b, "input.idle": idle, "y": y,
                "t_h": np.where(b == 1, 10 + 2 * x, np.nan)}
    rows = {r.input: r for r in decile_swing(outcomes, "y")}
    assert [r.input for r in decile_swing(outcomes, "y")][:2] == ["input.b", "input.x"]
    assert rows["input.x"].swing == pytest.approx(2.7, abs=0.06)
    assert rows["input.b"].swing == pytest.approx(5.0, abs=0.06)
    assert rows["input.x"].low_count == pytest.approx(n / 10, rel=0.01)
    idle_row = rows["input.idle"]
    assert idle_row.swing_low < 0 < idle_row.swing_high
    assert rows["input.x"].swing_low < 2.7 < rows["input.x"].swing_high
    assert rows["input.x"].spearman > 0.4
    timed = {r.input: r for r in decile_swing(outcomes, "t_h")}
    assert timed["input.x"].swing == pytest.approx(1.8, abs=0.05)
    assert "input.b" not in timed  # always 1 where the event happened: does not vary


def test_the_swing_of_a_probability_stays_within_100_points():
    """A yes/no outcome that one yes/no input almost decides: Welch's t on the 0/1 values
    would reach past +100 pp; the Newcombe interval ends at +1 at most, and keeps a
    width where both groups are constant."""
    from simulator.analysis.sensitivity import decile_swing

    rng = np.random.default_rng(2)
    b = (rng.random(300) < 0.2).astype(float)
    y = b.copy()
    y[np.flatnonzero(b == 0)[:3]] = 1.0  # three events without the input
    (row,) = decile_swing({"input.b": b, "y": y}, "y")
    assert row.swing == pytest.approx(1.0 - 3 / np.count_nonzero(b == 0))
    assert row.swing_low < row.swing < row.swing_high <= 1.0
    (constant,) = decile_swing({"input.b": b, "y": b}, "y")
    assert constant.swing == 1.0 and constant.swing_low < 1.0 and constant.swing_high == 1.0


def test_decile_swing_without_spearman_gives_the_same_swings():
    from simulator.analysis.sensitivity import decile_swing

    rng = np.random.default_rng(5)
    x, b, noise = rng.uniform(0, 1, 400), rng.uniform(0, 1, 400), rng.normal(0, 0.1, 400)
    outcomes = {"input.x": x, "input.b": b, "y": 3 * x - b + noise}
    full = decile_swing(outcomes, "y")
    bare = decile_swing(outcomes, "y", spearman=False)
    assert [r.input for r in bare] == [r.input for r in full] == ["input.x", "input.b"]
    assert all(math.isnan(r.spearman) for r in bare)
    assert full[0].spearman > 0.9  # it was worked out where asked for
    strip = [dataclasses.replace(r, spearman=0.0) for r in full]
    assert strip == [dataclasses.replace(r, spearman=0.0) for r in bare]
