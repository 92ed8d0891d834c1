"""infrasim: infrastructure risk scenarios as Monte Carlo distributions.

From armed forces on the road to floods downstream and megawatts lost.

Public API: `load_scenario`, `Scenario`, `ScenarioError`, `prepare`, `simulate`,
`run_monte_carlo`, `RunResult`. Each is imported on first use, so that ``import
simulator`` (and ``infrasim --help``) does not pay for pydantic, SimPy or matplotlib;
`dir()`, `help()` and tab completion list them all the same.
"""

__version__ = "0.1.0"

# Each public name and the module it comes from.
_PUBLIC = {
    "load_scenario": "simulator.scenario",
    "Scenario": "simulator.scenario",
    "ScenarioError": "simulator.scenario",
    "prepare": "simulator.engine",
    "simulate": "simulator.engine",
    "run_monte_carlo": "simulator.montecarlo",
    "RunResult": "simulator.montecarlo",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> object:
    """Import public name `name` from its module on first use (PEP 562)."""
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(_PUBLIC[name]), name)
    globals()[name] = value  # later uses find it without calling this function
    return value


def __dir__() -> list[str]:
    """The module's attributes including the public names not imported yet."""
    return sorted({*globals(), *_PUBLIC})
