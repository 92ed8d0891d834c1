"""The report of one run: ``infrasim report RUN`` writes ``RUN/report.html``.

One self-contained page. Its first screen answers the decision maker: the headline
outcomes (P(dam captured), P(breach), expected fatalities, fatalities given a breach,
added unserved energy, time to capture given capture, or the scenario's own headline),
each with its 95% interval and the replications behind it. Then every outcome, grouped
(forces, dam, flood by town, life loss, grid) and labelled from the outcome catalogue
(ids in tooltips), every figure the outcomes support, what was run (scenario summary,
variant, seed, versions), the timelines of a median and a worst-case replication, and
the scenario's sources and assumptions from the SOURCES.md beside it. Built from
stored data only: the outcome table, the manifest (whose resolved scenario means the
summary still describes what ran even if the scenario file changed since) and the run's
exhibits (timelines and the hourly load-shed sample, `exhibits`). Nothing here runs a
replication.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis.catalogue import Catalogue
from ..analysis.headline import TABLE_NOTE, Line, full_table, headline, wanted_outcomes
from ..analysis.stats import OutcomeRow, summarise
from ..engine.timeline import TIMELINE_COLUMNS, event_row
from ..formatting import HOUR_S, number_text
from .drawing import png_images
from .drivers import DRIVERS_NOTE, driver_figures, drivers_html, risk_drivers
from .exhibits import Exhibits
from .figures import FigureItem, river_towns, run_figures, timeline_figure
from .html import Html, element, figure, grouped_table, join, markdown, page, table
from .knowledge import knowledge_figures, knowledge_section

__all__ = ["REPORT", "build_run_report", "sources_html"]

REPORT = "report.html"


# ---------------------------------------------------------------------- numbers


def labelled(line: Line) -> Html:
    """A line's label, its outcome id and meaning in a tooltip."""
    return element("span", line.label, title=f"{line.id}: {line.meaning}")


def headline_table(lines: Sequence[Line]) -> Html:
    """The headline answers: estimate, 95% interval and the replications behind each."""
    return table(["answer", "estimate", "95% CI", "based on"],
                 [[labelled(line), line.estimate, line.interval, line.basis]
                  for line in lines], numeric=(1, 2), class_="headline")


def outcome_rows_table(rows: Sequence[OutcomeRow], catalogue: Catalogue) -> Html:
    """Every outcome of `rows` in the catalogue's groups, labelled with units."""
    sections = []
    for title, lines in full_table(rows, catalogue):
        sections.append((title, [element(
            "tr", *(element("td", cell, class_="num" if i else None) for i, cell in
                    enumerate([labelled(line), line.estimate, line.interval, line.p5,
                               line.p50, line.p95, line.basis])),
            class_="given" if line.given else None) for line in lines]))
    return grouped_table(["outcome", "mean or P", "95% CI", "p5", "median", "p95",
                          "replications"], sections, numeric=range(1, 7))


# --------------------------------------------------------------------- scenario


def _spec_text(value: Any, key: str = "") -> str:
    """A resolved scenario value as short text: distributions as name(parameters),
    seconds as hours."""
    def text(x: Any) -> str:
        if not isinstance(x, int | float) or isinstance(x, bool):
            return str(x)
        return f"{number_text(x / HOUR_S)} h" if key.endswith("_s") else number_text(x)
    if isinstance(value, Mapping) and "dist" in value:
        parameters = ", ".join(f"{k} {text(v)}" for k, v in value.items() if k != "dist")
        return f"{value['dist']}({parameters})"
    if value is None:
        return "-"
    return text(value)


