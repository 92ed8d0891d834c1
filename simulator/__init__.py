"""infrasim: infrastructure risk scenarios, from armed forces on the road to floods
downstream and megawatts lost, as Monte Carlo distributions.

Public API: `load_scenario`, `simulate`, `run_monte_carlo`. Imports are lazy so that
``infrasim --help`` does not pay for pydantic, SimPy or matplotlib.
"""

from __future__ import annotations

from .lazy import lazy_getattr

__version__ = "0.1.0"

_PUBLIC = {
    "load_scenario": "simulator.scenario",
    "Scenario": "simulator.scenario",
    "ScenarioError": "simulator.scenario",
    "simulate": "simulator.engine",
    "run_monte_carlo": "simulator.montecarlo",
    "RunResult": "simulator.montecarlo",
}

__all__ = ["__version__", *_PUBLIC]

__getattr__ = lazy_getattr(__name__, _PUBLIC)
