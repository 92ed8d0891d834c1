"""Commands on scenario files: ``validate``, ``show`` and ``schema``."""

from __future__ import annotations

import argparse
import sys

from .common import EXIT_OK, EXIT_USAGE, print_problems


def cmd_validate(args: argparse.Namespace) -> int:
    """Check each file and print one line for it, then its problems; 2 if any has one."""
    from ..scenario import ScenarioError, validate_file

    status = EXIT_OK
    for path in args.files:
        try:
            scenario = validate_file(path)
        except ScenarioError as error:
            count = len(error.problems)
            print(f"{path}: {count} problem{'s' if count != 1 else ''}")
            print_problems(error)
            status = EXIT_USAGE
            continue
        if scenario.source != str(path):  # a decisions file, checked against its scenario
            print(f"{path}: OK (decisions for {scenario.source})")
            continue
        print(
            f"{path}: OK ({len(scenario.network.nodes)} nodes, "
            f"{len(scenario.network.roads)} roads, {len(scenario.forces)} forces, "
            f"{len(scenario.river.towns)} towns, {len(scenario.grid.buses)} buses, "
            f"{len(scenario.variants)} variants)"
        )
    return status


def add_validate(sub: argparse._SubParsersAction) -> None:
    """Add ``infrasim validate``."""
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


def cmd_show(args: argparse.Namespace) -> int:
    """Print the resolved scenario as YAML in SI units."""
    import yaml

    from ..scenario import load_scenario

    scenario = load_scenario(args.file, variant=args.variant)
    resolved = scenario.model_dump(mode="json", exclude_none=True)
    print(f"# {args.file}" + (f", variant {args.variant}" if args.variant else ""))
    print("# resolved scenario in SI units: metres, seconds, m^3, m^3/s, watts, 1/s")
    print(yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True, width=100), end="")
    return EXIT_OK


def add_show(sub: argparse._SubParsersAction) -> None:
    """Add ``infrasim show``."""
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


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of scenario files, or write it to ``--output``."""
    import json

    from ..scenario.schema import json_schema

    text = json.dumps(json_schema(), indent=2)
    if args.output:
        from pathlib import Path

        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(text)
    return EXIT_OK


def add_schema(sub: argparse._SubParsersAction) -> None:
    """Add ``infrasim schema``."""
    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of the scenario language (for editor completion)",
        description="Print the JSON Schema of scenario files. Point your editor's YAML "
        "language server at it (see README) to get completion and checks while typing.",
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=cmd_schema)
