"""Commands that write pages and figures: ``report``, ``compare`` and ``gallery``.

``report`` renders one stored run, ``compare`` several runs (or the variants of a
scenario, run first) and ``gallery`` the figures in plots/.
"""

from __future__ import annotations

import argparse
import sys

from .common import (
    EXIT_OK,
    EXIT_USAGE,
    add_workers,
    local_workers,
    positive_int,
    seed,
    wide_console,
)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the HTML report of a stored run (making its exhibits first if it lacks
    them)."""
    from ..montecarlo import RunError
    from ..workflows import report_run

    try:
        path = report_run(args.run, args.out, log=_stderr)
    except RunError as error:
        print(f"infrasim report: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {path}")
    return EXIT_OK


def _stderr(text: str) -> None:
    """Print one line of a workflow's log on stderr."""
    print(text, file=sys.stderr)


def add_report(sub: argparse._SubParsersAction) -> None:
    """Add ``infrasim report``."""
    p = sub.add_parser(
        "report",
        help="write RUN/report.html: outcomes with CIs, figures, timelines, sources",
        description="Write one self-contained HTML page for a stored run (figures embedded, "
        "opens without a network): the scenario summary, key outcomes with 95% CIs, "
        "exceedance and F-N curves, distributions, the flood along the river, the grid over "
        "the horizon (P(plant off the grid) and the load shed the attack adds), "
        "convergence, input sensitivity, the timelines of a median and a worst-case "
        "replication and the scenario's sources and assumptions. Renders what the run "
        "stores; a run stored without timelines and load-shed series (made before they "
        "were stored, or by run_monte_carlo from Python) gets them first, rerun from its "
        "scenario file and seed.",
        epilog="example: infrasim report runs/haditha_2014-20250101-120000",
    )
    p.add_argument("run", metavar="RUN", help="run directory written by 'infrasim run'")
    p.add_argument("--out", "-o", metavar="FILE", help="write here (default: RUN/report.html)")
    p.set_defaults(func=cmd_report)


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare stored runs, or run the variants of a scenario and compare them."""
    from pathlib import Path

    from ..formatting import terminal_text
    from ..montecarlo import RunError
    from ..report import compare
    from ..workflows import compare_variants, load_runs

    try:
        if args.out is not None and Path(args.out).is_dir():
            raise RunError(f"-o/--out is the comparison page, a file; {args.out} is a "
                           "directory (with --variants, --runs-dir says where the runs go)")
        if args.variants is not None:
            if len(args.items) != 1:
                raise RunError("with --variants give one scenario FILE, not run directories")
            variants = [v.strip() for v in args.variants.split(",") if v.strip()]
            names = list(dict.fromkeys(["base", *variants]))
            if len(names) < 2:
                raise RunError("--variants needs at least one variant name besides 'base'")
            runs = compare_variants(
                args.items[0], [None if n == "base" else n for n in names], args.runs_dir,
                replications=args.replications, seed=args.seed,
                executor=args.executor or "processes",
                workers=local_workers(args.workers, args.oversubscribe, "compare"),
                progress=not args.quiet and sys.stderr.isatty())
            page = runs[0].path.parent / compare.COMPARISON
        else:
            given = [option for option, value in (
                ("-n", args.replications), ("--seed", args.seed), ("--executor", args.executor),
                ("--workers", args.workers), ("--runs-dir", args.runs_dir)) if value is not None]
            if given:
                raise RunError(f"{', '.join(given)} go{'es' if len(given) == 1 else ''} with "
                               "--variants (stored runs are compared as they are)")
            if len(args.items) < 2:
                raise RunError("give two or more run directories, or a scenario FILE with "
                               "--variants a,b")
            runs = load_runs(args.items)
            page = Path(compare.COMPARISON)
        differences = compare.compare_stored_runs(runs)
    except RunError as error:
        print(f"infrasim compare: {error}", file=sys.stderr)
        return EXIT_USAGE
    warning = compare.scenario_files_warning(runs)
    if warning:
        print(f"infrasim compare: warning: {warning}", file=sys.stderr)
    console = wide_console(140)
    console.print(compare.comparison_table(runs, differences))
    for run in runs[1:]:
        console.print(terminal_text(compare.pairing_text(runs[0], run, differences[run.label])),
                      highlight=False)
    path = compare.write_comparison_report(runs, differences, args.out or page)
    print(f"wrote {path}")
    return EXIT_OK


def add_compare(sub: argparse._SubParsersAction) -> None:
    """Add ``infrasim compare``."""
    p = sub.add_parser(
        "compare",
        help="compare runs (or the variants of a scenario): differences with 95%% CIs",
        description="Compare stored runs with the first one: each key outcome's mean per "
        "run and the difference with its 95% CI, paired by replication when the runs "
        "share seed and replication indices (common random numbers: much tighter), "
        "unpaired (Welch) otherwise; the output says which, and warns when the runs are "
        "of different scenario files. Writes a page (-o, default comparison.html) with "
        "overlaid exceedance and F-N curves. With --variants, runs the base scenario and "
        "the named variants of FILE with one seed first (stored under --runs-dir), then "
        "compares them.",
        epilog="examples: infrasim compare runs/a runs/b | infrasim compare "
        "scenarios/haditha_2014.yaml --variants reinforced_early,no_reinforcement -n 2000",
    )
    p.add_argument("items", nargs="+", metavar="RUN|FILE",
                   help="run directories (the first is the reference), or one scenario "
                   "file with --variants")
    p.add_argument("--variants", metavar="A,B,...",
                   help="run these variants of FILE and the base scenario ('base'), then "
                   "compare them with the base")
    p.add_argument("-n", "--replications", type=positive_int, metavar="N",
                   help="with --variants: replications per variant (default: the "
                   "scenario's)")
    p.add_argument("--seed", type=seed, help="with --variants: root seed (default: the "
                   "scenario's); one seed for all, so the runs share random numbers")
    p.add_argument("--executor", metavar="NAME", help="with --variants: serial, processes "
                   "or dask (default processes)")
    add_workers(p, "with --variants: ")
    p.add_argument("--runs-dir", metavar="DIR",
                   help="with --variants: where the runs are stored, one directory per "
                   "variant (default runs/<scenario>-compare-<time>)")
    p.add_argument("--out", "-o", metavar="FILE",
                   help="the comparison page (default: comparison.html in the current "
                   "directory, or with --variants beside the runs)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_compare)


def cmd_gallery(args: argparse.Namespace) -> int:
    """Regenerate the gallery figures and their index."""
    from ..montecarlo import RunError
    from ..workflows import make_gallery

    try:
        written = make_gallery(args.out, args.scenarios, replications=args.replications,
                               seed=args.seed,
                               workers=local_workers(args.workers, args.oversubscribe, "gallery"),
                               log=None if args.quiet else _stderr)
    except RunError as error:
        print(f"infrasim gallery: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {len(written)} figures and README.md to {args.out}")
    return EXIT_OK


def add_gallery(sub: argparse._SubParsersAction) -> None:
    """Add ``infrasim gallery``."""
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
    p.add_argument("-n", "--replications", type=positive_int, metavar="N",
                   help="replications per run (default: set per scenario, 1,000-2,000)")
    p.add_argument("--seed", type=seed, help="root seed for every run (default: each "
                   "scenario's own)")
    add_workers(p)
    p.add_argument("--quiet", "-q", action="store_true", help="print only the summary")
    p.set_defaults(func=cmd_gallery)
