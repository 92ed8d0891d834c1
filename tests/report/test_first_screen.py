"""The headline is on the first screen: the run report and the comparison page, opened in
headless Chromium at 1400x900, show the whole headline table without scrolling.

A probe script is added to a copy of each page (the pages themselves carry no script);
Chromium lays the page out, the script writes the headline table's bottom edge and the
viewport's height into the DOM, and ``--dump-dom`` prints it. The viewport Chromium gives
a 1400x900 window is shorter than 900 px (813 px with Chromium 150), which is the stricter
test. Skipped when no Chromium is installed (.ci/run installs it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from report_helpers import synthetic_run

from simulator.report.compare import StoredRun, build_comparison_report, compare_stored_runs
from simulator.report.run import build_run_report

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)
PROBE = ("<script>var t = document.querySelector('table.headline');"
         "document.body.setAttribute('data-headline-bottom',"
         " t ? t.getBoundingClientRect().bottom : -1);"
         "document.body.setAttribute('data-headline-rows', t ? t.tBodies[0].rows.length : 0);"
         "document.body.setAttribute('data-viewport-height', window.innerHeight);</script>")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")]


def first_screen(page: str, tmp_path: Path) -> dict[str, float]:
    """The headline table's bottom, its row count and the viewport height, as laid out by
    headless Chromium in a 1400x900 window."""
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,900", "--dump-dom",
         probe.as_uri()], capture_output=True, text=True, timeout=120, check=True).stdout
    found = dict(re.findall(r'data-(headline-bottom|headline-rows|viewport-height)="([^"]*)"',
                            dom))
    return {key: float(value) for key, value in found.items()}


def test_the_run_reports_headline_is_on_the_first_screen(fast_png, tmp_path):
    outcomes, replications, manifest = synthetic_run()
    seen = first_screen(build_run_report(outcomes, replications, manifest), tmp_path)
    assert seen["headline-rows"] >= 4  # P(captured), P(breach), fatalities and given a breach
    assert 0 < seen["headline-bottom"] <= seen["viewport-height"] <= 900


def test_the_comparison_pages_headline_is_on_the_first_screen(fast_png, tmp_path):
    runs = []
    for label, shift in (("base", 0.0), ("stronger garrison", -40.0)):
        outcomes, replications, manifest = synthetic_run(seed=5, shift=shift)
        outcomes["time_to_capture_h"] = [24.0 + i % 48 if c else float("nan")
                                         for i, c in enumerate(outcomes["dam_captured"])]
        outcomes["added_unserved_energy_mwh"] = outcomes["dam_captured"] * 5_000.0
        runs.append(StoredRun(label, outcomes, replications, manifest))
    page = build_comparison_report(runs, compare_stored_runs(runs))
    seen = first_screen(page, tmp_path)
    assert seen["headline-rows"] == 6  # the whole default headline
    assert 0 < seen["headline-bottom"] <= seen["viewport-height"] <= 900
