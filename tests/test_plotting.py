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
    ticks = [t.get_text() for t in figure.axes[1].get_xticklabels()]
    assert ticks == ["haditha\n10 km", "Hit\n110 km", "ramadi\n180 km"]
    assert figure.axes[0].get_ylabel() == "flood arrival (h)"
    assert figure.axes[1].get_ylabel() == "peak depth (m)"
    no_breach = dict(run, breach_started=np.zeros(200))
    quiet = plotting.plot_river(no_breach, TOWNS)
    assert any("no replication" in t.get_text() for t in quiet.axes[0].texts)


def test_load_shed_fan_chart():
    rng = np.random.default_rng(1)
    shed = rng.gamma(2.0, 100.0, size=(50, 240))
    axes = labelled(plotting.plot_load_shed(shed, baseline_mw=np.full(240, 50.0)), render=True)
    assert axes.get_ylabel() == "load shed (MW)" and "(d)" in axes.get_xlabel()
    short = labelled(plotting.plot_load_shed(shed[:, :24]))
    assert "(h)" in short.get_xlabel()


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


def test_png_bytes_draws_the_pixels_savefig_draws(run):
    import io

    from PIL import Image

    figure = plotting.plot_distribution(run["fatalities"], outcome="fatalities")
    saved = io.BytesIO()
    figure.savefig(saved, format="png", dpi=plotting.DPI)
    drawn = plotting.png_bytes(plotting.plot_distribution(run["fatalities"],
                                                          outcome="fatalities"))
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(drawn))),
                          np.asarray(Image.open(saved)))


def test_save_figure(tmp_path, run):
    path = plotting.save_figure(plotting.plot_distribution(run["fatalities"]),
                                tmp_path / "sub" / "f.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_help_does_not_import_matplotlib():
    code = ("import sys; from simulator.cli import build_parser; build_parser(); "
            "sys.exit('matplotlib' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
