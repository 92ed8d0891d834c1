"""Which figures a run gets: only those its outcomes support, the added rather than the
total unserved energy when both exist, towns in river order, and the median and worst
replications picked by the most telling severity outcome."""

import numpy as np
from report_helpers import synthetic_run

from simulator.report.exhibits import LoadShed, hours_out
from simulator.report.figures import pick_replications, river_towns, run_figures, varies


def test_pick_replications_by_severity():
    outcomes = {"fatalities": np.array([0.0, 5.0, 0.0, 90.0, 3.0]),
                "dam_captured": np.array([0.0, 1.0, 0.0, 1.0, 1.0])}
    picked = pick_replications(outcomes, np.array([10, 11, 12, 13, 14]))
    assert picked["worst"][0] == 13 and "Fatalities = 90" in picked["worst"][1]
    assert picked["median"][0] == 14  # median 3.0
    with_gaps = {"fatalities": np.array([np.nan, 0.0, np.nan, 90.0, 3.0, 7.0, np.nan])}
    picked = pick_replications(with_gaps, np.arange(20, 27))
    assert picked["median"][0] == 24 and picked["worst"][0] == 23  # median 5.0: 3 first
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


def test_the_river_figure_counts_from_the_breach_and_shows_warning_lead_times():
    outcomes, _, manifest = synthetic_run(n=60)
    breach = outcomes["breach_started"] == 1
    outcomes["breach_time_h"] = np.where(breach, 30.0, np.nan)
    outcomes["warning_lead_h.lower"] = np.where(breach, -1.0, np.nan)
    item = {i.slug: i for i in run_figures(outcomes, manifest)}["river"]
    assert "after the breach began" in item.caption and "below 0" in item.caption
    drawn = item.draw.args[0]
    assert "breach_time_h" in drawn and "warning_lead_h.lower" in drawn
    assert item.draw.keywords["event"] == "breach"
    figure = item.draw()
    assert [a.get_ylabel() for a in figure.axes] == [
        "hours after the breach", "warning lead time (h)", "peak depth above normal (m)"]


def test_the_grid_figure_draws_the_added_shed_and_when_the_plant_is_out():
    """The stored series are the total shed and the grid's own; the figure gets the
    difference, and the plant's hours out beside it."""
    outcomes, replications, manifest = synthetic_run(n=60)
    total = np.full((4, 48), 500.0)
    total[1, 10:] += 119.0
    out = np.zeros((4, 48))
    out[1, 10:] = 1.0
    shed = LoadShed(replications[:4], total, np.full(48, 500.0), out)
    item = {i.slug: i for i in run_figures(outcomes, manifest, load_shed=shed)}["grid"]
    assert "4 replications stored for this figure" in item.caption
    assert "run's 60" in item.caption
    outcomes["added_unserved_energy_mwh"] = np.r_[np.full(15, 119.0 * 38), np.zeros(45)]
    outcomes["added_shedding_h"] = np.r_[np.full(15, 38.0), np.zeros(45)]
    item = {i.slug: i for i in run_figures(outcomes, manifest, load_shed=shed)}["grid"]
    assert "adds load shed in 25% of them" in item.caption
    assert "added unserved energy 1,130 MWh on average" in item.caption  # 119 x 38 / 4
    assert np.array_equal(item.draw.args[0], total - 500.0)
    assert item.draw.keywords["plant_out"] is out


def test_hours_out_shares_each_hour_an_interval_covers():
    share = hours_out([(1800.0, 3 * 3600.0 + 900.0), (5 * 3600.0, 1e9)], 7)
    assert np.allclose(share, [0.5, 1.0, 1.0, 0.25, 0.0, 1.0, 1.0])
    assert np.array_equal(hours_out([], 3), np.zeros(3))


def test_comparison_titles_read_variant_ids_as_words_and_prefer_the_added_peak_shed():
    from simulator.report.compare import StoredRun, compare_stored_runs
    from simulator.report.figures import comparison_figures

    runs = []
    for label, shift in (("base", 0.0), ("reinforced_early", 40.0)):
        outcomes, replications, manifest = synthetic_run(shift=shift)
        outcomes["peak_shed_mw"] = 5000.0 + outcomes["fatalities"]
        outcomes["added_peak_shed_mw"] = outcomes["fatalities"]
        runs.append(StoredRun(label, outcomes, replications, manifest))
    differences = {f"{label} - base": rows
                   for label, rows in compare_stored_runs(runs).items()}
    item = next(i for i in comparison_figures([r.label for r in runs],
                                              [r.outcomes for r in runs], differences)
                if i.slug.startswith("compare-differences-"))
    assert item.slug == "compare-differences-reinforced_early - base"  # file names keep ids
    assert item.title == "Differences: reinforced early − base"
    assert item.draw.keywords["title"] == "Change in means: reinforced early − base"
    overlay = next(i for i in comparison_figures([r.label for r in runs],
                                                 [r.outcomes for r in runs]) if i.slug == "compare-fn")
    assert list(overlay.draw.args[0]) == ["base", "reinforced early"]  # the legend's names
    drawn = {d.outcome for d in item.draw.args[0]}
    assert "added_peak_shed_mw" in drawn and "peak_shed_mw" not in drawn


def test_the_timeline_names_its_lanes():
    from simulator.engine.record import Event
    from simulator.engine.record import EventKind as K
    from simulator.report.exhibits import PickedTimeline
    from simulator.report.figures import timeline_figure

    _, _, manifest = synthetic_run()
    events = (Event(0.0, K.GARRISON, ("dam_garrison",), "dam", strength=150.0),
              Event(3600.0, K.DEPART, ("column",), "pass", road="a", destination="dam"))
    item = timeline_figure(PickedTimeline("worst", 3, "Fatalities = 9", events), manifest)
    assert item.draw.keywords["names"] == {"dam_garrison": "Dam garrison", "column": "Column"}
    ticks = [t.get_text() for t in item.draw().axes[0].get_yticklabels()]
    assert ticks == ["Dam garrison", "Column"]
