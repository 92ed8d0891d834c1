"""Progress of a run: a rich bar on stderr, or nothing at all.

The bar shows replications done of the current target, replications per second, the
failures so far and the time left. It is drawn only when asked for, which the command
line does when stderr is a terminal and ``--quiet`` is not given, so logs and pipes
get nothing but the summary.
"""

from __future__ import annotations

import sys
import time
from typing import Any


class NoProgress:
    """The silent reporter."""

    def __enter__(self) -> NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def update(self, finished: int, total: int, failed: int) -> None:
        """Report that `finished` of `total` replications are finished, `failed` of them
        failed; the silent reporter shows nothing."""
        pass


class BarProgress(NoProgress):
    """A rich progress bar on stderr."""

    def __init__(self, description: str, already: int = 0):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TextColumn("• {task.fields[rate]} rep/s •"),
            TimeElapsedColumn(),
            TextColumn("elapsed • eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[failed]}"),
            console=Console(file=sys.stderr),
            transient=False,
        )
        self._task: Any = None
        self._description = description
        self._already = already  # finished before this session (resume): not in the rate
        self._first: tuple[float, int] | None = None  # time and count at the first result

    def __enter__(self) -> BarProgress:
        self._progress.start()
        self._task = self._progress.add_task(
            self._description, total=None, completed=self._already, rate="-", failed=""
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, finished: int, total: int, failed: int) -> None:
        """Move the bar to `finished` of `total`, with the rate since the first result
        and the failures so far."""
        now = time.perf_counter()
        if self._first is None and finished > self._already:
            self._first = (now, finished)  # the rate leaves out starting the workers
        rate = "-"
        if self._first is not None and now > self._first[0]:
            rate = f"{(finished - self._first[1]) / (now - self._first[0]):,.0f}"
        self._progress.update(
            self._task,
            completed=finished,
            total=total,
            rate=rate,
            failed=f"[red]{failed:,} failed[/red]" if failed else "",
        )


def make_progress(enabled: bool | None, description: str, already: int = 0) -> NoProgress:
    """A bar if `enabled` (None: only when stderr is a terminal), else silence."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    return BarProgress(description, already) if enabled else NoProgress()
