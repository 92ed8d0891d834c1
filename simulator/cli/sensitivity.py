"""``infrasim sensitivity``: which knowledge inputs drive the headline answers (Sobol
indices, or Morris screening for many inputs)."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from typing import TypeVar

from .common import EXIT_OK, EXIT_USAGE, add_workers, local_workers, positive_int, seed

DEFAULT_CHANCE = 50  # chance replications averaged at each point of the design
OUTSIDE = "!"  # marks a Sobol index estimate outside [0, 1]
T = TypeVar("T")


def _quietly(compute: Callable[[], T]) -> T:
    """`compute()`, with SALib's warnings said once each on one line, not as tracebacks
    of its source."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = compute()
    for message in dict.fromkeys(str(w.message).strip() for w in caught):
        print(f"infrasim sensitivity: SALib: {message}", file=sys.stderr)
    return value


def index_text(value: float, half: float) -> str:
    """A Sobol index with its bootstrap half-width, flagged when the estimate falls
    outside [0, 1], where no index can be (too few samples for this one)."""
    flag = OUTSIDE if not 0.0 <= value <= 1.0 else " "
    return f"{value:6.2f}{flag}±{half:5.2f}"


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Sample the knowledge inputs with Saltelli's (or Morris's) scheme, run each point's
    chance replications as one two-layer run, and print the headline outcomes' indices."""
    from ..analysis import Catalogue
    from ..analysis.morris import morris_points, run_effects, to_quantiles
    from ..analysis.sobol import run_indices, saltelli_points
    from ..formatting import number_text
    from ..montecarlo import RunError, choose_run_dir
    from ..montecarlo.knowledge import KnowledgeDesign, quantiles
    from ..scenario import load_scenario
    from ..scenario.inputs import input_specs, random_input_paths
    from ..scenario.layers import Layers
    from ..workflows import run_scenario

    try:
        import SALib  # noqa: F401 - only to say how to get it
    except ImportError:
        print("infrasim sensitivity needs SALib: pip install 'infrasim[sensitivity]'",
              file=sys.stderr)
        return EXIT_USAGE
    base = args.replications
    if args.method == "sobol" and base & (base - 1):
        print(f"infrasim sensitivity: -n {base} is not a power of 2; Sobol indices use "
              "Saltelli's design on a Sobol' sequence, which needs one (e.g. 32, 64, 128)",
              file=sys.stderr)
        return EXIT_USAGE
    scenario = load_scenario(args.file, variant=args.variant)
    root = int(scenario.scenario.seed if args.seed is None else args.seed)
    paths = Layers.of(scenario, random_input_paths(scenario)).knowledge
    if len(paths) < 2:
        print(f"infrasim sensitivity: {args.file} has {len(paths)} knowledge input(s); "
              f"indices need at least two (mark inputs with scenario.uncertainty)",
              file=sys.stderr)
        return EXIT_USAGE
    if args.method == "sobol":
        method, unit = "saltelli", _quietly(lambda: saltelli_points(paths, base, root))
    else:
        method, unit = "morris", to_quantiles(morris_points(paths, args.replications, root))
    design = KnowledgeDesign(tuple(paths), quantiles(input_specs(scenario), paths, unit, root),
                             args.chance, method=method)
    out = choose_run_dir(scenario, args.out or None, resume=args.resume)
    print(f"{len(paths)} knowledge inputs, {design.samples:,} points x {args.chance} chance "
          f"replications = {design.replications:,} replications", file=sys.stderr)
    try:
        result = run_scenario(scenario, replications=args.chance, seed=root,
                              executor=args.executor or "processes",
                              workers=local_workers(args.workers, args.oversubscribe,
                                                    "sensitivity"),
                              out=out, resume=args.resume, knowledge=design,
                              progress=not args.quiet and sys.stderr.isatty())
    except RunError as error:
        print(f"infrasim sensitivity: {error}", file=sys.stderr)
        return EXIT_USAGE
    catalogue = Catalogue(scenario)
    names = catalogue.headline(result.outcomes)
    if method == "saltelli":
        flagged = False
        indices = _quietly(lambda: run_indices(result.outcomes, result.manifest, catalogue,
                                               names))
        for name, rows in indices.items():
            print(f"\n{catalogue.label(name)}: Sobol indices (95% bootstrap half-widths)")
            print(f"  {'input':<52} {'first':>14} {'total':>14}")
            for r in rows[:args.top]:
                first, total = index_text(r.first, r.first_half), index_text(r.total,
                                                                             r.total_half)
                flagged = flagged or OUTSIDE in first + total
                print(f"  {r.label[:52]:<52} {first} {total}")
        if flagged:
            print(f"\n{OUTSIDE} an estimate outside [0, 1], where no index can be: too few "
                  "samples for it; a larger -n narrows it")
    else:
        effects_of = _quietly(lambda: run_effects(result.outcomes, result.manifest,
                                                  catalogue, names))
        for name, effects in effects_of.items():
            print(f"\n{catalogue.heading(name)}: Morris mu* (95% bootstrap half-width), "
                  f"sigma")
            for e in effects[:args.top]:
                print(f"  {e.label[:52]:<52} {number_text(e.mu_star):>9} "
                      f"±{number_text(e.mu_star_half):>8} {number_text(e.sigma):>9}")
    print(f"wrote {out} (outcomes.csv, manifest.json); infrasim report {out} draws them")
    return EXIT_OK


def add_sensitivity(sub: argparse._SubParsersAction) -> None:
    """Add ``infrasim sensitivity``."""
    p = sub.add_parser(
        "sensitivity",
        help="Sobol indices or Morris screening: which knowledge inputs drive the answers",
        description="Sample the scenario's knowledge inputs (SALib), run CHANCE "
        "replications at each point, and report for the headline outcomes either "
        "first-order and total Sobol indices (--method sobol, Saltelli's scheme) or Morris "
        "elementary effects (--method morris, Morris's trajectories), with 95% bootstrap "
        "intervals. The run is stored like any run (its report shows the indices) and "
        "resumes with --resume.",
        epilog="example: infrasim sensitivity scenarios/haditha_2014.yaml -n 64 --chance 50",
    )
    p.add_argument("file", metavar="FILE", help="scenario YAML file")
    p.add_argument("--variant", "-V", help="apply this named variant")
    p.add_argument("--method", choices=("sobol", "morris"), default="sobol",
                   help="sobol: first-order and total indices (Saltelli's design); morris: "
                   "elementary effects, a cheaper screening of many inputs")
    p.add_argument("-n", "--replications", type=positive_int, default=64, metavar="N",
                   help="sobol: base samples, a power of 2 (points: N x (inputs + 2)); "
                   "morris: trajectories (points: N x (inputs + 1)); default 64")
    p.add_argument("--chance", type=positive_int, default=DEFAULT_CHANCE, metavar="R",
                   help=f"chance replications averaged at each point (default "
                   f"{DEFAULT_CHANCE})")
    p.add_argument("--top", type=positive_int, default=10, metavar="K",
                   help="inputs listed per outcome (default 10)")
    p.add_argument("--executor", metavar="NAME", help="serial, processes or dask")
    add_workers(p)
    p.add_argument("--seed", type=seed, help="root seed (default: the scenario's seed)")
    p.add_argument("--out", "-o", metavar="DIR", help="run directory")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_sensitivity)
