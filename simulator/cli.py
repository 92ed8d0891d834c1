"""The ``infrasim`` command line: a thin argparse front end over the library.

Each subcommand is a small function that parses nothing itself and calls one library
function. Heavy modules load inside the command that needs them, so ``infrasim --help``
stays fast. A scenario problem is printed as ``file:line:column: message`` lines with
exit status 2 and no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _print_problems(error: Exception) -> None:
    for problem in error.problems:  # type: ignore[attr-defined]
        print(f"{problem}", file=sys.stderr)


# ------------------------------------------------------------------------- validate


def cmd_validate(args: argparse.Namespace) -> int:
    from .scenario import ScenarioError, validate_file

    status = EXIT_OK
    for path in args.files:
        try:
            scenario = validate_file(path)
        except ScenarioError as error:
            count = len(error.problems)
            print(f"{path}: {count} problem{'s' if count != 1 else ''}")
            _print_problems(error)
            status = EXIT_USAGE
            continue
        print(
            f"{path}: OK ({len(scenario.network.nodes)} nodes, "
            f"{len(scenario.network.roads)} roads, {len(scenario.forces)} forces, "
            f"{len(scenario.river.towns)} towns, {len(scenario.grid.buses)} buses, "
            f"{len(scenario.variants)} variants)"
        )
    return status


def _add_validate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check scenario files and report every problem with its line and column",
        description="Check scenario files: YAML syntax, keys, units, distributions, "
        "cross-references, every variant and every exercise option. Prints one line per "
        "file, then its problems as file:line:column: message. Exit status 2 if any "
        "file has a problem.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario YAML files")
    p.set_defaults(func=cmd_validate)


# ----------------------------------------------------------------------------- show


def cmd_show(args: argparse.Namespace) -> int:
    import yaml

    from .scenario import load_scenario

    scenario = load_scenario(args.file, variant=args.variant)
    resolved = scenario.model_dump(mode="json", exclude_none=True)
    print(f"# {args.file}" + (f", variant {args.variant}" if args.variant else ""))
    print("# resolved scenario in SI units: metres, seconds, m^3, m^3/s, watts, 1/s")
    print(yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True, width=100), end="")
    return EXIT_OK


def _add_show(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "show",
        help="print the resolved scenario (extends and variant applied) in SI units",
        description="Print the scenario after extends and the variant are applied, with "
        "every quantity converted to SI units; field names carry the unit (height_m, "
        "capacity_w). Fixed values print as numbers, uncertain ones as {dist: ...}.",
    )
    p.add_argument("file", metavar="FILE", help="scenario YAML file")
    p.add_argument("--variant", "-V", help="apply this named variant")
    p.set_defaults(func=cmd_show)


# --------------------------------------------------------------------------- schema


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from .scenario import Scenario

    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "infrasim scenario"
    text = json.dumps(schema, indent=2)
    if args.output:
        from pathlib import Path

        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(text)
    return EXIT_OK


def _add_schema(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of the scenario language (for editor completion)",
        description="Print the JSON Schema of scenario files. Point your editor's YAML "
        "language server at it (see README) to get completion and checks while typing.",
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=cmd_schema)


# ----------------------------------------------------------------------------- main

# Each entry adds one subcommand; order is the order shown by --help.
COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_validate,
    _add_show,
    _add_schema,
]


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

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
    from .scenario.errors import ScenarioError

    try:
        return args.func(args)
    except ScenarioError as error:
        _print_problems(error)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
