"""Hour-by-hour series that a run's flat outcome table does not keep: load shed.

The run store keeps one number per outcome per replication, so the fan chart of load
shed over the horizon needs the hourly series of a sample of replications. Each is
recomputed exactly from the run's seed and index (the engine's history, then the grid
model), which costs a few milliseconds per replication; a report uses a few hundred
replications spread evenly over the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..formatting import HOUR_S

__all__ = ["hourly_load_shed", "sample_replications"]


def sample_replications(replications: np.ndarray, count: int = 200) -> np.ndarray:
    """Up to `count` replication indices spread evenly over the run's."""
    replications = np.asarray(replications, dtype=np.int64)
    if replications.size <= count:
        return replications
    return replications[np.linspace(0, replications.size - 1, count).round().astype(int)]


def hourly_load_shed(scenario: Any, seed: int, replications: Sequence[int]
                     ) -> tuple[np.ndarray, np.ndarray] | None:
    """Load shed (MW, the mean over each hour) for each replication, an array of
    replications x hours of the horizon, and the same for the grid with nothing out (the
    shortage before any attack); None when the scenario has no grid loads or the grid
    model is not wired into the engine."""
    from ..consequences import grid as grid_model
    from ..engine import simulate_history

    try:
        from ..engine.consequences_link import PLANT_GENERATOR, _network
    except ImportError:
        return None
    network = _network(scenario)
    if network is None:
        return None
    horizon_h = scenario.scenario.horizon_s / HOUR_S
    start_hour = scenario.scenario.start.hour
    baseline = grid_model.unserved_energy(network, [], horizon_h, start_hour)
    rows = []
    for k in replications:
        history = simulate_history(scenario, seed, int(k))
        outages = [(start / HOUR_S, end / HOUR_S, "generator", PLANT_GENERATOR)
                   for start, end in history.plant_outages]
        outages += [(cut.cut_s / HOUR_S, cut.repaired_s / HOUR_S, "line", cut.line)
                    for cut in history.line_cuts]
        result = grid_model.unserved_energy(network, outages, horizon_h, start_hour)
        rows.append(np.asarray(result.hourly_unserved_mwh, dtype=np.float64))
    if not rows:
        return None
    width = min(len(r) for r in rows)
    return (np.stack([r[:width] for r in rows]),
            np.asarray(baseline.hourly_unserved_mwh, dtype=np.float64)[:width])
