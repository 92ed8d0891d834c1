"""A page's figures drawn by forked processes are the very PNGs drawn here."""

from report_helpers import synthetic_run

from simulator.report.drawing import png_images
from simulator.report.figures import run_figures


def test_figures_drawn_in_forked_processes_are_those_drawn_here():
    outcomes, _, manifest = synthetic_run(n=60)
    items = [item for item in run_figures(outcomes, manifest)
             if item.slug in {"fn", "distribution-fatalities"}]
    assert [item.slug for item in items] == ["fn", "distribution-fatalities"]
    serial = png_images(items, workers=1)
    assert all(png[:4] == b"\x89PNG" for png in serial)
    assert png_images(items, workers=2) == serial
