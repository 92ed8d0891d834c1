"""Two-layer runs: knowledge samples x chance replications (`montecarlo.knowledge`)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from knowledge_engine import SPEED, WIDTH

from simulator.analysis.catalogue import Catalogue
from simulator.analysis.knowledge import knowledge_bands, sample_means
from simulator.engine.inputs import InputTable
from simulator.montecarlo import RunError, run_monte_carlo
from simulator.montecarlo.knowledge import KNOWLEDGE_SAMPLE, KnowledgeDesign
from simulator.montecarlo.replay import replay
from simulator.scenario import load_scenario
from simulator.scenario.errors import ScenarioError
from simulator.scenario.layers import CHANCE, DEFAULTS, KNOWLEDGE, Layers, layer_of, matches

FAKE = {"replicate": "knowledge_engine:additive", "prepare": "knowledge_engine:compile_inputs"}


@pytest.mark.slow
def test_every_input_of_the_bundled_scenarios_has_a_default_layer():
    """A new input field of the engine needs a line in layers.DEFAULTS."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    bundled = [p for p in root.glob("scenarios/*.yaml") if not p.name.endswith(".decisions.yaml")]
    for path in [root / "tests" / "data" / "minimal.yaml", *bundled]:
        for input_path in InputTable(load_scenario(path)).random_paths:
            assert any(matches(p, input_path) for p, _, _ in DEFAULTS), input_path
    assert layer_of("forces.dam_garrison.strength") == KNOWLEDGE
    assert layer_of("forces.isil_column.departure_s") == CHANCE
    assert layer_of("assets.dam.failure_modes.full_breach.width_m") == KNOWLEDGE
    assert layer_of("assets.dam.failure_modes.full_breach.occurs") == CHANCE


def _with(tmp_path, minimal_text: str, old: str, new: str):
    assert old in minimal_text
    path = tmp_path / "scenario.yaml"
    path.write_text(minimal_text.replace(old, new, 1))
    return path


def test_a_scenario_moves_inputs_between_layers_and_bad_entries_name_their_place(tmp_path):
    from fake_engine import MINIMAL

    text = MINIMAL.read_text()
    moved = load_scenario(_with(tmp_path, text, "  seed: 7\n",
                                "  seed: 7\n  uncertainty: {knowledge: [network.roads], "
                                "chance: ['assets.dam.*.width_factor']}\n"))
    layers = Layers.of(moved, InputTable(moved).random_paths)
    assert SPEED in layers.knowledge and WIDTH in layers.chance
    bad = _with(tmp_path, text, "  seed: 7\n",
                "  seed: 7\n  uncertainty:\n    knowledge: [forces.nobody]\n")
    with pytest.raises(ScenarioError) as error:
        load_scenario(bad)
    assert f"{bad}:8:17: scenario.uncertainty.knowledge.0: 'forces.nobody' matches no " \
        "input" in str(error.value)


def test_a_two_layer_run_is_the_hand_computed_sum(minimal):
    """total = width factor (knowledge: 0.5 or 2.0) + speed (chance): sample j's
    replications are the plain run's chance replications 0..N-1 with the width pinned."""
    n = 30
    design = KnowledgeDesign((WIDTH,), np.array([[0.5], [2.0]]), n)
    result = run_monte_carlo(minimal, executor="serial", knowledge=design, **FAKE)
    assert result.done == 2 * n
    plain = run_monte_carlo(minimal, n, executor="serial", **FAKE)
    speeds = np.asarray(plain.outcomes["input." + SPEED])
    out = result.outcomes
    sample = np.asarray(out[KNOWLEDGE_SAMPLE])
    np.testing.assert_array_equal(sample, np.repeat([0.0, 1.0], n))
    for j, width in enumerate((0.5, 2.0)):
        rows = sample == j
        np.testing.assert_array_equal(np.asarray(out["input." + SPEED])[rows], speeds)
        np.testing.assert_array_equal(np.asarray(out["total"])[rows], width + speeds)
    _, means = sample_means(out, ["total"], Catalogue())
    np.testing.assert_allclose(means[:, 0], [0.5 + speeds.mean(), 2.0 + speeds.mean()])
    assert result.manifest["knowledge"]["inputs"] == [WIDTH]


@pytest.mark.slow
def test_two_layer_outcomes_are_the_same_bytes_on_any_executor_and_resume_checks_the_design(
        minimal, tmp_path):
    serial = run_monte_carlo(minimal, 12, executor="serial", knowledge=3, out=tmp_path / "s")
    pool = run_monte_carlo(minimal, 12, executor="processes", workers=2, knowledge=3,
                           out=tmp_path / "p")
    assert (tmp_path / "s" / "outcomes.csv").read_bytes() == \
        (tmp_path / "p" / "outcomes.csv").read_bytes()
    assert serial.manifest["knowledge"] == pool.manifest["knowledge"]
    assert serial.manifest["knowledge"]["inputs"]  # the minimal scenario has some
    again = run_monte_carlo(minimal, 12, executor="serial", knowledge=3, out=tmp_path / "s",
                            resume=True)
    assert again.done == 36
    replayed = replay(tmp_path / "s", 29)  # sample 2, chance replication 5
    assert replayed.matches and replayed.replication.outcomes[KNOWLEDGE_SAMPLE] == 2.0
    with pytest.raises(RunError, match="another knowledge design"):
        run_monte_carlo(minimal, 12, executor="serial", knowledge=4, out=tmp_path / "s",
                        resume=True)
    with pytest.raises(RunError, match="two-layer run"):
        run_monte_carlo(minimal, 12, executor="serial", out=tmp_path / "s", resume=True)
    partial = tmp_path / "partial"  # a run that lost all but its first chunk, resumed
    shutil.copytree(tmp_path / "s", partial)
    (partial / "outcomes.csv").unlink()
    chunks = sorted((partial / "chunks").iterdir())
    assert len(chunks) > 1
    for chunk in chunks[1:]:
        chunk.unlink()
    run_monte_carlo(minimal, 12, executor="processes", workers=2, knowledge=3, out=partial,
                    resume=True)
    assert (partial / "outcomes.csv").read_bytes() == \
        (tmp_path / "p" / "outcomes.csv").read_bytes()
    pytest.importorskip("distributed")
    run_monte_carlo(minimal, 12, executor="dask", workers=2, knowledge=3, out=tmp_path / "d")
    assert (tmp_path / "d" / "outcomes.csv").read_bytes() == \
        (tmp_path / "p" / "outcomes.csv").read_bytes()


@pytest.mark.slow
def test_the_band_shrinks_when_a_knowledge_input_is_fixed(tmp_path):
    """Fatalities' 90 % band across knowledge samples: the breach width and the
    fatality-rate quantile both unknown, then the width fixed at its mean (1)."""
    from fake_engine import MINIMAL

    text = MINIMAL.read_text()
    both = load_scenario(MINIMAL)
    fixed = load_scenario(_with(tmp_path, text, "mechanism: overtopping}",
                                "mechanism: overtopping, width_factor: 1}"))
    assert WIDTH in Layers.of(both, InputTable(both).random_paths).knowledge
    widths = {}
    for name, scenario in (("both", both), ("fixed", fixed)):
        result = run_monte_carlo(scenario, 20, executor="serial", knowledge=12)
        (band,) = knowledge_bands(result.outcomes, ["fatalities"], Catalogue(scenario))
        widths[name] = band.high - band.low
    assert 0 < widths["fixed"] < 0.8 * widths["both"]


@pytest.mark.slow
def test_the_report_section_names_the_layers_and_gives_the_bands(minimal):
    from simulator.report.knowledge import knowledge_section

    result = run_monte_carlo(minimal, 10, executor="serial", knowledge=3)
    catalogue = Catalogue(minimal)
    text = knowledge_section(result.outcomes, result.manifest, catalogue, [])
    assert "Knowledge and chance" in text and "90% band across knowledge" in text
    knowledge, chance = text.split("Chance inputs")
    assert catalogue.label("input." + WIDTH) in knowledge
    assert catalogue.label("input." + SPEED) in chance
    assert knowledge_section(run_monte_carlo(minimal, 10, executor="serial").outcomes,
                             {}, catalogue, []) == ""


@pytest.mark.slow
def test_infrasim_sensitivity_stores_a_run_whose_report_shows_the_indices(minimal, tmp_path,
                                                                          capsys):
    from fake_engine import MINIMAL

    from simulator.cli import main
    from simulator.montecarlo.replay import load_run
    from simulator.report.knowledge import knowledge_section

    out = tmp_path / "sobol"
    assert main(["sensitivity", str(MINIMAL), "-n", "4", "--chance", "5", "--executor",
                 "serial", "--out", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    assert "Sobol indices" in printed and "first" in printed and "total" in printed
    run = load_run(out)
    assert run.manifest["knowledge"]["method"] == "saltelli"
    assert run.done == 4 * (len(run.manifest["knowledge"]["inputs"]) + 2) * 5
    section = knowledge_section(run.outcomes, run.manifest, Catalogue(minimal), [])
    assert "Sobol indices: Fatalities" in section


def test_infrasim_sensitivity_wants_a_power_of_2_for_sobol_and_flags_impossible_indices(
        capsys):
    from fake_engine import MINIMAL

    from simulator.cli import main
    from simulator.cli.sensitivity import index_text

    assert main(["sensitivity", str(MINIMAL), "-n", "6", "-q"]) == 2
    error = capsys.readouterr().err
    assert "-n 6 is not a power of 2" in error and "Traceback" not in error
    assert index_text(0.42, 0.05) == "  0.42 ± 0.05"
    assert index_text(4.18, 2.5) == "  4.18!± 2.50" and "!" in index_text(-0.1, 0.2)
    with pytest.raises(SystemExit):
        main(["sensitivity", "--help"])
    shown = capsys.readouterr().out
    assert "95%" in shown and "%%" not in shown and "Morris" in shown


def test_a_banded_curve_is_the_samples_pointwise_median_and_band():
    from simulator import plotting
    from simulator.analysis.knowledge import curve_bands

    values = np.array([0, 5, 10, 20, 0, 0, 10, 30], dtype=float)  # two samples of four
    band = curve_bands(values, np.repeat([0, 1], 4), np.array([1.0, 10.0]), inclusive=True)
    np.testing.assert_array_equal(band.curves, [[0.75, 0.5], [0.5, 0.5]])  # P(X >= t)
    np.testing.assert_allclose(band.median, [0.625, 0.5])
    figure = plotting.plot_knowledge_curve(band, outcome="fatalities", fn=True)
    assert figure.axes[0].get_xscale() == "log" and band.chance == 4
