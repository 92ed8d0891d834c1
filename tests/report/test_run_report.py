"""The run report is one valid, self-contained HTML page: every figure embedded as a PNG
data URI, nothing loaded from elsewhere, and every piece of scenario text escaped. It is
built from the outcome table, the manifest and the run's exhibits alone."""

import base64
import re

import numpy as np
import pytest
from report_helpers import HOSTILE, check_html, embedded_images, synthetic_run

from simulator.engine.record import Event, EventKind
from simulator.report.exhibits import Exhibits, LoadShed, PickedTimeline
from simulator.report.run import build_run_report

K = EventKind


def exhibits_of(replications):
    """Exhibits shaped like a stored run's: two timelines and a load-shed sample."""
    events = (Event(0.0, K.DEPART, ("column <a>",), "pass", road="r1", destination="dam"),
              Event(3600.0, K.ARRIVE, ("column <a>",), "dam", strength=300.0),
              Event(7200.0, K.CAPTURED, ("Dam",), "dam", opponents=(HOSTILE,)))
    timelines = (PickedTimeline("median", 3, "fatalities = 0", events),
                 PickedTimeline("worst", 7, "fatalities = 900", events[:2]))
    shed = LoadShed(replications[:5], np.ones((5, 48)), np.zeros(48))
    return Exhibits({}, timelines, shed)


def test_report_is_valid_self_contained_html_with_escaped_scenario_text(fast_png):
    outcomes, replications, manifest = synthetic_run()
    text = build_run_report(outcomes, replications, manifest,
                            exhibits=exhibits_of(replications))
    tags = check_html(text)
    figures = sum(1 for tag, _ in tags if tag == "figure")
    images = embedded_images(tags)
    # exceedance, F-N, river, load shed, distribution, 2 convergence, 2 tornado,
    # 2 timelines, 2 PRIM trade-offs (what drives the risk)
    assert figures == len(images) == 13
    assert not any(tag in {"script", "link", "iframe"} for tag, _ in tags)
    assert not re.search(r"""(src|href)=["'](https?:)?//""", text)
    assert "<script>" not in text and "&lt;script&gt;alert" in text
    assert "Valley &lt;test&gt;" in text and "Lower &lt;town&gt;" in text
    assert "column &lt;a&gt;" in text and "sets off for dam (r1)" in text
    for section in ("Headline", "All outcomes", "Scenario", "Timelines",
                    "Sources and assumptions"):
        assert section in text
    assert text.index('id="headline"') < text.index('id="outcomes"') < \
        text.index('id="scenario"')
    assert "Wilson" in text  # yes/no outcomes get Wilson intervals in the table


def test_report_tables_show_labels_with_units_and_ids_only_in_tooltips(fast_png):
    """The headline answers first; every table cell names an outcome by its label and
    unit, its id only in the title attribute."""
    outcomes, replications, manifest = synthetic_run()
    text = build_run_report(outcomes, replications, manifest)
    headline = text[text.index(">Headline<"):text.index(">All outcomes<")]
    for answer in ("P(dam captured)", "P(breach)", "Expected fatalities (people)",
                   "Fatalities given breach (people)"):
        assert answer in headline
    assert 'title="dam_captured: ' in headline
    cells = re.findall(r"<td[^>]*>(.*?)</td>", text[text.index('id="outcomes"'):
                                                    text.index('id="figures"')])
    shown = re.sub(r'title="[^"]*"', "", " ".join(cells))
    assert "Fatalities (people)" in shown
    for raw in ("dam_captured", "fatalities", "breach_started", "time_to_capture_h"):
        assert not re.search(rf"\b{raw}\b", shown), raw


def test_report_without_exhibits_says_why_it_has_no_timelines(fast_png):
    outcomes, replications, manifest = synthetic_run()
    text = build_run_report(outcomes, replications, manifest)
    check_html(text)
    assert "stores no timelines" in text and "Load shed over the horizon" not in text


def test_report_renders_real_figures():
    outcomes, replications, manifest = synthetic_run(n=40)
    # one figure (the convergence of dam_captured), rasterised for real
    text = build_run_report({"dam_captured": outcomes["dam_captured"]}, replications, manifest)
    images = embedded_images(check_html(text))
    assert len(images) == 1 and all(base64.b64decode(s.split(",", 1)[1])[:4] == b"\x89PNG"
                                    for s in images)


@pytest.mark.parametrize("outcomes", [{}, {"dam_captured": np.zeros(10)}])
def test_report_of_a_run_with_nothing_to_draw(fast_png, outcomes):
    _, _, manifest = synthetic_run()
    text = build_run_report(outcomes, np.arange(10), manifest)
    check_html(text)
    assert "nothing to draw" in text


def test_by_town_arrival_is_in_hours_after_the_breach():
    """The By-town table gives arrival after the breach (as the river figure does), per
    replication, over the replications where the flood arrived."""
    from simulator.report.run import _towns_section

    outcomes, _, manifest = synthetic_run(n=200)
    breach = outcomes["breach_started"] == 1
    outcomes["breach_time_h"] = np.where(breach, 40.0 + np.arange(200) % 7, np.nan)
    outcomes["arrival_h.upper"] = outcomes["breach_time_h"] + 2.0
    text = str(_towns_section(outcomes, manifest))
    assert "median arrival (h after the breach), where the flood arrived" in text
    upper = text[text.index("<td>Upper"):]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", upper)[:3] == ["Upper", "5", "2"]