def _scenario_section(manifest: Mapping[str, Any], result_count: int, failed: int) -> Html:
    resolved = manifest.get("resolved_scenario") or {}
    info = resolved.get("scenario") or {}
    variant = manifest.get("variant")
    parts: list[Any] = [element("h2", "Scenario", id="scenario")]
    if info.get("description"):
        parts.append(element("p", info["description"]))
    facts: list[tuple[str, Any]] = [
        ("file", element("code", (manifest.get("scenario") or {}).get("file") or "-")),
        ("variant", variant or "none (the base scenario)"),
    ]
    if variant:
        description = ((resolved.get("variants") or {}).get(variant) or {}).get("description")
        if description:
            facts.append(("variant means", description))
    horizon = info.get("horizon_s")
    facts += [
        ("start", info.get("start", "-")),
        ("horizon", f"{number_text(horizon / (24 * HOUR_S))} days" if horizon else "-"),
        ("seed", manifest.get("seed")),
        ("replications", f"{result_count:,} done" + (f", {failed:,} failed" if failed else "")
         + f"; status {manifest.get('status', '-')}"),
    ]
    stopping = manifest.get("stopping")
    if stopping:
        converged = (manifest.get("result") or {}).get("converged")
        facts.append(("stopping", f"adaptive: 95% CI half-width under "
                      f"{stopping.get('precision', 0):.1%} of the mean of "
                      f"{', '.join(stopping.get('metrics', {}))}; "
                      f"{'converged' if converged else 'not converged'}"))
    parts.append(element("dl", *(Html(element("dt", k) + element("dd", v)) for k, v in facts),
                         class_="facts"))
    forces = resolved.get("forces") or {}
    if forces:
        parts.append(element("h3", "Forces"))
        parts.append(table(
            ["force", "side", "strength", "from", "objective", "departs"],
            [[element("code", name), spec.get("side", "-"),
              _spec_text(spec.get("strength")), spec.get("start", "-"),
              spec.get("objective") or "holds its position", _trigger_text(spec)]
             for name, spec in forces.items()]))
    dam = (resolved.get("assets") or {}).get("dam")
    if dam:
        parts.append(element("h3", "Dam"))
        reservoir = dam.get("reservoir") or {}
        volume = reservoir.get("volume_m3")
        volume_text = _spec_text({k: (v / 1e9 if isinstance(v, int | float) else v)
                                  for k, v in volume.items()} if isinstance(volume, Mapping)
                                 else (volume / 1e9 if volume else None))
        plant = dam.get("plant") or {}
        parts.append(element("p", f"{dam.get('name', 'dam')}: {number_text(dam.get('height_m'))}"
                             f" m high, reservoir {volume_text} km³"
                             + (f", plant {number_text(plant['capacity_w'] / 1e6)} MW"
                                if plant.get("capacity_w") else "") + "."))
        modes = dam.get("failure_modes") or {}
        if modes:
            parts.append(table(
                ["failure mode (after capture)", "kind", "probability", "delay"],
                [[element("code", name), spec.get("kind", "-"),
                  number_text(spec.get("probability")), _spec_text(spec.get("delay_s"),
                                                                     "delay_s")]
                 for name, spec in modes.items()], numeric=(2,)))
    towns, distances, names = river_towns(manifest)
    if towns:
        specs = (resolved.get("river") or {}).get("towns") or {}
        parts.append(element("h3", "Towns below the dam"))
        parts.append(table(
            ["town", "name", "river distance (km)", "population", "floodplain share"],
            [[element("code", t), names[t], number_text(d),
              _spec_text(specs[t].get("population")),
              _spec_text(specs[t].get("floodplain_share"))]
             for t, d in zip(towns, distances, strict=True)], numeric=(2, 3, 4)))
    return join(parts)


def _trigger_text(spec: Mapping[str, Any]) -> str:
    trigger = spec.get("trigger") or {}
    text = []
    if trigger.get("town_falls"):
        text.append(f"when {trigger['town_falls']} falls")
    elif trigger.get("time_s") is not None:
        text.append(f"at {number_text(trigger['time_s'] / HOUR_S)} h")
    departure = spec.get("departure_s")
    if departure not in (None, 0, 0.0):
        text.append(f"after {_spec_text(departure, 'departure_s')}")
    mobilisation = spec.get("mobilisation_s")
    if mobilisation not in (None, 0, 0.0):
        text.append(f"mobilises in {_spec_text(mobilisation, 'mobilisation_s')}")
    return "; ".join(text) or "-"


# ------------------------------------------------------------------------ towns


def _median_text(values: np.ndarray) -> str:
    values = values[np.isfinite(values)]
    return number_text(float(np.median(values))) if values.size else "-"


def _towns_section(outcomes: Mapping[str, np.ndarray], manifest: Mapping[str, Any]) -> Html:
    """Per town: the median flood arrival in hours after the breach (arrival_h -
    breach_time_h per replication, as the river figure draws it) over the replications
    where the flood arrived, the median peak depth given a breach, expected fatalities."""
    towns, distances, names = river_towns(manifest)
    if not any(f"{p}.{t}" in outcomes for t in towns
               for p in ("arrival_h", "depth_m", "fatalities")):
        return Html("")
    rows = []
    breach = np.asarray(outcomes["breach_started"]) == 1 if "breach_started" in outcomes \
        else None
    breach_h = np.asarray(outcomes["breach_time_h"], dtype=np.float64) \
        if "breach_time_h" in outcomes else None
    for town, distance in zip(towns, distances, strict=True):
        row: list[Any] = [names[town], number_text(distance)]
        arrival = outcomes.get(f"arrival_h.{town}")
        if arrival is None:
            row.append("-")
        else:
            arrival = np.asarray(arrival, dtype=np.float64)
            row.append(_median_text(arrival - breach_h if breach_h is not None else arrival))
        depth = outcomes.get(f"depth_m.{town}")
        if depth is None:
            row.append("-")
        else:
            depth = np.asarray(depth, dtype=np.float64)
            row.append(_median_text(depth[breach] if breach is not None else depth))
        deaths = outcomes.get(f"fatalities.{town}")
        row.append(number_text(float(np.nanmean(deaths))) if deaths is not None else "-")
        rows.append(row)
    arrival_heading = ("median arrival (h after the breach), where the flood arrived"
                       if breach_h is not None else
                       "median arrival (h from the start), where the flood arrived")
    depth_heading = "median peak depth (m) given a breach" if breach is not None \
        else "median peak depth (m)"
    return join([
        element("h3", "By town"),
        table(["town", "river km", arrival_heading, depth_heading,
               "expected fatalities (people)"], rows, numeric=(1, 2, 3, 4)),
    ])


