"""Statistics against distributions with known answers: confidence intervals cover the
true mean at their stated rate, empirical exceedance matches the analytic survival
function, F-N data of a small sample worked by hand, convergence traces equal the
statistics of each prefix."""

import math

import numpy as np
import pytest

from simulator.analysis.stats import (
    Moments,
    convergence,
    exceedance,
    fn_curve,
    is_binary,
    key_outcomes,
    mean_ci,
    moments_ci,
    p_positive,
    percentiles,
    summarise,
    summarise_column,
    wilson_interval,
)


def test_wilson_interval_covers_a_bernoulli_p_at_the_stated_rate():
    rng = np.random.default_rng(7)
    p, n, repetitions = 0.3, 200, 4000
    successes = rng.binomial(n, p, size=repetitions)
    low, high = wilson_interval(successes, n)
    coverage = np.mean((low <= p) & (p <= high))
    assert 0.935 <= coverage <= 0.965


def test_mean_ci_uses_wilson_for_indicators_and_covers_p():
    rng = np.random.default_rng(11)
    p = 0.05  # near zero, where the normal interval undercovers
    hits = 0
    for _ in range(600):
        ci = mean_ci((rng.random(100) < p).astype(float))
        assert ci.method == "wilson"
        hits += ci.low <= p <= ci.high
    assert 0.92 <= hits / 600 <= 0.99


def test_t_interval_covers_the_mean_of_a_skewed_distribution():
    rng = np.random.default_rng(3)
    samples = rng.exponential(2.0, size=(800, 400))
    hits = 0
    for row in samples:
        ci = mean_ci(row)
        assert ci.method == "t" and ci.low < ci.mean < ci.high
        hits += ci.low <= 2.0 <= ci.high
    assert 0.93 <= hits / 800 <= 0.97


def test_t_interval_matches_the_textbook_formula():
    values = np.arange(10.0)
    ci = mean_ci(values)
    # t_{0.975, 9} = 2.2621571627409915
    half = 2.2621571627409915 * values.std(ddof=1) / math.sqrt(10)
    assert ci.mean == pytest.approx(4.5)
    assert (ci.low, ci.high) == pytest.approx((4.5 - half, 4.5 + half))


def test_intervals_respect_the_support():
    """The t interval of four values reaches past both the smallest and the largest
    (3.5 ± 4.2 against 1 and 7) and is cut to them; mostly-zero fatalities never get a negative bound, in a summary or a
    convergence trace; a probability's interval stays within [0, 1]."""
    values = np.array([1.0, 2.0, 4.0, 7.0])
    half = 3.182446305284263 * values.std(ddof=1) / 2.0  # t_{0.975, 3}
    ci = mean_ci(values)
    assert 3.5 - half < 1.0 and 3.5 + half > 7.0 and (ci.low, ci.high) == (1.0, 7.0)
    fatalities = np.zeros(200)
    fatalities[[3, 70]] = [2_000.0, 9_000.0]
    assert mean_ci(fatalities).low == 0.0 < mean_ci(fatalities).high
    assert summarise_column("fatalities", fatalities).ci_low == 0.0
    trace = convergence(fatalities, points=None)
    assert np.nanmin(trace.low) >= 0.0 and np.nanmax(trace.high) <= 9_000.0
    rare = mean_ci(np.r_[np.ones(2), np.zeros(998)])
    assert 0.0 < rare.low < rare.high < 1.0


def test_mean_ci_edge_cases():
    empty = mean_ci([])
    assert empty.count == 0 and math.isnan(empty.mean)
    single = mean_ci([5.0])
    assert single.mean == 5.0 and math.isnan(single.low)
    with_nan = mean_ci([1.0, math.nan, 3.0])
    assert with_nan.count == 2 and with_nan.mean == 2.0
    all_zero = mean_ci(np.zeros(50))
    assert all_zero.method == "wilson" and all_zero.low == 0.0 and 0 < all_zero.high < 0.1
    all_one = mean_ci(np.ones(50))
    assert all_one.high == 1.0 and 0.9 < all_one.low < 1.0
    with pytest.raises(ValueError):
        mean_ci([1.0, 2.0], method="exact")


