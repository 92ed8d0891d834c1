"""The exercise on a terminal: situation reports, forecast tables and the group's choice.

`Facilitator` shows every inject (the situation: events since the last step, where the
forces are, the dam, flood and grid) and every decision (the question and, per option,
its branch forecast) with rich, then either reads the choice from standard input (a
number or an option id; a bad answer is asked again, end of input stops the exercise)
or takes it from a decisions script. Formatting helpers here are shared with the
after-action report so the group and the report see the same numbers.
"""

from __future__ import annotations

import math
from typing import IO, TYPE_CHECKING

from ..analysis.catalogue import catalogue_entry
from ..engine.timeline import TIMELINE_COLUMNS, event_row, timeline_table
from ..formatting import clock_text, elapsed_text, interval_text, number_text, terminal_text
from ..scenario.decisions import DecisionScript
from ..scenario.errors import Problem, ScenarioError
from .fog import reported, reported_strength
from .forecast import Estimate, Forecast, fatalities_if_breach
from .session import ExerciseStopped, Session, Step

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["Facilitator", "driver_note", "forecast_rows", "percent", "number", "signed"]

# the forecast's columns, worded as the outcome catalogue words them (run summaries too)
FORECAST_HEADERS = ("#", "option", catalogue_entry("dam_captured").label,
                    catalogue_entry("breach_started").label, "expected fatalities",
                    "Δ fatalities", "added unserved energy (MWh)")


def percent(estimate: Estimate) -> str:
    """``62% (55-68%)``."""
    if not math.isfinite(estimate.mean):
        return "-"
    return (f"{estimate.mean:.0%} ({estimate.low * 100:.0f}–{estimate.high * 100:.0f}%)")


def number(estimate: Estimate) -> str:
    """``1,070 (498–1,640)``."""
    if not math.isfinite(estimate.mean):
        return "-"
    if estimate.low == estimate.high:
        return number_text(estimate.mean, 3)
    return f"{number_text(estimate.mean, 3)} ({interval_text(estimate.low, estimate.high, 3)})"


def signed(estimate: Estimate | None) -> str:
    """A paired difference: ``-45 (-98 to +8)``; ``0`` when every pair is equal."""
    if estimate is None:
        return "reference"
    if not math.isfinite(estimate.mean):
        return "-"
    mean = number_text(estimate.mean, 3, sign=True)
    if estimate.low == estimate.high:
        return mean
    return f"{mean} ({interval_text(estimate.low, estimate.high, 3, sign=True)})"


def forecast_rows(step: Step) -> list[tuple[str, ...]]:
    """One row per option: number, id, then the forecast columns or the refusal."""
    rows = []
    forecast: Forecast | None = step.forecast
    for number_, option in enumerate(step.options.values(), start=1):
        if not option.allowed:
            rows.append((str(number_), option.id, f"refused: {option.refusal}", "", "", "", ""))
            continue
        result = forecast.options.get(option.id) if forecast else None
        if result is None:
            rows.append((str(number_), option.id, "-", "-", "-", "-", "-"))
            continue
        rows.append((str(number_), option.id, percent(result.p_captured),
                     percent(result.p_breach), number(result.fatalities),
                     signed(result.fatalities_vs_reference), number(result.unserved_mwh)))
    return rows


def breach_note(step: Step) -> str:
    """The conditional figure beside the expected one: fatalities if the dam breaks, per
    option, over its branches that breach; empty without a forecast."""
    forecast: Forecast | None = step.forecast
    if forecast is None:
        return ""
    parts = []
    for option_id, result in forecast.options.items():
        estimate, branches = fatalities_if_breach(result)
        if estimate is None:
            parts.append(f"{option_id}: no branch breaches")
        elif branches == 1:
            parts.append(f"{option_id}: {number_text(estimate.mean, 3)} (1 branch)")
        else:
            parts.append(f"{option_id}: {number(estimate)} ({branches} of "
                         f"{forecast.count} branches)")
    return "fatalities if the dam breaks: " + "; ".join(parts)


def forecast_note(step: Step) -> str:
    """How the forecast was made, in one sentence."""
    forecast = step.forecast
    if forecast is None:
        return "no forecast (--forecast-replications 0)"
    realised = forecast.realised
    reference = f"; Δ is the paired difference from '{forecast.reference}'" \
        if forecast.reference and len(forecast.options) > 1 else ""
    if forecast.conditioning == "pinned":
        kept, tried = forecast.rejected or (0, 0)
        how = (f"{len(realised.pinned)} observed inputs and the story's draws of "
               f"{len(realised.under_way)} activities under way kept, because only {kept} of "
               f"{tried} branches with those drawn afresh reproduced the story")
    else:
        how = (f"{forecast.attempts} tried; {len(realised.pinned)} observed inputs kept, "
               f"{len(realised.under_way)} under way drawn afresh")
    return (f"{forecast.count} branches per option with common random numbers, each "
            f"reproducing the story so far ({how}), {forecast.seconds:.1f} s; means with "
            f"95% CIs{reference}; unserved energy above the grid's shortfall without an "
            "attack")


