"""A board served on a free local port in a background thread, for the board tests."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

from simulator.exercise.board.server import serve
from simulator.exercise.board.state import Board


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running(board: Board, token: str | None = None):
    """Serve `board` on 127.0.0.1; yields the base address; stops the server after."""
    port = free_port()
    server = serve(board, "127.0.0.1", port, token)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the board did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        thread.join(10)


def post(base: str, action: str, body: dict | None = None,
         token: str | None = None) -> tuple[int, dict]:
    """POST a control action; (status, JSON answer)."""
    request = urllib.request.Request(f"{base}/api/{action}", method="POST",
                                     data=json.dumps(body or {}).encode(),
                                     headers={"Content-Type": "application/json",
                                              **({"X-Board-Token": token} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def get(base: str, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"{base}{path}", timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
