"""Every figure function returns a titled figure with labelled axes on a small synthetic
run, including the degenerate cases (no breach, all zeros, one value, no events), and
``infrasim --help`` does not import matplotlib."""

import re
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

from simulator import plotting
from simulator.analysis import convergence, exceedance, fn_curve, rank_sensitivity
from simulator.engine.record import Event
from simulator.engine.record import EventKind as K

TOWNS = ["haditha", "hit", "ramadi"]
HOUR = 3600.0


@pytest.fixture(scope="module")
def run():
    rng = np.random.default_rng(0)
    n = 200
    breach = (rng.random(n) < 0.3).astype(float)
    outcomes = {
        "breach_started": breach,
        "fatalities": breach * rng.lognormal(4, 1, n),
        "time_to_capture_h": rng.exponential(30, n),
        "input.forces.isil_column.strength": rng.random(n),
        "input.warning.detection_delay_s": rng.random(n),
    }
    for k, town in enumerate(TOWNS):
        outcomes[f"arrival_h.{town}"] = np.where(breach == 1, (k + 1) * 5 + rng.random(n),
                                                 np.nan)
        outcomes[f"depth_m.{town}"] = breach * (6 - k) * rng.lognormal(0, 0.2, n)
    return outcomes


def labelled(figure, *, y=True, render=False):
    """The figure's first axes, after checking the title and axis labels; rasterising
    (slow) only where asked, once per kind of figure."""
    assert isinstance(figure, Figure)
    axes = figure.axes[0]
    assert axes.get_title(loc="left") or axes.get_title()
    assert any(a.get_xlabel() for a in figure.axes)
    if y:
        assert any(a.get_ylabel() for a in figure.axes)
    if render:
        assert plotting.png_bytes(figure)[:8] == b"\x89PNG\r\n\x1a\n"
    return axes


def test_exceedance_single_and_overlay(run):
    axes = labelled(plotting.plot_exceedance(exceedance(run["time_to_capture_h"], resamples=50),
                                             outcome="time_to_capture_h"), render=True)
    assert axes.get_xlabel() == "time_to_capture_h (h)" and axes.get_yscale() == "log"
    overlay = plotting.plot_exceedance(
        {"base": exceedance(run["time_to_capture_h"], resamples=20),
         "variant": exceedance(run["time_to_capture_h"] * 2, resamples=20)},
        outcome="time_to_capture_h")
    legend = [t.get_text() for t in labelled(overlay).get_legend().get_texts()]
    assert any(t.startswith("base") for t in legend) and any("variant" in t for t in legend)


def test_fn_curve_is_log_log(run):
    axes = labelled(plotting.plot_fn(fn_curve(run["fatalities"], resamples=50)), render=True)
    assert axes.get_xscale() == "log" and axes.get_yscale() == "log"
    labelled(plotting.plot_fn({"a": fn_curve(run["fatalities"], resamples=10),
                               "b": fn_curve(run["fatalities"] / 2, resamples=10)}))
    empty = labelled(plotting.plot_fn(fn_curve(np.zeros(10), resamples=10)))
    assert any("nothing to draw" in t.get_text() for t in empty.texts)


@pytest.mark.parametrize("values", [
    "fatalities", "time_to_capture_h", "breach_started", np.zeros(30), np.full(30, 7.5),
    np.array([np.nan, np.nan]),
])
def test_distribution_handles_every_shape_of_data(run, values):
    name = values if isinstance(values, str) else "fatalities"
    data = run[values] if isinstance(values, str) else values
    labelled(plotting.plot_distribution(data, outcome=name), render=name == "fatalities")


def test_river_orders_towns_by_distance(run):
    figure = plotting.plot_river(run, TOWNS, distances_km=[10, 110, 180],
                                 names={"hit": "Hit"})
    labelled(figure, render=True)
    ticks = [t.get_text() for t in figure.axes[-1].get_xticklabels()]
    assert ticks == ["haditha\n10 km", "Hit\n110 km", "ramadi\n180 km"]
    assert figure.axes[0].get_ylabel() == "hours from the start"  # no breach_time_h
    assert figure.axes[-1].get_ylabel() == "peak depth above normal (m)"
    assert len(figure.axes) == 2  # no warning lead times in this run
    no_breach = dict(run, breach_started=np.zeros(200))
    quiet = plotting.plot_river(no_breach, TOWNS)
    assert any("no replication" in t.get_text() for t in quiet.axes[0].texts)