def test_normal_interval_on_request_uses_z():
    """The interval adaptive stopping uses: mean ± 1.96 s / sqrt(n), also for 0/1 values."""
    values = np.random.default_rng(1).normal(10.0, 2.0, 400)
    ci = mean_ci(values, method="normal")
    half = 1.959963984540054 * values.std(ddof=1) / 20.0
    assert ci.method == "normal" and ci.half_width == pytest.approx(half, rel=1e-12)
    assert mean_ci(np.r_[np.zeros(99), 1.0], method="normal").method == "normal"


def test_percentiles_and_p_positive():
    values = np.arange(101, dtype=float)
    assert list(percentiles(values)) == [5.0, 50.0, 95.0]
    assert p_positive([0.0, 0.0, 2.0, 3.0]) == 0.5
    assert math.isnan(p_positive([]))
    assert is_binary([0.0, 1.0, 1.0]) and not is_binary([0.0, 0.5]) and not is_binary([])


def test_exceedance_of_exponential_samples_matches_the_analytic_curve():
    rng = np.random.default_rng(2024)
    mean = 3.0
    sample = rng.exponential(mean, 20_000)
    curve = exceedance(sample, resamples=400, seed=1)
    analytic = np.exp(-curve.thresholds / mean)
    # Dvoretzky-Kiefer-Wolfowitz: P(sup error > 0.015) < 2 exp(-2 n 0.015^2) = 2.5e-4
    assert np.max(np.abs(curve.probability - analytic)) < 0.015
    # the pointwise 95% band covers the analytic curve at most thresholds
    inside = (curve.low <= analytic + 1e-12) & (analytic <= curve.high + 1e-12)
    assert inside.mean() > 0.8
    # and its width is that of a binomial proportion, 2 * 1.96 * sqrt(p (1 - p) / n)
    middle = (curve.probability > 0.2) & (curve.probability < 0.8)
    expected = 2 * 1.96 * np.sqrt(curve.probability * (1 - curve.probability) / sample.size)
    ratio = (curve.high - curve.low)[middle] / expected[middle]
    assert 0.85 < np.median(ratio) < 1.15


def test_exceedance_reaches_the_tail_of_a_large_sample():
    sample = np.random.default_rng(5).exponential(1.0, 5000)
    curve = exceedance(sample, resamples=10)
    positive = curve.probability[curve.probability > 0]
    assert positive.min() == pytest.approx(1 / 5000)
    assert curve.thresholds.size < 500


def test_exceedance_is_strict_and_bootstrap_is_seeded():
    sample = np.array([0, 0, 0, 1, 1, 2, 5, 5, 10, 0], dtype=float)
    curve = exceedance(sample, np.array([0.0, 1.0, 5.0, 10.0]), resamples=200, seed=4)
    assert list(curve.probability) == [0.6, 0.4, 0.1, 0.0]
    again = exceedance(sample, np.array([0.0, 1.0, 5.0, 10.0]), resamples=200, seed=4)
    assert np.array_equal(curve.low, again.low) and np.array_equal(curve.high, again.high)
    assert np.all(curve.low <= curve.probability) and np.all(curve.probability <= curve.high)


def test_fn_curve_of_a_known_discrete_sample():
    fatalities = np.array([0, 0, 0, 1, 1, 2, 5, 5, 10, 0], dtype=float)
    curve = fn_curve(fatalities, resamples=0)
    assert list(curve.thresholds) == [1.0, 2.0, 5.0, 10.0]
    assert list(curve.probability) == [0.6, 0.4, 0.3, 0.1]  # P(N >= n)
    assert curve.inclusive and curve.count == 10


def test_fn_curve_starts_at_one_and_handles_no_fatalities():
    curve = fn_curve(np.array([0.0, 0.0, 3.5, 40.0]), resamples=0)
    assert curve.thresholds[0] == 1.0 and curve.probability[0] == 0.5
    none = fn_curve(np.zeros(20), resamples=50)
    assert list(none.thresholds) == [1.0] and list(none.probability) == [0.0]


