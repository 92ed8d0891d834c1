"""Play one exercise end to end and write its outputs: the library side of
``infrasim exercise``.

`run_exercise` loads the scenario (and decisions script), plays the story on a console
(prompting on standard input, or following the script), and writes ``aar.md``,
``aar.html`` (with figures) and ``msel.csv`` into the output folder, each atomically. If
the exercise stops early (end of input, Ctrl-C, a scripted choice that cannot be taken)
the outputs are still written for everything played so far, marked incomplete.

Everything that can be checked is checked before the first inject: the output folder
(not a file, not an earlier exercise unless `force`), and a decisions script's
``scenario:`` line, which must name the scenario file given (a script is a record of
choices made on one scenario; played on another it would be a different exercise).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ..formatting import terminal_text
from ..names import safe_name
from ..scenario.decisions import check_decisions, read_decisions
from ..scenario.errors import Problem, ScenarioError
from .aar import AAR_HTML, AAR_MD, write_aar
from .console import Facilitator
from .msel import write_msel
from .session import (
    DEFAULT_FORECAST_REPLICATIONS,
    STORY_LEVELS,
    ExerciseStopped,
    Session,
    find_story,
)

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["ExerciseResult", "OutputError", "check_out", "default_out", "pick_story",
           "run_exercise", "write_outputs"]

MSEL_CSV = "msel.csv"
EXERCISES = Path("exercises")


class OutputError(Exception):
    """The output folder cannot take this exercise's outputs; said before it starts."""


@dataclass(frozen=True)
class ExerciseResult:
    """How `run_exercise` ended: the exit status, the output folder, the session as
    played and, if it stopped early, why."""

    status: int  # 0 complete, 2 stopped (no more input), 130 interrupted
    out: Path
    session: Session
    message: str = ""


def default_out(file: str | os.PathLike[str], variant: str | None = None,
                now: datetime | None = None) -> Path:
    """``exercises/<scenario>[-<variant>]-<YYYYmmdd-HHMMSS>``, a `safe_name` (the variant
    id is data), so the folder stays under ``exercises/``."""
    now = now or datetime.now()
    name = Path(file).stem + (f"-{variant}" if variant else "")
    return EXERCISES / safe_name(f"{name}-{now:%Y%m%d-%H%M%S}")


