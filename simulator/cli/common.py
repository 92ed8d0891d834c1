"""What every command shares.

Exit statuses, argparse types for whole numbers and bounded numbers, the printing of scenario problems and
a console wide enough for summary tables.

Nothing here imports more than the standard library at import time, so building the
parser (and ``infrasim --help``) stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from ..scenario import ScenarioError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell's status for a process ended by Ctrl-C


def print_problems(error: ScenarioError) -> None:
    """Print each problem of a scenario error as ``file:line:column: message`` on stderr."""
    for problem in error.problems:
        print(f"{problem}", file=sys.stderr)


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type for counts, seeds and indices: a whole number in [low, high]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if high is not None and not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {text}")
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {text}")
        return value

    return parse


def bounded_float(low: float, high: float, what: str = "a number") -> Callable[[str], float]:
    """An argparse type for `what` (its name in the refusal): a number strictly between
    `low` and `high`."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not low < value < high:
            raise argparse.ArgumentTypeError(f"must be {what} between {low:g} and "
                                             f"{high:g}, got {text}")
        return value

    return parse


positive_int = whole_number(1)
index = whole_number(0)
seed = whole_number(0, 2**63 - 1)


def add_workers(parser: argparse.ArgumentParser, condition: str = "") -> None:
    """Add ``--workers`` and ``--oversubscribe`` (see `local_workers`); `condition`
    prefixes their help, e.g. ``"with --variants: "``."""
    parser.add_argument("--workers", "-w", type=positive_int, metavar="W",
                        help=f"{condition}worker processes (default: all cores; at most "
                        f"the cores this process may use unless --oversubscribe)")
    parser.add_argument("--oversubscribe", action="store_true",
                        help=f"{condition}start --workers processes even if that is more "
                        f"than the cores")


def local_workers(workers: int | None, oversubscribe: bool, command: str) -> int | None:
    """`workers` capped at the cores this process may use (said on stderr), unless
    `oversubscribe`: more processes than cores only cost memory and switching."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count() or 1
    if workers is None or workers <= cores or oversubscribe:
        return workers
    print(f"infrasim {command}: --workers {workers} is more than the {cores} cores here; "
          f"using {cores} (--oversubscribe starts {workers})", file=sys.stderr)
    return cores


def wide_console(min_width: int) -> Console:
    """A rich console for tables, at least `min_width` columns wide off a terminal.

    On a terminal it takes the terminal's width; writing to a file or a pipe, rich would
    otherwise assume 80 columns.
    """
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, min_width))
    return console
