"""The time of an exercise decision's forecast: the first decision of the scripted
Haditha exercise (``reserve``, three options), as a class meets it.

Each repeat opens a fresh `Session` on the scripted story (the decisions file's seed and
replication), advances to the first decision and checks its options (untimed: the
story runs of the options), then times `Session.forecast`: the branches' acceptance
runs and every option's branch replications with consequences, on the workers the
session uses (every core), and again on one worker. A fresh session each time, so
nothing the previous repeat prepared or solved is warm; imports are (the first repeat
is a warm-up). Wall time is what the class waits; CPU time (the session's process and
its forecast workers) is what the forecast costs, which other work on the machine
disturbs less, and `forecast_session_cpu_s` the session's own share of it (what its
workers cannot take: starting them, reading their outcomes, then summing up each option,
its top driver most); `forecast_on_idle_cores_s` estimates the wall time on idle cores
from them (the session's own CPU, then its workers' shared among them: the session sums
up the options once the workers have run every branch). The yardstick, measured in the
same run, is the same number of plain `simulate` calls on one core on the prepared
reference scenario (one engine-only run with its timeline per branch, one full run per
branch and option), so `per_plain_calls` says how the forecast compares with running
its replications one after another, whatever else the machine is doing.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench import ROOT, Context, cpu_split_s, measurement

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


def _plain_calls_s(context: Context, branches: int, options: int) -> tuple[float, float]:
    """Best wall and CPU time of the forecast's number of `simulate` calls, one after
    another."""
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
    wall, cpu = [], []
    for _ in range(context.repeats):
        started, cpu_before = time.perf_counter(), _cpu_s()
        calls()
        wall.append(time.perf_counter() - started)
        cpu.append(_cpu_s() - cpu_before)
    return min(wall), min(cpu)


def _cpu_s() -> float:
    """CPU seconds of this process and of its children that have ended (the forecast's
    workers end with it)."""
    return sum(cpu_split_s())


def _forecast_times(path: Path, seed: int, replication: int, branches: int, repeats: int,
                    workers: int | None) -> dict[str, Any]:
    """Best wall and CPU seconds of the first decision's forecast over fresh sessions
    (after one warm-up), with the session's default workers or `workers`."""
    wall, cpu, own_cpu, idle, to_decision = [], [], [], [], []
    for repeat in range(repeats + 1):
        started = time.perf_counter()
        session, step = _first_decision(path, seed, replication, branches)
        if workers is not None:
            session.forecast_workers = workers
        checked, (own_before, workers_before) = time.perf_counter(), cpu_split_s()
        forecast = session.forecast(step)
        if repeat:  # the first one imports what the forecast needs
            own, workers_cpu = cpu_split_s()
            wall.append(time.perf_counter() - checked)
            cpu.append(own - own_before + workers_cpu - workers_before)
            own_cpu.append(own - own_before)
            # on idle cores: the session's own work, then its workers' shared out
            idle.append(own - own_before + (workers_cpu - workers_before)
                        / session.forecast_workers)
            to_decision.append(checked - started)
    return {"decision": step.id, "options": len(forecast.options),
            "branches_per_option": forecast.count, "candidates_tried": forecast.attempts,
            "workers": session.forecast_workers, "wall_s": min(wall), "cpu_s": min(cpu),
            "own_cpu_s": min(own_cpu),
            "idle_cores_s": min(idle),
            "wall_s_all": [round(s, 3) for s in wall],
            "session_to_decision_s": min(to_decision)}


@measurement("exercise_forecast")
def exercise_forecast(context: Context) -> dict[str, Any]:
    """Seconds per decision forecast (three options) on the session's workers (every
    core) and on one, and their ratios to the same number of plain calls."""
    from simulator.scenario.decisions import read_decisions

    script = read_decisions(DECISIONS)
    path = script.scenario_path or context.scenario_path
    branches = 100 if context.quick else 300
    default = _forecast_times(path, script.seed, script.replication, branches,
                              context.repeats, None)
    serial = _forecast_times(path, script.seed, script.replication, branches,
                             context.repeats, 1)
    plain_s, plain_cpu_s = _plain_calls_s(context, branches, default["options"])
    figures = {key: default[key] for key in ("decision", "options", "branches_per_option",
                                             "candidates_tried", "workers")}
    figures.update({
        "forecast_s": round(default["wall_s"], 3),
        "forecast_s_all": default["wall_s_all"],
        "forecast_cpu_s": round(default["cpu_s"], 3),
        "forecast_session_cpu_s": round(default["own_cpu_s"], 3),
        "forecast_on_idle_cores_s": round(default["idle_cores_s"], 3),
        "forecast_1_worker_s": round(serial["wall_s"], 3),
        "session_to_decision_s": round(default["session_to_decision_s"], 3),
        "plain_calls_s": round(plain_s, 3),
        "plain_calls_cpu_s": round(plain_cpu_s, 3),
        "per_plain_calls": round(default["wall_s"] / plain_s, 3),
        "cpu_per_plain_calls_cpu": round(default["cpu_s"] / plain_cpu_s, 3),
        "1_worker_per_plain_calls": round(serial["wall_s"] / plain_s, 3),
    })
    return figures
