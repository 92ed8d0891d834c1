"""Monte Carlo runs: many replications of a scenario on one machine or a Dask cluster.

`run_monte_carlo` plans batches of replications, runs them on an executor (serial, local
processes, Dask), streams outcomes into the run store, stops after a fixed count or
adaptively, and resumes a killed run exactly. It knows nothing about dams or floods: a
replication is a function of (scenario, seed, index) returning named scalar outcomes.
"""

from .batch import Failure
from .errors import ReplicationsFailed, RunError
from .executors import EXECUTORS, Executor, make_executor, register
from .replay import Replay, load_run, replay
from .runner import (
    RunResult,
    choose_run_dir,
    default_run_dir,
    latest_run_dir,
    run_monte_carlo,
)
from .stopping import StoppingRule

__all__ = [
    "EXECUTORS",
    "Executor",
    "Failure",
    "Replay",
    "ReplicationsFailed",
    "RunError",
    "RunResult",
    "StoppingRule",
    "choose_run_dir",
    "default_run_dir",
    "latest_run_dir",
    "load_run",
    "make_executor",
    "register",
    "replay",
    "run_monte_carlo",
]
