"""The outcome catalogue covers every column the engine emits, and reads as it should.

The coverage test runs the engine on every bundled scenario (and the test scenarios)
for a few replications, with timelines off and consequences on, and fails on any
outcome or input column that has no entry: a new outcome needs a catalogue line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import load_scenario, prepare, simulate
from simulator.analysis.catalogue import (
    GROUPS,
    KINDS,
    OUTCOMES,
    Catalogue,
    catalogue_entry,
    reach_name,
)

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(ROOT.glob("scenarios/*.yaml")) + sorted(ROOT.glob("tests/data/*.yaml"))
SCENARIOS = [p for p in SCENARIOS if not p.name.endswith(".decisions.yaml")]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_emitted_column_has_an_entry(path: Path) -> None:
    scenario = load_scenario(path)
    prepared = prepare(scenario)
    columns: set[str] = set()
    for replication in range(4):
        columns.update(simulate(prepared, replication=replication).outcomes)
    catalogue = Catalogue(scenario)
    assert catalogue.missing(sorted(columns)) == []


def test_entries_are_well_formed() -> None:
    ids = [e.id for e in OUTCOMES]
    assert len(ids) == len(set(ids))
    for entry in OUTCOMES:
        assert entry.kind in KINDS and entry.group in GROUPS
        assert entry.worse in ("higher", "lower", "neither")
        assert entry.label and entry.meaning
        if entry.kind in ("probability", "time_to_event"):
            assert entry.event, entry.id
        if entry.given is not None:
            assert catalogue_entry(entry.given).kind == "probability", entry.id


def test_patterns_use_the_scenarios_display_names() -> None:
    catalogue = Catalogue(load_scenario(ROOT / "scenarios/classroom.yaml"))
    assert catalogue.heading("fatalities.riverton") == "Fatalities in Riverton (people)"
    assert catalogue.label("capture_h.upland") == "Time to capture of Upland village"
    assert catalogue["capture_h.upland"].event == "Upland village captured"
    assert catalogue.label("input.network.nodes.upland.halt_s") == "Upland village: halt"
    assert catalogue.heading("dam_captured") == "P(dam captured)"
    assert catalogue_entry("fatalities.riverton").label == "Fatalities in Riverton"  # no scenario
    assert catalogue_entry("nonsense_outcome") is None
    assert catalogue_entry("input.forces.column.colour") is None


def test_the_full_table_is_grouped_not_alphabetical() -> None:
    catalogue = Catalogue(load_scenario(ROOT / "scenarios/classroom.yaml"))
    columns = ["added_unserved_energy_mwh", "fatalities", "depth_m.lowford",
               "arrival_h.millbrook", "depth_m.millbrook", "dam_captured", "towns_captured",
               "input.grid.repair_time_s"]
    assert catalogue.ordered(columns) == [
        "towns_captured", "dam_captured", "arrival_h.millbrook", "depth_m.millbrook",
        "depth_m.lowford", "fatalities", "added_unserved_energy_mwh",
        "input.grid.repair_time_s"]
    assert catalogue.headline(columns) == ["dam_captured", "fatalities",
                                           "added_unserved_energy_mwh"]


def test_names_come_from_a_runs_resolved_scenario_too():
    """A report has only the manifest's resolved scenario (a dict): same labels."""
    scenario = load_scenario(ROOT / "scenarios/classroom.yaml")
    resolved = scenario.model_dump(mode="json")
    for column in ("fatalities.riverton", "capture_h.upland",
                   "input.network.roads.upland_dam.speed_mps",
                   "input.assets.dam.failure_modes.plant_lost.occurs"):
        assert Catalogue(resolved).label(column) == Catalogue(scenario).label(column)
    assert Catalogue(resolved).label("input.network.roads.upland_dam.speed_mps") == \
        "Road Upland village–Valley Dam: speed"


def test_a_scenario_names_its_own_headline(tmp_path):
    """scenario.headline replaces the default headline, read from the loaded scenario and
    from a run's resolved scenario alike."""
    text = (ROOT / "tests/data/minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("  replications: 50\n",
                        "  replications: 50\n  headline: [fatalities.village, dam_captured]\n")
    path = tmp_path / "minimal.yaml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)
    for source in (scenario, scenario.model_dump(mode="json")):
        catalogue = Catalogue(source)
        assert catalogue.headline(["dam_captured", "fatalities", "fatalities.village"]) == \
            ["fatalities.village", "dam_captured"]


def test_a_reach_is_named_from_the_places_at_its_ends():
    """Reaches have no name: each end of ``a_to_b`` that is a place takes the place's name
    (without its aside), any other end its tidied id, capitalised alike."""
    places = {"haditha": "Haditha (with Haqlaniyah and Barwana)", "hit": "Hit"}
    assert reach_name("haditha_to_hit", places) == "Haditha to Hit"
    assert reach_name("ramadi_to_fallujah", {}) == "Ramadi to Fallujah"
    assert reach_name("gorge", places) == "Gorge"
    scenario = load_scenario(ROOT / "scenarios/haditha_2014.yaml")
    column = "input.river.reaches.ramadi_to_fallujah.channel_roughness"
    for source in (scenario, scenario.model_dump(mode="json")):
        assert Catalogue(source).label(column) == "Reach Ramadi to Fallujah: channel Manning's n"