def test_convergence_trace_equals_prefix_statistics():
    rng = np.random.default_rng(9)
    values = rng.lognormal(0, 1, 3000)
    trace = convergence(values, points=None)
    assert trace.count.size == 3000 and trace.method == "t"
    for k in (2, 10, 500, 3000):
        ci = mean_ci(values[:k])
        assert trace.mean[k - 1] == pytest.approx(ci.mean, rel=1e-12)
        assert trace.low[k - 1] == pytest.approx(ci.low, rel=1e-9)
        assert trace.high[k - 1] == pytest.approx(ci.high, rel=1e-9)
    thinned = convergence(values, points=100)
    assert thinned.count[-1] == 3000 and thinned.count.size <= 100
    assert thinned.mean[-1] == pytest.approx(values.mean())


def test_convergence_of_an_indicator_uses_wilson():
    values = (np.random.default_rng(1).random(400) < 0.2).astype(float)
    trace = convergence(values)
    assert trace.method == "wilson"
    final = mean_ci(values)
    assert (trace.low[-1], trace.high[-1]) == pytest.approx((final.low, final.high))
    assert convergence([]).count.size == 0


def test_summary_statistics_match_numpy():
    values = np.random.default_rng(3).exponential(2.0, 1000)
    values[:300] = 0.0
    row = summarise_column("x", values)
    assert row.method == "t" and row.count == 1000
    assert row.mean == pytest.approx(values.mean())
    assert (row.p5, row.p50, row.p95) == pytest.approx(tuple(np.percentile(values, [5, 50, 95])))
    assert row.p_positive == pytest.approx(0.7)


def test_summary_of_a_column_with_no_values_is_empty():
    row = summarise_column("y", np.array([math.nan]))
    assert row.count == 0 and math.isnan(row.mean) and math.isnan(row.ci_low)


def test_summarise_rows():
    outcomes = {
        "fatalities": np.array([0.0, 0.0, 10.0, 30.0, math.nan]),
        "dam_captured": np.array([0.0, 1.0, 1.0, 1.0, 0.0]),
        "arrival_h.hit": np.array([1.0, 2.0, 3.0, 4.0, 5.0]),
        "input.forces.a.strength": np.ones(5),
    }
    assert key_outcomes(outcomes) == ["dam_captured", "fatalities"]
    captured, fatalities = summarise(outcomes)
    assert captured.method == "wilson" and captured.mean == pytest.approx(0.6)
    assert fatalities.count == 4 and fatalities.mean == 10.0 and fatalities.p_positive == 0.5
    assert fatalities.method == "t" and fatalities.ci_low < 10.0 < fatalities.ci_high
    assert [r.name for r in summarise(outcomes, ["arrival_h.hit", "missing"])] == \
        ["arrival_h.hit"]


def test_moments_merge_into_those_of_the_whole_sample():
    values = np.random.default_rng(5).lognormal(3.0, 1.0, 1001)
    values[::10] = np.nan
    whole = Moments.of(values)
    merged = Moments()
    for part in np.array_split(values, 7):
        merged = merged.merge(Moments.of(part))
    assert merged.count == whole.count == 900
    assert merged.mean == pytest.approx(np.nanmean(values), rel=1e-13)
    assert merged.variance == pytest.approx(np.nanvar(values, ddof=1), rel=1e-12)


@pytest.mark.parametrize("method", ["t", "normal"])
def test_moments_ci_is_mean_ci_of_the_sample(method):
    values = np.random.default_rng(6).exponential(2.0, 300)
    expected = mean_ci(values, method=method)
    ci = moments_ci(Moments.of(values), method=method)
    assert ci.method == method and ci.count == 300
    assert (ci.mean, ci.low, ci.high) == pytest.approx(
        (expected.mean, expected.low, expected.high), rel=1e-12)
    single = moments_ci(Moments.of([4.0]))
    assert single.method == "-" and single.mean == 4.0 and math.isnan(single.low)
    assert moments_ci(Moments()).count == 0


