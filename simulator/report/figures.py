"""Which figures a run gets, with their captions: shared by the HTML report and the
gallery so both show the same pictures of the same numbers.

A run's figures depend only on what its outcome table holds: a figure whose outcomes
the run lacks (say, no flood outcomes because no town lies below the dam) is left out
rather than drawn empty. A `FigureItem` holds what its figure shows, already computed
(curves, traces, sensitivities: the numbers its caption quotes), and a picklable `draw`
that builds the matplotlib figure from them: a caller draws, encodes or saves each and
lets it go before the next, draws only those it wants, or hands them to other processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from ..analysis.catalogue import Catalogue, tidy_id
from ..analysis.headline import in_sentence
from ..analysis.sensitivity import decile_swing, input_names
from ..analysis.stats import (
    convergence,
    cumulative_incidence,
    exceedance,
    finite,
    fn_curve,
    mean_ci,
)
from ..formatting import HOUR_S, interval_text, number_text
from .exhibits import LoadShed, PickedTimeline

__all__ = [
    "DISTRIBUTED",
    "INDICATORS",
    "SEVERITY",
    "FigureItem",
    "comparison_figures",
    "map_figure",
    "pick_replications",
    "river_towns",
    "run_figures",
    "severity_outcome",
    "timeline_figure",
    "varies",
]

# Outcomes that measure how bad a replication was, most telling first.
SEVERITY = ("fatalities", "people_exposed", "unserved_energy_mwh", "peak_shed_mw",
            "peak_outflow_m3s", "plant_outage_h", "breach_depth_fraction")
# Outcomes whose distribution is worth a picture of its own.
DISTRIBUTED = ("fatalities", "people_exposed", "added_unserved_energy_mwh",
               "unserved_energy_mwh", "added_peak_shed_mw", "peak_shed_mw",
               "peak_outflow_m3s", "time_to_capture_h", "plant_outage_h",
               "reinforcements_arrival_h", "attacker_losses", "defender_losses")
# Times to events whose cumulative incidence the report draws, on one time axis.
INCIDENT = ("time_to_capture_h", "breach_time_h", "reinforcements_arrival_h")
# Outcomes whose exceedance curve is worth drawing (heavy right tails matter).
EXCEEDED = ("fatalities", "added_unserved_energy_mwh", "unserved_energy_mwh",
            "peak_outflow_m3s", "people_exposed", "plant_outage_h")
# A grid short of supply sheds load anyway: where the run has the energy the scenario
# adds to that, its figures show that instead of the total.
INSTEAD = {"unserved_energy_mwh": "added_unserved_energy_mwh",
           "peak_shed_mw": "added_peak_shed_mw"}
# Per-town flood outcomes the river figure draws.
RIVER = ("arrival_h", "peak_h", "warning_lead_h", "depth_m")
# Outcomes a comparison's forest plot shows, when the runs have them.
HEADLINE = ("dam_captured", "breach_started", "time_to_capture_h", "fatalities",
            "people_exposed", "peak_outflow_m3s", "added_unserved_energy_mwh",
            "unserved_energy_mwh", "added_peak_shed_mw", "peak_shed_mw",
            "plant_outage_h", "attacker_losses", "defender_losses")
# Yes/no outcomes: probabilities in the tables, tornado charts of what drives them.
INDICATORS = ("dam_captured", "breach_started", "dam_held")


@dataclass(frozen=True)
class FigureItem:
    """One figure with a stable file name stem (`slug`), a caption and `draw`, which
    builds the matplotlib figure (a picklable callable of no arguments)."""

    slug: str
    title: str
    caption: str
    draw: Callable[[], Any]


def varies(outcomes: Mapping[str, np.ndarray], name: str) -> bool:
    """Whether `name` is in the run and takes more than one value."""
    if name not in outcomes:
        return False
    values = finite(outcomes[name])
    return values.size > 1 and bool(np.ptp(values) > 0)


def severity_outcome(outcomes: Mapping[str, np.ndarray]) -> str | None:
    """The first varying outcome of `SEVERITY` the run has (how bad a replication was)."""
    for name in (*SEVERITY, "dam_captured"):
        if varies(outcomes, name):
            return name
    return None


def pick_replications(outcomes: Mapping[str, np.ndarray], replications: np.ndarray
                      ) -> dict[str, tuple[int, str]]:
    """A median and a worst-case replication by the severity outcome:
    ``{"median": (index, why), "worst": (index, why)}`` (empty without one)."""
    name = severity_outcome(outcomes)
    if name is None or len(replications) == 0:
        return {}
    values = np.asarray(outcomes[name], dtype=np.float64)
    present = finite(values)  # `values` itself when none is missing: no copy of a column
    if present.size == 0:
        return {}
    median = float(np.median(present))
    distance = present - median
    np.abs(distance, out=distance)
    # the first replication at (or nearest to) the median: a typical history
    nearest = _row(values, present, int(np.argmin(distance)))
    worst = _row(values, present, int(np.argmax(present)))
    label = Catalogue().label(name)
    return {
        "median": (int(replications[nearest]),
                   f"{label} = {number_text(values[nearest])}, the median of the run"),
        "worst": (int(replications[worst]),
                  f"{label} = {number_text(values[worst])}, the largest in the run"),
    }


def _row(values: np.ndarray, present: np.ndarray, i: int) -> int:
    """Where in `values` the `i`-th of its values that are not NaN (`present`) lies."""
    return i if present.size == values.size else int(np.flatnonzero(~np.isnan(values))[i])


def river_towns(manifest: Mapping[str, Any]) -> tuple[list[str], list[float], dict[str, str]]:
    """Town ids in downstream order, their river distances (km) and display names, from
    the resolved scenario in a run's manifest."""
    resolved = manifest.get("resolved_scenario") or {}
    towns = (resolved.get("river") or {}).get("towns") or {}
    nodes = (resolved.get("network") or {}).get("nodes") or {}
    ordered = sorted(towns.items(), key=lambda item: float(item[1].get("river_distance_m", 0)))
    ids = [town for town, _ in ordered]
    distances = [float(spec.get("river_distance_m", 0.0)) / 1000.0 for _, spec in ordered]
    names = {town: str(spec.get("name") or (nodes.get(spec.get("node")) or {}).get("name")
                       or town) for town, spec in ordered}
    return ids, distances, names


