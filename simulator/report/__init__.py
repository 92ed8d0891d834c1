"""Reports: one self-contained HTML file per run (``infrasim report``) or comparison
(``infrasim compare``), and the gallery of figures in plots/ (``infrasim gallery``).

Modules: `html` (escaping, tables, embedded figures, the page template), `figures`
(which figures a run gets; shared by report and gallery), `run` (the run report),
`compare` (comparisons of runs), `gallery` (plots/ from the bundled scenarios).
"""

from __future__ import annotations

from ..lazy import lazy_getattr

_PUBLIC = {
    "build_run_report": "simulator.report.run",
    "write_run_report": "simulator.report.run",
    "compare_stored_runs": "simulator.report.compare",
    "write_comparison_report": "simulator.report.compare",
    "make_gallery": "simulator.report.gallery",
}

__all__ = list(_PUBLIC)

__getattr__ = lazy_getattr(__name__, _PUBLIC)
