"""Stand-in replication functions for runner tests: cheap, deterministic in (seed, k).

Each draws from ``SeedSequence(seed, spawn_key=(k,))`` as the real engine does, so the
runner's reproducibility can be tested without the engine's cost. Imported by workers
as ``fake_engine:<name>`` (conftest puts this directory on sys.path).
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import numpy as np

from simulator.engine.record import Event, EventKind, Replication

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"
KILL_TEST_REPLICATIONS = 1500  # long enough to kill mid-run, short enough for a test


def simulate(scenario, seed, replication=0, timeline=False):
    """Outcomes shaped like the engine's: a breach flag, fatalities, energy, details."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replication,)))
    breached = rng.random() < 0.3
    outcomes = {
        "dam_breached": float(breached),
        "fatalities": float(rng.gamma(2.0, 50.0)) if breached else 0.0,
        "unserved_energy_mwh": float(rng.lognormal(5.0, 1.0)),
        "arrival_h.village": float(rng.uniform(1, 5)) if breached else 72.0,  # censored
        "input.speed": float(rng.triangular(30, 50, 70)),
    }
    events = None
    if timeline:
        events = (Event(0.0, EventKind.DEPART, ("column",), "border", road="border_dam",
                        destination="dam"),
                  Event(3600.0, EventKind.ARRIVE, ("column",), "dam", strength=100.0))
    return Replication(seed, replication, outcomes, events)


def failing(scenario, seed, replication=0, timeline=False):
    """Raises for every replication k with k % 7 == 3."""
    if replication % 7 == 3:
        raise ValueError(f"replication {replication} hit a bad state")
    return simulate(scenario, seed, replication, timeline)


def always_failing(scenario, seed, replication=0, timeline=False):
    raise RuntimeError("the engine is broken")


def ragged(scenario, seed, replication=0, timeline=False):
    """Outcome keys differ between replications: details only when the dam breaks."""
    record = simulate(scenario, seed, replication, timeline)
    outcomes = dict(record.outcomes)
    if not outcomes["dam_breached"]:
        del outcomes["arrival_h.village"]
    if replication == 40:
        outcomes["rare"] = 1.0
    return Replication(seed, replication, outcomes, record.timeline)


def slow(scenario, seed, replication=0, timeline=False):
    """Takes about 2 ms, for timing-sensitive tests (kill mid-run, batch sizing)."""
    time.sleep(float(os.environ.get("FAKE_ENGINE_SLEEP", "0.002")))
    return simulate(scenario, seed, replication, timeline)


def crashing(scenario, seed, replication=0, timeline=False):
    """Kills its worker process outright at replication 13."""
    if replication == 13:
        os._exit(3)
    return simulate(scenario, seed, replication, timeline)


def cheap(scenario, seed, replication=0, timeline=False):
    """A few microseconds per replication, for memory and bookkeeping tests."""
    rng = random.Random(seed * 1_000_003 + replication)
    outcomes = {"a": rng.random(), "b": rng.gauss(0.0, 1.0), "c": float(replication)}
    return Replication(seed, replication, outcomes, None)
