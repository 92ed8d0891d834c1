"""The one error a Monte Carlo run raises for things the user can fix.

Bad arguments, a run directory that already exists, a resume against a different
scenario, an unreachable scheduler: each is a `RunError` with one sentence saying what is
wrong and what to do, which the command line prints with exit status 2 and no traceback.
A run in which every replication failed raises `ReplicationsFailed` instead of returning
an empty result: something is wrong with the model or the scenario, not with the request.
"""

from __future__ import annotations

from typing import Any

from ..scenario.errors import did_you_mean

__all__ = ["ReplicationsFailed", "RunError", "did_you_mean"]


class RunError(ValueError):
    """A problem with how a run was asked for, not with the simulation itself."""


class ReplicationsFailed(RuntimeError):
    """Every replication of a run failed, so it has no outcomes to return.

    `result` is the run as far as it went (a `RunResult`: its failures, its manifest, and
    its directory when stored); `summary` is one line (the count and the first error),
    and the message adds the first failure's traceback, which is what needs fixing.
    """

    def __init__(self, result: Any) -> None:
        self.result = result
        failures = result.failures
        first = failures[0]
        stopped = " (the run stopped early)" if result.status == "aborted" else ""
        self.summary = (f"every replication failed: {len(failures):,} of {len(failures):,}"
                        f"{stopped}; the first, replication {first.replication}, raised "
                        f"{first.error}")
        details = [self.summary]
        if first.traceback:
            details.append(f"its traceback (in the worker):\n{first.traceback.rstrip()}")
        elif "BrokenProcessPool" in first.error:
            details.append("its worker process died: killed, out of memory, or, where workers "
                           "are not forked (macOS, Windows), re-running a script that starts "
                           "a run without `if __name__ == \"__main__\":`")
        super().__init__("\n".join(details))
