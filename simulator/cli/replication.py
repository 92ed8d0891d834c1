"""Commands on one replication: ``simulate`` and ``replay``.

``simulate`` runs one, ``replay`` reruns one of a stored run; both print its timeline
and outcomes.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, index, seed

if TYPE_CHECKING:
    from ..engine import Replication
    from ..scenario.schema import Scenario


def cmd_simulate(args: argparse.Namespace) -> int:
    """Run one replication of the scenario and print its timeline and outcomes."""
    from ..engine import simulate
    from ..engine.timeline import print_replication
    from ..scenario import load_scenario

    scenario = load_scenario(args.file, variant=args.variant)
    replication = simulate(scenario, seed=args.seed, replication=args.replication,
                           timeline=True)
    print_replication(scenario, replication, labels=outcome_labels(scenario, replication))
    return EXIT_OK


def outcome_labels(scenario: Scenario, replication: Replication) -> dict[str, str]:
    """Each outcome's label with its unit, from the outcome catalogue."""
    from ..analysis.catalogue import Catalogue

    catalogue = Catalogue(scenario)
    return {name: catalogue.value_heading(name) for name in replication.outcomes}


def add_simulate(sub: argparse._SubParsersAction) -> None:
    """Add ``infrasim simulate``."""
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
    p.add_argument("--seed", type=seed, help="root seed (default: the scenario's seed)")
    p.add_argument("--replication", "-k", type=index, default=0, metavar="K",
                   help="replication index (default 0)")
    p.set_defaults(func=cmd_simulate)


def cmd_replay(args: argparse.Namespace) -> int:
    """Rerun one replication of a stored run, print it and say whether it matches."""
    import traceback

    from ..engine.timeline import print_replication
    from ..montecarlo import RunError, replay

    try:
        rerun = replay(args.run, args.replication)
    except RunError as error:
        print(f"infrasim replay: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception:  # a failed replication: its traceback is the point
        traceback.print_exc()
        print(f"infrasim replay: replication {args.replication} raised again "
              f"(traceback above)", file=sys.stderr)
        return EXIT_FAILED
    print_replication(rerun.scenario, rerun.replication,
                      labels=outcome_labels(rerun.scenario, rerun.replication))
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


def add_replay(sub: argparse._SubParsersAction) -> None:
    """Add ``infrasim replay``."""
    p = sub.add_parser(
        "replay",
        help="rerun one replication of a stored run and print its timeline",
        description="Rerun replication K of a run stored by 'infrasim run' (same scenario "
        "file, variant and seed, checked against the run's hash) and print its timeline "
        "and outcomes, and whether they equal the stored ones. A replication that failed "
        "in the run raises again here, with its traceback.",
    )
    p.add_argument("run", metavar="RUN", help="run directory, e.g. runs/haditha_2014-...")
    p.add_argument("--replication", "-k", type=index, required=True, metavar="K",
                   help="replication index")
    p.set_defaults(func=cmd_replay)
