"""The map: places where the scenario puts them, a scale bar that measures true distances,
the river through its towns in downstream order, routes by side, towns coloured by their
values, and no label over another."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from simulator import plotting
from simulator.report.exhibits import Exhibits, read_exhibits, write_exhibits
from simulator.report.figures import map_figure, run_figures

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius, for the great-circle check


def great_circle_km(lat_a, lon_a, lat_b, lon_b):
    """Haversine distance on a sphere of the mean Earth radius."""
    pa, pb = math.radians(lat_a), math.radians(lat_b)
    dp, dl = pb - pa, math.radians(lon_b - lon_a)
    h = math.sin(dp / 2) ** 2 + math.cos(pa) * math.cos(pb) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def node(name, kind, lat, lon, population=0):
    return {"name": name, "kind": kind, "lat": lat, "lon": lon, "population": population}


# The reference valley's places (scenarios/haditha_2014.yaml): the dam and Haditha town
# are 9 km apart, Al-Qaim and the border crossing 11 km, so names crowd.
NODES = {
    "husaybah": node("Husaybah / Al-Qaim border crossing", "border", 34.398, 40.977),
    "al_qaim": node("Al-Qaim", "town", 34.369, 41.094, 74100),
    "rawa": node("Rawa", "town", 34.467, 41.917, 30000),
    "anah": node("Anah", "town", 34.367, 41.983, 40000),
    "dam": node("Haditha (Qadisiya) Dam", "dam", 34.207, 42.356),
    "haditha": node("Haditha (with Haqlaniyah and Barwana)", "town", 34.132, 42.38, 100000),
    "baghdadi": node("Khan al-Baghdadi", "town", 33.853, 42.548, 5000),
    "hit": node("Hit", "town", 33.645, 42.826, 120000),
    "ramadi": node("Ramadi", "city", 33.42, 43.313, 480000),
    "baghdad": node("Baghdad", "city", 33.315, 44.366, 7200000),
}
CHAIN = ["husaybah", "al_qaim", "rawa", "anah", "dam", "haditha", "baghdadi", "hit", "ramadi",
         "baghdad"]
SCENARIO = {
    "scenario": {"name": "Test valley"},
    "network": {"nodes": NODES,
                "roads": {f"{a}-{b}": {"from_node": a, "to_node": b}
                          for a, b in itertools.pairwise(CHAIN)}},
    "assets": {"dam": {"node": "dam"}},
    # listed out of downstream order on purpose: the river follows river_distance_m
    "river": {"towns": {"hit": {"node": "hit", "river_distance_m": 110e3},
                        "haditha_town": {"node": "haditha", "river_distance_m": 10e3},
                        "ramadi": {"node": "ramadi", "river_distance_m": 180e3},
                        "baghdadi": {"node": "baghdadi", "river_distance_m": 60e3}}},
    "forces": {"column": {"side": "attacker"}, "relief": {"side": "defender"}},
}
ROUTES = {"column": ("al_qaim", "rawa", "anah", "dam"),
          "relief": ("baghdad", "ramadi", "hit", "baghdadi", "haditha", "dam")}
VALUES = {"haditha_town": 0.05, "baghdadi": 0.04, "hit": 0.03, "ramadi": 0.0}


@pytest.fixture(scope="module")
def drawn():
    figure = plotting.plot_map(SCENARIO, routes=ROUTES, town_values=VALUES,
                               value_label="P(flood reaches the town)")
    FigureCanvasAgg(figure).draw()
    return figure, figure.axes[0]


def _lines_of_colour(axes, colour):
    from matplotlib.colors import to_rgba

    return [line for line in axes.get_lines()
            if to_rgba(line.get_color())[:3] == to_rgba(colour)[:3]]


def test_projection_distances_match_the_great_circle_within_a_percent():
    for a, b in [("dam", "ramadi"), ("al_qaim", "baghdad"), ("dam", "haditha")]:
        pa, pb = NODES[a], NODES[b]
        mean_lat = (pa["lat"] + pb["lat"]) / 2
        mapped = plotting.map_distance_km(pa["lat"], pa["lon"], pb["lat"], pb["lon"], mean_lat)
        assert mapped == pytest.approx(great_circle_km(pa["lat"], pa["lon"], pb["lat"], pb["lon"]),
                                       rel=0.01)
    # a degree of latitude
    assert plotting.map_distance_km(34.0, 42.0, 35.0, 42.0, 34.5) == pytest.approx(111.32)


def test_scale_bar_is_as_long_as_its_label_says(drawn):
    _, axes = drawn
    label = next(t for t in axes.texts if t.get_text().endswith(" km"))
    length_km = float(label.get_text().split()[0])
    bar = next(line for line in axes.get_lines() if line.get_linewidth() == 3)
    (x0, x1), (y0, _) = bar.get_xdata(), bar.get_ydata()
    mean_lat = np.mean([n["lat"] for n in NODES.values()])
    assert plotting.map_distance_km(y0, x0, y0, x1, mean_lat) == pytest.approx(length_km)
    assert great_circle_km(y0, x0, y0, x1) == pytest.approx(length_km, rel=0.01)
    assert length_km in (10, 20, 50, 100, 200)  # a round length


def test_north_is_up_and_the_aspect_keeps_distances(drawn):
    _, axes = drawn
    arrow = next(t for t in axes.texts if t.get_text() == "N")
    assert arrow.xy[1] > arrow.xyann[1]  # the arrow points up
    mean_lat = np.mean([n["lat"] for n in NODES.values()])
    assert axes.get_aspect() == pytest.approx(1 / math.cos(math.radians(mean_lat)))


def test_the_river_runs_from_the_dam_through_its_towns_downstream(drawn):
    _, axes = drawn
    (river,) = _lines_of_colour(axes, plotting._RIVER_COLOUR)
    order = ["dam", "haditha", "baghdadi", "hit", "ramadi"]
    assert list(river.get_xdata()) == [NODES[n]["lon"] for n in order]
    assert list(river.get_ydata()) == [NODES[n]["lat"] for n in order]


def test_routes_are_drawn_in_their_side_colour_along_their_nodes(drawn):
    _, axes = drawn
    for force, side in (("column", "attacker"), ("relief", "defender")):
        (line,) = _lines_of_colour(axes, plotting._SIDE_COLOURS[side])
        assert list(line.get_xdata()) == [NODES[n]["lon"] for n in ROUTES[force]]


def test_towns_are_coloured_by_value_and_labelled_with_it(drawn):
    figure, axes = drawn
    colourbar = figure.axes[1]
    assert colourbar.get_ylabel() == "P(flood reaches the town)"
    colormap = plotting.matplotlib.colormaps["YlOrRd"]
    faces = {(round(c.get_offsets()[0][0], 3), round(c.get_offsets()[0][1], 3)):
             tuple(c.get_facecolors()[0]) for c in axes.collections}
    assert faces[(42.38, 34.132)] == pytest.approx(colormap(1.0))  # the largest value
    assert faces[(43.313, 33.42)] == pytest.approx(colormap(0.0))  # zero
    assert faces[(41.094, 34.369)] == pytest.approx((1, 1, 1, 1))  # not a river town
    texts = [t.get_text() for t in axes.texts]
    assert "Haditha\n5%" in texts and "Khan al-Baghdadi\n4%" in texts
    assert "Haditha (Qadisiya)\nDam" in texts  # a dam keeps its whole name


def test_a_town_note_replaces_the_value_beside_it():
    figure = plotting.plot_map(SCENARIO, town_values={"hit": 2.5}, probability=False,
                               town_notes={"hit": "25% · 2.5 m"}, value_label="depth (m)")
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert "Hit\n25% · 2.5 m" in texts


def test_no_label_overlaps_another_and_all_stay_inside(drawn):
    figure, axes = drawn
    renderer = figure.canvas.get_renderer()
    names = [t for t in axes.texts if t.get_text() not in ("", "N") and "km" not in t.get_text()]
    assert len(names) == len(NODES)
    boxes = [t.get_window_extent(renderer) for t in names]
    inside = axes.get_window_extent(renderer)
    for box in boxes:
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1
        assert inside.y0 <= box.y0 and box.y1 <= inside.y1
    for (a, ta), (b, tb) in itertools.combinations(zip(boxes, names, strict=True), 2):
        assert not a.overlaps(b), (ta.get_text(), tb.get_text())


def test_a_scenario_without_coordinates_gets_a_note():
    bare = {"network": {"nodes": {"a": {"kind": "town"}}}}
    figure = plotting.plot_map(bare)
    assert "no coordinates" in figure.axes[0].texts[0].get_text()


def test_the_report_map_comes_first_with_floods_per_town():
    manifest = {"resolved_scenario": SCENARIO}
    nan = math.nan
    outcomes = {"arrival_h.hit": np.array([nan, 3.0, nan, nan]),
                "depth_m.hit": np.array([0.0, 2.5, 0.0, 0.0]),
                "arrival_h.haditha_town": np.array([1.0, 1.5, nan, nan]),
                "depth_m.haditha_town": np.array([4.0, 6.0, 0.0, 0.0]),
                "arrival_h.ramadi": np.full(4, nan), "depth_m.ramadi": np.zeros(4),
                "fatalities": np.array([0.0, 5.0, 0.0, 0.0])}
    first = next(run_figures(outcomes, manifest, routes=ROUTES))
    assert first.slug == "map"
    options = first.draw.keywords
    # colour: the median depth of the floods that reached the town (not of every run)
    assert options["town_values"] == {"haditha_town": 5.0, "hit": 2.5}
    assert options["town_notes"] == {"haditha_town": "50% · 5 m", "hit": "25% · 2.5 m",
                                     "ramadi": "0%"}
    assert options["routes"] == ROUTES
    assert "4 replications" in first.caption
    assert map_figure(outcomes, {"resolved_scenario": {"network": {"nodes": {}}}}) is None


def test_exhibits_keep_the_routes(tmp_path):
    exhibits = Exhibits({"seed": 1}, (), None, {"column": ("a", "b", "c")})
    write_exhibits(tmp_path, exhibits)
    assert read_exhibits(tmp_path).routes == {"column": ("a", "b", "c")}


def test_the_after_action_report_maps_the_story():
    from types import SimpleNamespace

    from simulator.exercise.aar import _map_block
    from simulator.scenario import load_scenario

    scenario = load_scenario(Path(__file__).parent / "data" / "minimal.yaml")
    town = next(iter(scenario.river.towns))
    story = SimpleNamespace(outcomes={f"depth_m.{town}": 2.0})
    session = SimpleNamespace(scenario=scenario, story=story,
                              info=SimpleNamespace(name="Minimal"))
    block = _map_block(session)
    assert block.kind == "figure" and block.file == "map.png"
    assert block.png.startswith(b"\x89PNG") and "peak depth" in block.text
    dry = _map_block(SimpleNamespace(scenario=scenario, info=session.info,
                                     story=SimpleNamespace(outcomes={f"depth_m.{town}": 0.0})))
    assert "no flood reached" in dry.text
