"""Tabletop exercise mode: injects, decisions as scenario overrides, branch forecasts,
after-action report and MSEL.

Modules: `session` (the story and its steps, option checks), `realised` (which inputs a
story has realised at a decision: the pinning rule), `forecast` (branch forecasts with
common random numbers), `fog` (what the players see of the enemy), `console` (the
terminal facilitator: situation, forecast tables, prompts or a decisions script), `aar`
(aar.md and aar.html), `msel` (msel.csv), `files` (atomic writes), `run` (`run_exercise`, used by ``infrasim exercise``), and the package
`board` (the browser board of ``infrasim board``; needs the ``board`` extra).
"""

from __future__ import annotations

from .forecast import branch_forecast
from .realised import realised_inputs
from .run import run_exercise, write_outputs
from .session import ExerciseStopped, Session

__all__ = [
    "ExerciseStopped",
    "Session",
    "branch_forecast",
    "realised_inputs",
    "run_exercise",
    "write_outputs",
]