def _median_points(axes):
    """The y values of the median line of each series drawn on `axes`, by its label."""
    return {line.get_label(): line.get_ydata() for line in axes.get_lines()
            if not line.get_label().startswith("_")}


def test_river_counts_hours_after_the_breach_and_shows_warning_lead_times(run):
    """Arrival and peak are drawn as hours after each replication's breach (the breach's
    own time subtracted replication by replication), the lead time with its zero line."""
    rng = np.random.default_rng(3)
    breach = run["breach_started"]
    outcomes = dict(run, breach_time_h=np.where(breach == 1, 20 + 60 * rng.random(200), np.nan))
    for k, town in enumerate(TOWNS):
        outcomes[f"arrival_h.{town}"] = outcomes["breach_time_h"] + 2.0 * (k + 1)
        outcomes[f"peak_h.{town}"] = outcomes["breach_time_h"] + 5.0 * (k + 1)
        outcomes[f"warning_lead_h.{town}"] = np.where(breach == 1, 3.0 * k - 2.0, np.nan)
    figure = plotting.plot_river(outcomes, TOWNS, distances_km=[10, 110, 180],
                                 event="breach")
    times, lead, depth = labelled(figure, render=True), figure.axes[1], figure.axes[2]
    assert times.get_ylabel() == "hours after the breach"
    assert lead.get_ylabel() == "warning lead time (h)"
    assert depth.get_ylabel() == "peak depth above normal (m)"
    medians = _median_points(times)
    assert np.allclose(medians["flood arrives"], [2.0, 4.0, 6.0])
    assert np.allclose(medians["flood peaks"], [5.0, 10.0, 15.0])
    assert np.allclose(_median_points(lead)["warning lead time"], [-2.0, 1.0, 4.0])
    assert any(line.get_ydata()[0] == 0.0 for line in lead.get_lines())  # the zero line
    assert any("warned after the water came" in t.get_text() for t in lead.texts)
    title = times.get_title(loc="left")
    assert title.startswith("The flood along the river, given breach (")
    assert "_" not in title


def test_grid_shows_when_the_plant_is_out_and_the_load_shed_it_adds():
    """Replications whose plant is out from hour 30 add 119 MW from then: the top panel
    is the share of them out, the bottom the mean added shed and the 119 MW given an
    outage; no fan of percentiles that are each 0 or 119."""
    hours, count = 240, 50
    out = np.zeros((count, hours))
    out[:20, 30:] = 1.0  # 20 of 50 replications lose the plant at hour 30
    added = 119.0 * out
    figure = plotting.plot_grid(added, plant_out=out)
    top = labelled(figure, render=True)
    shed = figure.axes[1]
    assert top.get_ylabel() == "P(plant off the grid)"
    assert shed.get_ylabel() == "load shed added (MW)" and shed.get_xlabel() == \
        "days from the start"
    assert "_" not in top.get_title(loc="left")
    share = top.get_lines()[0].get_ydata()
    assert share[0] == 0.0 and share[-1] == pytest.approx(40.0)  # percent
    lines = _median_points(shed)
    assert lines["mean over replications"][-1] == pytest.approx(0.4 * 119.0)
    given = lines["mean where the plant is out that hour"]
    assert np.isnan(given[0]) and given[-1] == pytest.approx(119.0)
    assert [t.get_text() for t in top.get_legend().get_texts()] == [
        "share of replications with the plant out", "its 95% interval"]
    assert "95% interval of the mean" in [t.get_text() for t in figure.legends[0].get_texts()]
    alone = labelled(plotting.plot_grid(added[:, :48]))  # no plant series: one panel
    assert alone.get_xlabel() == "hours from the start" and len(alone.figure.axes) == 1


