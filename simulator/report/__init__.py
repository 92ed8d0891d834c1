"""Reports: one self-contained HTML file per run (``infrasim report``) or comparison
(``infrasim compare``), and the gallery of figures in plots/ (``infrasim gallery``).

Every function here renders stored data and runs nothing: the runs, and the exhibits a
report shows beyond a run's outcome table, are made by `simulator.workflows`.

Modules: `html` (escaping, tables, embedded figures, the page template), `exhibits` (the
timelines and load-shed sample stored with a run), `figures` (which figures a run gets;
shared by report and gallery), `drawing` (a page's figures drawn side by side), `run`
(the run report), `compare` (comparisons of runs), `gallery` (plots/ from the bundled
scenarios' runs).
"""

from __future__ import annotations

from .compare import compare_stored_runs, write_comparison_report
from .exhibits import Exhibits, read_exhibits
from .gallery import write_gallery
from .run import build_run_report

__all__ = [
    "Exhibits",
    "build_run_report",
    "compare_stored_runs",
    "read_exhibits",
    "write_comparison_report",
    "write_gallery",
]
