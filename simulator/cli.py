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


def _whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
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


_positive_int = _whole_number(1)
_index = _whole_number(0)
_seed = _whole_number(0, 2**63 - 1)


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


# ------------------------------------------------------------------------- simulate


def cmd_simulate(args: argparse.Namespace) -> int:
    from .engine import simulate
    from .engine.timeline import print_replication
    from .scenario import load_scenario

    scenario = load_scenario(args.file, variant=args.variant)
    replication = simulate(scenario, seed=args.seed, replication=args.replication,
                           timeline=True)
    print_replication(scenario, replication)
    return EXIT_OK


def _add_simulate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate",
        help="run one replication and print its timeline and outcomes",
        description="Run one replication of a scenario and print what happened, event by "
        "event (elapsed time, scenario clock, kind, actor, place, detail), then its "
        "outcomes and the sampled inputs. The same file, variant, seed and replication "
        "always give the same history.",
    )
    p.add_argument("file", metavar="FILE", help="scenario YAML file")
    p.add_argument("--variant", "-V", help="apply this named variant")
    p.add_argument("--seed", type=_seed, help="root seed (default: the scenario's seed)")
    p.add_argument("--replication", "-k", type=_index, default=0, metavar="K",
                   help="replication index (default 0)")
    p.set_defaults(func=cmd_simulate)


# ------------------------------------------------------------------------ run, replay


