"""Large towns: a river town given as districts, each a river point with its own
distance, people and floodplain share. tests/data/districts.yaml is the valley of
engine_valley.yaml with its far town in three districts (25, 30 and 36 km below the
dam); every replication of the valley breaches."""

from __future__ import annotations

import math

import pytest

from simulator.analysis.catalogue import Catalogue
from simulator.engine import prepare, simulate
from simulator.scenario import load_scenario

from .conftest import DATA, extending

DISTRICTS = ("upstream", "centre", "downstream")


@pytest.fixture(scope="module")
def large_town():
    return prepare(load_scenario(DATA / "districts.yaml"))


def test_a_town_is_its_worst_district(large_town):
    """Fatalities add up over the districts; depth is the deepest district's, arrival the
    earliest's (the upstream district, 25 km down: the water reaches the town there), and
    the timeline's flood arrival at the town is at that time."""
    r = simulate(large_town, seed=4, replication=0, timeline=True)
    out = r.outcomes
    assert out["breach_started"] == 1
    by_district = {d: (out[f"arrival_h.far.{d}"], out[f"depth_m.far.{d}"],
                       out[f"fatalities.far.{d}"]) for d in DISTRICTS}
    arrivals = [arrival for arrival, _, _ in by_district.values()]
    assert arrivals == sorted(arrivals) and all(math.isfinite(a) for a in arrivals)
    assert out["arrival_h.far"] == by_district["upstream"][0]
    assert out["depth_m.far"] == max(depth for _, depth, _ in by_district.values())
    assert out["fatalities.far"] == pytest.approx(sum(f for _, _, f in by_district.values()))
    assert out["fatalities"] == pytest.approx(out["fatalities.near"] + out["fatalities.far"])
    arrived = [e.time_s / 3600 for e in r.timeline
               if e.kind == "flood_arrival" and e.place == "far"]
    assert arrived == [pytest.approx(out["arrival_h.far"])]


def test_one_district_where_the_town_is_changes_nothing(tmp_path):
    """A town given as one district at its own distance, with its own people, is the
    plain town: the same town outcomes, to the last bit."""
    scenario = extending(
        tmp_path, "engine_valley.yaml",
        "river: {towns: {far: {population: null, floodplain_share: null, districts: "
        "{all: {river_distance: 30 km, population: 9000, floodplain_share: 0.3}}}}}\n")
    one = simulate(scenario, seed=4, replication=0).outcomes
    plain = simulate(load_scenario(DATA / "engine_valley.yaml"), seed=4, replication=0).outcomes
    for key, value in plain.items():
        assert one[key] == pytest.approx(value, rel=1e-12, nan_ok=True), key
    assert one["fatalities.far.all"] == plain["fatalities.far"]
    assert set(one) - set(plain) == {"arrival_h.far.all", "depth_m.far.all",
                                     "fatalities.far.all"}


def test_every_district_column_is_catalogued(large_town):
    """The district columns and their inputs have catalogue entries, named after the
    town and the district (its own name where it has one)."""
    scenario = large_town.scenario
    r = simulate(large_town, seed=4, replication=0)
    catalogue = Catalogue(scenario)
    assert catalogue.missing(r.outcomes) == []
    assert catalogue.label("fatalities.far.upstream") == "Fatalities in Far, Old town"
    assert catalogue.label("depth_m.far.centre") == "Peak flood depth at Far, Centre"
    column = "input.river.towns.far.districts.centre.population"
    assert column in r.outcomes and catalogue.heading(column) == "Far, Centre: population (people)"
    ordered = catalogue.ordered(r.outcomes)
    flood = [c for c in ordered if c.startswith(("arrival_h.far", "depth_m.far"))]
    assert flood.index("arrival_h.far") < flood.index("arrival_h.far.upstream")


def test_districts_draw_on_their_own_streams(large_town):
    """Every other input of the valley is drawn as without districts."""
    plain = prepare(load_scenario(DATA / "engine_valley.yaml"), consequences=False).inputs
    for replication in range(3):
        before = plain.draw_by_path(9, replication)
        after = large_town.inputs.draw_by_path(9, replication)
        common = {k: v for k, v in before.items() if not k.startswith("river.towns.far.")}
        assert {k: after[k] for k in common} == common
        assert 3000 <= after["river.towns.far.districts.centre.population"] <= 5000


def test_a_town_needs_its_people_or_districts(tmp_path):
    """A town with neither a population nor districts is refused, naming what it needs."""
    from simulator.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="a river town needs 'population'"):
        extending(tmp_path, "engine_valley.yaml", "river: {towns: {far: {population: null}}}\n")


def test_a_district_headline_names_an_existing_town():
    """A district column may head a summary; one of a town the scenario lacks is refused."""
    from simulator.analysis.catalogue import headline_problem

    towns = {"town": ["near", "far"]}
    assert headline_problem("fatalities.far.upstream", towns) is None
    assert headline_problem("depth_m.ford.upstream", towns) == (
        "'depth_m.ford.upstream': the scenario has no town 'ford'")
