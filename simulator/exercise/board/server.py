"""The board's web server: a small Starlette app over one `Board`.

Pages: ``/room`` (the players' view, for the projector; any number of browsers),
``/role/ID`` (a role's inbox: the players' view of what goes to that role), ``/control``
(the facilitator's) and ``/cards`` (printable inject cards, `cards`). Each page loads its view from ``/api/state`` and then
follows ``/api/events``, a Server-Sent Events stream that sends the view again whenever
the board changes (and ``busy`` events while forecasts are computed). Control actions are
``POST /api/<action>``. Everything the pages need is in the package's ``static/`` folder;
nothing comes from the internet.

With a `token` (the server is open to a classroom network) the facilitator's view, the
cards and every control action need it, as ``?token=`` or the ``X-Board-Token`` header; without
it they are refused with status 403. Work that takes time (forecasts, replays) runs in a
worker thread so the room keeps updating.

Whatever the token, other web pages open in the facilitator's browser must not drive or
read the board: a request whose ``Host`` is not the address the board is bound to (or
localhost; any host when bound to all interfaces, where the token guards control) is
refused (DNS rebinding), so is one whose ``Origin``, when the browser sends one, is not
the board's own, and a control action must be sent as JSON (``Content-Type:
application/json``, which a plain cross-site form cannot send without asking first).
"""

from __future__ import annotations

import html
import json
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from .cards import inject_cards_page
from .state import Board, BoardRefusal

__all__ = ["create_app", "new_token"]

STATIC = resources.files(__package__) / "static"
POLL_S = 0.2  # how often an event stream looks for a change
HEARTBEAT_S = 15.0  # a comment line keeps idle connections open through proxies
BUSY = {"advance": "the story moves on (and forecasts are computed)…",
        "choose": "the choice is taken…", "undo": "the story is replayed without the last "
        "decision…", "hold": "", "reasons": "", "note": ""}


def new_token() -> str:
    """A random join token for the facilitator (printed at start)."""
    return secrets.token_urlsafe(9)


def _authorised(request: Request, token: str | None) -> bool:
    if token is None:
        return True
    given = request.headers.get("x-board-token") or request.query_params.get("token") or ""
    return secrets.compare_digest(given, token)


LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
ALL_INTERFACES = frozenset({"0.0.0.0", "::", ""})


def _host_name(netloc: str) -> str | None:
    """The host name of a ``host[:port]`` (lower case; None when malformed)."""
    try:
        return urlsplit(f"//{netloc}").hostname
    except ValueError:
        return None


def _foreign(request: Request, bind: str) -> str | None:
    """Why `request` does not come from the board's own pages (None when it does)."""
    host = request.headers.get("host", "")
    if bind not in ALL_INTERFACES and _host_name(host) not in LOCAL_NAMES | {bind.lower()}:
        return f"the board does not answer to the host '{host}'"
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
        return f"the board does not answer pages from '{origin}'"
    return None


