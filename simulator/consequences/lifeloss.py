"""Loss of life in a town reached by a dam-break flood, as Graham (1999) intended.

Graham, W. J., "A Procedure for Estimating Loss of Life Caused by Dam Failure", USBR Dam
Safety Office, DSO-99-06 (September 1999). The fatality rate comes from his Table 7,
chosen by flood severity (from the depth and the depth x velocity the flood brings),
warning time (flood arrival minus the time the town was warned) and how well people
understand the threat, and it multiplies the whole population at risk: Graham derived
the rates from case histories in which warning and evacuation had already happened, so
they carry their effect and no second evacuation factor belongs on top. The one
exception is Graham's own: for high severity with warning, Table 7's no-warning rate
applies to the people who remain in the floodplain.

A Weibull mobilisation curve of the form used for protective action initiation in USACE
LifeSim says how many people left before the water came (`people_evacuated`), which is
reported but never reduces the deaths of low and medium severity. Each published rate
has a range, and a quantile in [0, 1] picks a rate inside it so that Monte Carlo
replications sample that uncertainty. All functions are scalar and pure Python, cheap
enough to call for every town in every replication."""

from __future__ import annotations

import math
from dataclasses import dataclass

SEVERITIES = ("low", "medium", "high")
UNDERSTANDINGS = ("vague", "precise")

FOOT_M = 0.3048
#: Graham's boundary between low and medium severity: 10 ft of water (DSO-99-06, p. 35).
MEDIUM_SEVERITY_DEPTH_M = 10 * FOOT_M
#: Graham's other low/medium boundary, depth x velocity (DV) of 50 ft^2/s (4.645 m^2/s),
#: DSO-99-06, guidance for Table 7 (pp. 35-36). Read from two independent transcriptions
#: of that guidance (the SimpleDambrk QGIS plugin, RSE 2018, FloodSeverity(): "guidance
#: from DSO-99-06", low for DV <= 4.6 m2/s; a TypeScript Graham implementation: "medium
#: severity applies (50 ft^2/s)"); Graham's page itself could not be opened here.
MEDIUM_SEVERITY_DV_M2S = 50 * FOOT_M**2
#: Depth x velocity from which the flood sweeps a place clean ("high" severity). Graham
#: (DSO-99-06, p. 35) describes high severity in words (the flood sweeps the area clean,
#: nothing remains) and gives no number here. 15 m^2/s (about 160 ft^2/s) is where
#: SimpleDambrk (RSE 2018, FloodSeverity(), "guidance from DSO-99-06") and the FloodRisk
#: QGIS plugin's severity table (RSE 2015, caricadati/Tables/FloodSeverity.csv; the
#: plugin cites DHS 2011, "Estimating Loss of Life for Dam Failure Scenarios") put the
#: start of "high". It is an assumption until checked against a primary source: neither
#: Graham's page, DHS (2011) nor Reclamation's RCEM (2015) could be opened here.
HIGH_SEVERITY_DV_M2S = 15.0
#: Warning-time category bounds of Table 7 (DSO-99-06, p. 26), in hours.
SOME_WARNING_H = 15.0 / 60.0
ADEQUATE_WARNING_H = 60.0 / 60.0

# Graham (1999), DSO-99-06, Table 7 (p. 38): (severity, warning category, understanding)
# -> (range low, suggested rate, range high), fatalities per person at risk. The
# understanding does not apply without warning, so both keys of a "none" row are equal.
# Table 7 gives no separate rate for high severity with warning: it directs that the
# no-warning rate be applied to the people who remain in the floodplain after warnings
# are issued, which is what town_life_loss does.
_HIGH = (0.30, 0.75, 1.00)
_TABLE_7: dict[tuple[str, str, str], tuple[float, float, float]] = {
    ("high", "none", "vague"): _HIGH,
    ("high", "none", "precise"): _HIGH,
    ("high", "some", "vague"): _HIGH,
    ("high", "some", "precise"): _HIGH,
    ("high", "adequate", "vague"): _HIGH,
    ("high", "adequate", "precise"): _HIGH,
    ("medium", "none", "vague"): (0.03, 0.15, 0.35),
    ("medium", "none", "precise"): (0.03, 0.15, 0.35),
    ("medium", "some", "vague"): (0.01, 0.04, 0.08),
    ("medium", "some", "precise"): (0.005, 0.02, 0.04),
    ("medium", "adequate", "vague"): (0.005, 0.03, 0.06),
    ("medium", "adequate", "precise"): (0.002, 0.01, 0.02),
    ("low", "none", "vague"): (0.0, 0.01, 0.02),
    ("low", "none", "precise"): (0.0, 0.01, 0.02),
    ("low", "some", "vague"): (0.0, 0.007, 0.015),
    ("low", "some", "precise"): (0.0, 0.002, 0.004),
    ("low", "adequate", "vague"): (0.0, 0.0003, 0.0006),
    ("low", "adequate", "precise"): (0.0, 0.0002, 0.0004),
}

