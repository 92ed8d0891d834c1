"""The after-action report of a played exercise: ``aar.md`` and ``aar.html``.

The report is built once as a list of plain blocks (headings, paragraphs, tables,
figures) and rendered twice: as Markdown (figures as PNG files beside it) and as one
self-contained HTML page (figures embedded, styles inline). All scenario text (names,
messages, questions, option descriptions, event details) is escaped in both: HTML with
`html.escape` through `report.html`, Markdown by escaping ``<``, ``>``, ``&`` and table
pipes, so a ``<script>`` in a scenario shows as text everywhere.

Contents: what was played (scenario, variant, seed, replication, status), the decisions
taken and how the story ended, the story's timeline (Gantt chart and table, with the
injects and decisions in it), then each decision with the situation, the forecast table
the group saw, the choice and what then happened (in this story, for every allowed
option: a single replication, so luck as well as the choice), the injects, what was
never reached, and how the forecasts were made.
"""

from __future__ import annotations

import html
import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..atomicfile import write_atomic
from ..engine.timeline import event_row
from ..formatting import HOUR_S, clock_text, elapsed_text, number_text
from .console import FORECAST_HEADERS, forecast_note, forecast_rows
from .session import Session, Step

__all__ = ["aar_blocks", "render_html", "render_markdown", "write_aar"]

AAR_MD = "aar.md"
AAR_HTML = "aar.html"
TIMELINE_PNG = "timeline.png"
MAP_PNG = "map.png"

PINNING_RULE = (
    "Each forecast branch keeps every random input the story had already observed at the "
    "decision (roads driven to the end, halts left, waits over, the strength of every "
    "force seen, the combat parameters of finished engagements, failure modes that have "
    "happened, warnings delivered, lines repaired) and draws all others afresh from its "
    "own random streams; a branch is kept only if it reproduces the story's events up to "
    "the decision exactly, so activities still under way (a halt, a drive, an engagement, "
    "the dam's failure clocks) are conditioned on not having ended yet. Every option runs "
    "the same branches (common random numbers), so differences between options come from "
    "the options. An option that would change an input already in effect, set a trigger "
    "in the past or change any event already seen is refused."
)


# ------------------------------------------------------------------------ blocks


@dataclass(frozen=True)
class Block:
    kind: str  # h2, h3, p, note, table, figure, list
    text: str = ""
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    numeric: tuple[int, ...] = ()
    png: bytes = b""
    file: str = ""
    items: tuple[str, ...] = ()


def _h2(text: str) -> Block:
    return Block("h2", text)


def _h3(text: str) -> Block:
    return Block("h3", text)


def _p(text: str) -> Block:
    return Block("p", text)


def _note(text: str) -> Block:
    return Block("note", text)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
           numeric: Sequence[int] = ()) -> Block:
    return Block("table", headers=tuple(headers),
                 rows=tuple(tuple("" if c is None else str(c) for c in row) for row in rows),
                 numeric=tuple(numeric))