# -------------------------------------------------------------------- timelines


def _start_time(manifest: Mapping[str, Any]) -> datetime | None:
    """The scenario's start as the manifest records it (ISO text), or None."""
    start = ((manifest.get("resolved_scenario") or {}).get("scenario") or {}).get("start")
    try:
        return datetime.fromisoformat(start) if start else None
    except (TypeError, ValueError):
        return None


def _timeline_section(exhibits: Exhibits | None, images: Mapping[str, bytes],
                      manifest: Mapping[str, Any]) -> Html:
    parts: list[Any] = [element("h2", "Timelines of a median and a worst case",
                                id="timelines")]
    if exhibits is None:
        parts.append(element("p", "This run stores no timelines, and they could not be "
                             "made again: that needs the scenario file as it was when the "
                             "run ran.", class_="note warn"))
        return join(parts)
    start = _start_time(manifest)
    for item in exhibits.timelines:
        title = f"{'Median' if item.role == 'median' else 'Worst'} case: replication " \
            f"{item.replication} ({item.why})"
        parts.append(element("h3", title))
        parts.append(figure(images[f"timeline-{item.role}"], f"What happened in "
                            f"replication {item.replication} of the run (seed "
                            f"{manifest.get('seed')}).",
                            alt=f"timeline of replication {item.replication}"))
        rows = [list(event_row(e, start)) for e in item.events]
        parts.append(element("details", element("summary", f"{len(rows)} events"),
                             table(list(TIMELINE_COLUMNS), rows, class_="timeline")))
    return join(parts)


# ---------------------------------------------------------------------- sources


def _sources_section(manifest: Mapping[str, Any]) -> Html:
    info = manifest.get("scenario") or {}
    paths = [Path(p) for p in (info.get("path"), info.get("file")) if p]
    scenario_path = next((p for p in paths if p.is_file()), None)
    heading = element("h2", "Sources and assumptions", id="sources")
    if scenario_path is None:
        return join([heading, element("p", "The scenario file is not available.",
                                      class_="note")])
    sources = scenario_path.parent / "SOURCES.md"
    if not sources.is_file():
        return join([heading, element("p", f"No SOURCES.md beside {scenario_path.name}.",
                                      class_="note")])
    return join([heading, sources_html(sources.read_text(encoding="utf-8"),
                                       scenario_path.name,
                                       scenario_path.read_text(encoding="utf-8"))])


def sources_html(text: str, file_name: str, scenario_text: str) -> Html:
    """The parts of a SOURCES.md that concern one scenario file: its own section, the
    references its comments cite ([key]) and, folded, the general notes."""
    sections: list[tuple[str, str]] = []
    for chunk in re.split(r"(?m)^(?=## )", text):
        title = chunk.splitlines()[0][3:].strip() if chunk.startswith("## ") else ""
        sections.append((title, chunk))
    cited = set(re.findall(r"\[([^\]\s]+)\]", scenario_text))
    own = [chunk for title, chunk in sections if title.startswith(file_name)]
    parts: list[Any] = []
    if own:
        parts.append(markdown("\n".join(own)))
    else:
        parts.append(element("p", f"SOURCES.md has no section for {file_name}.",
                             class_="note"))
    for title, chunk in sections:
        if title == "References" and cited:
            lines = chunk.splitlines()
            kept = [line for line in lines if not line.startswith("| ")
                    or line.startswith("| key")
                    or any(k.strip() in cited for k in line.split("|")[1].split(","))]
            if sum(1 for line in kept if line.startswith("| ")) > 1:
                parts.append(markdown("\n".join(kept)))
    general = [chunk for title, chunk in sections
               if title and title != "References" and ".yaml" not in title]
    if general:
        parts.append(element("details", element("summary", "General notes from SOURCES.md"),
                             markdown("\n".join(general))))
    return join(parts)


