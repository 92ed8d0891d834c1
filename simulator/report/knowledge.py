"""The report's "Knowledge and chance" section, for runs of two layers.

A two-layer run (``infrasim run --knowledge``) shows each headline answer as the median
and 90 % band of its expected value across knowledge samples, the exceedance and F-N
curves with knowledge bands, and which inputs were taken as knowledge and which as
chance. A sensitivity run (``infrasim sensitivity``) shows each headline outcome's Sobol
indices (or Morris effects), as a table and a figure. Built from the stored outcomes and
manifest only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np

from .. import plotting
from ..analysis.catalogue import Catalogue
from ..analysis.headline import in_sentence
from ..analysis.knowledge import (
    KNOWLEDGE_SAMPLE,
    band_label,
    band_text,
    curve_bands,
    knowledge_bands,
)
from ..analysis.stats import exceedance, finite, fn_curve
from ..formatting import number_text
from .figures import FigureItem
from .html import Html, element, join, table

__all__ = ["knowledge_figures", "knowledge_section"]

CURVE_POINTS = 60  # thresholds of a banded curve (one curve per sample is drawn at each)
SOBOL_SHOWN = 3  # headline outcomes whose Sobol indices (or Morris effects) get a figure


def _layers_text(outcomes: Mapping[str, np.ndarray], design: Mapping[str, Any],
                 catalogue: Catalogue) -> Html:
    knowledge = list(design["inputs"])
    chance = [c[len("input."):] for c in outcomes
              if c.startswith("input.") and c[len("input."):] not in knowledge]

    def named(paths: Sequence[str]) -> str:
        return "; ".join(catalogue.label("input." + p) for p in paths) or "none"

    design_name = {"latin hypercube": "Latin-hypercube", "saltelli": "Saltelli",
                   "morris": "Morris"}.get(design["method"], design["method"])
    return element(
        "details",
        element("summary", f"Which inputs are knowledge ({len(knowledge)}) and which chance "
                f"({len(chance)})"),
        element("p", f"Knowledge inputs (fixed facts we lack; {design['samples']:,} "
                f"{design_name} samples): {named(knowledge)}."),
        element("p", f"Chance inputs (drawn anew in each of the "
                f"{design['chance_replications']:,} chance replications per sample): "
                f"{named(chance)}."))


def knowledge_figures(outcomes: Mapping[str, np.ndarray], manifest: Mapping[str, Any],
                      catalogue: Catalogue) -> list[FigureItem]:
    """The figures of the section: curves with knowledge bands (two-layer runs) or
    Sobol indices (sensitivity runs)."""
    design = manifest.get("knowledge")
    if not design or KNOWLEDGE_SAMPLE not in outcomes:
        return []
    sample = np.asarray(outcomes[KNOWLEDGE_SAMPLE])
    if design["method"] == "morris":
        from ..analysis.morris import run_effects

        found = run_effects(outcomes, manifest, catalogue, catalogue.headline(outcomes))
        return [FigureItem(f"morris-{name}", f"Morris screening: {catalogue.label(name)}",
                           "Each input's mean absolute effect on the outcome when it moves "
                           "across its 5th-95th percentile (mu*, with its 95% bootstrap "
                           "interval) and the spread of those effects (sigma).",
                           partial(plotting.plot_morris, rows, outcome=catalogue.label(name),
                                   unit=catalogue[name].unit))
                for name, rows in list(found.items())[:SOBOL_SHOWN]]
    if design["method"] == "saltelli":
        from ..analysis.sobol import run_indices

        found = run_indices(outcomes, manifest, catalogue,
                            catalogue.headline(outcomes))
        return [FigureItem(f"sobol-{name}", f"Sobol indices: {catalogue.label(name)}",
                           "First-order (the input alone) and total (with its "
                           "interactions) shares of the variance across knowledge "
                           "inputs, with 95% bootstrap intervals.",
                           partial(plotting.plot_sobol, rows, outcome=catalogue.label(name)))
                for name, rows in list(found.items())[:SOBOL_SHOWN]]
    items = []
    if "fatalities" in outcomes:
        values = np.asarray(outcomes["fatalities"], dtype=np.float64)
        if np.any(finite(values) >= 1):
            n = fn_curve(values, resamples=0, points=CURVE_POINTS).thresholds
            band = curve_bands(values, sample, n, inclusive=True)
            items.append(FigureItem(
                "knowledge-fn", "F-N curve with knowledge bands",
                "Probability of N or more fatalities, per occurrence of the scenario: one "
                "grey curve per knowledge sample, their median and 5-95% band.",
                partial(plotting.plot_knowledge_curve, band, outcome="fatalities",
                        unit="fatalities", fn=True)))
    for name in ("added_unserved_energy_mwh", "peak_outflow_m3s"):
        if name in outcomes and np.ptp(finite(outcomes[name])) > 0:
            entry = catalogue[name]
            values = np.asarray(outcomes[name], dtype=np.float64)
            band = curve_bands(values, sample,
                               exceedance(values, resamples=0, points=CURVE_POINTS).thresholds)
            items.append(FigureItem(
                f"knowledge-exceedance-{name}",
                f"Exceedance of {in_sentence(entry.label)} with knowledge bands",
                "P(X > x): one grey curve per knowledge sample, their median and 5-95% "
                "band.", partial(plotting.plot_knowledge_curve, band,
                                 outcome=in_sentence(entry.label), unit=entry.unit)))
            break
    return items


def knowledge_section(outcomes: Mapping[str, np.ndarray], manifest: Mapping[str, Any],
                      catalogue: Catalogue, figures: Sequence[Html]) -> Html:
    """The section, with its drawn `figures`; empty for a plain run."""
    design = manifest.get("knowledge")
    if not design or KNOWLEDGE_SAMPLE not in outcomes:
        return Html("")
    body: list[Any] = [element("h2", "Knowledge and chance", id="knowledge")]
    names = catalogue.headline(outcomes)
    if design["method"] == "morris":
        from ..analysis.morris import run_effects

        for name, effects in run_effects(outcomes, manifest, catalogue, names).items():
            body.append(element("h3", f"Morris screening: {catalogue.heading(name)}"))
            body.append(table(["input", "mu*", "95% ±", "sigma"],
                              [[e.label, number_text(e.mu_star), number_text(e.mu_star_half),
                                number_text(e.sigma)] for e in effects[:10]],
                              numeric=(1, 2, 3)))
    elif design["method"] == "saltelli":
        from ..analysis.sobol import run_indices

        for name, rows in run_indices(outcomes, manifest, catalogue, names).items():
            body.append(element("h3", f"Sobol indices: {catalogue.label(name)}"))
            body.append(table(["input", "first order", "95% ±", "total", "95% ±"],
                              [[r.label, f"{r.first:.2f}", f"{r.first_half:.2f}",
                                f"{r.total:.2f}", f"{r.total_half:.2f}"] for r in rows[:10]],
                              numeric=(1, 2, 3, 4)))
    else:
        rows = []
        for band in knowledge_bands(outcomes, names, catalogue):
            median, low_high = band_text(band, catalogue)
            rows.append([band_label(band.name, catalogue), median, low_high, band.samples])
        body.append(table(["answer", "median", "90% band across knowledge", "samples"],
                          rows, numeric=(1, 2, 3)))
        body.append(element("p", "Each knowledge sample's expected value comes from its "
                            "chance replications; the band is the 5th to 95th percentile "
                            "of those values across samples: how much the answer moves "
                            "with what we do not know.", class_="note"))
    body.append(_layers_text(outcomes, design, catalogue))
    body.extend(figures)
    return join(body)
