"""The engine: one replication of a scenario as a SimPy run.

`simulate(scenario, seed, replication)` is a module-level, side-effect-free function
returning a frozen, picklable `Replication`, so the Monte Carlo runner can ship it to any
process or Dask worker and replay any single replication alone.
"""

from .record import Event, Replication

__all__ = ["Event", "Replication"]