# ------------------------------------------------------------------------ build


def build_run_report(outcomes: Mapping[str, np.ndarray], replications: np.ndarray,
                     manifest: Mapping[str, Any], *, exhibits: Exhibits | None = None,
                     failures: Sequence[Any] = (), sources: Html | None = None) -> str:
    """The report page of a run, as a string: its outcome table (`outcomes[name][i]` of
    replication `replications[i]`), manifest and exhibits (None: the run stores none, so
    the page has no timelines and no load-shed fan chart)."""
    info = (manifest.get("resolved_scenario") or {}).get("scenario") or {}
    name = info.get("name") or (manifest.get("scenario") or {}).get("name") or "run"
    variant = manifest.get("variant")
    done = int(len(replications))
    subtitle = (f"Run {manifest.get('name') or ''}: " + (f"variant {variant}, " if variant
                                                       else "base scenario, ")
                + f"{done:,} replications, seed {manifest.get('seed')}, "
                f"finished {manifest.get('finished') or 'not yet'}")
    resolved = manifest.get("resolved_scenario") or {}
    catalogue = Catalogue(resolved or None)
    rows = summarise(outcomes, wanted_outcomes(outcomes, catalogue), catalogue=catalogue)
    stopping = manifest.get("stopping") or {}
    items = list(run_figures(outcomes, manifest,
                             load_shed=exhibits.load_shed if exhibits else None,
                             routes=exhibits.routes if exhibits else None,
                             convergence_metrics=list(stopping.get("metrics") or [])))
    timelines: list[FigureItem] = [timeline_figure(t, manifest)
                                   for t in (exhibits.timelines if exhibits else ())]
    layered = knowledge_figures(outcomes, manifest, catalogue)
    drivers = risk_drivers(outcomes, catalogue)
    drawn = items + layered + timelines + driver_figures(drivers)
    images = dict(zip([i.slug for i in drawn], png_images(drawn), strict=True))
    figures = [join([element("h3", item.title, id=item.slug),
                     figure(images[item.slug], item.caption, alt=item.title)])
               for item in items + layered]
    answers = headline(rows, catalogue)
    body: list[Any] = [
        element("h2", "Headline", id="headline"),
        headline_table(answers) if answers else
        element("p", "This run has none of the headline outcomes.", class_="note"),
        element("p", f"{done:,} replications. {TABLE_NOTE} Hover over a label for its "
                "outcome id and meaning.", class_="note"),
        element("nav", element("ul", *(element("li", element("a", text, href=f"#{ref}"))
                                       for text, ref in (("What drives the risk",
                                                          "drivers"),
                                                         ("All outcomes", "outcomes"),
                                                         ("Figures", "figures"),
                                                         ("Scenario", "scenario"),
                                                         ("Timelines", "timelines"),
                                                         ("Sources and assumptions",
                                                          "sources"),
                                                         ("About this run", "about"))))),
        knowledge_section(outcomes, manifest, catalogue, figures[len(items):]),
        element("h2", "What drives the risk", id="drivers"),
        element("p", DRIVERS_NOTE, class_="note"),
        drivers_html(drivers, images, tornadoes={i.slug for i in items}),
        element("h2", "All outcomes", id="outcomes"),
        outcome_rows_table(rows, catalogue),
        _towns_section(outcomes, manifest),
        element("h2", "Figures", id="figures"),
        join(figures[:len(items)]) if items else
        element("p", "No outcome varies: nothing to draw.", class_="note"),
        _scenario_section(manifest, done, len(failures)),
        _timeline_section(exhibits, images, manifest),
    ]
    if failures:
        body.append(element("h2", "Failed replications"))
        body.append(table(["replication", "error"],
                          [[f.replication, getattr(f, "error", "")] for f in failures[:50]]))
    body.append(sources if sources is not None else _sources_section(manifest))
    versions = manifest.get("versions") or {}
    body.append(element("h2", "About this run", id="about"))
    body.append(element("dl", *(Html(element("dt", k) + element("dd", v)) for k, v in [
        ("scenario sha256", (manifest.get("resolved_sha256") or "-")[:16] + "…"),
        ("executor", f"{manifest.get('executor', '-')}, {manifest.get('workers', '-')} "
                     "workers"),
        ("elapsed", f"{number_text(manifest.get('elapsed_s'))} s"),
        ("versions", ", ".join(f"{k} {v}" for k, v in versions.items()) or "-"),
        ("started", manifest.get("started") or "-"),
    ]), class_="facts"))
    return page(f"{name}" + (f" ({variant})" if variant else ""), join(body), subtitle)
