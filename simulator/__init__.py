"""infrasim: infrastructure risk scenarios as Monte Carlo distributions.

From armed forces on the road to floods downstream and megawatts lost.

Public API:

- `load_scenario`, `Scenario`, `ScenarioError`: read and check a scenario file;
- `prepare`, `simulate`: play one replication;
- `run_monte_carlo`, `RunResult`, `RunError`, `ReplicationsFailed`: many replications,
  stored in a run directory;
- `load_run`, `Run`, `compare_runs`: stored runs as pandas tables, for notebooks (pandas
  is the optional extra ``infrasim[notebook]``).

Each name is imported from its module the first time it is used (PEP 562), then kept as
an ordinary attribute of this module: ``import simulator`` (and ``infrasim --help``) does
not pay for pydantic, SimPy, scipy or matplotlib, while `dir()`, `help()` and tab
completion list every name, and each is the real function or class with its docstring.
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
    "RunError": "simulator.montecarlo",
    "ReplicationsFailed": "simulator.montecarlo",
    "load_run": "simulator.notebook",
    "Run": "simulator.notebook",
    "compare_runs": "simulator.notebook",
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
    """The module's attributes including the public names not imported yet (and not
    the table of where they come from)."""
    return sorted({*globals(), *_PUBLIC} - {"_PUBLIC"})
