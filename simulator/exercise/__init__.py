"""Tabletop exercise mode: injects, decisions as scenario overrides, branch forecasts,
after-action report and MSEL.

Modules: `session` (the story and its steps, option checks), `realised` (which inputs a
story has realised at a decision: the pinning rule), `forecast` (branch forecasts with
common random numbers), `console` (the terminal facilitator: situation, forecast tables,
prompts or a decisions script), `aar` (aar.md and aar.html), `msel` (msel.csv), `files`
(atomic writes), `run` (`run_exercise`, used by ``infrasim exercise``).
"""

from __future__ import annotations

from ..lazy import lazy_getattr

_PUBLIC = {
    "Session": "simulator.exercise.session",
    "ExerciseStopped": "simulator.exercise.session",
    "branch_forecast": "simulator.exercise.forecast",
    "realised_inputs": "simulator.exercise.realised",
    "run_exercise": "simulator.exercise.run",
    "write_outputs": "simulator.exercise.run",
}

__all__ = list(_PUBLIC)

__getattr__ = lazy_getattr(__name__, _PUBLIC)