def _yes(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return "yes" if value >= 0.5 else "no"


def _amount(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:,.0f}"


def _when(session: Session, time_s: float | None) -> str:
    if time_s is None:
        return "not reached"
    return f"{elapsed_text(time_s)} ({clock_text(session.info.start, time_s)})"


def story_outcome_rows(outcomes: dict[str, float]) -> list[tuple[str, str]]:
    rows = [("dam captured", _yes(outcomes.get("dam_captured", math.nan)))]
    if outcomes.get("dam_captured", 0.0) >= 0.5:
        rows.append(("time of capture", elapsed_text(outcomes["time_to_capture_h"] * HOUR_S)))
    rows.append(("breach", _yes(outcomes.get("breach_started", math.nan))))
    if outcomes.get("breach_started", 0.0) >= 0.5:
        rows.append(("time of breach", elapsed_text(outcomes["breach_time_h"] * HOUR_S)))
    rows += [
        ("fatalities", _amount(outcomes.get("fatalities", math.nan))),
        ("people exposed to the flood", _amount(outcomes.get("people_exposed", math.nan))),
        ("unserved energy above the normal shortfall (MWh)",
         _amount(outcomes.get("added_unserved_energy_mwh", math.nan))),
        ("towns captured", _amount(outcomes.get("towns_captured", math.nan))),
        ("attacker / defender losses", f"{_amount(outcomes.get('attacker_losses', math.nan))}"
         f" / {_amount(outcomes.get('defender_losses', math.nan))}"),
    ]
    return rows


def _situation_blocks(step: Step) -> list[Block]:
    situation = step.situation
    if situation is None:
        return []
    rows = [(f.id, f.side, f.status, elapsed_text(f.since_s) if f.since_s is not None else "",
             f.report) for f in situation.forces]
    blocks = [_table(("force", "side", "where / what", "since", "last report"), rows)]
    facts = [f"dam: {situation.dam}"]
    if situation.towns_fallen:
        facts.append("fallen: " + ", ".join(f"{town} ({elapsed_text(at)})"
                                            for town, at in situation.towns_fallen))
    facts += [f"flood: {line}" for line in situation.flood]
    facts += [f"grid: {line}" for line in situation.grid]
    blocks.append(Block("list", items=tuple(facts)))
    return blocks


def _forecast_figure(step: Step) -> bytes | None:
    """P(breach) and expected fatalities by option, with 95 % CIs (None without data)."""
    forecast = step.forecast
    if forecast is None or not forecast.options or forecast.count == 0:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    names = list(forecast.options)
    figure = Figure(figsize=(7.5, 2.2 + 0.35 * len(names)), dpi=110, layout="constrained")
    left, right = figure.subplots(1, 2, sharey=True)
    rows = range(len(names))
    for axes, attribute, label, scale in (
            (left, "p_breach", "P(breach) (%)", 100.0),
            (right, "fatalities", "expected fatalities (people)", 1.0)):
        means, lows, highs = [], [], []
        for name in names:
            estimate = getattr(forecast.options[name], attribute)
            means.append(estimate.mean * scale)
            lows.append(max(estimate.mean - estimate.low, 0.0) * scale)
            highs.append(max(estimate.high - estimate.mean, 0.0) * scale)
        colours = ["#d0612a" if name == step.chosen else "#1f5fa6" for name in names]
        axes.barh(list(rows), means, xerr=[lows, highs], color=colours, capsize=3,
                  error_kw={"elinewidth": 1, "ecolor": "#34495e"})
        axes.set_xlabel(label)
        axes.grid(True, axis="x", alpha=0.3)
        axes.set_xlim(left=0)
    left.set_yticks(list(rows), names)
    left.invert_yaxis()
    figure.suptitle(f"Decision {step.id} at {elapsed_text(step.time_s)}: forecast by option "
                    f"({forecast.count} branches; chosen option in orange)", fontsize=10)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _story_events(session: Session) -> tuple:
    """The whole story once the exercise is over; only what was seen if it stopped."""
    if session.stop_reason is not None:
        return tuple(session.seen)
    return tuple(session.story.timeline or ())


def _timeline_png(session: Session) -> bytes | None:
    try:
        from ..plotting import plot_timeline, png_bytes
    except ImportError:  # the plotting module is optional for the report
        return None
    events = _story_events(session)
    figure = plot_timeline(events, horizon_s=session.horizon_s,
                           title=f"The story: seed {session.seed}, replication "
                           f"{session.replication}, with the decisions taken")
    _mark_decisions(figure, [s for s in session.steps
                             if s.kind == "decision" and s.time_s is not None])
    return png_bytes(figure)


def _map_block(session: Session) -> Block | None:
    """The map of the story's scenario (with the decisions taken): the forces' planned
    routes and each river town coloured by the flood's peak depth in the story. None
    without plotting or coordinates."""
    try:
        from ..plotting import plot_map, png_bytes
    except ImportError:  # the plotting module is optional for the report
        return None
    from ..engine import prepare

    scenario = session.scenario
    if not any(node.lat is not None for node in scenario.network.nodes.values()):
        return None
    plan = prepare(scenario, consequences=False).plan
    routes = {force.id: force.nodes for force in plan.forces if force.legs}
    outcomes = session.story.outcomes
    depths = {town: outcomes.get(f"depth_m.{town}", math.nan) for town in scenario.river.towns}
    flooded = any(depth > 0 for depth in depths.values())
    figure = plot_map(scenario.model_dump(mode="json"), routes=routes,
                      town_values=depths if flooded else None,
                      value_label="peak flood depth in the story (m)", probability=False,
                      town_notes={town: f"{number_text(depth, 2)} m"
                                  for town, depth in depths.items()} if flooded else None,
                      title=f"The story's map: {session.info.name}")
    text = ("Where the story happened: roads, the river below the dam and its towns, and "
            "each force's planned route with the decisions taken; "
            + ("river towns coloured by the flood's peak depth above normal in the story."
               if flooded else "no flood reached the towns in the story."))
    return Block("figure", text=text, png=png_bytes(figure), file=MAP_PNG)


def _mark_decisions(figure: Any, steps: Sequence[Step]) -> None:
    """Dashed vertical lines at the decisions, on the Gantt chart's time axis (its unit
    read from the axis label, 'h' or 'd'; nothing is drawn if it cannot be read)."""
    if not figure.axes or not steps:
        return
    axes = figure.axes[0]
    label = axes.get_xlabel()
    scale = {"(h)": HOUR_S, "(d)": 24 * HOUR_S}.get(label[label.find("("):label.find(")") + 1])
    if scale is None:
        return
    low, high = axes.get_xlim()
    for step in steps:
        x = step.time_s / scale
        if low <= x <= high:
            axes.axvline(x, color="#7f8c8d", linestyle="--", linewidth=0.8, zorder=1)
            axes.annotate(f"{step.id}: {step.chosen or '-'}", (x, 1.0),
                          xycoords=("data", "axes fraction"), rotation=90, fontsize=7,
                          ha="right", va="top", color="#566573")


def _timeline_rows(session: Session) -> list[tuple[str, ...]]:
    """The story's events with the injects and decisions at their place."""
    start = session.info.start
    timeline = list(_story_events(session))
    marks: dict[int, list[Step]] = {}
    for step in session.steps:
        if step.time_s is not None:
            marks.setdefault(step.seen, []).append(step)
    rows = []
    for index in range(len(timeline) + 1):
        for step in marks.get(index, []):
            what = (f"{step.spec.sender} to {step.spec.receiver}: {step.spec.message}"
                    if step.kind == "inject" else
                    f"{step.spec.question} Chosen: {step.chosen or '(none: stopped)'}")
            rows.append((elapsed_text(step.time_s), clock_text(start, step.time_s),
                         step.kind.upper(), step.id, "", what))
        if index < len(timeline):
            event = timeline[index]
            rows.append(event_row(event, start))
    return rows


def _decision_blocks(session: Session, step: Step) -> list[Block]:
    blocks = [_h3(f"Decision {step.id} at {_when(session, step.time_s)}"),
              _p(step.spec.question)]
    blocks += _situation_blocks(step)
    blocks.append(_p("The forecast the group saw:"))
    blocks.append(_table(FORECAST_HEADERS, forecast_rows(step), numeric=(2, 3, 4, 5, 6)))
    blocks.append(_note(forecast_note(step)))
    png = _forecast_figure(step)
    if png is not None:
        blocks.append(Block("figure", text=f"Forecast at decision {step.id}: P(breach) and "
                            "expected fatalities with 95% confidence intervals.", png=png,
                            file=f"forecast-{_slug(step.id)}.png"))
    if step.chosen is None:
        blocks.append(_p(f"No option was chosen: {step.note}." if step.note else
                         "No option was chosen: the exercise stopped here."))
        return blocks
    option = step.options[step.chosen]
    by = "the group" if step.chosen_by == "group" else f"the script {step.chosen_by}"
    blocks.append(_p(f"Chosen by {by}: {step.chosen}" +
                     (f" — {option.description}" if option.description else "")))
    if step.reasons:
        blocks.append(_p(f"The group's reasons: {step.reasons}"))
    rows = []
    for other in step.options.values():
        label = other.id + (" (chosen)" if other.id == step.chosen else "")
        if not other.allowed:
            rows.append((label, f"refused: {other.refusal}", "", "", ""))
            continue
        out = other.story_outcomes()
        rows.append((label, _yes(out.get("dam_captured")), _yes(out.get("breach_started")),
                     _amount(out.get("fatalities")),
                     _amount(out.get("added_unserved_energy_mwh"))))
    blocks.append(_p("What then happened in this story (the same seed and replication, the "
                     "decisions before this one as taken and none after it): one possible "
                     "course, so luck as much as the choice."))
    blocks.append(_table(("option", "dam captured", "breach", "fatalities",
                          "unserved energy (MWh)"), rows, numeric=(3, 4)))
    return blocks


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)[:60] or "decision"