def _words(label: str) -> str:
    """'reinforced_early - base' -> 'reinforced early − base': run labels (variant ids)
    in a title read as words."""
    return label.replace(" - ", " − ").replace("_", " ")


def _short_name(name: str) -> str:
    """'Haditha (with Haqlaniyah and Barwana)' -> 'Haditha': tick labels stay short."""
    return name.split(" (")[0].split(",")[0]


def run_figures(outcomes: Mapping[str, np.ndarray], manifest: Mapping[str, Any], *,
                load_shed: LoadShed | None = None,
                routes: Mapping[str, Sequence[str]] | None = None,
                convergence_metrics: Sequence[str] | None = None,
                seed: int = 0) -> Iterator[FigureItem]:
    """Every figure a run's outcomes (and its stored load-shed sample and force routes)
    support, in report order: the map first."""
    from .. import plotting

    n = len(next(iter(outcomes.values()))) if outcomes else 0
    catalogue = Catalogue(manifest.get("resolved_scenario") or None)
    item = map_figure(outcomes, manifest, routes)
    if item is not None:
        yield item
    for name in EXCEEDED:
        if not varies(outcomes, name) or INSTEAD.get(name) in outcomes:
            continue
        curve = exceedance(outcomes[name], seed=seed)
        p = float(np.mean(finite(outcomes[name]) > 0))
        entry = catalogue[name]
        yield FigureItem(
            f"exceedance-{name}", f"Exceedance of {in_sentence(entry.label)}",
            f"Probability that {in_sentence(entry.label)} exceeds each value, over "
            f"{curve.count:,} replications; the band is a 95% bootstrap interval at each "
            f"value. P(above 0) = {p:.3g}.",
            partial(plotting.plot_exceedance, curve, outcome=entry.label, unit=entry.unit,
                    title=f"Exceedance probability: {in_sentence(entry.label)}"))
    if "fatalities" in outcomes:
        curve = fn_curve(outcomes["fatalities"], seed=seed)
        yield FigureItem(
            "fn", "F-N curve",
            f"Conditional F-N curve: probability of N or more fatalities given the scenario "
            f"(per occurrence, not per year), {curve.count:,} replications, with a 95% "
            f"bootstrap band. P(N ≥ 1) = {curve.probability[0]:.3g}.",
            partial(plotting.plot_fn, curve))
    towns, distances, names = river_towns(manifest)
    flood = {f"{prefix}.{town}": outcomes[f"{prefix}.{town}"] for town in towns
             for prefix in RIVER if f"{prefix}.{town}" in outcomes}
    if flood:
        yield _river_figure(outcomes, flood, towns, distances, names, catalogue)
    if load_shed is not None and load_shed.hourly_mw.size:
        yield _grid_figure(load_shed, outcomes, n)
    incidence = {catalogue[name].event or name: cumulative_incidence(outcomes[name])
                 for name in INCIDENT if name in outcomes}
    if any(curve.events for curve in incidence.values()):
        horizon_s = ((manifest.get("resolved_scenario") or {}).get("scenario") or {}).get(
            "horizon_s")
        yield FigureItem(
            "incidence", "When it happens",
            "Cumulative incidence: the share of all replications in which each event had "
            "happened by each hour from the start, with a 95% Wilson band at each hour. A "
            "curve ends below 100% by the share of replications in which the event did not "
            "happen by the horizon (those are not given the horizon as their time).",
            partial(plotting.plot_incidence, incidence,
                    horizon_h=horizon_s / HOUR_S if horizon_s else None))
    for name in DISTRIBUTED:
        if not varies(outcomes, name) or INSTEAD.get(name) in outcomes:
            continue
        ci = mean_ci(outcomes[name])
        entry = catalogue[name]
        title = f"Distribution of {in_sentence(entry.label)}"
        if entry.kind == "time_to_event":  # empty where the event did not happen
            total = len(outcomes[name])
            title += f", given {entry.event}"
            caption = (f"{entry.label} ({entry.unit}) in the {ci.count:,} of {total:,} "
                       f"replications where {entry.event} "
                       f"({number_text(100 * ci.count / total, 3)}%): mean "
                       f"{number_text(ci.mean)} (95% CI {interval_text(ci.low, ci.high)}).")
        else:
            caption = (f"{entry.label} ({entry.unit}) over {ci.count:,} replications: mean "
                       f"{number_text(ci.mean)} (95% CI {interval_text(ci.low, ci.high)}), "
                       "the mean over every replication.")
        yield FigureItem(
            f"distribution-{name}", title, caption,
            partial(plotting.plot_distribution, outcomes[name], outcome=entry.label,
                    unit=entry.unit, title=title))
    metrics = list(convergence_metrics or [])
    if not metrics:
        metrics = [m for m in ("fatalities", "dam_captured", "unserved_energy_mwh")
                   if varies(outcomes, m)][:2]
    for name in metrics:
        if name not in outcomes:
            continue
        trace = convergence(outcomes[name])
        entry = catalogue[name]
        yield FigureItem(
            f"convergence-{name}", f"Convergence of {in_sentence(entry.label)}",
            f"Running mean of {in_sentence(entry.label)} with its 95% CI as replications "
            f"accumulate ({'Wilson' if trace.method == 'wilson' else 'Student t'} "
            "interval, within the range of the values).",
            partial(plotting.plot_convergence, trace, outcome=entry.label, unit=entry.unit,
                    title=f"Convergence of the mean: {in_sentence(entry.label)}"))
    if input_names(outcomes) and n >= 10:
        targets = [m for m in ("fatalities", "dam_captured", "unserved_energy_mwh",
                               "time_to_capture_h") if varies(outcomes, m)][:2]
        for name in targets:
            yield _swing_figure(outcomes, name, catalogue, n)


