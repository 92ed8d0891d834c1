"""Checks of the life-loss model against Graham (1999), USBR DSO-99-06, Table 7 ("Recommended
Fatality Rates for Estimating Loss of Life Resulting from Dam Failure", p. 38) and its
guidance (pp. 35-36), and of the properties the engine relies on: fatalities are the rate
times the population at risk (no second evacuation factor), more warning never adds deaths,
deeper or faster water never removes them, and a town the flood never reaches loses no one. The Table 7 figures below were checked
against FACTS.md and against two independent public transcriptions of the table (the
Flood-Guard project's life_loss.py, "transcribed from the report p.38", and a TypeScript
implementation of the same table); all three agree on every suggested value and range."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.consequences.lifeloss import (
    HIGH_SEVERITY_DV_M2S,
    MEDIUM_SEVERITY_DV_M2S,
    evacuated_fraction,
    flood_severity,
    graham_fatality_rate,
    graham_fatality_rate_range,
    sampled_fatality_rate,
    town_life_loss,
    warning_category,
)

NO_WARNING_H = (0.0, 0.2)  # under 15 minutes
SOME_WARNING_H = (0.25, 0.5, 1.0)  # 15 to 60 minutes
ADEQUATE_WARNING_H = (1.01, 3.0)  # over 60 minutes

# (severity, warning times, understanding, suggested rate, range low, range high)
TABLE_7 = [
    ("high", NO_WARNING_H, "vague", 0.75, 0.30, 1.00),
    ("medium", NO_WARNING_H, "vague", 0.15, 0.03, 0.35),
    ("medium", NO_WARNING_H, "precise", 0.15, 0.03, 0.35),
    ("medium", SOME_WARNING_H, "vague", 0.04, 0.01, 0.08),
    ("medium", SOME_WARNING_H, "precise", 0.02, 0.005, 0.04),
    ("medium", ADEQUATE_WARNING_H, "vague", 0.03, 0.005, 0.06),
    ("medium", ADEQUATE_WARNING_H, "precise", 0.01, 0.002, 0.02),
    ("low", NO_WARNING_H, "vague", 0.01, 0.0, 0.02),
    ("low", NO_WARNING_H, "precise", 0.01, 0.0, 0.02),
    ("low", SOME_WARNING_H, "vague", 0.007, 0.0, 0.015),
    ("low", SOME_WARNING_H, "precise", 0.002, 0.0, 0.004),
    ("low", ADEQUATE_WARNING_H, "vague", 0.0003, 0.0, 0.0006),
    ("low", ADEQUATE_WARNING_H, "precise", 0.0002, 0.0, 0.0004),
]


@pytest.mark.parametrize(("severity", "warnings_h", "understanding", "rate", "low", "high"),
                         TABLE_7)
def test_graham_table_7_suggested_rates_and_ranges(
    severity, warnings_h, understanding, rate, low, high
):
    """Every cell of Graham (1999), DSO-99-06, Table 7: the suggested fatality rate and its
    suggested range, e.g. medium severity with no warning 0.15 (0.03-0.35), low severity
    with over an hour of precise warning 0.0002 (0.0-0.0004)."""
    for warning_h in warnings_h:
        assert graham_fatality_rate(severity, warning_h, understanding) == rate
        assert graham_fatality_rate_range(severity, warning_h, understanding) == (low, high)


def test_warning_categories_follow_grahams_bounds():
    """Graham (1999), p. 26: no warning under 15 min, some 15-60 min, adequate over 60."""
    assert warning_category(0.2499) == "none"
    assert warning_category(float("nan")) == "none"
    assert warning_category(0.25) == "some"
    assert warning_category(1.0) == "some"
    assert warning_category(1.0001) == "adequate"


def test_high_severity_rate_applies_whatever_the_warning():
    """Graham (1999), Table 7: with warning, high severity uses the no-warning rate 0.75
    (range 0.30-1.00), applied to the people who remain in the floodplain."""
    for warning_h in (0.0, 0.5, 6.0):
        for understanding in ("vague", "precise"):
            assert graham_fatality_rate("high", warning_h, understanding) == 0.75
            assert graham_fatality_rate_range("high", warning_h, understanding) == (0.30, 1.00)


def test_flood_severity_uses_the_ten_foot_rule():
    """Graham (1999), p. 35: low below 10 ft (3.048 m), medium at 10 ft or more."""
    assert flood_severity(3.0) == "low"
    assert flood_severity(3.048) == "medium"
    assert flood_severity(12.0) == "medium"


def test_flood_severity_uses_grahams_depth_velocity_rule():
    """Graham (1999), guidance for Table 7 (pp. 35-36): medium where DV reaches 50 ft^2/s,
    which is 50 x 0.3048^2 = 4.645 m^2/s, even in shallow water; a flood sweeps the area
    clean (high) from the assumed HIGH_SEVERITY_DV_M2S of 15 m^2/s (about 160 ft^2/s)."""
    assert MEDIUM_SEVERITY_DV_M2S == pytest.approx(4.6452, abs=1e-4)
    assert flood_severity(1.0, depth_velocity_m2s=4.6) == "low"
    assert flood_severity(1.0, depth_velocity_m2s=4.65) == "medium"
    assert HIGH_SEVERITY_DV_M2S == pytest.approx(160 * 0.3048**2, rel=0.01)
    assert flood_severity(1.0, depth_velocity_m2s=14.9) == "medium"
    assert flood_severity(1.0, depth_velocity_m2s=15.0) == "high"
    assert flood_severity(1.0, depth_velocity_m2s=6.0, high_severity_dv_m2s=5.0) == "high"
    assert flood_severity(2.0, depth_velocity_m2s=math.nan) == "low"


def test_rate_quantile_anchors_on_the_published_range():
    """Quantiles 0, 0.5 and 1 give Table 7's range low end, suggested rate and high end;
    halfway along each half is the geometric mean, or the arithmetic one where the low end
    is zero (Graham 1999, Table 7, medium and low severity with no warning)."""
    assert sampled_fatality_rate("medium", 0.0, rate_quantile=0.0) == pytest.approx(0.03)
    assert sampled_fatality_rate("medium", 0.0, rate_quantile=0.5) == pytest.approx(0.15)
    assert sampled_fatality_rate("medium", 0.0, rate_quantile=1.0) == pytest.approx(0.35)
    assert sampled_fatality_rate("medium", 0.0, rate_quantile=0.25) == pytest.approx(
        math.sqrt(0.03 * 0.15))
    assert sampled_fatality_rate("medium", 0.0, rate_quantile=0.75) == pytest.approx(
        math.sqrt(0.15 * 0.35))
    assert sampled_fatality_rate("low", 0.0, rate_quantile=0.0) == 0.0
    assert sampled_fatality_rate("low", 0.0, rate_quantile=0.25) == pytest.approx(0.005)


@given(
    severity=st.sampled_from(["low", "medium", "high"]),
    warning_h=st.floats(0.0, 48.0),
    understanding=st.sampled_from(["vague", "precise"]),
    quantiles=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)).map(sorted),
)
def test_sampled_rate_stays_in_range_and_grows_with_quantile(
    severity, warning_h, understanding, quantiles
):
    low, high = graham_fatality_rate_range(severity, warning_h, understanding)
    lower, upper = (sampled_fatality_rate(severity, warning_h, understanding, q)
                    for q in quantiles)
    assert low * (1 - 1e-12) <= lower <= upper <= high * (1 + 1e-12)


def test_evacuated_fraction_is_a_bounded_rising_curve():
    """Weibull mobilisation curve (LifeSim eq. 9 form): nothing without warning, 63% of
    the asymptote at the scale time, close to the asymptote after a long warning."""
    assert evacuated_fraction(0.0) == 0.0
    assert evacuated_fraction(-1.0) == 0.0
    assert evacuated_fraction(float("nan")) == 0.0
    assert evacuated_fraction(2.0, scale_h=2.0, max_fraction=0.8) == pytest.approx(
        0.8 * (1 - math.exp(-1)))
    assert evacuated_fraction(48.0, max_fraction=0.85) == pytest.approx(0.85)
    samples = [evacuated_fraction(0.1 * k) for k in range(100)]
    assert samples == sorted(samples)


def test_town_with_no_warning_loses_grahams_rate_of_its_population():
    """Under 15 minutes of warning, fatalities are PAR times the Table 7 rate: medium
    severity, 0.15 (Graham 1999)."""
    for warning_received_h in (5.0, 4.9, 4.8, float("nan"), math.inf):
        loss = town_life_loss(10_000, flood_arrival_h=4.9, warning_received_h=warning_received_h,
                              peak_depth_m=5.0)
        assert loss.severity == "medium"
        assert loss.fatalities == pytest.approx(1_500.0)
        assert loss.people_at_risk == 10_000.0


def test_warning_does_not_count_twice():
    """Graham's low and medium rates already hold the effect of warning and evacuation
    (his case histories had both), so fatalities are exactly the Table 7 rate times the
    whole population at risk, however many people the mobilisation curve says left:
    medium severity, 2 h of vague warning, 0.03 of 10,000 (Graham 1999, Table 7)."""
    loss = town_life_loss(10_000, flood_arrival_h=3.0, warning_received_h=1.0, peak_depth_m=5.0)
    assert loss.severity == "medium"
    assert loss.warning_h == 2.0
    assert loss.rate == 0.03
    assert loss.fatalities == pytest.approx(0.03 * 10_000)
    assert loss.people_evacuated == pytest.approx(10_000 * evacuated_fraction(2.0))
    assert loss.people_evacuated > 0.5 * 10_000


def test_swept_clean_town_applies_high_rate_to_those_who_remain():
    """Graham (1999), Table 7: high severity with warning uses the no-warning rate, 0.75,
    on the people still in the floodplain; without warning on everyone."""
    loss = town_life_loss(1_000, flood_arrival_h=3.0, warning_received_h=1.0, peak_depth_m=8.0,
                          depth_velocity_m2s=20.0)
    remaining = 1_000 * (1 - evacuated_fraction(2.0))
    assert loss.severity == "high"
    assert loss.warning_h == 2.0
    assert loss.fatalities == pytest.approx(0.75 * remaining)
    unwarned = town_life_loss(1_000, 3.0, 2.9, 8.0, depth_velocity_m2s=20.0)
    assert unwarned.fatalities == pytest.approx(750.0)


def test_explicit_rate_overrides_the_table():
    loss = town_life_loss(1_000, 2.0, 2.0, 1.0, rate=0.5)
    assert loss.fatalities == pytest.approx(500.0)


@pytest.mark.parametrize(("arrival_h", "depth_m"), [(math.inf, 4.0), (float("nan"), 4.0),
                                                    (3.0, 0.0)])
def test_no_flood_means_no_exposure(arrival_h, depth_m):
    """A flood that never arrives (or arrives dry) exposes and kills no one."""
    loss = town_life_loss(50_000, arrival_h, 0.0, depth_m)
    assert (loss.people_at_risk, loss.people_evacuated, loss.fatalities) == (0.0, 0.0, 0.0)
    assert loss.severity == "none"


def test_bad_categories_and_quantiles_are_rejected():
    with pytest.raises(ValueError, match="severity"):
        graham_fatality_rate("extreme", 0.0)
    with pytest.raises(ValueError, match="understanding"):
        graham_fatality_rate("low", 1.0, "clear")
    with pytest.raises(ValueError, match="rate_quantile"):
        town_life_loss(100, 1.0, 0.0, 4.0, rate_quantile=1.5)
    with pytest.raises(ValueError, match="rate"):
        town_life_loss(100, 1.0, 0.0, 4.0, rate=2.0)


town_conditions = dict(
    population_at_risk=st.floats(0.0, 1e6),
    flood_arrival_h=st.floats(0.0, 72.0),
    peak_depth_m=st.floats(0.01, 30.0),
    depth_velocity_m2s=st.floats(0.0, 40.0),
    understanding=st.sampled_from(["vague", "precise"]),
    rate_quantile=st.floats(0.0, 1.0),
)


@settings(max_examples=50, deadline=None)
@given(warnings_received_h=st.tuples(st.floats(-72.0, 80.0), st.floats(-72.0, 80.0)),
       **town_conditions)
def test_more_warning_never_adds_fatalities(warnings_received_h, **town):
    earlier, later = sorted(warnings_received_h)
    more_warning = town_life_loss(warning_received_h=earlier, **town)
    less_warning = town_life_loss(warning_received_h=later, **town)
    assert more_warning.warning_h >= less_warning.warning_h
    assert more_warning.people_evacuated >= less_warning.people_evacuated
    assert more_warning.fatalities <= less_warning.fatalities


@settings(max_examples=50, deadline=None)
@given(depths_m=st.tuples(st.floats(0.01, 30.0), st.floats(0.01, 30.0)),
       warning_received_h=st.floats(-72.0, 80.0),
       **{k: v for k, v in town_conditions.items() if k != "peak_depth_m"})
def test_deeper_water_never_removes_fatalities(depths_m, warning_received_h, **town):
    shallower, deeper = sorted(depths_m)
    assert (town_life_loss(peak_depth_m=shallower, warning_received_h=warning_received_h, **town)
            .fatalities
            <= town_life_loss(peak_depth_m=deeper, warning_received_h=warning_received_h, **town)
            .fatalities)


@settings(max_examples=50, deadline=None)
@given(dvs_m2s=st.tuples(st.floats(0.0, 40.0), st.floats(0.0, 40.0)),
       warning_received_h=st.floats(-72.0, 80.0),
       **{k: v for k, v in town_conditions.items() if k != "depth_velocity_m2s"})
def test_higher_depth_velocity_never_removes_fatalities(dvs_m2s, warning_received_h, **town):
    slower, faster = sorted(dvs_m2s)
    at = dict(warning_received_h=warning_received_h, **town)
    assert (town_life_loss(depth_velocity_m2s=slower, **at).fatalities
            <= town_life_loss(depth_velocity_m2s=faster, **at).fatalities)


@settings(max_examples=50, deadline=None)
@given(warning_received_h=st.floats(-72.0, 80.0), **town_conditions)
def test_fatalities_are_the_rate_times_the_population_at_risk(warning_received_h, **town):
    """No double counting: for low and medium severity, and for high severity without
    warning, fatalities are exactly rate x PAR; for high severity with warning, rate x
    those who remain (Graham 1999, Table 7). Nobody is counted twice."""
    loss = town_life_loss(warning_received_h=warning_received_h, **town)
    par = town["population_at_risk"]
    assert loss.people_at_risk == par
    assert 0.0 <= loss.people_evacuated <= par
    if loss.severity == "high" and warning_category(loss.warning_h) != "none":
        assert loss.fatalities == pytest.approx(loss.rate * (par - loss.people_evacuated))
    else:
        assert loss.fatalities == loss.rate * par
    assert 0.0 <= loss.fatalities <= par