def aar_blocks(session: Session, *, status: str = "complete",
               written: datetime | None = None) -> tuple[str, str, list[Block]]:
    """(title, subtitle, blocks) of the after-action report of `session`."""
    info = session.info
    written = written or datetime.now().astimezone()
    title = f"After-action report: {info.name}"
    subtitle = (f"{session.base.source}" + (f", variant {session.variant}" if session.variant
                                            else "")
                + f" · story: seed {session.seed}, replication {session.replication} · "
                f"written {written:%Y-%m-%d %H:%M}")
    blocks: list[Block] = []
    if status != "complete":
        blocks.append(_note(f"Incomplete: {status}. Everything up to that point is reported."))
    decisions = [s for s in session.steps if s.kind == "decision" and s.time_s is not None]
    blocks.append(_h2("Summary"))
    blocks.append(_p(info.description or info.name))
    blocks.append(_p(f"The story is one replication of the scenario (seed {session.seed}, "
                     f"replication {session.replication}) from {info.start.isoformat()} over "
                     f"{session.horizon_s / HOUR_S:g} hours, played with "
                     f"{len([s for s in session.steps if s.kind == 'inject'])} injects and "
                     f"{len(decisions)} decisions."))
    blocks.append(_table(("time", "decision", "chosen", "by"),
                         [(elapsed_text(s.time_s), s.id, s.chosen or "(none)",
                           "group" if s.chosen_by == "group" else s.chosen_by or "-")
                          for s in decisions]))
    if session.stop_reason is None:
        blocks.append(_p("How the story ended, with these decisions:"))
    else:
        blocks.append(_p("How the story would end with the decisions taken so far and none "
                         "after them (the timeline below stops where the exercise stopped):"))
    blocks.append(_table(("outcome", "value"), story_outcome_rows(session.story.outcomes)))
    situation_map = _map_block(session)
    if situation_map is not None:
        blocks.append(situation_map)

    blocks.append(_h2("Timeline"))
    png = _timeline_png(session)
    if png is not None:
        blocks.append(Block("figure", text="The story's timeline: what each force, the dam, "
                            "the warning and the grid did, with the decisions taken.", png=png,
                            file=TIMELINE_PNG))
    else:
        blocks.append(_note("No timeline chart: simulator.plotting is not available."))
    blocks.append(_table(("elapsed", "clock", "kind", "actor", "place", "detail"),
                         _timeline_rows(session)))

    blocks.append(_h2("Decisions"))
    if not decisions:
        blocks.append(_p("No decision was reached."))
    for step in decisions:
        blocks += _decision_blocks(session, step)

    blocks.append(_h2("Injects"))
    injects = [s for s in session.steps if s.kind == "inject" and s.time_s is not None]
    blocks.append(_table(("time", "inject", "from", "to", "message", "expected action"),
                         [(elapsed_text(s.time_s), s.id, s.spec.sender, s.spec.receiver,
                           s.spec.message, s.spec.expected_action) for s in injects]))
    noted = [s for s in session.steps if s.notes]
    if noted:
        blocks.append(_h2("Facilitator's notes"))
        blocks.append(Block("list", items=tuple(f"{s.kind} {s.id} ({_when(session, s.time_s)}): "
                                                f"{note}" for s in noted for note in s.notes)))
    skipped = [s for s in session.steps if s.time_s is None]
    if skipped:
        blocks.append(_h2("Not reached"))
        blocks.append(Block("list", items=tuple(f"{s.kind} {s.id} ({s.status}): {s.note}"
                                                for s in skipped)))
    blocks.append(_h2("How the forecasts were made"))
    blocks.append(_p(PINNING_RULE))
    blocks.append(_p("Option effects are scenario overrides applied from the decision on; "
                     "what each option can and cannot represent is said in its description "
                     "and in scenarios/SOURCES.md. The forecasts and the story come from the "
                     "same model and share its assumptions."))
    return title, subtitle, blocks