def driver_note(step: Step) -> str | None:
    """The top driver of each option's forecast, in one line (None without a forecast)."""
    from ..analysis.headline import percent_text

    forecast = step.forecast
    if forecast is None or not forecast.options:
        return None
    parts = []
    for option, result in forecast.options.items():
        driver = result.driver
        if driver is None:
            parts.append(f"{option}: none clear")
            continue
        outcome = catalogue_entry(driver.outcome).label
        entry = catalogue_entry(driver.input, names={})
        low, high = ("no", "yes") if entry is not None and entry.kind == "probability" \
            else ("low", "high")
        parts.append(f"{option}: {driver.label} ({outcome} {percent_text(driver.low_mean)} "
                     f"{low}, {percent_text(driver.high_mean)} {high})")
    return ("Top driver (widest decile swing whose 95% CI excludes 0, of what is still "
            "uncertain): " + "; ".join(parts))


def _reported_table(events, start, title: str):
    """The players' timeline table: `timeline_table` with each sentence as reported
    (`fog.reported`: no engine strengths), without the clock column (the step's heading
    has the clock) so that it fits 100 columns; ids are never broken."""
    from rich.table import Table

    table = Table(title=terminal_text(title), title_justify="left", header_style="bold")
    columns = [c for c in TIMELINE_COLUMNS if c != "clock"]
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in ("elapsed", "actor", "place"),
                         justify="right" if column == "elapsed" else "left")
    for event in events:
        cells = dict(zip(TIMELINE_COLUMNS, event_row(event, start), strict=True))
        cells["detail"] = reported(event)
        table.add_row(*(terminal_text(cells[c]) for c in columns))
    return table