def _river_figure(outcomes: Mapping[str, np.ndarray], flood: dict[str, np.ndarray],
                  towns: Sequence[str], distances: Sequence[float], names: Mapping[str, str],
                  catalogue: Catalogue) -> FigureItem:
    """The flood along the river (slug ``river``): times after the breach, warning lead
    time and depth at each town, over the replications with a breach."""
    from .. import plotting

    condition = "breach_started" if "breach_started" in outcomes else None
    if condition is not None:
        flood[condition] = outcomes[condition]
    after = "breach_time_h" in outcomes
    if after:
        flood["breach_time_h"] = outcomes["breach_time_h"]
    lead = any(name.startswith("warning_lead_h.") for name in flood)
    return FigureItem(
        "river", "Flood along the river",
        "The flood at each town below the dam, in downstream order, over the replications "
        "with a breach (median and 5-95% range): when it arrived (the water rose by the "
        "arrival threshold) and when it peaked, in hours "
        + ("after the breach began, so the spread is the flood's, not the breach's"
           if after else "from the start")
        + ("; the warning lead time, from the moment the town was warned to the flood's "
           "arrival (below 0: warned after the water came)" if lead else "")
        + "; and the peak depth above the river's normal level.",
        partial(plotting.plot_river, flood, towns, distances_km=distances,
                names={t: _short_name(v) for t, v in names.items()}, condition=condition,
                event=catalogue[condition].event if condition else None))


