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

from ..exports import imported_on_first_use

# Each public name and the module it comes from.
_PUBLIC = {
    "Exhibits": f"{__name__}.exhibits",
    "read_exhibits": f"{__name__}.exhibits",
    "build_run_report": f"{__name__}.run",
    "compare_stored_runs": f"{__name__}.compare",
    "write_comparison_report": f"{__name__}.compare",
    "write_gallery": f"{__name__}.gallery",
}

__all__ = sorted(_PUBLIC)

__getattr__, __dir__ = imported_on_first_use(globals(), _PUBLIC)
del imported_on_first_use  # not a public name of the package
