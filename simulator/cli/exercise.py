"""``infrasim exercise``: the scenario's tabletop exercise, at the terminal or scripted."""

from __future__ import annotations

import argparse
import sys

from .common import EXIT_OK, EXIT_USAGE, index, seed


def cmd_exercise(args: argparse.Namespace) -> int:
    """Play the scenario's tabletop exercise, interactively or from a script."""
    from ..exercise.run import OutputError, run_exercise

    try:
        result = run_exercise(args.file, variant=args.variant, seed=args.seed,
                              replication=args.replication, script=args.script, out=args.out,
                              forecast_replications=args.forecast_replications,
                              stdin=sys.stdin, force=args.force, story=args.story,
                              controller=args.controller)
    except (OutputError, ValueError) as error:
        print(f"infrasim exercise: {error}", file=sys.stderr)
        return EXIT_USAGE
    if result.status != EXIT_OK:
        print(f"infrasim exercise: {result.message}; the exercise so far is in {result.out}",
              file=sys.stderr)
    return result.status


def story(text: str) -> str:
    """A ``--story``: a replication number or a level of `STORY_LEVELS`."""
    from ..exercise.session import STORY_LEVELS

    if text.isdigit() or text in STORY_LEVELS:
        return text
    raise argparse.ArgumentTypeError(f"not a replication number or one of "
                                     f"{', '.join(STORY_LEVELS)}: {text!r}")


def add_story_arguments(p: argparse.ArgumentParser) -> None:
    """``--story`` and ``--replication`` (one or the other), shared with the board."""
    group = p.add_mutually_exclusive_group()
    group.add_argument("--story", type=story, metavar="K|LEVEL",
                       help="the story: replication K, or the first replication where the dam "
                       "is at least 'threatened' (attacked), 'captured' or 'breach'ed under "
                       "the scenario's plan (default: the script's replication, then "
                       "'threatened')")
    group.add_argument("--replication", "-k", type=index, metavar="K",
                       help="replication index of the story (the same as --story K)")


def add_exercise(sub: argparse._SubParsersAction) -> None:
    """Add ``infrasim exercise``."""
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
    p.add_argument("--seed", type=seed, help="root seed of the story (default: the script's, "
                   "then the scenario's)")
    add_story_arguments(p)
    p.add_argument("--script", metavar="DECISIONS",
                   help="decisions file (decision id: option id) to play without prompts; "
                   "its 'scenario:' line, if any, must name FILE")
    p.add_argument("--out", "-o", metavar="DIR",
                   help="output folder (default: exercises/<scenario>-<time>); checked "
                   "before the exercise starts")
    p.add_argument("--force", action="store_true",
                   help="replace an earlier exercise's outputs in --out")
    p.add_argument("--controller", action="store_true",
                   help="show what only the facilitator should see: true strengths and "
                   "expected actions (by default the players' view: strengths only as "
                   "reported ranges)")
    p.add_argument("--forecast-replications", "-n", type=index, metavar="N", default=None,
                   help="branches per option in each forecast (default 300; 0: no "
                   "forecasts)")
    p.set_defaults(func=cmd_exercise)
