"""The time of an exercise decision's forecast: the first decision of the scripted
Haditha exercise (``reserve``, three options), as a class meets it.

Each repeat opens a fresh `Session` on the scripted story (the decisions file's seed and
replication), advances to the first decision and checks its options (untimed: the
story runs of the options), then times `Session.forecast`: the branches' acceptance
runs and every option's branch replications with consequences, on the workers the
session uses. A fresh session each time, so nothing the previous repeat prepared or
solved is warm; imports are (the first repeat is a warm-up). The yardstick, measured in
the same run, is the same number of plain `simulate` calls on one core on the prepared
reference scenario (one engine-only run with its timeline per branch, one full run
per branch and option), so `per_plain_calls` says how the forecast compares with
running its replications one after another, whatever else the machine is doing.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench import ROOT, Context, best_time_s, measurement

DECISIONS = ROOT / "scenarios" / "haditha_2014.decisions.yaml"


def _first_decision(scenario_path: Path, seed: int, replication: int, branches: int):
    """A fresh session at its first decision, options checked: (session, step)."""
    from simulator.exercise import Session

    session = Session(scenario_path, seed=seed, replication=replication,
                      forecast_replications=branches)
    while (step := session.advance()) is not None and step.kind != "decision":
        pass
    if step is None:
        raise ValueError(f"the story of {scenario_path} reaches no decision")
    session.options_at(step)
    return session, step


def _plain_calls_s(context: Context, branches: int, options: int) -> float:
    """Best time of the forecast's number of `simulate` calls, one after another."""
    from simulator.engine import prepare, simulate

    engine = prepare(context.scenario(), consequences=False)
    full = prepare(engine.scenario)
    seed = engine.scenario.scenario.seed

    def calls() -> None:
        for branch in range(branches):
            simulate(engine, seed, branch, timeline=True, consequences=False)
        for _ in range(options):
            for branch in range(branches):
                simulate(full, seed, branch)

    calls()  # warm the grid's solved states, as a session's story runs do
    return best_time_s(calls, context.repeats)


@measurement("exercise_forecast")
def exercise_forecast(context: Context) -> dict[str, Any]:
    """Seconds per decision forecast (three options) and its ratio to plain calls."""
    from simulator.scenario.decisions import read_decisions

    script = read_decisions(DECISIONS)
    path = script.scenario_path or context.scenario_path
    branches = 100 if context.quick else 300
    forecast_s, checks_s = [], []
    for repeat in range(context.repeats + 1):
        started = time.perf_counter()
        session, step = _first_decision(path, script.seed, script.replication, branches)
        checked = time.perf_counter()
        forecast = session.forecast(step)
        done = time.perf_counter()
        if repeat:  # the first one imports what the forecast needs
            forecast_s.append(done - checked)
            checks_s.append(checked - started)
    options = len(forecast.options)
    plain_s = _plain_calls_s(context, branches, options)
    best = min(forecast_s)
    return {
        "decision": step.id,
        "options": options,
        "branches_per_option": forecast.count,
        "candidates_tried": forecast.attempts,
        "workers": session.forecast_workers,
        "forecast_s": round(best, 3),
        "forecast_s_all": [round(s, 3) for s in forecast_s],
        "session_to_decision_s": round(min(checks_s), 3),
        "plain_calls_s": round(plain_s, 3),
        "per_plain_calls": round(best / plain_s, 3),
    }
