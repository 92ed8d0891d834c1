"""``infrasim run --fidelity reference``: the engine routes each breach's flood with the
reference shallow-water solver instead of the fast routing, chosen once when the
scenario is prepared and named in the run's manifest."""

from pathlib import Path

import pytest

from simulator import load_scenario
from simulator.cli import build_parser
from simulator.consequences import flood
from simulator.consequences.shallow_water import route_flood_reference
from simulator.engine import prepare, simulate
from simulator.engine.prepare import prepare_reference

CLASSROOM = Path(__file__).resolve().parents[2] / "scenarios" / "classroom.yaml"


def test_preparation_chooses_the_flood_routing():
    scenario = load_scenario(CLASSROOM)
    assert prepare(scenario).consequences.route_flood is flood.route_flood
    assert prepare_reference(scenario).consequences.route_flood is route_flood_reference
    with pytest.raises(ValueError, match="unknown fidelity 'exact'"):
        prepare(scenario, fidelity="exact")


def test_run_takes_the_fidelity():
    parser = build_parser()
    assert parser.parse_args(["run", "x.yaml"]).fidelity == "fast"
    assert parser.parse_args(["run", "x.yaml", "--fidelity", "reference"]).fidelity == "reference"
    with pytest.raises(SystemExit):
        parser.parse_args(["run", "x.yaml", "--fidelity", "exact"])


@pytest.mark.slow
def test_a_breach_replication_routed_by_the_reference_solver():
    """The first breaching replication of the classroom scenario, both ways: the same
    breach (same draws), the towns flooded in order, and each town's flood depth and
    time from breach to arrival from the reference solver within a factor 2 of the fast
    routing's (a short valley and a deep flood, where the two agree best)."""
    scenario = load_scenario(CLASSROOM)
    fast, reference = prepare(scenario), prepare_reference(scenario)
    replication = next(k for k in range(200)
                       if simulate(fast, 1, k).outcomes["peak_outflow_m3s"] > 0)
    ours = simulate(reference, 1, replication).outcomes
    theirs = simulate(fast, 1, replication).outcomes
    assert ours["peak_outflow_m3s"] == theirs["peak_outflow_m3s"]
    breach_h = ours["breach_time_h"]
    towns = list(scenario.river.towns)
    arrivals_h = [ours[f"arrival_h.{town}"] for town in towns]
    assert arrivals_h == sorted(arrivals_h)
    for town in towns:
        assert 0.5 < ours[f"depth_m.{town}"] / theirs[f"depth_m.{town}"] < 2.0
        travel = (ours[f"arrival_h.{town}"] - breach_h) / (theirs[f"arrival_h.{town}"] - breach_h)
        assert 0.5 < travel < 2.0
