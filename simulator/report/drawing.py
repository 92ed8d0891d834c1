"""Drawing a page's figures: each `FigureItem` drawn and encoded as PNG.

Drawing is most of the time a report takes (a tenth of a second or more a figure, nearly
all of it matplotlib's own Python), and the figures are independent, so where processes
can be forked they are drawn side by side, one process per CPU.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from .figures import FigureItem

__all__ = ["png_images"]


def png_images(items: Sequence[FigureItem], workers: int | None = None) -> list[bytes]:
    """Each item's figure drawn and encoded as PNG, in order: by up to `workers` forked
    processes (default: one per CPU this process may use) where forking is safe, else
    here. The forks share the matplotlib already imported, and warmed up, here."""
    from .. import plotting

    count = min(len(items), workers or _cpus())
    if count < 2 or not _can_fork():
        return [_png(item) for item in items]
    plotting.warm_up()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(count, mp_context=context) as pool:
        return list(pool.map(_png, items))


def _png(item: FigureItem) -> bytes:
    """One item's figure as PNG bytes."""
    from .. import plotting

    return plotting.png_bytes(item.draw())


def _cpus() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count() or 1


def _can_fork() -> bool:
    """Whether forking is safe here: Linux (fork is unsafe on macOS) and no other thread
    (a fork copies only the calling thread, and any lock another one holds)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1