def check_out(out: Path, force: bool = False) -> None:
    """Make sure `out` can take the outputs, creating it, before anything is played.

    Raises:
        OutputError: when `out` is a file or cannot be created, or already holds an
            exercise's outputs and `force` is not set.
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder; choose another --out")
    earlier = [name for name in (AAR_MD, AAR_HTML, MSEL_CSV) if (out / name).exists()]
    if earlier and not force:
        raise OutputError(f"{out} already holds an exercise ({', '.join(earlier)}); choose "
                          f"another --out, or --force to replace it")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create {out}: {error.strerror or error}") from None


def write_outputs(session: Session, out: str | os.PathLike[str],
                  status: str = "complete") -> list[Path]:
    """aar.md, aar.html, their figures and msel.csv in `out`."""
    out = Path(out)
    written = write_aar(session, out, status=status)
    written.append(write_msel(session, out / MSEL_CSV))
    return written


def pick_story(file: str | os.PathLike[str], story: str | None, *, variant: str | None = None,
               seed: int | None = None) -> int:
    """The replication a ``--story`` names: a number as given, or a level of
    `STORY_LEVELS` (default "threatened") as the first replication that reaches it under
    the scenario's plan (`find_story`).

    Raises:
        ScenarioError: for a bad scenario file.
        ValueError: for a bad story, or a level no early replication reaches.
    """
    story = story or STORY_LEVELS[0]
    if story.isdigit():
        return int(story)
    from ..scenario import read_document

    scenario = read_document(Path(file), variant).scenario()
    return find_story(scenario, scenario.scenario.seed if seed is None else seed, story)


def _console() -> Console:
    from rich.console import Console

    console = Console()
    if not console.is_terminal:  # piped: do not squeeze the tables into 80 columns
        console = Console(width=max(console.width, 140))
    return console


def run_exercise(file: str | os.PathLike[str], *, variant: str | None = None,
                 seed: int | None = None, replication: int | None = None,
                 script: str | os.PathLike[str] | None = None,
                 out: str | os.PathLike[str] | None = None,
                 forecast_replications: int | None = None,
                 console: Console | None = None, stdin: IO[str] | None = None,
                 force: bool = False, story: str | None = None,
                 controller: bool = False) -> ExerciseResult:
    """Play the exercise of scenario `file` and write its outputs (see module doc).
    Seed, replication and variant default to the script's, then the scenario's; without
    a replication, `story` picks it (`pick_story`; default the first "threatened" one).
    `force` replaces an earlier exercise in `out`; `controller` shows what only the
    facilitator should see (`fog`).

    Raises:
        ScenarioError: for a bad scenario or script, or a script for another scenario.
        OutputError: when `out` cannot take the outputs (see `check_out`).
    """
    console = console or _console()
    decisions = read_decisions(script) if script is not None else None
    if decisions is not None:
        variant = variant if variant is not None else decisions.variant
        seed = seed if seed is not None else decisions.seed
        if replication is None and story is None:  # a --story given wins
            replication = decisions.replication
        named = decisions.scenario_path
        if named is not None and named.resolve() != Path(file).resolve():
            raise ScenarioError([Problem(decisions.mark, f"this script's 'scenario:' line names "
                                         f"{named}, not {file}; play it with that file, or "
                                         f"change the line")])
    if forecast_replications is None:
        forecast_replications = DEFAULT_FORECAST_REPLICATIONS
    if replication is None:
        replication = pick_story(file, story, variant=variant, seed=seed)
    session = Session(file, variant=variant, seed=seed, replication=replication,
                      forecast_replications=forecast_replications)
    if decisions is not None:
        check_decisions(decisions, session.base)
    out = Path(out) if out is not None else default_out(file, variant)
    check_out(out, force)
    info = session.info
    console.rule(f"[bold]{terminal_text(info.name)}[/]: tabletop exercise", align="left")
    console.print(terminal_text(f"story: seed {session.seed}, replication {session.replication}"
                                + (f", variant {variant}" if variant else "")
                                + (f"; choices from {decisions.path}" if decisions else "")
                                + f"; outputs go to {out}"), highlight=False)
    facilitator = Facilitator(console, stdin if stdin is not None else sys.stdin, decisions,
                              controller=controller)
    try:
        session.play(facilitator)
    except ExerciseStopped as stop:
        session.stop(stop.reason)
        write_outputs(session, out, status=f"stopped: {stop.reason}")
        return ExerciseResult(stop.status, out, session, stop.reason)
    except KeyboardInterrupt:
        session.stop("interrupted")
        write_outputs(session, out, status="interrupted")
        return ExerciseResult(130, out, session, "interrupted")
    except ScenarioError as error:
        reason = error.problems[0].message if error.problems else "a script error"
        session.stop(reason)
        write_outputs(session, out, status=f"stopped: {reason}")
        print(f"the exercise so far is in {out}", file=sys.stderr)
        raise
    write_outputs(session, out)
    console.rule("[bold]end of the exercise[/]", align="left")
    from rich.table import Table

    from .aar import story_outcome_rows

    table = Table(title="how the story ended", title_justify="left", header_style="bold")
    table.add_column("outcome")
    table.add_column("value", justify="right")
    for name, value in story_outcome_rows(session.story.outcomes):
        table.add_row(terminal_text(name), value)
    console.print(table)
    console.print(terminal_text(f"wrote {out / AAR_HTML}, {out / AAR_MD} and {out / MSEL_CSV}"),
                  highlight=False)
    return ExerciseResult(0, out, session)