# ------------------------------------------------------- events that may not happen


def test_a_time_to_event_is_summarised_among_the_replications_where_it_happened():
    """Ten replications, the dam captured in four of them at 10, 20, 30 and 100 h (NaN:
    not captured by the horizon): P = 4/10 with Wilson's interval worked by hand, and
    the mean and median of the four times, not of ten values padded with the horizon."""
    times = np.array([10.0, np.nan, 20.0, np.nan, np.nan, 30.0, np.nan, 100.0, np.nan, np.nan])
    row = summarise_column("time_to_capture_h", times, kind="time_to_event", event="capture")
    assert (row.replications, row.event_count, row.p_event) == (10, 4, 0.4)
    z = 1.959963984540054
    centre, half = (0.4 + z * z / 20) / (1 + z * z / 10), \
        z * math.sqrt(0.24 / 10 + z * z / 400) / (1 + z * z / 10)
    assert (row.p_event_low, row.p_event_high) == pytest.approx((centre - half, centre + half))
    assert row.count == 4 and row.mean == 40.0 and row.given_mean == 40.0
    assert row.p50 == row.given_p50 == 25.0
    assert (row.given_p50_low, row.given_p50_high) == (10.0, 100.0)  # n = 4: the range
    assert row.event == "capture"


def test_an_amount_is_summarised_unconditionally_and_given_its_event():
    """Fatalities over eight replications, three with a breach: the expected value is
    the mean over all eight; given a breach it is the mean and median of the three."""
    fatalities = np.array([0.0, 0.0, 120.0, 0.0, 30.0, 0.0, 0.0, 600.0])
    breach = np.array([0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0])
    row = summarise_column("fatalities", fatalities, kind="amount", given=breach,
                           event="breach")
    assert row.mean == 750.0 / 8 and row.ci_low == 0.0
    assert (row.event_count, row.p_event) == (3, 3 / 8)
    assert row.given_mean == 250.0 and row.given_p50 == 120.0
    assert row.given_p95 == pytest.approx(120.0 + 0.9 * (600.0 - 120.0))  # linear, rank 1.9
    unknown = breach.copy()
    unknown[[0, 4]] = np.nan  # no flag: those replications say nothing about the event
    row = summarise_column("fatalities", fatalities, kind="amount", given=unknown)
    assert (row.replications, row.event_count, row.given_mean) == (6, 2, 360.0)
    assert row.p_event == 2 / 6 and row.mean == 750.0 / 8


def test_a_probability_has_no_percentiles_and_never_prints_plus_minus_zero():
    row = summarise_column("dam_captured", np.ones(40), kind="probability")
    assert row.method == "wilson" and row.mean == 1.0 and row.ci_high == 1.0
    assert 0.9 < row.ci_low < 1.0
    assert math.isnan(row.p50) and math.isnan(row.p_positive)


def test_summarise_with_the_catalogue_uses_each_kind():
    from simulator.analysis.catalogue import Catalogue

    outcomes = {"time_to_capture_h": np.array([5.0, np.nan, 7.0, np.nan]),
                "fatalities": np.array([0.0, 10.0, 0.0, 30.0]),
                "breach_started": np.array([0.0, 1.0, 0.0, 1.0]),
                "dam_captured": np.array([1.0, 0.0, 1.0, 0.0])}
    rows = {r.name: r for r in summarise(outcomes, list(outcomes), catalogue=Catalogue())}
    assert rows["time_to_capture_h"].kind == "time_to_event"
    assert rows["time_to_capture_h"].p_event == 0.5 and rows["time_to_capture_h"].mean == 6.0
    assert rows["time_to_capture_h"].event == "dam captured"
    assert rows["fatalities"].mean == 10.0 and rows["fatalities"].given_mean == 20.0
    assert rows["fatalities"].event == "breach"
    assert rows["dam_captured"].kind == "probability"


