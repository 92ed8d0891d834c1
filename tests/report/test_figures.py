"""Which figures a run gets: only those its outcomes support, the added rather than the
total unserved energy when both exist, towns in river order, and the median and worst
replications picked by the most telling severity outcome."""

import numpy as np
from report_helpers import synthetic_run

from simulator.report.figures import pick_replications, river_towns, run_figures, varies


def test_pick_replications_by_severity():
    outcomes = {"fatalities": np.array([0.0, 5.0, 0.0, 90.0, 3.0]),
                "dam_captured": np.array([0.0, 1.0, 0.0, 1.0, 1.0])}
    picked = pick_replications(outcomes, np.array([10, 11, 12, 13, 14]))
    assert picked["worst"][0] == 13 and "fatalities = 90" in picked["worst"][1]
    assert picked["median"][0] == 14  # median 3.0
    only_flags = {"dam_captured": np.array([0.0, 1.0])}
    assert pick_replications(only_flags, np.array([0, 1]))["worst"][0] == 1
    assert pick_replications({"x": np.ones(3)}, np.arange(3)) == {}


def test_river_towns_in_downstream_order_with_node_names():
    _, _, manifest = synthetic_run()
    manifest["resolved_scenario"]["network"] = {"nodes": {"up": {"name": "Upper Mill"}}}
    manifest["resolved_scenario"]["river"]["towns"]["upper"].pop("name")
    manifest["resolved_scenario"]["river"]["towns"]["upper"]["node"] = "up"
    towns, distances, names = river_towns(manifest)
    assert towns == ["upper", "lower"] and distances == [5.0, 40.0]
    assert names == {"upper": "Upper Mill", "lower": "Lower <town>"}
    assert river_towns({}) == ([], [], {})


def test_run_figures_follow_the_outcomes():
    outcomes, _, manifest = synthetic_run(n=60)
    outcomes["unserved_energy_mwh"] = np.linspace(100, 200, 60)
    outcomes["added_unserved_energy_mwh"] = np.linspace(0, 100, 60)
    outcomes["constant"] = np.ones(60)
    slugs = [item.slug for item in run_figures(outcomes, manifest)]
    assert slugs == [
        "exceedance-fatalities", "exceedance-added_unserved_energy_mwh", "fn", "river",
        "distribution-fatalities", "distribution-added_unserved_energy_mwh",
        "convergence-fatalities", "convergence-dam_captured",
        "tornado-fatalities", "tornado-dam_captured",
    ]
    assert not varies(outcomes, "constant") and not varies(outcomes, "missing")



def test_the_incidence_figure_shows_when_events_happen_among_all_replications():
    """Times to events (NaN: not by the horizon) get one cumulative-incidence figure, each
    curve ending at the share of all replications in which its event happened."""
    outcomes, _, manifest = synthetic_run(n=60)
    captured = outcomes["dam_captured"] == 1
    outcomes["time_to_capture_h"] = np.where(captured, np.linspace(5, 50, 60), np.nan)
    items = {item.slug: item for item in run_figures(outcomes, manifest)}
    item = items["incidence"]
    assert "did not happen by the horizon" in item.caption
    curves = item.draw.args[0]
    assert list(curves) == ["dam captured"]
    assert curves["dam captured"].probability[-1] == captured.mean()
    assert item.draw.keywords["horizon_h"] == 72.0
    figure = item.draw()
    assert "dam captured" in figure.axes[0].get_legend().get_texts()[0].get_text()
