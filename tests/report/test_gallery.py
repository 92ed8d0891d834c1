"""The gallery shows every bundled scenario: a scenario added to scenarios/ without a
gallery entry fails here, so the README's pictures keep up with what is bundled."""

from simulator.report.gallery import GALLERY, default_scenarios_dir


def test_every_bundled_scenario_has_a_gallery_entry_with_its_map():
    bundled = {path.name for path in default_scenarios_dir().glob("*.yaml")
               if len(path.suffixes) == 1}  # not haditha_2014.decisions.yaml
    assert bundled and bundled == {entry.file for entry in GALLERY}
    assert all("map" in entry.figures and "river" in entry.figures for entry in GALLERY)
