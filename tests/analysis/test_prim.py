"""PRIM and scenario discovery against what Friedman & Fisher's method does: it recovers a
box planted in synthetic data and leaves the irrelevant inputs alone, peels patiently
(each step takes about `alpha` of the box, down to the smallest box allowed), pastes back
a cut that went too far, finds nothing in noise, and counts coverage and density right
on a table small enough to count by hand. The rules it prints use the catalogue's labels
and units, and a bad event is one clear message (exit status 2) naming the closest
outcome the run has."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from simulator.analysis.catalogue import Catalogue
from simulator.analysis.discovery import (
    MIN_EVENTS,
    DiscoveryError,
    Event,
    discover,
    parse_event,
    rules,
)
from simulator.analysis.prim import Box, Limit, _paste, box_mask, prim
from simulator.cli import main

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "minimal.yaml"
NAMES = [f"x{i}" for i in range(6)]


def planted(seed: int, n: int = 2000):
    """Six uniform inputs; the event has probability 0.9 where x1 < 0.4 and x3 > 0.5 and
    0.05 elsewhere."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, 6))
    inside = (x[:, 1] < 0.4) & (x[:, 3] > 0.5)
    event = rng.uniform(size=n) < np.where(inside, 0.9, 0.05)
    return x, event, inside


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovers_a_planted_box(seed):
    x, event, inside = planted(seed)
    result = prim(x, event, NAMES)
    box = result.boxes[0]
    limits = {limit.input: limit for limit in box.limits}
    assert set(limits) == {"x1", "x3"}  # the four irrelevant inputs stay unrestricted
    assert limits["x1"].low is None and limits["x1"].high == pytest.approx(0.4, abs=0.05)
    assert limits["x3"].high is None and limits["x3"].low == pytest.approx(0.5, abs=0.05)
    true_coverage = event[inside].sum() / event.sum()
    assert box.coverage == pytest.approx(true_coverage, abs=0.08)
    assert box.density == pytest.approx(event[inside].mean(), abs=0.05)
    # nothing but noise is left outside the planted box: no second box
    assert len(result.boxes) == 1


def test_box_statistics_are_its_own_counts():
    x, event, _ = planted(3)
    result = prim(x, event, NAMES)
    box = result.boxes[0]
    mask = box_mask(dict(zip(NAMES, x.T, strict=True)), box)
    assert box.count == mask.sum() and box.events == event[mask].sum()
    assert box.density == box.events / box.count
    assert box.coverage == box.events / event.sum()
    assert box.mass == box.count / event.size


def test_coverage_and_density_on_a_table_counted_by_hand():
    """A yes/no input: 40 replications with it set, 30 of them with the event; 60
    without, 3 with the event. The box is 'input set': density 30/40, coverage 30/33,
    mass 40/100; the trajectory starts from the whole table (coverage 1, density 33/100)."""
    switch = np.r_[np.ones(40), np.zeros(60)]
    event = np.r_[np.ones(30), np.zeros(10), np.ones(3), np.zeros(57)].astype(bool)
    result = prim(switch[:, None], event, ["switch"])
    (box,) = result.boxes
    assert box.limits == (Limit("switch", 1.0, None),)
    assert (box.count, box.events) == (40, 30)
    assert box.density == pytest.approx(0.75) and box.coverage == pytest.approx(30 / 33)
    assert box.mass == pytest.approx(0.4)
    first = result.trajectory[0]
    assert (first.coverage, first.density, first.mass, first.restricted) == (1.0, 0.33, 1.0, 0)
    assert result.base_rate == pytest.approx(0.33)


def test_peeling_is_patient_down_to_the_smallest_box():
    """Each peel of a continuous input takes about alpha of the box, and peeling stops
    before a box would hold less than min_mass of the replications."""
    x, event, _ = planted(4)
    alpha, min_mass = 0.05, 0.05
    result = prim(x, event, NAMES, alpha=alpha, min_mass=min_mass)
    masses = np.array([step.mass for step in result.trajectory])
    ratios = masses[1:] / masses[:-1]
    assert np.all(np.abs(ratios - (1 - alpha)) < 0.01)
    assert masses[-1] >= min_mass and masses[-1] * (1 - alpha) < min_mass + 0.01
    expected_steps = math.log(min_mass) / math.log(1 - alpha)
    assert abs(len(masses) - 1 - expected_steps) <= 3  # counts are whole replications


def test_pasting_undoes_a_cut_that_went_too_far():
    """The event happens everywhere in 0.3 < x <= 0.6 and at every other x above: a box
    cut at x >= 0.5 is widened back down to 0.3, give or take one paste step (5 % of the
    box's 700 replications, 0.035 in x), each step raising its rate; below 0.3 there is
    no event, and it stops."""
    x = np.linspace(0.0, 1.0, 1001)[:, None]
    every_other = np.arange(x.shape[0]) % 2 == 0
    event = ((x[:, 0] > 0.3) & (x[:, 0] <= 0.6)) | ((x[:, 0] > 0.6) & every_other)
    low, high = np.array([0.5]), np.array([1.0])
    _paste(x, event, np.ones(x.shape[0], dtype=bool), low, high, 0.05)
    assert low[0] == pytest.approx(0.3, abs=0.035)
    assert high[0] == 1.0


