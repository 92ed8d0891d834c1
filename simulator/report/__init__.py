"""Reports: one self-contained HTML file per run (``infrasim report``) or comparison
(``infrasim compare``), and the gallery of figures in plots/ (``infrasim gallery``).

Every function here renders stored data and runs nothing: the runs, and the exhibits a
report shows beyond a run's outcome table, are made by `simulator.workflows`.

Modules: `html` (escaping, tables, embedded figures, the page template), `exhibits` (the
timelines and load-shed sample stored with a run), `figures` (which figures a run gets;
shared by report and gallery), `drawing` (a page's figures drawn side by side), `run`
(the run report), `compare` (comparisons of runs), `gallery` (plots/ from the bundled
scenarios' runs).

The names below are imported from their modules on first use (PEP 562), so that a run,
which stores its exhibits with `exhibits` alone, does not import matplotlib through
`run` and `gallery` (most of a second of every ``infrasim run``'s start-up).
"""

from __future__ import annotations

# Each public name and the module it comes from.
_PUBLIC = {
    "Exhibits": "exhibits",
    "read_exhibits": "exhibits",
    "build_run_report": "run",
    "compare_stored_runs": "compare",
    "write_comparison_report": "compare",
    "write_gallery": "gallery",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> object:
    """Import public name `name` from its module on first use (PEP 562)."""
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    globals()[name] = value  # later uses find it without calling this function
    return value


def __dir__() -> list[str]:
    """The module's attributes including the public names not imported yet."""
    return sorted({*globals(), *_PUBLIC} - {"_PUBLIC"})