def cmd_run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .montecarlo import (
        RunError,
        default_run_dir,
        latest_run_dir,
        run_monte_carlo,
        summary_table,
    )
    from .scenario import load_scenario

    scenario = load_scenario(args.file, variant=args.variant)
    out = Path(args.out) if args.out else None
    try:
        if out is None and args.resume:
            out = latest_run_dir(scenario)
            if out is None:
                raise RunError(f"no earlier run of {args.file} under runs/ to resume; "
                               f"name it with --out")
        out = out or default_run_dir(scenario)
        if args.resume and not (out / "manifest.json").is_file():
            print(f"no run at {out} yet: starting it", file=sys.stderr)
        result = run_monte_carlo(
            scenario,
            replications=args.replications,
            precision=args.precision,
            seed=args.seed,
            executor=args.executor or ("dask" if args.scheduler else "processes"),
            workers=args.workers,
            out=out,
            metrics=args.metric or (),
            min_replications=args.min,
            max_replications=args.max,
            resume=args.resume,
            scheduler=args.scheduler,
            progress=not args.quiet and sys.stderr.isatty(),
        )
    except RunError as error:
        print(f"infrasim run: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:  # e.g. the disk filled up: what was written stays resumable
        print(f"infrasim run: {error}; continue later with --out {out} --resume",
              file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"interrupted; continue with: infrasim run {args.file}"
              + (f" --variant {args.variant}" if args.variant else "")
              + f" --out {out} --resume", file=sys.stderr)
        return 130

    manifest = result.manifest
    from .montecarlo.stopping import parse_metrics
    from .montecarlo.summary import key_outcomes

    metrics = [name for name in parse_metrics(args.metric or ()) if name in result.outcomes]
    names = list(dict.fromkeys([*key_outcomes(result.outcomes), *metrics]))
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 120))
    stop = manifest["result"]
    title = f"{manifest['scenario']['name']}" + (
        f", variant {scenario.variant}" if scenario.variant else "") + (
        f": {result.done:,} replications, seed {manifest['seed']}")
    if manifest.get("stopping"):
        title += ", converged" if stop.get("converged") else ", not converged (hit --max)"
    console.print(summary_table(result.summary(names), title=title))
    print(f"wrote {out} (outcomes.csv, manifest.json)")
    if result.status == "aborted":
        print(f"infrasim run: stopped: {manifest.get('message')}", file=sys.stderr)
        return EXIT_FAILED
    if result.failed:
        first = result.failures[0].replication
        print(f"infrasim run: {result.failed:,} replication"
              f"{'s' if result.failed != 1 else ''} failed (see {out / 'failures.json'}); "
              f"rerun one with: infrasim replay {out} --replication {first}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _add_run(sub: argparse._SubParsersAction) -> None:
    def fraction(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not 0 < value < 1:
            raise argparse.ArgumentTypeError(f"must be a fraction between 0 and 1 "
                                             f"(0.02 for 2%), got {text}")
        return value

    p = sub.add_parser(
        "run",
        help="run many replications (Monte Carlo) and summarise the outcomes",
        description="Run replications of a scenario on all local cores (or a Dask "
        "cluster), store them under runs/NAME (manifest.json, outcomes.csv) and print a "
        "summary. The numbers depend only on scenario, variant, seed and replication "
        "count: any executor or worker count gives identical outcomes.csv bytes. A "
        "killed run continues with --resume. Exit status 1 if any replication failed.",
        epilog="examples: infrasim run scenarios/haditha_2014.yaml -n 10000 | "
        "infrasim run scenarios/haditha_2014.yaml --precision 0.02 --metric fatalities "
        "| infrasim run FILE --out runs/study --resume",
    )
    p.add_argument("file", metavar="FILE", help="scenario YAML file")
    p.add_argument("--variant", "-V", help="apply this named variant")
    how_many = p.add_mutually_exclusive_group()
    how_many.add_argument("-n", "--replications", type=_positive_int, metavar="N",
                          help="number of replications (default: the scenario's)")
    how_many.add_argument("--precision", type=fraction, metavar="P",
                          help="stop adaptively when each --metric's 95%% CI half-width is "
                          "under P times its mean (0.02 = 2%%)")
    p.add_argument("--metric", action="append", metavar="NAME[:FLOOR]",
                   help="outcome to converge (repeatable); FLOOR is an absolute floor for "
                   "means near zero: the target is P * max(|mean|, FLOOR)")
    p.add_argument("--min", type=_positive_int, metavar="N",
                   help="with --precision: at least N replications (default 100)")
    p.add_argument("--max", type=_positive_int, metavar="N",
                   help="with --precision: at most N replications (default 100000)")
    p.add_argument("--executor", metavar="NAME",
                   help="where replications run: serial, processes or dask (default: "
                   "processes, or dask with --scheduler)")
    p.add_argument("--workers", "-w", type=_positive_int, metavar="W",
                   help="worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler to use, e.g. tcp://10.0.0.5:8786 (default: start a "
                   "local cluster)")
    p.add_argument("--seed", type=_seed, help="root seed (default: the scenario's seed)")
    p.add_argument("--out", "-o", metavar="DIR",
                   help="run directory (default: runs/<scenario>[-<variant>]-<time>)")
    p.add_argument("--resume", action="store_true",
                   help="continue the run in --out (default: this scenario's latest run)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_run)


def cmd_replay(args: argparse.Namespace) -> int:
    import traceback

    from .engine.timeline import print_replication
    from .montecarlo import RunError, replay

    try:
        rerun = replay(args.run, args.replication)
    except RunError as error:
        print(f"infrasim replay: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception:  # noqa: BLE001 - a failed replication: its traceback is the point
        traceback.print_exc()
        print(f"infrasim replay: replication {args.replication} raised again "
              f"(traceback above)", file=sys.stderr)
        return EXIT_FAILED
    print_replication(rerun.scenario, rerun.replication)
    if rerun.failure is not None:
        print(f"note: in the run this replication failed with: {rerun.failure.error}")
    elif rerun.matches is None:
        print(f"note: {args.run} holds no outcomes for replication {args.replication}")
    elif rerun.matches:
        print(f"identical to the outcomes stored in {args.run}")
    else:
        print(f"infrasim replay: the outcomes differ from those stored in {args.run}",
              file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _add_replay(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replay",
        help="rerun one replication of a stored run and print its timeline",
        description="Rerun replication K of a run stored by 'infrasim run' (same scenario "
        "file, variant and seed, checked against the run's hash) and print its timeline "
        "and outcomes, and whether they equal the stored ones. A replication that failed "
        "in the run raises again here, with its traceback.",
    )
    p.add_argument("run", metavar="RUN", help="run directory, e.g. runs/haditha_2014-...")
    p.add_argument("--replication", "-k", type=_index, required=True, metavar="K",
                   help="replication index")
    p.set_defaults(func=cmd_replay)


# ---------------------------------------------------------- report, compare, gallery


def cmd_report(args: argparse.Namespace) -> int:
    from .montecarlo import RunError
    from .report.run import write_run_report

    try:
        path = write_run_report(args.run, args.out, replay=not args.no_replay)
    except RunError as error:
        print(f"infrasim report: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {path}")
    return EXIT_OK


def _add_report(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write RUN/report.html: outcomes with CIs, figures, timelines, sources",
        description="Write one self-contained HTML page for a stored run (figures embedded, "
        "opens without a network): the scenario summary, key outcomes with 95% CIs, "
        "exceedance and F-N curves, distributions, the flood along the river, load shed "
        "over the horizon, convergence, input sensitivity, the timelines of a median and "
        "a worst-case replication (rerun from the run's seed) and the scenario's sources "
        "and assumptions.",
        epilog="example: infrasim report runs/haditha_2014-20250101-120000",
    )
    p.add_argument("run", metavar="RUN", help="run directory written by 'infrasim run'")
    p.add_argument("--out", "-o", metavar="FILE", help="write here (default: RUN/report.html)")
    p.add_argument("--no-replay", action="store_true",
                   help="do not rerun replications (no timelines, no load-shed fan chart)")
    p.set_defaults(func=cmd_report)


def cmd_compare(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .montecarlo import RunError
    from .report import compare

    try:
        if args.variants is not None:
            if len(args.items) != 1:
                raise RunError("with --variants give one scenario FILE, not run directories")
            variants = [v.strip() for v in args.variants.split(",") if v.strip()]
            names = list(dict.fromkeys(["base", *variants]))
            if len(names) < 2:
                raise RunError("--variants needs at least one variant name besides 'base'")
            from datetime import datetime

            stem = Path(args.items[0]).stem
            out_dir = Path(args.out) if args.out else \
                Path("runs") / f"{stem}-compare-{datetime.now():%Y%m%d-%H%M%S}"
            runs = compare.run_variants(
                args.items[0], [None if n == "base" else n for n in names],
                args.replications, out_dir, seed=args.seed,
                executor=args.executor or "processes", workers=args.workers,
                progress=not args.quiet and sys.stderr.isatty())
            page = out_dir / compare.COMPARISON
        else:
            if args.replications or args.seed is not None:
                raise RunError("-n and --seed go with --variants (stored runs are compared "
                               "as they are)")
            if len(args.items) < 2:
                raise RunError("give two or more run directories, or a scenario FILE with "
                               "--variants a,b")
            runs = compare.load_runs(args.items)
            page = Path(args.out) if args.out else Path(compare.COMPARISON)
        differences = compare.compare_stored_runs(runs)
    except RunError as error:
        print(f"infrasim compare: {error}", file=sys.stderr)
        return EXIT_USAGE
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 140))
    console.print(compare.comparison_table(runs, differences))
    for run in runs[1:]:
        console.print(compare.pairing_text(runs[0], run, differences[run.label]),
                      highlight=False)
    path = compare.write_comparison_report(runs, differences, page)
    print(f"wrote {path}")
    return EXIT_OK


def _add_compare(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="compare runs (or the variants of a scenario): differences with 95%% CIs",
        description="Compare stored runs with the first one: each key outcome's mean per "
        "run and the difference with its 95% CI, paired by replication when the runs "
        "share seed and replication indices (common random numbers: much tighter), "
        "unpaired (Welch) otherwise; the output says which. Writes comparison.html with "
        "overlaid exceedance and F-N curves. With --variants, runs the base scenario and "
        "the named variants of FILE with one seed first, then compares them.",
        epilog="examples: infrasim compare runs/a runs/b | infrasim compare "
        "scenarios/haditha_2014.yaml --variants reinforced_early,no_reinforcement -n 2000",
    )
    p.add_argument("items", nargs="+", metavar="RUN|FILE",
                   help="run directories (the first is the reference), or one scenario "
                   "file with --variants")
    p.add_argument("--variants", metavar="A,B,...",
                   help="run these variants of FILE and the base scenario ('base'), then "
                   "compare them with the base")
    p.add_argument("-n", "--replications", type=_positive_int, metavar="N",
                   help="with --variants: replications per variant (default: the "
                   "scenario's)")
    p.add_argument("--seed", type=_seed, help="with --variants: root seed (default: the "
                   "scenario's); one seed for all, so the runs share random numbers")
    p.add_argument("--executor", metavar="NAME", help="with --variants: serial, processes "
                   "or dask (default processes)")
    p.add_argument("--workers", "-w", type=_positive_int, metavar="W",
                   help="with --variants: worker processes (default: all cores)")
    p.add_argument("--out", "-o", metavar="PATH",
                   help="comparison page (default ./comparison.html); with --variants the "
                   "directory for the runs and the page (default "
                   "runs/<scenario>-compare-<time>)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_compare)


def cmd_gallery(args: argparse.Namespace) -> int:
    from .montecarlo import RunError
    from .report.gallery import make_gallery

    try:
        written = make_gallery(args.out, args.scenarios, replications=args.replications,
                               seed=args.seed, workers=args.workers,
                               log=None if args.quiet else
                               (lambda text: print(text, file=sys.stderr)))
    except RunError as error:
        print(f"infrasim gallery: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {len(written)} figures and README.md to {args.out}")
    return EXIT_OK


def _add_gallery(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gallery",
        help="regenerate the figures in plots/ from the bundled scenarios",
        description="Run the bundled scenarios (and some variants of the reference "
        "scenario) with their own fixed seeds and write the gallery figures and an index, "
        "plots/README.md. The same code gives the same pictures.",
    )
    p.add_argument("--out", "-o", default="plots", metavar="DIR",
                   help="where to write (default plots/)")
    p.add_argument("--scenarios", metavar="DIR",
                   help="directory of the bundled scenarios (default: the repository's)")
    p.add_argument("-n", "--replications", type=_positive_int, metavar="N",
                   help="replications per run (default: set per scenario, 1,000-2,000)")
    p.add_argument("--seed", type=_seed, help="root seed for every run (default: each "
                   "scenario's own)")
    p.add_argument("--workers", "-w", type=_positive_int, metavar="W",
                   help="worker processes (default: all cores)")
    p.add_argument("--quiet", "-q", action="store_true", help="print only the summary")
    p.set_defaults(func=cmd_gallery)


# ------------------------------------------------------------------------- exercise


def cmd_exercise(args: argparse.Namespace) -> int:
    from .exercise import run_exercise

    result = run_exercise(args.file, variant=args.variant, seed=args.seed,
                          replication=args.replication, script=args.script, out=args.out,
                          forecast_replications=args.forecast_replications, stdin=sys.stdin)
    if result.status != EXIT_OK:
        print(f"infrasim exercise: {result.message}; the exercise so far is in {result.out}",
              file=sys.stderr)
    return result.status


def _add_exercise(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "exercise",
        help="play the scenario's tabletop exercise: injects, decisions, forecasts, report",
        description="Follow one story (a replication of the scenario) through the injects "
        "and decision points of its 'exercise:' section. At each inject the situation is "
        "shown (events so far, forces, dam, flood, grid; Enter continues); at each decision "
        "every option gets a branch forecast from the story's past (P(dam captured), "
        "P(breach), fatalities and unserved energy with 95% CIs, common random numbers) "
        "and the group chooses by number or id. With --script the choices come from a "
        "decisions file and nothing is asked. Writes aar.md, aar.html and msel.csv to "
        "--out. The same seed and choices always give the same story. End of input stops "
        "the exercise with status 2, keeping what was played in the outputs.",
        epilog="examples: infrasim exercise scenarios/haditha_2014.yaml | infrasim exercise "
        "scenarios/haditha_2014.yaml --script scenarios/haditha_2014.decisions.yaml "
        "--out exercises/class-a",
    )
    p.add_argument("file", metavar="FILE", help="scenario YAML file with an exercise section")
    p.add_argument("--variant", "-V", help="apply this named variant")
    p.add_argument("--seed", type=_seed, help="root seed of the story (default: the script's, "
                   "then the scenario's)")
    p.add_argument("--replication", "-k", type=_index, metavar="K",
                   help="replication index of the story (default: the script's, then 0)")
    p.add_argument("--script", metavar="DECISIONS",
                   help="decisions file (decision id: option id) to play without prompts")
    p.add_argument("--out", "-o", metavar="DIR",
                   help="output folder (default: exercises/<scenario>-<time>)")
    p.add_argument("--forecast-replications", "-n", type=_index, metavar="N", default=None,
                   help="branches per option in each forecast (default 300; 0: no "
                   "forecasts)")
    p.set_defaults(func=cmd_exercise)


# ----------------------------------------------------------------------------- main

# Each entry adds one subcommand; order is the order shown by --help.
COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_validate,
    _add_show,
    _add_schema,
    _add_simulate,
    _add_run,
    _add_replay,
    _add_report,
    _add_compare,
    _add_gallery,
    _add_exercise,
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
