"""How sure we are: a two-layer run's answers as bands across the knowledge samples.

Each knowledge sample of a two-layer run (`montecarlo.knowledge`) is one possible state
of the facts we lack; its chance replications give that state's expected outcomes
(P(breach), expected fatalities). The spread of those expected values across samples is
what our lack of knowledge does to the answer: reported as the median and the 90 % band
(5th to 95th percentile), as RMC-TotalRisk and HEC-FDA report their confidence bands.
Exceedance and F-N curves get the same treatment: one curve per sample, summarised
pointwise by the median and 5-95 % curves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..formatting import interval_text, number_text
from .catalogue import PROBABILITY, TIME_TO_EVENT, Catalogue
from .headline import in_sentence, percent_text

__all__ = ["BAND", "KNOWLEDGE_SAMPLE", "CurveBand", "KnowledgeBand", "band_label", "band_text", "curve_bands",
           "design_means", "knowledge_bands", "sample_means"]

BAND = (0.05, 0.5, 0.95)  # the band's low end, its middle and its high end
#: The outcome column that says which knowledge sample a replication belongs to.
KNOWLEDGE_SAMPLE = "knowledge_sample"


def _estimate(values: np.ndarray, kind: str) -> float:
    """One sample's expected value: the mean (a probability for a 0/1 outcome); for a
    time to an event, the mean time where the event happened (NaN if it never did)."""
    if kind == TIME_TO_EVENT:
        happened = values[np.isfinite(values)]
        return float(happened.mean()) if happened.size else np.nan
    return float(np.nanmean(values)) if values.size else np.nan


def sample_means(outcomes: Mapping[str, np.ndarray], names: Sequence[str],
                 catalogue: Catalogue) -> tuple[np.ndarray, np.ndarray]:
    """The knowledge samples of a run and, for each, the expected value of each of
    `names` over its chance replications: (samples, array samples x names). The table
    a scenario-discovery or sensitivity method reads beside the samples' inputs."""
    sample = np.asarray(outcomes[KNOWLEDGE_SAMPLE], dtype=np.int64)
    samples = np.unique(sample)
    means = np.full((samples.size, len(names)), np.nan)
    order = np.argsort(sample, kind="stable")
    starts = np.searchsorted(sample[order], samples)
    ends = np.append(starts[1:], sample.size)
    for j, name in enumerate(names):
        column = np.asarray(outcomes[name], dtype=np.float64)[order]
        kind = catalogue[name].kind
        for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
            means[i, j] = _estimate(column[start:end], kind)
    return samples, means


def design_means(outcomes: Mapping[str, np.ndarray], design: Mapping, catalogue: Catalogue,
                 names: Sequence[str]) -> dict[str, np.ndarray]:
    """Each point's expected value of each of `names`, for a sensitivity method that
    reads them in the order of a stored `design` (the manifest's ``knowledge``): only
    outcomes defined at every point (not a time to an event that never happened there)
    that vary; none when the run is unfinished (some point lacks its replications)."""
    present = [n for n in names if n in outcomes]
    samples, means = sample_means(outcomes, present, catalogue)
    if samples.size != design["samples"]:
        return {}
    return {name: means[:, j] for j, name in enumerate(present)
            if np.all(np.isfinite(means[:, j])) and np.ptp(means[:, j]) > 0}


@dataclass(frozen=True)
class KnowledgeBand:
    """One outcome's expected value across knowledge samples: median and 90 % band."""

    name: str
    median: float
    low: float
    high: float
    samples: int  # knowledge samples where the value is defined


def knowledge_bands(outcomes: Mapping[str, np.ndarray], names: Sequence[str],
                    catalogue: Catalogue) -> list[KnowledgeBand]:
    """The band of each of `names` (those the run has) across the knowledge samples."""
    present = [n for n in names if n in outcomes]
    _, means = sample_means(outcomes, present, catalogue)
    bands = []
    for j, name in enumerate(present):
        defined = means[:, j][np.isfinite(means[:, j])]
        low, median, high = (np.quantile(defined, BAND) if defined.size
                             else (np.nan, np.nan, np.nan))
        bands.append(KnowledgeBand(name, float(median), float(low), float(high),
                                   int(defined.size)))
    return bands


def band_label(name: str, catalogue: Catalogue) -> str:
    """What a band is of, as the headline says it: ``P(breach)``, ``Expected
    fatalities``, ``Time to capture of the dam, given dam captured`` (its mean there)."""
    entry = catalogue[name]
    if entry.kind == PROBABILITY:
        return entry.label
    if entry.kind == TIME_TO_EVENT:
        return f"{entry.label}, given {entry.event} (mean)" if entry.event else entry.label
    return f"Expected {in_sentence(entry.label)}"


def band_text(band: KnowledgeBand, catalogue: Catalogue) -> tuple[str, str]:
    """The median and the 90 % band as people read them: ``4.0%`` and ``1.0–12%`` for
    a probability, numbers with the unit otherwise."""
    entry = catalogue[band.name]
    if entry.kind == PROBABILITY:
        return percent_text(band.median), (f"{percent_text(band.low).rstrip('%')}–"
                                           f"{percent_text(band.high)}")
    unit = f" {entry.unit}" if entry.unit else ""
    return number_text(band.median) + unit, interval_text(band.low, band.high) + unit


@dataclass(frozen=True)
class CurveBand:
    """An exceedance curve P(X > x) (or P(X >= x), `inclusive`, for F-N) across the
    knowledge samples: pointwise median, 5 % and 95 % curves, and each sample's curve."""

    thresholds: np.ndarray
    median: np.ndarray
    low: np.ndarray
    high: np.ndarray
    curves: np.ndarray  # samples x thresholds
    inclusive: bool
    chance: int  # chance replications behind each sample's curve


def curve_bands(values: np.ndarray, sample: np.ndarray, thresholds: np.ndarray, *,
                inclusive: bool = False) -> CurveBand:
    """Each knowledge sample's exceedance curve of `values` at `thresholds` (NaN
    values, replications where the outcome does not apply, are left out), and their
    pointwise median and 5-95 % band."""
    values = np.asarray(values, dtype=np.float64)
    sample = np.asarray(sample, dtype=np.int64)
    t = np.sort(np.asarray(thresholds, dtype=np.float64))
    samples = np.unique(sample)
    curves = np.empty((samples.size, t.size))
    side = "left" if inclusive else "right"  # x >= t counts from the left, x > t from the right
    for i, s in enumerate(samples):
        x = values[(sample == s) & np.isfinite(values)]
        below = np.searchsorted(np.sort(x), t, side=side)
        curves[i] = (x.size - below) / max(x.size, 1)
    low, median, high = np.quantile(curves, BAND, axis=0)
    chance = int(np.bincount(sample).max()) if sample.size else 0
    return CurveBand(t, median, low, high, curves, inclusive, chance)