#: Default mobilisation curve (see evacuated_fraction). Assumptions, not fitted values:
#: LifeSim's manual reports that 5-20% of people typically never leave even with ample
#: time, and that at Oroville (2017) most of those who left did so two to three hours
#: after the first alert.
DEFAULT_MOBILISATION_SCALE_H = 2.0
DEFAULT_MOBILISATION_SHAPE = 2.0
DEFAULT_MAX_EVACUATED_FRACTION = 0.85


def warning_category(warning_h: float) -> str:
    """Graham's warning class: "none" under 15 min, "some" 15-60 min, "adequate" over 60.

    Source: Graham (1999), DSO-99-06, p. 26 and Table 7. NaN counts as no warning.
    """
    if not warning_h >= SOME_WARNING_H:
        return "none"
    if warning_h <= ADEQUATE_WARNING_H:
        return "some"
    return "adequate"


def _table_row(severity: str, warning_h: float, understanding: str) -> tuple[float, float, float]:
    try:
        return _TABLE_7[(severity, warning_category(warning_h), understanding)]
    except KeyError:
        raise ValueError(
            f"severity must be one of {SEVERITIES} and understanding one of "
            f"{UNDERSTANDINGS}; got severity={severity!r}, understanding={understanding!r}"
        ) from None


def graham_fatality_rate(severity: str, warning_h: float, understanding: str = "vague") -> float:
    """Suggested fatality rate (fatalities per person at risk) from Graham (1999) Table 7.

    Source: W. J. Graham, "A Procedure for Estimating Loss of Life Caused by Dam
    Failure", USBR Dam Safety Office, DSO-99-06 (1999), Table 7, "suggested" column.
    `severity` is "low", "medium" or "high" (see flood_severity); `warning_h` is the time
    between warning and flood arrival in hours; `understanding` is "vague" or "precise"
    and only matters with 15 min of warning or more. High severity returns 0.75 at any
    warning time, because Graham applies that rate to the people who remain.
    """
    return _table_row(severity, warning_h, understanding)[1]


def graham_fatality_rate_range(
    severity: str, warning_h: float, understanding: str = "vague"
) -> tuple[float, float]:
    """Published range (low, high) of the Table 7 fatality rate for these conditions.

    Source: Graham (1999), DSO-99-06, Table 7, "suggested range" column. Low-severity
    ranges start at zero.
    """
    low, _, high = _table_row(severity, warning_h, understanding)
    return low, high


def sampled_fatality_rate(
    severity: str, warning_h: float, understanding: str = "vague", rate_quantile: float = 0.5
) -> float:
    """Fatality rate at quantile `rate_quantile` of the Graham (1999) Table 7 range.

    Source of the three anchor values: Graham (1999), DSO-99-06, Table 7. The quantile
    maps piecewise, log-uniformly: 0 gives the range's low end, 0.5 the suggested rate,
    1 the high end, and each half interpolates geometrically between its two anchors so
    that a uniform quantile spreads evenly over orders of magnitude. Where the low end is
    zero (every low-severity row) the lower half interpolates linearly instead, since a
    logarithm of zero does not exist. Because every anchor falls as warning lengthens and
    rises with severity, the rate at a fixed quantile does too.
    """
    if not 0.0 <= rate_quantile <= 1.0:
        raise ValueError(f"rate_quantile must lie in [0, 1], got {rate_quantile!r}")
    low, suggested, high = _table_row(severity, warning_h, understanding)
    if rate_quantile >= 0.5:
        return suggested * (high / suggested) ** (2.0 * rate_quantile - 1.0)
    weight = 2.0 * rate_quantile
    if low == 0.0:
        return suggested * weight
    return low * (suggested / low) ** weight


def flood_severity(
    depth_m: float,
    depth_velocity_m2s: float = math.nan,
    high_severity_dv_m2s: float = HIGH_SEVERITY_DV_M2S,
) -> str:
    """Graham's flood-severity class for a place flooded to peak depth `depth_m` with a
    peak depth x velocity of `depth_velocity_m2s`.

    Source: Graham (1999), DSO-99-06, guidance for Table 7 (pp. 35-36). "medium" where
    homes are destroyed but trees or mangled homes remain for refuge: depths of 10 ft
    (3.048 m) or more, or DV of 50 ft^2/s (4.645 m^2/s) or more; "low" below both, where
    no buildings are washed off their foundations; "high" where the flood sweeps the area
    clean, here DV of `high_severity_dv_m2s` or more (HIGH_SEVERITY_DV_M2S, an assumption,
    see there). An unknown DV (NaN) leaves the depth rule alone.
    """
    if depth_velocity_m2s >= high_severity_dv_m2s:
        return "high"
    if depth_m >= MEDIUM_SEVERITY_DEPTH_M or depth_velocity_m2s >= MEDIUM_SEVERITY_DV_M2S:
        return "medium"
    return "low"