def test_timeline_lanes_and_spans():
    events = [
        Event(0.0, K.GARRISON, ("dam_garrison",), "dam", strength=150.0),
        Event(1 * HOUR, K.DEPART, ("column",), "town_a", road="a_dam", destination="dam"),
        Event(4 * HOUR, K.ARRIVE, ("column",), "dam", strength=400.0),
        Event(4 * HOUR, K.ENGAGE, ("column",), "dam", opponents=("dam_garrison",)),
        Event(6 * HOUR, K.DEFEAT, ("dam_garrison",), "dam", opponents=("column",)),
        Event(6 * HOUR, K.CAPTURED, ("Dam",), "dam", opponents=("column",)),
        Event(20 * HOUR, K.BREACH, ("Dam",), "dam", mode="breach", breach_kind="full_breach"),
        Event(21 * HOUR, K.WARNING, ("warning",), "hit", after_breach_s=HOUR),
    ]
    figure = plotting.plot_timeline(events, horizon_s=48 * HOUR, title="Replication 7")
    axes = labelled(figure, y=False, render=True)
    lanes = [t.get_text() for t in axes.get_yticklabels()]
    assert lanes == ["dam_garrison", "column", "Dam", "warning"]
    legend = {t.get_text() for t in figure.legends[0].get_texts()}
    assert {"moving", "fighting", "capture", "breach", "warning"} <= legend
    empty = plotting.plot_timeline([], horizon_s=10 * HOUR)
    assert any("no events" in t.get_text() for t in empty.axes[0].texts)


def test_convergence(run):
    axes = labelled(plotting.plot_convergence(convergence(run["fatalities"]),
                                              outcome="fatalities"), render=True)
    assert "people" in axes.get_ylabel()
    labelled(plotting.plot_convergence(convergence(run["breach_started"]),
                                       outcome="breach_started"))


def test_convergence_label_reads_inside_its_sentence(run):
    trace = convergence(run["fatalities"])
    axes = plotting.plot_convergence(trace, outcome="Fatalities", unit="people").axes[0]
    assert axes.get_ylabel() == "running mean of fatalities (people)"
    assert axes.get_title(loc="left") == "Convergence of the mean of fatalities"
    axes = plotting.plot_convergence(trace, outcome="P(breach)", unit="").axes[0]
    assert axes.get_ylabel() == "running mean of P(breach)"


def test_tornado(run):
    rows = rank_sensitivity(run, "time_to_capture_h")
    axes = labelled(plotting.plot_tornado(rows, outcome="time_to_capture_h"), y=False,
                    render=True)
    assert [t.get_text() for t in axes.get_yticklabels()][0] in \
        {"forces.isil_column.strength", "warning.detection_delay_s"}
    assert axes.get_xlim() == pytest.approx((-1.05, 1.05))
    labelled(plotting.plot_tornado([], outcome="x"), y=False)


def test_swing_tornado_labels_its_inputs_and_says_which_way_each_bar_goes(run):
    from simulator.analysis.sensitivity import decile_swing

    rows = decile_swing(run, "fatalities")
    labels = {r.input: f"label of {r.input}" for r in rows}
    figure = plotting.plot_swing(rows, outcome="mean fatalities", unit="people",
                                 labels=labels, mean=float(np.mean(run["fatalities"])))
    axes = labelled(figure, y=False, render=True)
    assert axes.get_xlabel() == "mean fatalities (people)"
    ticks = [t.get_text() for t in axes.get_yticklabels()]
    assert ticks and all(t.startswith("label of input.") for t in ticks)
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert legend == ["input in its lowest decile (or 0)", "input in its highest decile (or 1)"]
    assert all("ρ" in t.get_text() for t in axes.texts)  # swing and rank correlation
    empty = plotting.plot_swing([], outcome="x")
    assert any("no varying input" in t.get_text() for t in empty.axes[0].texts)


def test_incidence_curves_end_below_one_when_events_did_not_always_happen():
    from simulator.analysis.stats import cumulative_incidence

    curve = cumulative_incidence([2.0, np.nan, 5.0, np.nan])
    axes = labelled(plotting.plot_incidence({"dam captured": curve}, horizon_h=72.0),
                    render=True)
    line = axes.lines[0]
    assert line.get_ydata()[-1] == 0.5 and line.get_xdata()[-1] == 72.0
    assert "50% by the end" in axes.get_legend().get_texts()[0].get_text()
    empty = plotting.plot_incidence({"breach": cumulative_incidence([np.nan])})
    assert any("none of these events" in t.get_text() for t in empty.axes[0].texts)


