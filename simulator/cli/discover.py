"""``infrasim discover``: under which input ranges an event of a stored run happens.

Scenario discovery with PRIM (`simulator.analysis.discovery`): prints each box found as
a rule in the outcome catalogue's words, with its coverage and density, and draws the
peeling trajectory's trade-off between the two.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from pathlib import Path

from .common import EXIT_OK, EXIT_USAGE, bounded_float, positive_int

_share = bounded_float(0.0, 0.5, "a share")


def _slug(text: str) -> str:
    """The event as a file-name part: ``fatalities>1000`` -> ``fatalities-gt-1000``."""
    for operator, word in ((">=", "-ge-"), ("<=", "-le-"), (">", "-gt-"), ("<", "-lt-")):
        text = text.replace(operator, word)
    return re.sub(r"[^A-Za-z0-9_.-]+", "", text)


def cmd_discover(args: argparse.Namespace) -> int:
    """Find and print the boxes of input ranges where the event concentrates."""
    from ..analysis.catalogue import Catalogue
    from ..analysis.discovery import DiscoveryError, discover, parse_event, rules
    from ..formatting import terminal_text
    from ..montecarlo import RunError, load_run

    try:
        run = load_run(args.run)
        catalogue = Catalogue(run.manifest.get("resolved_scenario") or None)
        columns = run.outcomes
        event = parse_event(args.outcome, list(columns), catalogue)
    except (RunError, DiscoveryError) as error:
        print(f"infrasim discover: {error}", file=sys.stderr)
        return EXIT_USAGE
    found = discover(columns, event, catalogue, alpha=args.alpha, min_mass=args.min_mass,
                     boxes=args.boxes)
    result = found.result
    print(terminal_text(f"{found.phrase[:1].upper()}{found.phrase[1:]}: "
                        f"{result.events:,} of {result.replications:,} replications; "
                        f"PRIM over {len(found.inputs)} varying inputs (peel {args.alpha:g}, "
                        f"smallest box {args.min_mass:.0%} of the replications)"))
    for number, rule in enumerate(rules(found, catalogue), start=1):
        lead = f"{number}. " if result.boxes else ""
        print(textwrap.fill(terminal_text(rule), width=100, initial_indent=lead,
                            subsequent_indent=" " * len(lead)))
    if result.trajectory:
        from .. import plotting

        path = Path(args.plot) if args.plot else \
            Path(args.run) / f"discover-{_slug(args.outcome)}.png"
        plotting.save_figure(plotting.plot_prim_tradeoff(result, event=found.phrase), path)
        print(f"wrote {path} (coverage against density along the peeling trajectory)")
    return EXIT_OK


def add_discover(sub: argparse._SubParsersAction) -> None:
    """Add ``infrasim discover``."""
    p = sub.add_parser(
        "discover",
        help="scenario discovery: the input ranges under which an event happens (PRIM)",
        description="Find, with PRIM (Friedman & Fisher 1999), a few boxes of the run's "
        "sampled inputs where an event is concentrated, and print each as a rule with its "
        "density (how often the event happens inside) and coverage (how much of all the "
        "events it explains). Draws the trade-off between the two along PRIM's peeling "
        "trajectory. Reads the stored run only.",
        epilog="examples: infrasim discover runs/haditha_2014-20250101-120000 --outcome "
        "dam_captured;  ... --outcome 'fatalities>1000';  ... --outcome 'arrival_h.hit<12'",
    )
    p.add_argument("run", metavar="RUN", help="run directory written by 'infrasim run'")
    p.add_argument("--outcome", required=True, metavar="EVENT",
                   help="a yes/no outcome (dam_captured), a time to an event "
                   "(capture_h.haditha: it happened), an amount (fatalities: above 0), or an "
                   "outcome with <, <=, > or >= and a number (fatalities>1000)")
    p.add_argument("--boxes", type=positive_int, default=3, metavar="N",
                   help="at most N boxes, each among the replications the earlier ones "
                   "left (default 3)")
    p.add_argument("--alpha", type=_share, default=0.05, metavar="A",
                   help="share of a box peeled or pasted in one step (default 0.05)")
    p.add_argument("--min-mass", type=_share, default=0.05, metavar="M",
                   help="peel no box below this share of the replications (default 0.05)")
    p.add_argument("--plot", metavar="FILE",
                   help="write the trade-off figure here (default: "
                   "RUN/discover-<EVENT>.png)")
    p.set_defaults(func=cmd_discover)