def test_median_interval_is_the_order_statistics_of_the_binomial():
    """n = 20: P(B <= 5) = 0.0207 <= 0.025 < P(B <= 6) = 0.0577, so the 95 % interval is
    [x(6), x(15)] (binomial probabilities with p = 1/2, n = 20)."""
    from simulator.analysis.stats import median_ci

    values = np.arange(1.0, 21.0)
    assert median_ci(values) == (6.0, 15.0)
    assert median_ci([3.0]) == (3.0, 3.0)
    assert all(math.isnan(v) for v in median_ci([]))


def test_cumulative_incidence_is_the_share_of_all_replications_by_each_time():
    from simulator.analysis.stats import cumulative_incidence

    curve = cumulative_incidence([2.0, np.nan, 5.0, 2.0, np.nan])
    assert curve.times.tolist() == [2.0, 5.0]
    assert curve.probability.tolist() == [0.4, 0.6]  # ends below 1: two never happened
    assert (curve.replications, curve.events) == (5, 3)
    assert np.all(curve.low <= curve.probability) and np.all(curve.probability <= curve.high)
    empty = cumulative_incidence([np.nan, np.nan])
    assert empty.times.size == 0 and empty.replications == 2


def test_an_amount_of_zeros_and_ones_gets_a_t_interval_not_wilsons():
    """Towns captured is a count: 1 in every replication is no proportion near 1, and
    a breach depth that is 0 or 0.3 is no probability either."""
    always_one = summarise_column("towns_captured", np.ones(300), kind="count")
    assert always_one.method == "t"
    assert always_one.ci_low == always_one.ci_high == 1.0
    some = np.r_[np.ones(30), np.zeros(70)]
    depth = summarise_column("breach_depth_fraction", some, kind="amount")
    from scipy.stats import t

    half = t.ppf(0.975, 99) * some.std(ddof=1) / 10.0
    assert depth.method == "t"
    assert (depth.ci_low, depth.ci_high) == pytest.approx((0.3 - half, 0.3 + half))
    assert summarise_column("dam_captured", some, kind="probability").method == "wilson"


def test_newcombe_interval_matches_the_papers_examples():
    """Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10:
    56/70 - 48/80 has the interval 0.0524 to 0.3339, and 9/10 - 3/10 0.1705 to 0.8090
    (the same values the propint R package checks against the paper)."""
    from simulator.analysis.stats import newcombe_difference

    difference, low, high = newcombe_difference(48, 80, 56, 70)
    assert difference == pytest.approx(56 / 70 - 48 / 80)
    assert (low, high) == pytest.approx((0.0524, 0.3339), abs=5e-5)
    assert newcombe_difference(3, 10, 9, 10)[1:] == pytest.approx((0.1705, 0.8090), abs=5e-5)


def test_newcombe_interval_stays_within_one_and_keeps_a_width_when_constant():
    from simulator.analysis.stats import newcombe_difference

    difference, low, high = newcombe_difference(0, 30, 30, 30)
    assert difference == 1.0 and 0.8 < low < 1.0 and high == 1.0
    difference, low, high = newcombe_difference(0, 40, 0, 40)
    assert difference == 0.0 and -0.1 < low < 0.0 < high < 0.1


def test_t_and_binomial_quantiles_are_scipy_stats_own():
    """The summary takes its quantiles from scipy.special (scipy.stats costs a second to
    import); they must be exactly the values scipy.stats gives."""
    from scipy.stats import binom, t

    from simulator.analysis.stats import _binomial_quantile, _quantile_t

    df = np.arange(1, 20_000, dtype=np.float64)
    for level in (0.8, 0.9, 0.95, 0.99):
        assert np.array_equal(_quantile_t(level, df), t.ppf(0.5 + level / 2.0, df))
    for q in (0.005, 0.025, 0.05):
        for n in [*range(1, 400), 1_000, 12_345, 100_000]:
            assert _binomial_quantile(q, n, 0.5) == int(binom.ppf(q, n, 0.5))