def _grid_figure(load_shed: LoadShed, outcomes: Mapping[str, np.ndarray],
                 total: int) -> FigureItem:
    """The grid over the horizon (slug ``grid``): when the plant is out and the load
    shed that adds, in the sampled replications of the run's exhibits, with the run's
    own totals in the caption."""
    from .. import plotting

    count = len(load_shed.hourly_mw)
    sample = (f"the {count:,} replications stored for this figure, spread evenly over the "
              f"run's {total:,}" if count < total else f"all {count:,} replications")
    totals = ""
    if "added_unserved_energy_mwh" in outcomes and "added_shedding_h" in outcomes:
        energy = mean_ci(outcomes["added_unserved_energy_mwh"])
        shedding = np.asarray(outcomes["added_shedding_h"], dtype=np.float64)
        totals = (f" Over all {energy.count:,} replications, the scenario adds load shed in "
                  f"{number_text(100 * float(np.mean(shedding > 0)), 3)}% of them; added "
                  f"unserved energy {number_text(energy.mean)} MWh on average (95% CI "
                  f"{interval_text(energy.low, energy.high)}).")
    return FigureItem(
        "grid", "The grid over the horizon",
        "Top: the probability that the dam's power plant is off the grid, hour by hour, "
        "with a 95% Wilson interval. Bottom: the load shed the scenario adds above what "
        "the same grid sheds with nothing out of service (its shortage before any attack): "
        "the mean over replications, with its 95% interval, and the mean over those whose "
        "plant is out in that hour (the load shed an outage causes). In " + sample + "."
        + totals,
        partial(plotting.plot_grid, load_shed.added_mw, plant_out=load_shed.plant_out))


def _swing_figure(outcomes: Mapping[str, np.ndarray], name: str, catalogue: Catalogue,
                  n: int) -> FigureItem:
    """The decile-swing tornado of outcome `name` (slug ``tornado-<name>``)."""
    from .. import plotting

    entry = catalogue[name]
    rows = decile_swing(outcomes, name)
    probability = entry.kind == "probability"
    axis = entry.label if probability else f"mean {in_sentence(entry.label)}"
    where = (" among the replications where the event happened"
             if entry.kind == "time_to_event" else "")
    return FigureItem(
        f"tornado-{name}", f"What moves {in_sentence(entry.label)}",
        f"How {'the probability' if probability else 'the mean'} of {in_sentence(entry.label)} "
        "changes between each sampled input's lowest and highest decile (its 10th and 90th "
        f"percentiles; 0 and 1 for a yes/no input), over {n:,} replications{where}, every "
        "other input varying as drawn: blue, the mean where the input is low; orange, "
        "where it is high; the line, the overall mean; pale bars, a swing whose 95% "
        "interval (Welch) includes 0. Beside each bar: the swing (high minus low) and "
        "Spearman's rank correlation ρ. The 12 widest swings.",
        partial(plotting.plot_swing, rows, outcome=axis,
                unit="%" if probability else entry.unit,
                labels={r.input: catalogue.label(r.input) for r in rows},
                mean=float(np.nanmean(np.asarray(outcomes[name], dtype=np.float64))),
                scale=100.0 if probability else 1.0,
                title=f"What moves {in_sentence(entry.label)}"))


def map_figure(outcomes: Mapping[str, np.ndarray], manifest: Mapping[str, Any],
               routes: Mapping[str, Sequence[str]] | None = None) -> FigureItem | None:
    """The map of a run's scenario (slug ``map``): its places from the resolved scenario,
    the forces' planned routes (`routes`, from the run's exhibits) and each river town
    coloured by the median peak depth of the floods that reached it, with the share of
    replications in which one did. None when the scenario's nodes have no coordinates."""
    from .. import plotting

    resolved = manifest.get("resolved_scenario") or {}
    nodes = (resolved.get("network") or {}).get("nodes") or {}
    if not any(spec.get("lat") is not None for spec in nodes.values()):
        return None
    count = len(next(iter(outcomes.values()))) if outcomes else 0
    depths: dict[str, float] = {}
    notes: dict[str, str] = {}
    for town in river_towns(manifest)[0]:
        arrival, depth = outcomes.get(f"arrival_h.{town}"), outcomes.get(f"depth_m.{town}")
        if arrival is None or depth is None or count == 0:
            continue
        reached = ~np.isnan(np.asarray(arrival, dtype=np.float64))
        notes[town] = f"{number_text(100 * reached.mean(), 2)}%"
        if reached.any():
            depths[town] = float(np.median(np.asarray(depth, dtype=np.float64)[reached]))
            notes[town] += f" · {number_text(depths[town], 2)} m"
    shading = (f" Beside each river town: the share of the {count:,} replications in which "
               "the flood reached it (its water rose by the arrival threshold) and the median "
               "peak depth above normal of those floods, which colours the town."
               if notes else "")
    return FigureItem(
        "map", "Map",
        "Where it happens: roads, the river below the dam (drawn through its towns), the "
        "towns and the dam from the scenario's coordinates"
        + (", and the planned route of each force that moves." if routes else ".")
        + shading + " Equirectangular projection; no background map.",
        partial(plotting.plot_map, resolved, routes=dict(routes or {}), town_values=depths,
                value_label="median peak depth, given the flood (m)", probability=False,
                town_notes=notes))