def test_differences_forest_plot():
    from simulator.analysis.compare import RunSample, compare_runs

    rng = np.random.default_rng(3)
    common = rng.lognormal(3, 1, 100)
    a = RunSample("a", {"fatalities": common, "peak_shed_mw": common + 5,
                        "lines_cut": np.zeros(100)}, np.arange(100), 1)
    b = RunSample("b", {"fatalities": common * 0.8, "peak_shed_mw": common + 6,
                        "lines_cut": np.ones(100)}, np.arange(100), 1)
    rows = compare_runs(a, b)
    axes = labelled(plotting.plot_differences(rows), y=False, render=True)
    # lines_cut has a zero reference mean: it cannot be shown as a percentage
    assert [t.get_text() for t in axes.get_yticklabels()] == ["fatalities", "peak_shed_mw"]
    # each difference with its interval written out (never "± 0")
    assert any(re.search(r"\(.+ to .+\)", t.get_text()) for t in axes.texts)
    assert not any("±" in t.get_text() for t in axes.texts)
    labelled_axes = labelled(plotting.plot_differences(rows, labels={
        "fatalities": "Fatalities (people)"}), y=False)
    assert [t.get_text() for t in labelled_axes.get_yticklabels()][0] == "Fatalities (people)"
    empty = plotting.plot_differences([])
    assert any("no outcome" in t.get_text() for t in empty.axes[0].texts)


def test_units_from_outcome_names():
    assert plotting.outcome_label("peak_shed_mw") == "peak_shed_mw (MW)"
    assert plotting.outcome_label("unserved_energy_mwh") == "unserved_energy_mwh (MWh)"
    assert plotting.outcome_label("peak_outflow_m3s") == "peak_outflow_m3s (m³/s)"
    assert plotting.outcome_label("depth_m.hit") == "depth_m.hit (m)"
    assert plotting.outcome_label("fatalities.hit") == "fatalities.hit (people)"
    assert plotting.outcome_label("dam_captured") == "dam_captured"


def test_png_bytes_draws_savefigs_picture_at_twice_the_resolution(run):
    import io

    from PIL import Image

    from simulator.report.html import _display_width

    figure = plotting.plot_distribution(run["fatalities"], outcome="fatalities")
    saved = io.BytesIO()
    figure.savefig(saved, format="png", dpi=plotting.DPI * plotting.SCALE)
    drawn = plotting.png_bytes(plotting.plot_distribution(run["fatalities"],
                                                          outcome="fatalities"))
    image = Image.open(io.BytesIO(drawn))
    assert image.size[0] == round(plotting.WIDTH_IN * plotting.DPI * plotting.SCALE)
    assert image.mode == "P"  # 256 colours: the same picture, a third of the bytes
    pixels = np.asarray(image.convert("RGB"), dtype=float)
    reference = np.asarray(Image.open(saved).convert("RGB"), dtype=float)
    assert pixels.shape == reference.shape
    assert np.abs(pixels - reference).mean() < 1.0  # of 255 levels
    white = (reference == 255).all(axis=2)
    assert white.mean() > 0.5 and (pixels[white] == 255).all()  # the page's white
    # a report shows it as wide as a figure drawn at DPI was: sharp, not larger
    assert _display_width(drawn) == round(plotting.WIDTH_IN * plotting.DPI)


def test_save_figure(tmp_path, run):
    path = plotting.save_figure(plotting.plot_distribution(run["fatalities"]),
                                tmp_path / "sub" / "f.png")
    assert path.read_bytes() == plotting.png_bytes(plotting.plot_distribution(run["fatalities"]))
    svg = plotting.save_figure(plotting.plot_distribution(run["fatalities"]), tmp_path / "f.svg")
    assert b"<svg" in svg.read_bytes()[:1000]


def test_help_does_not_import_matplotlib():
    code = ("import sys; from simulator.cli import build_parser; build_parser(); "
            "sys.exit('matplotlib' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