# --------------------------------------------------------------------- rendering


def _md(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=False).replace("|", "\\|")


def render_markdown(title: str, subtitle: str, blocks: Sequence[Block]) -> str:
    """The report as Markdown, figures linked as the PNG files written beside it and all
    scenario text escaped."""
    out = [f"# {_md(title)}", "", f"*{_md(subtitle)}*", ""]
    for block in blocks:
        if block.kind == "h2":
            out += [f"## {_md(block.text)}", ""]
        elif block.kind == "h3":
            out += [f"### {_md(block.text)}", ""]
        elif block.kind == "p":
            out += [_md(block.text), ""]
        elif block.kind == "note":
            out += [f"> {_md(block.text)}", ""]
        elif block.kind == "list":
            out += [f"- {_md(item)}" for item in block.items] + [""]
        elif block.kind == "figure":
            out += [f"![{_md(block.text)}]({block.file})", ""]
        elif block.kind == "table":
            if not block.rows:
                out += ["(none)", ""]
                continue
            out.append("| " + " | ".join(_md(h) for h in block.headers) + " |")
            out.append("|" + "|".join("---:" if i in block.numeric else "---"
                                      for i in range(len(block.headers))) + "|")
            out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in block.rows]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_html(title: str, subtitle: str, blocks: Sequence[Block]) -> str:
    """The report as one self-contained HTML page, figures embedded and all scenario
    text escaped."""
    from ..report.html import element, figure, join, page, table

    parts: list[Any] = []
    for block in blocks:
        if block.kind in ("h2", "h3"):
            parts.append(element(block.kind, block.text))
        elif block.kind == "p":
            parts.append(element("p", block.text))
        elif block.kind == "note":
            parts.append(element("p", block.text, class_="note"))
        elif block.kind == "list":
            parts.append(element("ul", *(element("li", item) for item in block.items)))
        elif block.kind == "figure":
            parts.append(figure(block.png, block.text, alt=block.text))
        elif block.kind == "table":
            if not block.rows:
                parts.append(element("p", "(none)", class_="note"))
                continue
            timeline = block.headers[:2] == ("elapsed", "clock")
            parts.append(table(block.headers, block.rows, numeric=block.numeric,
                               class_="timeline" if timeline else None))
    return page(title, join(parts), subtitle)


def write_aar(session: Session, out: str | os.PathLike[str], *, status: str = "complete"
              ) -> list[Path]:
    """Write aar.md (with its PNG figures) and aar.html into folder `out`, atomically."""
    out = Path(out)
    title, subtitle, blocks = aar_blocks(session, status=status)
    written = []
    for block in blocks:
        if block.kind == "figure":
            written.append(write_atomic(out / block.file, block.png))
    written.append(write_atomic(out / AAR_MD, render_markdown(title, subtitle, blocks)))
    written.append(write_atomic(out / AAR_HTML, render_html(title, subtitle, blocks)))
    return written
