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

from .exports import imported_on_first_use

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

__getattr__, __dir__ = imported_on_first_use(globals(), _PUBLIC)
del imported_on_first_use  # not a public name of the package