class _SameOrigin:
    """Refuse (403) every request that does not come from the board's own pages."""

    def __init__(self, app: ASGIApp, bind: str) -> None:
        self.app = app
        self.bind = bind

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            reason = _foreign(Request(scope), self.bind)
            if reason is not None:
                await JSONResponse({"error": reason}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _refused() -> JSONResponse:
    return JSONResponse({"error": "the facilitator's view and controls need the join token "
                         "printed when the board started"}, status_code=403)


def create_app(board: Board, token: str | None = None, bind: str = "127.0.0.1") -> Starlette:
    """The app serving `board` on the address `bind`; `token` None leaves control open
    (localhost only)."""
    page = (STATIC / "board.html").read_text(encoding="utf-8")
    closing = threading.Event()  # set to end the event streams (shutdown)

    def view_of(request: Request) -> tuple[bool, str | None] | Response:
        """(controller, role) of the view asked for, or the refusal."""
        view = request.query_params.get("view")
        if view == "control":
            return (True, None) if _authorised(request, token) else _refused()
        if view == "role":
            role = request.query_params.get("role", "")
            if role not in board.roles:
                return JSONResponse({"error": f"no role '{role}' in this exercise"}, 404)
            return False, role
        return False, None

    def render_page(view: str, role: str = "") -> str:
        return page.replace("{{view}}", view).replace("{{role}}", html.escape(role, quote=True))

    async def room(request: Request) -> Response:
        return HTMLResponse(render_page("room"))

    async def role_page(request: Request) -> Response:
        role = request.path_params["role"]
        if role not in board.roles:
            known = ", ".join(board.roles) or "none"
            return HTMLResponse(f"<h1>No role '{html.escape(role)}' in this exercise</h1>"
                                f"<p>Roles: {html.escape(known)}.</p>", 404)
        return HTMLResponse(render_page("role", role))

    async def control(request: Request) -> Response:
        if not _authorised(request, token):
            return HTMLResponse("<h1>The control view needs the join token</h1><p>Open the "
                                "address printed when the board started.</p>", 403)
        return HTMLResponse(render_page("control"))

    async def cards(request: Request) -> Response:
        if not _authorised(request, token):
            return _refused()
        return HTMLResponse(inject_cards_page(board.session.base))

    async def state(request: Request) -> Response:
        chosen = view_of(request)
        if isinstance(chosen, Response):
            return chosen
        return JSONResponse(await anyio.to_thread.run_sync(board.view, *chosen))

    async def events(request: Request) -> Response:
        chosen = view_of(request)
        if isinstance(chosen, Response):
            return chosen

        async def stream() -> AsyncIterator[str]:
            sent, busy, quiet = -1, None, 0.0
            while not closing.is_set() and not await request.is_disconnected():
                if board.busy != busy:
                    busy = board.busy
                    yield f"event: busy\ndata: {json.dumps(busy)}\n\n"
                if board.version != sent and not board.busy:
                    view = await anyio.to_thread.run_sync(board.view, *chosen)
                    sent = view["version"]
                    yield f"data: {json.dumps(view)}\n\n"
                    quiet = 0.0
                await anyio.sleep(POLL_S)
                quiet += POLL_S
                if quiet >= HEARTBEAT_S:
                    quiet = 0.0
                    yield ": still here\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    async def act(request: Request) -> Response:
        if not _authorised(request, token):
            return _refused()
        action = request.path_params["action"]
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        if content_type.lower() != "application/json":
            return JSONResponse({"error": "a control action is sent as JSON "
                                 "(Content-Type: application/json)"}, status_code=415)
        body: dict[str, Any] = {}
        if await request.body():
            try:
                body = await request.json()
            except ValueError:
                return JSONResponse({"error": "the body is not JSON"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "the body is not a JSON object"}, status_code=400)
        actions: dict[str, Callable[[], None]] = {
            "advance": board.advance,
            "choose": lambda: board.choose(str(body.get("option", ""))),
            "undo": board.undo,
            "hold": lambda: board.hold(bool(body.get("on", True))),
            "reasons": lambda: board.record_reasons(str(body.get("text", ""))),
            "note": lambda: board.add_note(str(body.get("text", ""))),
        }
        if action not in actions:
            return JSONResponse({"error": f"no action '{action}'"}, status_code=404)
        board.busy = BUSY[action]
        try:
            await anyio.to_thread.run_sync(actions[action])
        except BoardRefusal as refusal:
            return JSONResponse({"error": str(refusal)}, status_code=409)
        finally:
            board.busy = ""
        return JSONResponse({"ok": True, "version": board.version})

    async def home(request: Request) -> Response:
        return RedirectResponse("/room")

    app = Starlette(routes=[
        Route("/", home), Route("/room", room), Route("/control", control),
        Route("/cards", cards), Route("/role/{role}", role_page),
        Route("/api/state", state), Route("/api/events", events),
        Route("/api/{action}", act, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ], middleware=[Middleware(_SameOrigin, bind=bind)])
    app.state.closing = closing
    return app


def serve(board: Board, host: str = "127.0.0.1", port: int = 8000,
          token: str | None = None, log_level: str = "warning"):
    """A uvicorn server for `board`: ``.run()`` serves until Ctrl-C, or until ``.stop()``
    from another thread; either ends the event streams first so that it can stop."""
    import uvicorn

    app = create_app(board, token, host)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            app.state.closing.set()
            super().handle_exit(sig, frame)

        def stop(self) -> None:
            app.state.closing.set()
            self.should_exit = True

    config = uvicorn.Config(app, host=host, port=port, log_level=log_level,
                            timeout_graceful_shutdown=2)
    return Server(config)