class Facilitator:
    """Runs the exercise on a console: prompts on `stdin`, or follows `script`. The
    players' view by default (the fog of war, `fog`); with `controller` also what only the
    facilitator should see: true strengths and each inject's expected action."""

    def __init__(self, console: Console, stdin: IO[str] | None = None,
                 script: DecisionScript | None = None, controller: bool = False) -> None:
        self.console = console
        self.stdin = stdin
        self.script = script
        self.controller = controller
        self.chosen_by = script.path if script is not None else "group"

    # ------------------------------------------------------------------ output
    def _heading(self, session: Session, step: Step, label: str) -> None:
        start = session.info.start
        self.console.rule(f"[bold]{label} {terminal_text(step.id)}[/] · {elapsed_text(step.time_s)} · "
                          f"{clock_text(start, step.time_s)}", align="left")

    def show_situation(self, session: Session, step: Step) -> None:
        """Print what the group knows at `step`: events since the last report, where the
        forces are, the dam, fallen towns, flood and grid."""
        from rich.table import Table

        console = self.console
        situation = step.situation
        if step.new_events:
            if self.controller:
                console.print(timeline_table(step.new_events, session.info.start,
                                             title="since the last report"))
            else:
                console.print(_reported_table(step.new_events, session.info.start,
                                              "since the last report"))
        forces = Table(title="forces", title_justify="left", header_style="bold")
        for column in ("force", "side", "reported strength", "where / what", "since",
                       "last report"):  # ids and ranges unbroken: fits 100 columns
            forces.add_column(column, overflow="fold",
                              no_wrap=column in ("force", "reported strength", "since"))
        for force in situation.forces:
            since = elapsed_text(force.since_s) if force.since_s is not None else ""
            report = force.report if self.controller or force.last is None \
                else reported(force.last)
            forces.add_row(*map(terminal_text, (force.id, force.side,
                                                reported_strength(session.scenario, force.id),
                                                force.status, since, report)))
        console.print(forces)
        console.print(f"[bold]dam:[/] {terminal_text(situation.dam)}")
        if situation.towns_fallen:
            towns = ", ".join(f"{town} ({elapsed_text(at)})" for town, at in situation.towns_fallen)
            console.print(f"[bold]fallen:[/] {terminal_text(towns)}")
        for line in situation.flood:
            console.print(f"[bold]flood:[/] {terminal_text(line)}")
        for line in situation.grid:
            console.print(f"[bold]grid:[/] {terminal_text(line)}")

    def inject(self, session: Session, step: Step) -> None:
        """Show an inject and the situation; without a script, wait for Enter to go on."""
        spec = step.spec
        self._heading(session, step, "INJECT")
        console = self.console
        console.print(f"[bold]from[/] {terminal_text(spec.sender)} [bold]to[/] {terminal_text(spec.receiver)}")
        console.print(terminal_text(spec.message))
        if step.note:  # the story contradicts the message: say so, never silently
            console.print(f"[bold]note:[/] {terminal_text(step.note)}")
        if spec.expected_action and self.controller:
            console.print(f"[dim]expected action: {terminal_text(spec.expected_action)}[/]")
        self.show_situation(session, step)
        if self.script is None:
            self._read("press Enter to continue ", f"inject '{step.id}'")

    def show_decision(self, session: Session, step: Step) -> None:
        """Show a decision: its question, the situation (unless an inject at the same
        moment just showed it), the options and the forecast for each."""
        from rich.table import Table

        console = self.console
        self._heading(session, step, "DECISION")
        console.print(f"[bold]{terminal_text(step.spec.question)}[/]")
        earlier = [s for s in session.steps if s.time_s is not None and s is not step]
        if step.new_events or not earlier or earlier[-1].time_s != step.time_s:
            self.show_situation(session, step)  # unless an inject just showed it
        options = Table(title="options", title_justify="left", header_style="bold")
        options.add_column("#", justify="right")
        options.add_column("option", no_wrap=True)
        options.add_column("what it means", overflow="fold")
        for number_, option in enumerate(step.options.values(), start=1):
            options.add_row(str(number_), terminal_text(option.id),
                            terminal_text(option.description))
        console.print(options)
        table = Table(title="forecast by option", title_justify="left", header_style="bold",
                      show_edge=False)
        rows = forecast_rows(step)
        for index, header in enumerate(FORECAST_HEADERS):
            # wrap between words only: an id or an interval is never broken (100 columns)
            longest = max((len(word) for row in rows if not row[2].startswith("refused")
                           for word in row[index].split()), default=1)
            table.add_column(header, justify="right" if index > 1 else "left",
                             overflow="fold", min_width=longest)
        for row in rows:
            table.add_row(*(terminal_text(cell) for cell in row),
                          style="dim" if row[2].startswith("refused") else None)
        console.print(table)
        breach = breach_note(step)
        if breach:
            console.print(terminal_text(breach), highlight=False)
        console.print(f"[dim]{terminal_text(forecast_note(step))}[/]")
        drivers = driver_note(step)
        if drivers:
            console.print(f"[dim]{terminal_text(drivers)}[/]")

    def unavailable(self, session: Session, step: Step) -> None:
        """Show a decision none of whose options can be taken now, and that the story goes
        on without it."""
        self.show_decision(session, step)
        self.console.print(f"[bold]{terminal_text(step.note)}[/]; the story goes on without it")

    def skipped(self, session: Session, step: Step) -> None:
        """Note an inject or decision the story never reached."""
        self.console.print(f"[dim]not reached: {step.kind} {terminal_text(step.id)} "
                           f"({terminal_text(step.note)})[/]")

    def _say(self, text: str, end: str = "\n") -> None:
        """Print a line of plain text (ids, answers, refusals as written, no styling)."""
        self.console.print(terminal_text(text), end=end, highlight=False)

    # ------------------------------------------------------------------- input
    def _read(self, prompt: str, where: str) -> str:
        stdin = self.stdin
        self._say(prompt, end="")
        self.console.file.flush()
        line = stdin.readline() if stdin is not None else ""
        if not line:
            self.console.print()
            raise ExerciseStopped(f"no answer at {where}: end of input")
        if not _is_terminal(stdin):  # piped answers are not echoed: show them
            self._say(line.rstrip("\r\n"))
        return line.strip()

    def decide(self, session: Session, step: Step) -> str:
        """The option the group takes: the script's, or asked for on `stdin` until the
        answer names an allowed option."""
        self.show_decision(session, step)
        options = list(step.options.values())
        if self.script is not None:
            return self._scripted(step)
        ids = ", ".join(o.id for o in options)
        while True:
            answer = self._read(f"choose 1-{len(options)} or an option id: ",
                                f"decision '{step.id}'")
            option = None
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                option = options[int(answer) - 1]
            elif answer in step.options:
                option = step.options[answer]
            if option is None:
                self._say(f"not an option: {answer!r}; answer 1-{len(options)} or one of: {ids}")
                continue
            if not option.allowed:
                self._say(f"'{option.id}' cannot be taken now: {option.refusal}")
                continue
            self._say(f"chosen: {option.id}")
            return option.id

    def _scripted(self, step: Step) -> str:
        script = self.script
        choice = script.choice(step.id)
        if choice is None:
            raise ScenarioError([Problem(script.mark, f"no choice for decision '{step.id}', "
                                         f"reached at {elapsed_text(step.time_s)}; add "
                                         f"'{step.id}: OPTION' (options: "
                                         f"{', '.join(step.options)})")])
        option = step.options.get(choice.option)
        if option is None:  # check_decisions has run: cannot happen
            raise ScenarioError([Problem(choice.option_mark, f"unknown option '{choice.option}'")])
        if not option.allowed:
            raise ScenarioError([Problem(choice.option_mark, f"option '{option.id}' of decision "
                                         f"'{step.id}' cannot be taken at "
                                         f"{elapsed_text(step.time_s)}: {option.refusal}")])
        self._say(f"chosen (script {choice.option_mark}): {option.id}")
        return option.id


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
