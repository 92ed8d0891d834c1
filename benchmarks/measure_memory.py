"""Where ``infrasim run`` holds memory, phase by phase, against the number of replications.

`run_memory_phases` runs the reference scenario through the command line in a fresh
interpreter with the default executor (two worker processes) and reports the peak
resident memory of the command's own process (the workers' is their batches', bounded by
the batch size, not by the run's) in each phase: the replications (batches coming back,
written to chunk files), writing outcomes.csv, making the exhibits, summarising. Each
phase's peak is its own: Linux resets a process's peak resident set when 5 is written to
``/proc/self/clear_refs``, so no phase hides behind an earlier one's. Memory flat in the
number of replications means each phase's peak is about the same at both sizes: 2,000
and 50,000 replications with --quick, 10,000 and 200,000 without (about 2 minutes).
Linux only.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench import Context, _load, measurement, script_figures

# ``infrasim run FILE -n N --seed 1 --out OUT --quiet`` in this interpreter, each phase's
# peak resident memory (MB) measured from a reset peak, and the whole command's (the
# largest peak before any reset and at the end).
_PHASES_SCRIPT = """
import contextlib, functools, io, json, sys

def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024

whole = [0.0]  # the command's peak: resetting the peak resets getrusage's too
def reset_peak():
    whole[0] = max(whole[0], peak_mb())
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")

phases = {}
def measured(owner, name, label):
    function = getattr(owner, name)
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        reset_peak()
        try:
            return function(*args, **kwargs)
        finally:
            phases[label] = round(max(phases.get(label, 0.0), peak_mb()), 1)
    setattr(owner, name, wrapper)

import simulator.montecarlo.runner as runner, simulator.montecarlo.store as store
import simulator.workflows as workflows
measured(runner._Run, "_loop", "replications")
measured(store.RunStore, "write_outcomes", "outcomes_csv")
measured(workflows, "record_exhibits", "exhibits")
measured(runner.RunResult, "summary", "summary")
from simulator.cli import main
file, n, out = sys.argv[1:4]
with contextlib.redirect_stdout(io.StringIO()):
    status = main(["run", file, "-n", n, "--seed", "1", "--out", out, "--quiet"])
reset_peak()
print(json.dumps({"status": status, "phases": phases, "whole": round(whole[0], 1)}))
"""


def _phases(scenario: Path, replications: int, out: Path) -> dict[str, Any]:
    """The peak memory of each phase of one ``infrasim run`` (MB), and of the whole."""
    figures = script_figures(_PHASES_SCRIPT, str(scenario), str(replications), str(out))
    if figures["status"] != 0:
        raise RuntimeError(f"infrasim run -n {replications} ended with {figures['status']}")
    return figures


@measurement("run_memory_phases")
def run_memory_phases(context: Context) -> dict[str, Any]:
    """Peak resident memory of ``infrasim run``'s own process in each phase, at a small
    and a large number of replications, and the large run's peak over the small one's."""
    small, large = (2_000, 50_000) if context.quick else (10_000, 200_000)
    figures: dict[str, Any] = {"executor": "processes"}
    with tempfile.TemporaryDirectory() as directory:
        runs = {n: _phases(context.scenario_path, n, Path(directory) / f"run-{n}")
                for n in (small, large)}
    for n, run in runs.items():
        figures[f"peak_rss_mb_{n}"] = run["whole"]
        for phase, peak in run["phases"].items():
            figures[f"{phase}_peak_rss_mb_{n}"] = peak
    figures[f"peak_rss_ratio_{large}_to_{small}"] = round(
        runs[large]["whole"] / runs[small]["whole"], 3)
    figures["load_average"] = _load()
    return figures
