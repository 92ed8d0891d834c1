"""The ``infrasim`` command line: a thin argparse front end over the library.

One module per command group: `scenario` (validate, show, schema), `replication`
(simulate, replay), `run`, `reports` (report, compare, gallery), `exercise` and `board`; `common`
holds exit statuses and argparse types. Each command is a small function that calls the
library and prints; heavy modules load inside the command that needs them, so
``infrasim --help`` stays fast. A scenario problem is printed as ``file:line:column:
message`` lines with exit status 2 and no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .board import add_board
from .common import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, print_problems
from .discover import add_discover
from .exercise import add_exercise
from .replication import add_replay, add_simulate
from .reports import add_compare, add_gallery, add_report
from .run import add_run
from .scenario import add_schema, add_show, add_validate
from .sensitivity import add_sensitivity

# Each entry adds one subcommand; order is the order shown by --help.
COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_validate,
    add_show,
    add_schema,
    add_simulate,
    add_run,
    add_sensitivity,
    add_replay,
    add_report,
    add_compare,
    add_discover,
    add_gallery,
    add_exercise,
    add_board,
]


def build_parser() -> argparse.ArgumentParser:
    """The ``infrasim`` parser with every subcommand."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="infrasim",
        description="infrasim: what happens to the people and the grid if armed forces "
        "move on a dam, a power plant or a road, and how likely is each outcome.",
        epilog="Start with: infrasim validate scenarios/haditha_2014.yaml",
    )
    parser.add_argument("--version", action="version", version=f"infrasim {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for any scenario problem)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from ..scenario.errors import ScenarioError

    try:
        return args.func(args)
    except ScenarioError as error:
        print_problems(error)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
