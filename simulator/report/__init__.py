"""Reports: one self-contained HTML file per run (``infrasim report``) or comparison
(``infrasim compare``), and the gallery of figures in plots/ (``infrasim gallery``).

Modules: `html` (escaping, tables, embedded figures, the page template), `figures`
(which figures a run gets; shared by report and gallery), `run` (the run report),
`compare` (comparisons of runs), `gallery` (plots/ from the bundled scenarios).
"""

from __future__ import annotations

from .compare import compare_stored_runs, write_comparison_report
from .gallery import make_gallery
from .run import build_run_report, write_run_report

__all__ = [
    "build_run_report",
    "compare_stored_runs",
    "make_gallery",
    "write_comparison_report",
    "write_run_report",
]
