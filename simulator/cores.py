"""The local processes a run or a forecast may use: how many cores, and whether workers
may be forked. Both the Monte Carlo executors and an exercise's forecast ask the same
questions, so they get the same answers here (standard library only)."""

from __future__ import annotations

import multiprocessing
import os
import sys

__all__ = ["available_cores", "fork_is_safe"]


def available_cores() -> int:
    """Cores this process may use (its CPU affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def fork_is_safe() -> bool:
    """Whether worker processes may be forked from this one: on Linux (fork is unsafe
    on macOS, where system libraries break in a forked child, and absent on Windows)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
