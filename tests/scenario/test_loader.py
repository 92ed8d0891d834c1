"""Loading: the public API, extends, variants, frozen models, the CLI's view of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from simulator import load_scenario
from simulator.cli import main
from simulator.scenario import ScenarioError

DATA = Path(__file__).parents[1] / "data"
MINIMAL = DATA / "minimal.yaml"


def test_quantities_are_si_floats():
    s = load_scenario(MINIMAL)
    assert s.scenario.horizon_s == 3 * 86400
    assert s.assets.dam.reservoir.volume_m3.mean == pytest.approx(0.2e9)
    assert s.grid.lines["tie"].capacity_w == 200e6
    speed = s.network.roads["border_dam"].speed_mps
    assert speed.kind == "triangular"
    assert speed.params["mode"] == pytest.approx(50 / 3.6)


def test_scenario_is_frozen():
    s = load_scenario(MINIMAL)
    with pytest.raises(Exception, match="frozen"):
        s.scenario.seed = 3


def test_variant_overrides_one_field_and_keeps_the_rest():
    base = load_scenario(MINIMAL)
    strong = load_scenario(MINIMAL, variant="strong_garrison")
    assert strong.forces["garrison"].strength.mean == 200
    assert (
        strong.forces["garrison"].effectiveness_per_s == base.forces["garrison"].effectiveness_per_s
    )
    assert strong.variant == "strong_garrison" and base.variant is None
    assert strong.source == str(MINIMAL)


def test_unknown_variant_suggests_closest():
    with pytest.raises(ScenarioError, match="did you mean 'strong_garrison'"):
        load_scenario(MINIMAL, variant="strong_garison")


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_extends_deep_merges_and_marks_point_at_the_file_that_set_a_value(tmp_path):
    write(tmp_path / "base.yaml", MINIMAL.read_text())
    child = write(
        tmp_path / "child.yaml",
        "extends: base.yaml\nforces:\n  column:\n    strength: 900\nassets:\n  dam:\n"
        "    height: 40 s\n",
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(child)
    (problem,) = caught.value.problems
    assert problem.mark.file == str(child) and problem.mark.line == 7

    fixed = write(
        tmp_path / "child.yaml", "extends: base.yaml\nforces:\n  column:\n    strength: 900\n"
    )
    s = load_scenario(fixed)
    assert s.forces["column"].strength.mean == 900
    assert s.forces["column"].objective == "dam"  # kept from the base
    assert s.assets.dam.height_m == 30


def test_extends_chain_of_three(tmp_path):
    write(tmp_path / "a.yaml", MINIMAL.read_text())
    write(tmp_path / "b.yaml", "extends: a.yaml\nscenario:\n  seed: 11\n")
    c = write(tmp_path / "c.yaml", "extends: b.yaml\nscenario:\n  replications: 9\n")
    s = load_scenario(c)
    assert (s.scenario.seed, s.scenario.replications, s.scenario.name) == (11, 9, "Minimal valley")


def test_validate_checks_every_variant(tmp_path, capsys):
    text = MINIMAL.read_text() + "  broken:\n    overrides:\n      scenario: {horizon: -1 h}\n"
    path = write(tmp_path / "v.yaml", text)
    assert main(["validate", str(path)]) == 2
    assert "with variant 'broken'" in capsys.readouterr().err


def test_validate_prints_counts(capsys):
    assert main(["validate", str(MINIMAL)]) == 0
    out = capsys.readouterr().out
    assert "OK (2 nodes, 1 roads, 2 forces, 1 towns, 2 buses, 1 variants)" in out


def test_show_prints_resolved_si_yaml(capsys):
    assert main(["show", str(MINIMAL), "--variant", "strong_garrison"]) == 0
    resolved = yaml.safe_load(capsys.readouterr().out)
    assert resolved["forces"]["garrison"]["strength"] == 200
    assert resolved["assets"]["dam"]["height_m"] == 30
    assert resolved["network"]["roads"]["border_dam"]["speed_mps"]["dist"] == "triangular"


def test_schema_is_json_and_uses_yaml_keys(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    dam = schema["$defs"]["Dam"]["properties"]
    assert {"height", "crest_length", "reservoir", "failure_modes"} <= set(dam)
    assert schema["$defs"]["Dam"]["additionalProperties"] is False
    assert "horizon" in schema["$defs"]["ScenarioInfo"]["required"]


def test_bundled_scenarios_validate(capsys):
    files = sorted(str(p) for p in (Path(__file__).parents[2] / "scenarios").glob("*.yaml"))
    assert files, "no bundled scenarios"
    assert main(["validate", *files]) == 0, capsys.readouterr().err


def test_override_replaces_a_distribution_or_trigger_whole(tmp_path):
    """A variant that swaps a triangular speed for a lognormal one, or a town-falls
    trigger for a timed one, must not be merged key by key into an invalid mixture."""
    text = MINIMAL.read_text().replace(
        "    defender_advantage: 2\n",
        "    defender_advantage: 2\n    trigger: {town_falls: border}\n",
    ) + (
        "  swapped:\n    overrides:\n"
        "      network: {roads: {border_dam: {speed: {dist: lognormal, median: 40 km/h, p90: 60 km/h}}}}\n"
        "      forces: {garrison: {trigger: {time: 2 h}}}\n"
    )
    path = write(tmp_path / "swap.yaml", text)
    s = load_scenario(path, variant="swapped")
    assert s.network.roads["border_dam"].speed_mps.kind == "lognormal"
    assert s.forces["garrison"].trigger.time_s == 7200 and s.forces["garrison"].trigger.town_falls is None


def test_null_in_a_variant_removes_a_force_and_the_rest_stays(tmp_path):
    text = MINIMAL.read_text().replace(
        "variants:\n", "variants:\n  unguarded:\n    description: No garrison.\n"
        "    overrides:\n      forces: {garrison: null}\n", 1)
    path = write(tmp_path / "unguarded.yaml", text)
    base = load_scenario(path)
    unguarded = load_scenario(path, variant="unguarded")
    assert set(base.forces) == {"column", "garrison"}
    assert set(unguarded.forces) == {"column"}
    assert unguarded.forces["column"] == base.forces["column"]


def test_null_in_an_extending_file_drops_an_optional_field_to_its_default(tmp_path):
    write(tmp_path / "base.yaml", MINIMAL.read_text())
    child = write(tmp_path / "child.yaml",
                  "extends: base.yaml\nassets:\n  dam:\n    plant: null\n")
    assert load_scenario(tmp_path / "base.yaml").assets.dam.plant is not None
    assert load_scenario(child).assets.dam.plant is None


def test_reference_no_reinforcement_variant_has_no_reinforcement():
    path = Path(__file__).parents[2] / "scenarios" / "haditha_2014.yaml"
    assert "baghdad_reinforcement" in load_scenario(path).forces
    assert "baghdad_reinforcement" not in load_scenario(path, variant="no_reinforcement").forces