def timeline_figure(timeline: PickedTimeline, manifest: Mapping[str, Any]) -> FigureItem:
    """The Gantt chart of a picked replication of a run (slug ``timeline-<role>``)."""
    from .. import plotting

    horizon = ((manifest.get("resolved_scenario") or {}).get("scenario") or {}).get(
        "horizon_s")
    role = "the worst of the run" if timeline.role == "worst" else "a median one"
    forces = (manifest.get("resolved_scenario") or {}).get("forces") or {}
    names = {event.actors[0]: tidy_id(event.actors[0]) for event in timeline.events
             if event.actors}
    names.update({force: str((spec or {}).get("name") or tidy_id(force))
                  for force, spec in forces.items()})
    return FigureItem(
        f"timeline-{timeline.role}", f"Timeline of the {timeline.role} case",
        f"Replication {timeline.replication}, {role} ({timeline.why}): what each force, the "
        "dam and the warning system did, hour by hour.",
        partial(plotting.plot_timeline, timeline.events, horizon_s=horizon,
                title=f"Replication {timeline.replication}: {timeline.why}", names=names))


def comparison_figures(labels: Sequence[str], runs: Sequence[Mapping[str, np.ndarray]],
                       differences: Mapping[str, Sequence[Any]] | None = None,
                       seed: int = 0, catalogue: Catalogue | None = None
                       ) -> Iterator[FigureItem]:
    """Overlays of several runs' exceedance and F-N curves, and the differences, labelled
    from `catalogue` (the reference run's; None: ids tidied up)."""
    from .. import plotting

    catalogue = catalogue or Catalogue()
    shared = set.intersection(*(set(r) for r in runs)) if runs else set()
    if "fatalities" in shared:
        curves = {_words(label): fn_curve(r["fatalities"], seed=seed)
                  for label, r in zip(labels, runs, strict=True)}
        yield FigureItem("compare-fn", "F-N curves",
                         "Conditional F-N curves of the runs, each with its 95% bootstrap "
                         "band.", partial(plotting.plot_fn, curves, title="F-N curves compared"))
    for name in EXCEEDED:
        if name in shared and any(varies(r, name) for r in runs) \
                and INSTEAD.get(name) not in shared:
            curves = {_words(label): exceedance(r[name], seed=seed)
                      for label, r in zip(labels, runs, strict=True)}
            entry = catalogue[name]
            yield FigureItem(f"compare-exceedance-{name}",
                             f"Exceedance of {in_sentence(entry.label)}",
                             f"Exceedance curves of {in_sentence(entry.label)}, one per run, with "
                             "95% bootstrap bands.",
                             partial(plotting.plot_exceedance, curves, outcome=entry.label,
                                     unit=entry.unit,
                                     title=f"Exceedance compared: {in_sentence(entry.label)}"))
    for label, rows in (differences or {}).items():
        names = {d.outcome for d in rows}
        headline = [d for d in rows if d.outcome in HEADLINE
                    and INSTEAD.get(d.outcome) not in names]
        rows = sorted(headline, key=lambda d: HEADLINE.index(d.outcome)) or list(rows)
        if rows:
            yield FigureItem(f"compare-differences-{label}", f"Differences: {_words(label)}",
                             f"Mean differences {_words(label)} with 95% confidence "
                             "intervals, "
                             "scaled by the reference run's mean so outcomes of different "
                             "units share one axis.",
                             partial(plotting.plot_differences, rows,
                                     title=f"Change in means: {_words(label)}",
                                     labels={d.outcome: catalogue.label(d.outcome)
                                             for d in rows}))