def test_finds_no_box_in_noise():
    rng = np.random.default_rng(5)
    x = rng.uniform(size=(2000, 6))
    event = rng.uniform(size=2000) < 0.3
    result = prim(x, event, NAMES)
    assert result.boxes == () and result.chosen is None
    assert result.trajectory  # it peeled, and found nothing worth keeping


# ------------------------------------------------------------------ discovery


def outcomes_of(x, event):
    """A run's columns: the planted inputs as a garrison's strength and a column's
    departure, the rest as road speeds; the event as dam_captured."""
    names = ["input.network.roads.r0.speed_mps", "input.forces.dam_garrison.strength",
             "input.network.roads.r2.speed_mps", "input.forces.isil_column.departure_s",
             "input.network.roads.r4.speed_mps", "input.network.roads.r5.speed_mps"]
    scale = np.array([10.0, 1000.0, 10.0, 72_000.0, 10.0, 10.0])
    columns = {name: x[:, i] * scale[i] for i, name in enumerate(names)}
    columns["dam_captured"] = event.astype(float)
    columns["fatalities"] = np.where(event, 2000.0, 0.0)
    return columns


def test_rule_uses_the_catalogue_labels_and_units():
    x, event, _ = planted(0)
    columns = outcomes_of(x, event)
    catalogue = Catalogue()
    found = discover(columns, parse_event("dam_captured", list(columns), catalogue),
                     catalogue)
    (rule,) = rules(found, catalogue)
    assert rule.startswith("When ")
    assert re.search(r"Dam garrison: strength under 4\d\d\u00a0fighters and ", rule)
    # 0.5 x 20 h = 10 h, in hours though stored in seconds
    assert re.search(r"Isil column: departure over 1\d(\.\d)?\u00a0h, ", rule)
    assert re.search(r", dam captured in \d+\.\d% of replications \(\d+ of \d+; ", rule)
    assert re.search(r"This covers \d+\.\d% of all replications with dam captured", rule)
    assert "input." not in rule and "_s" not in rule


def test_threshold_event_and_too_few_events():
    x, event, _ = planted(0)
    columns = outcomes_of(x, event)
    catalogue = Catalogue()
    threshold = parse_event("fatalities>1000", list(columns), catalogue)
    assert threshold == Event("fatalities", ">", 1000.0)
    assert threshold.phrase(catalogue) == "fatalities over 1,000\u00a0people"
    assert np.array_equal(threshold.happened(columns["fatalities"], "amount"), event)
    columns["dam_captured"] = np.zeros(event.size)
    columns["dam_captured"][:MIN_EVENTS - 1] = 1.0
    found = discover(columns, Event("dam_captured"), catalogue)
    assert found.too_few and found.result.boxes == ()
    (text,) = rules(found, catalogue)
    assert text.startswith(f"Only {MIN_EVENTS - 1} of 2,000 replications with dam captured")


@pytest.mark.parametrize("text, message", [
    ("fatalites>1000", "the run has no outcome 'fatalites'; the closest it has is 'fatalities'"),
    ("dam_captrued", "the run has no outcome 'dam_captrued'; the closest it has is "
                     "'dam_captured'"),
    ("dam_captured>0.5", "'dam_captured' is a yes/no outcome"),
    ("fatalities>lots", "'lots' in 'fatalities>lots' is not a number"),
    ("input.forces.dam_garrison.strength<300", "is a sampled input, not an outcome"),
    ("fatalities >", "cannot read the event"),
])
def test_bad_events_are_one_clear_message(text, message):
    x, event, _ = planted(0, n=50)
    columns = outcomes_of(x, event)
    with pytest.raises(DiscoveryError, match=None) as error:
        parse_event(text, list(columns), Catalogue())
    assert message in str(error.value)


# ----------------------------------------------------------------------- CLI


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    out = tmp_path_factory.mktemp("discover") / "run"
    assert main(["run", str(MINIMAL), "-n", "120", "--executor", "serial", "--out",
                 str(out), "--quiet"]) == 0
    return out


def test_cli_prints_rules_and_draws_the_trade_off(stored, capsys, tmp_path):
    figure = tmp_path / "tradeoff.png"
    assert main(["discover", str(stored), "--outcome", "breach_started",
                 "--plot", str(figure)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Breach: ")
    assert "1. When " in out and "of all replications with breach" in out
    assert figure.read_bytes().startswith(b"\x89PNG")


def test_cli_bad_outcome_is_exit_2_naming_the_closest(stored, capsys):
    assert main(["discover", str(stored), "--outcome", "fatalitis>1000"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        "infrasim discover: the run has no outcome 'fatalitis'; the closest it has is "
        "'fatalities'"]


def test_trade_off_figure_marks_the_chosen_box():
    from simulator import plotting

    x, event, _ = planted(1)
    result = prim(x, event, NAMES)
    figure = plotting.plot_prim_tradeoff(result, event="dam captured")
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert "step chosen" in labels
    assert any(label.startswith("box kept: 2 limits") for label in labels)


def test_box_mask_of_a_box_without_limits_is_everything():
    box = Box((), 3, 1, 1.0, 1 / 3, 1.0)
    assert box_mask({"a": np.array([1.0, 2.0, 3.0])}, box).all()
