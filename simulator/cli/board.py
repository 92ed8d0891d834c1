"""``infrasim board``: the tabletop exercise in the browser, for a facilitator and a room."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

from .common import EXIT_OK, EXIT_USAGE, index, seed
from .exercise import add_story_arguments

DEFAULT_PORT = 8000


def cmd_board(args: argparse.Namespace) -> int:
    """Start the board's web server and print the addresses of its views."""
    if args.bind is not None and not args.host:
        print("infrasim board: --bind goes with --host (the board is local without it)",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        from ..exercise.board.server import new_token, serve
        from ..exercise.board.state import BOARD_JSON, Board, BoardRefusal
    except ImportError as error:
        print(f"infrasim board: {error.name} is missing; install the board extra: "
              "pip install 'infrasim[board]'", file=sys.stderr)
        return EXIT_USAGE
    from ..exercise.run import default_out, pick_story
    from ..formatting import elapsed_text

    out = Path(args.out) if args.out else default_out(args.file, args.variant)
    if args.resume and not args.out:
        print("infrasim board: --resume needs --out, the folder of the session to continue",
              file=sys.stderr)
        return EXIT_USAGE
    if not args.resume and (out / BOARD_JSON).exists() and not args.force:
        print(f"infrasim board: {out} already holds a board session; --resume to continue "
              "it, or --force to start again", file=sys.stderr)
        return EXIT_USAGE
    try:
        replication = args.replication
        if replication is None and not args.resume:
            replication = pick_story(args.file, args.story, variant=args.variant,
                                     seed=args.seed)
        board = Board(args.file, out, variant=args.variant, seed=args.seed,
                      replication=replication or 0, resume=args.resume,
                      forecast_replications=args.forecast_replications)
    except (BoardRefusal, ValueError) as error:
        print(f"infrasim board: {error}", file=sys.stderr)
        return EXIT_USAGE
    host = (args.bind or "0.0.0.0") if args.host else "127.0.0.1"
    token = new_token() if args.host else None
    # on all interfaces, the players reach this machine by its name (or its address)
    shown = socket.gethostname() if host in ("0.0.0.0", "::") else (
        "localhost" if host == "127.0.0.1" else host)
    query = f"?token={token}" if token else ""
    session = board.session
    print(f"{session.info.name}: story seed {session.seed}, replication {session.replication}; "
          f"saved to {out}")
    first = next(((step_id, time_s) for kind, step_id, time_s, _ in session.schedule()
                  if kind == "decision" and time_s is not None), None)
    if first is not None:
        print(f"first decision: {first[0]} at {elapsed_text(first[1])} (scenario time)")
    print(f"room (projector, players):   http://{shown}:{args.port}/room")
    print(f"control (facilitator only):  http://{shown}:{args.port}/control{query}")
    for role_id, name in board.roles.items():
        print(f"{name} (role inbox):".ljust(29) + f"http://{shown}:{args.port}/role/{role_id}")
    if token:
        print(f"join token for the control view: {token} (open to the network on {host}; "
              "control actions without it are refused)")
    print("Ctrl-C stops the board; --resume --out", out, "continues it")
    serve(board, host, args.port, token).run()
    return EXIT_OK


def add_board(sub: argparse._SubParsersAction) -> None:
    """Add ``infrasim board``."""
    p = sub.add_parser(
        "board",
        help="the tabletop exercise in the browser: /room for the projector, /control for "
        "the facilitator",
        description="Start a local web server that plays the scenario's tabletop exercise: "
        "/room shows the players the map, the game clock, inject cards and, at a decision, "
        "the options' forecasts (the fog of war: enemy strengths only as reported); "
        "/control shows the facilitator the true state and expected actions, with the "
        "controls (next, hold, choose, undo, the group's reasons, notes). The session is "
        "saved after every step to --out (decisions.yaml, board.json); at the end the "
        "after-action report, MSEL and decisions are written there. Binds 127.0.0.1 "
        "unless --host; then control needs the join token printed at start.",
        epilog="example: infrasim board scenarios/haditha_2014.yaml --story captured",
    )
    p.add_argument("file", metavar="FILE", help="scenario YAML file with an exercise section")
    p.add_argument("--variant", "-V", help="apply this named variant")
    p.add_argument("--seed", type=seed, help="root seed of the story (default: the scenario's)")
    add_story_arguments(p)
    p.add_argument("--out", "-o", metavar="DIR",
                   help="folder the session is saved to (default: exercises/<scenario>-<time>)")
    p.add_argument("--resume", action="store_true",
                   help="continue the session saved in --out")
    p.add_argument("--force", action="store_true",
                   help="start a new session in an --out that holds one")
    p.add_argument("--port", type=index, default=DEFAULT_PORT,
                   help=f"port to listen on (default {DEFAULT_PORT})")
    p.add_argument("--host", action="store_true",
                   help="open the board to the network (all interfaces, or --bind); control "
                   "then needs the join token")
    p.add_argument("--bind", metavar="ADDRESS",
                   help="with --host: the address to listen on (default 0.0.0.0, all "
                   "interfaces)")
    p.add_argument("--forecast-replications", "-n", type=index, metavar="N", default=300,
                   help="branches per option in each forecast (default 300)")
    p.set_defaults(func=cmd_board)
