"""``infrasim run``: many replications of a scenario (Monte Carlo), stored and summarised."""

from __future__ import annotations

import argparse
import sys

from .common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    add_workers,
    bounded_float,
    local_workers,
    positive_int,
    seed,
    wide_console,
)


def cmd_run(args: argparse.Namespace) -> int:
    """Run the replications, print the headline and the full summary table, and where
    the run is stored."""
    from ..analysis import Catalogue, headline_table, summary_table
    from ..analysis.headline import wanted_outcomes
    from ..engine.prepare import prepare_reference
    from ..montecarlo import ReplicationsFailed, RunError, choose_run_dir
    from ..montecarlo.stopping import parse_metrics
    from ..montecarlo.store import RunStore
    from ..scenario import load_scenario
    from ..workflows import run_scenario

    scenario = load_scenario(args.file, variant=args.variant)
    # The fast routing is the engine's default preparation; the reference one is named
    # in the run's manifest, so a resume with the other fidelity is refused, not mixed.
    fidelity = {"prepare": prepare_reference} if args.fidelity == "reference" else {}
    out = None
    try:
        out = choose_run_dir(scenario, args.out or None, resume=args.resume)
        store = RunStore(out)
        if args.resume and not store.has_run():
            store.check_free()  # files but no run: nothing to resume, and nothing to start
            print(f"no run at {out} yet: starting it", file=sys.stderr)
        result = run_scenario(
            scenario,
            replications=args.replications,
            precision=args.precision,
            seed=args.seed,
            executor=args.executor or ("dask" if args.scheduler else "processes"),
            workers=local_workers(args.workers, args.oversubscribe, "run"),
            out=out,
            metrics=args.metric or (),
            min_replications=args.min,
            max_replications=args.max,
            resume=args.resume,
            scheduler=args.scheduler,
            progress=not args.quiet and sys.stderr.isatty(),
            knowledge=args.knowledge,
            **fidelity,
        )
    except RunError as error:
        print(f"infrasim run: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ReplicationsFailed as error:
        print(f"infrasim run: stopped: {error}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:  # e.g. the disk filled up: what was written stays resumable
        print(f"infrasim run: {error}; continue later with --out {out} --resume",
              file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"interrupted; continue with: infrasim run {args.file}"
              + (f" --variant {args.variant}" if args.variant else "")
              + f" --out {out} --resume", file=sys.stderr)
        return EXIT_INTERRUPTED

    manifest = result.manifest
    metrics = [name for name in parse_metrics(args.metric or ()) if name in result.outcomes]
    catalogue = Catalogue(scenario)
    names = wanted_outcomes(result.outcomes, catalogue, metrics)
    stop = manifest["result"]
    title = f"{manifest['scenario']['name']}" + (
        f", variant {scenario.variant}" if scenario.variant else "") + (
        f": {result.done:,} replications, seed {manifest['seed']}")
    if manifest.get("stopping"):
        title += ", converged" if stop.get("converged") else ", not converged (hit --max)"
    rows = result.summary(names, catalogue)
    console = wide_console(120)
    console.print(headline_table(rows, catalogue, title=title))
    console.print(summary_table(rows, catalogue, title="All outcomes"))
    if args.knowledge:
        print_knowledge(result, catalogue)
    print(f"wrote {out} (outcomes.csv, manifest.json)")
    if result.failed:
        first = result.failures[0].replication
        print(f"infrasim run: {result.failed:,} replication"
              f"{'s' if result.failed != 1 else ''} failed (see {out / 'failures.json'}); "
              f"rerun one with: infrasim replay {out} --replication {first}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def print_knowledge(result, catalogue) -> None:
    """A two-layer run's headline answers across its knowledge samples, and its layers."""
    from ..analysis.knowledge import band_label, band_text, knowledge_bands

    design = result.manifest["knowledge"]
    print(f"\nAcross {design['samples']} knowledge samples ({design['chance_replications']:,} "
          f"chance replications each): median, 90% band")
    for band in knowledge_bands(result.outcomes, catalogue.headline(result.outcomes),
                                catalogue):
        median, low_high = band_text(band, catalogue)
        print(f"  {band_label(band.name, catalogue)}: median {median}, 90% band {low_high}")
    groups: dict[str, int] = {}
    for path in design["inputs"]:
        groups[path.split(".")[0]] = groups.get(path.split(".")[0], 0) + 1
    print(f"{len(design['inputs'])} knowledge inputs ("
          + ", ".join(f"{group} {count}" for group, count in groups.items())
          + "), listed in the manifest and the report; every other input is chance")


fraction = bounded_float(0.0, 1.0, "a fraction")  # a precision: 0.02 for 2%


def add_run(sub: argparse._SubParsersAction) -> None:
    """Add ``infrasim run``."""
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
    how_many.add_argument("-n", "--replications", type=positive_int, metavar="N",
                          help="number of replications (default: the scenario's)")
    how_many.add_argument("--precision", type=fraction, metavar="P",
                          help="stop adaptively when each --metric's 95%% CI half-width is "
                          "under P times its mean (0.02 = 2%%)")
    p.add_argument("--knowledge", type=positive_int, metavar="M",
                   help="two layers: M Latin-hypercube samples of the knowledge inputs "
                   "(fixed facts we lack), each with -n chance replications; prints each "
                   "headline answer's median and 90%% band across the samples")
    p.add_argument("--metric", action="append", metavar="NAME[:FLOOR]",
                   help="outcome to converge (repeatable); FLOOR is an absolute floor for "
                   "means near zero: the target is P * max(|mean|, FLOOR)")
    p.add_argument("--min", type=positive_int, metavar="N",
                   help="with --precision: at least N replications (default 100)")
    p.add_argument("--max", type=positive_int, metavar="N",
                   help="with --precision: at most N replications (default 100000)")
    p.add_argument("--executor", metavar="NAME",
                   help="where replications run: serial, processes or dask (default: "
                   "processes, or dask with --scheduler)")
    add_workers(p)
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler to use, e.g. tcp://10.0.0.5:8786 (default: start a "
                   "local cluster)")
    p.add_argument("--seed", type=seed, help="root seed (default: the scenario's seed)")
    p.add_argument("--out", "-o", metavar="DIR",
                   help="run directory (default: runs/<scenario>[-<variant>]-<time>)")
    p.add_argument("--resume", action="store_true",
                   help="continue the run in --out (default: this scenario's latest run)")
    p.add_argument("--fidelity", choices=("fast", "reference"), default="fast",
                   help="flood routing of each breach: fast (diffusion wave, the default) or "
                   "reference (the 1-D shallow-water solver; seconds per breach, for checking "
                   "a study; see README, Validation)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_run)