def evacuated_fraction(
    warning_h: float,
    scale_h: float = DEFAULT_MOBILISATION_SCALE_H,
    shape: float = DEFAULT_MOBILISATION_SHAPE,
    max_fraction: float = DEFAULT_MAX_EVACUATED_FRACTION,
) -> float:
    """Share of the population that has left the floodplain `warning_h` hours after warning.

    Source: the Weibull delay curve P(t) = 1 - exp(-a t^b), the "Lindell function" of the
    USACE LifeSim Technical Reference Manual v1.0 (eq. 9, chapter "Warning and Protective
    Action Parameters", where it is fitted to warning issuance delays), applied here to
    protective action initiation, whose empirical LifeSim curves (Mileti and Sorensen
    2017) have the same S shape. It is written as
    max_fraction * (1 - exp(-(t / scale_h) ** shape)), i.e. a = scale_h ** -shape and
    b = shape. `scale_h` is the time by which 63% of those who will ever leave have left;
    `max_fraction` is the upper asymptote, below one because some people never leave.
    The curve is smooth and non-decreasing in warning time; no warning (<= 0 or NaN)
    gives zero.
    """
    if not warning_h > 0.0:
        return 0.0
    return max_fraction * -math.expm1(-((warning_h / scale_h) ** shape))


@dataclass(frozen=True)
class TownLoss:
    """Life-loss outcome for one town.

    `people_at_risk` is the population at risk when the flood arrives (zero when it does
    not); `people_evacuated` those of them who left before the water came, by the
    mobilisation curve, reported only; `fatalities` is `rate` x `people_at_risk`, except
    for high severity with warning (`rate` x those who remain, Graham's Table 7 note);
    `warning_h` is the effective warning time in hours (zero without warning); `severity`
    is Graham's class, or "none" when the flood never reaches the town.
    """

    people_at_risk: float
    people_evacuated: float
    fatalities: float
    warning_h: float
    severity: str
    rate: float


_NO_FLOOD = TownLoss(0.0, 0.0, 0.0, 0.0, "none", 0.0)


def town_life_loss(
    population_at_risk: float,
    flood_arrival_h: float,
    warning_received_h: float,
    peak_depth_m: float,
    depth_velocity_m2s: float = math.nan,
    understanding: str = "vague",
    rate_quantile: float = 0.5,
    rate: float | None = None,
    high_severity_dv_m2s: float = HIGH_SEVERITY_DV_M2S,
    mobilisation_scale_h: float = DEFAULT_MOBILISATION_SCALE_H,
    mobilisation_shape: float = DEFAULT_MOBILISATION_SHAPE,
    max_evacuated_fraction: float = DEFAULT_MAX_EVACUATED_FRACTION,
) -> TownLoss:
    """Fatalities in one town: Graham's fatality rate times its population at risk.

    Sources: Graham (1999), DSO-99-06, Table 7 for the rate (via sampled_fatality_rate at
    `rate_quantile`, or `rate` if given) and the guidance for it (pp. 35-36) for the
    severity (flood_severity); the LifeSim Weibull mobilisation curve for the people
    evacuated (evacuated_fraction). Warning time is flood arrival minus the time the
    warning reached the town; a warning after arrival, or none at all (NaN or infinite
    `warning_received_h`), counts as zero. A flood that never arrives (NaN or infinite
    arrival, or no depth) costs nothing.

    Graham's low- and medium-severity rates are fatalities over the whole population at
    risk with the warning and evacuation of his case histories already inside them, so
    they multiply the population at risk alone. High-severity rates come from floods
    without warning; with 15 minutes or more Graham applies them to the people who remain
    in the floodplain, and so does this function. More warning therefore never adds
    fatalities, and a higher severity never removes them.
    """
    if not (math.isfinite(flood_arrival_h) and peak_depth_m > 0.0):
        return _NO_FLOOD
    warning_h = flood_arrival_h - warning_received_h
    if not (math.isfinite(warning_received_h) and warning_h > 0.0):
        warning_h = 0.0
    severity = flood_severity(peak_depth_m, depth_velocity_m2s, high_severity_dv_m2s)
    if rate is None:
        rate = sampled_fatality_rate(severity, warning_h, understanding, rate_quantile)
    elif not 0.0 <= rate <= 1.0:
        raise ValueError(f"rate must lie in [0, 1], got {rate!r}")
    evacuated = population_at_risk * evacuated_fraction(
        warning_h, mobilisation_scale_h, mobilisation_shape, max_evacuated_fraction
    )
    exposed = population_at_risk
    if severity == "high" and warning_category(warning_h) != "none":
        exposed = population_at_risk - evacuated
    return TownLoss(population_at_risk, evacuated, exposed * rate, float(warning_h),
                    severity, rate)
