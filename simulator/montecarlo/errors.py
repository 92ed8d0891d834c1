"""The one error a Monte Carlo run raises for things the user can fix.

Bad arguments, a run directory that already exists, a resume against a different
scenario, an unreachable scheduler: each is a `RunError` with one sentence saying what is
wrong and what to do, which the command line prints with exit status 2 and no traceback.
"""

from __future__ import annotations

from ..scenario.errors import did_you_mean

__all__ = ["RunError", "did_you_mean"]


class RunError(ValueError):
    """A problem with how a run was asked for, not with the simulation itself."""
