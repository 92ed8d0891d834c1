"""Extreme numbers in any numeric field never crash: NaN, infinities, huge, tiny, zero and
negative values put into the reference scenario are either refused with a ScenarioError
whose every problem has a line and column, or accepted, and then a short run of what
was changed (the scenario, a variant, an exercise option) gives outcomes that are
finite and not negative (a time to an event that did not happen is empty: NaN)."""

from __future__ import annotations

import copy
import math
import operator
import os
import re
import typing
from functools import partial
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simulator import prepare, simulate
from simulator.analysis.catalogue import OUTCOMES, TIME_TO_EVENT
from simulator.scenario import ScenarioError, read_document, validate_file
from simulator.scenario.distributions import Distribution
from simulator.scenario.schema import VALUE_OF_LOST_LOAD_PER_MWH, Scenario, Section

ROOT = Path(__file__).parents[2]
SCALE = float(os.environ.get("INFRASIM_SLOW_SCALE", "1"))
# The reference scenario holds every numeric field but two; those are added here.
DOCUMENT = yaml.safe_load((ROOT / "scenarios" / "haditha_2014.yaml").read_text())
DOCUMENT["river"]["damaging_depth"] = "0.6 m"
ROAD = DOCUMENT["network"]["roads"]["border_qaim"]
del ROAD["length"], ROAD["speed"]
ROAD["travel_time"] = {"dist": "triangular", "low": "10 min", "mode": "15 min", "high": "30 min"}
# Breach fields the reference file's demolitions do not use: a width factor (regression
# mechanisms only), a width as a share of the crest (instead of metres) and a rate.
DOCUMENT["assets"]["dam"]["failure_modes"].update(
    piping={"kind": "partial_breach", "mechanism": "piping", "probability": 0.01,
            "delay": "5 h", "depth_fraction": 0.3, "width_factor": 1.5},
    crest_cut={"kind": "partial_breach", "mechanism": "demolition", "probability": 0.01,
               "delay": "5 h", "depth_fraction": 0.2, "crest_fraction": 0.01,
               "formation_time": "20 min"},
    structural={"kind": "full_breach", "mechanism": "piping", "probability": 0.01,
                "starts_on": "start", "rate": "0.001 /d"})
# Support (air support from a time on), which the reference file's forces do not have.
DOCUMENT["forces"]["baghdad_reinforcement"]["support"] = {
    "from": "120 h", "effectiveness_factor": {"dist": "triangular", "low": 1, "mode": 2, "high": 4}}
# Grid fields the reference file leaves out: a load's own value of lost load, and a
# plant given by its available capacity instead of its water (a variant, as a plant
# takes one or the other).
DOCUMENT["grid"]["loads"]["baghdad_load"]["value_of_lost_load"] = 20_000
DOCUMENT["variants"]["rated_plant"] = {
    "description": "The plant at a given available capacity.",
    "overrides": {"assets": {"dam": {"plant": {"water": None, "available_capacity": "150 MW"}}}},
}

# Reservoir operation fields the reference file's drawdown option leaves out (a routine
# release, a dead storage, a drawdown's duration), and a town given as districts.
DOCUMENT["variants"]["operated_reservoir"] = {
    "description": "The reservoir run over time, Ramadi in two districts.",
    "overrides": {
        "assets": {"dam": {"reservoir": {"operation": {
            "inflow": "400 m^3/s", "release": "300 m^3/s", "dead_storage": "1 km^3",
            "drawdown": {"from": "12 h", "rate": "2000 m^3/s", "duration": "2 d"}}}}},
        "river": {"towns": {"ramadi": {"population": None, "floodplain_share": None,
                                       "districts": {
            "west": {"river_distance": "175 km", "population": 200000,
                     "floodplain_share": 0.2},
            "east": {"river_distance": "185 km", "population": 150000,
                     "floodplain_share": 0.1}}}}},
    },
}

QUANTITY = re.compile(r"(?P<number>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(?P<unit>.*)")
EXTREMES = [math.nan, math.inf, -math.inf, 10**400, 1e308, -1e308, 1e300, 1e18, 1e9,
            1e-300, 5e-324, -1e-300, 0, -1]
POWERS = [10.0**k for k in range(-30, 31)]
# Outcomes that are empty (NaN) when their event does not happen within the horizon: the
# catalogue's times to events (a per-place pattern by its prefix) and the warning's lead.
MAY_BE_EMPTY = ("warning_lead_h.", *(entry.id.split("<")[0] for entry in OUTCOMES
                                     if entry.kind == TIME_TO_EVENT))


def is_number(value: object) -> bool:
    """A plain number or a quantity string such as '50 km' (a number, then a unit)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (
        isinstance(value, str) and QUANTITY.fullmatch(value.strip()) is not None
    )


def numeric_values(node: object, path: tuple = ()) -> list[tuple]:
    """Paths of every numeric value of a YAML document: a number, a quantity, or a
    distribution or a list of numbers (a load profile), whose numbers change together."""
    if isinstance(node, dict) and "dist" in node:
        return [path]
    if isinstance(node, list) and node and all(is_number(item) for item in node):
        return [path]
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in numeric_values(value, path + (key,))]
    if isinstance(node, list):
        return [leaf for i, value in enumerate(node) for leaf in numeric_values(value, path + (i,))]
    return [path] if is_number(node) else []


VALUES = numeric_values(DOCUMENT)


def annotation_parts(annotation: object) -> list:
    """The annotation and every type nested in it (Optional, list, dict, Annotated)."""
    return [annotation] + [part for arg in typing.get_args(annotation)
                           for part in annotation_parts(arg)]


def numeric_fields(model: type[Section]) -> set[str]:
    """The YAML keys of every numeric field of `model` and of the sections below it."""
    keys = set()
    for name, field in model.model_fields.items():
        parts = annotation_parts(field.annotation)
        if any(part in (int, float, Distribution) for part in parts):
            keys.add(field.alias or name)
        for part in parts:
            if isinstance(part, type) and issubclass(part, Section):
                keys |= numeric_fields(part)
    return keys


def with_numbers(value: object, new_number) -> object:
    """`value` (a number, a quantity or a distribution) with every number `x` in it
    replaced by `new_number(x)`, units kept."""
    if isinstance(value, dict):
        return {key: with_numbers(item, new_number) if key != "dist" else item
                for key, item in value.items()}
    if isinstance(value, list):
        return [with_numbers(item, new_number) for item in value]
    if isinstance(value, str):
        match = QUANTITY.fullmatch(value.strip())
        return f"{new_number(float(match['number']))} {match['unit']}".strip()
    return new_number(value)


def constant(number: float | int, _: object) -> float | int:
    """`number`, whatever number it replaces."""
    return number


@st.composite
def new_value(draw, value: object) -> object:
    """`value` with its numbers set to an extreme number, or made up to 10^30 times larger
    or smaller, either sign; positive first, so that a good share of the changed
    scenarios is accepted and run, not only refused."""
    scale = st.sampled_from(POWERS)
    new_number = draw(st.one_of(  # hypothesis draws the first strategies more often
        scale.map(lambda factor: partial(operator.mul, factor)),
        st.sampled_from(EXTREMES).map(lambda number: partial(constant, number)),
        scale.map(lambda factor: partial(operator.mul, -factor)),
    ))
    return with_numbers(value, new_number)


@st.composite
def extreme_changes(draw, max_changes: int) -> dict[tuple, object]:
    """One to `max_changes` numeric values of the document, each replaced by `new_value`."""
    paths = draw(st.sets(st.sampled_from(VALUES), min_size=1, max_size=max_changes))
    return {path: draw(new_value(value_at(DOCUMENT, path))) for path in sorted(paths, key=str)}


def value_at(document: dict, path: tuple) -> object:
    for part in path:
        document = document[part]
    return document


def changed(changes: dict[tuple, object]) -> dict:
    """The reference document with `changes` made."""
    document = copy.deepcopy(DOCUMENT)
    for path, value in changes.items():
        value_at(document, path[:-1])[path[-1]] = value
    return document


def assert_sound(outcomes: dict[str, float]) -> None:
    for name, value in outcomes.items():
        if math.isnan(value):
            assert name.startswith(MAY_BE_EMPTY), f"{name} is NaN"
        else:
            assert math.isfinite(value) and value >= 0, f"{name} = {value}"


def run_briefly(scenario: Scenario) -> None:
    prepared = prepare(scenario)
    for replication in range(2):
        assert_sound(simulate(prepared, replication=replication).outcomes)


def changed_scenarios(path: Path, changes: dict[tuple, object]):
    """The scenario, and each variant or exercise option whose overrides were changed."""
    yield read_document(path).scenario()
    for changed_path in changes:
        if changed_path[0] == "variants":
            yield read_document(path, variant=changed_path[1]).scenario()
        elif changed_path[:2] == ("exercise", "decisions") and "overrides" in changed_path:
            decision, option = changed_path[2], changed_path[4]
            yield read_document(path).with_option(decision, option, now_s=0.0).scenario()


def check(directory: Path, changes: dict[tuple, object]) -> None:
    path = directory / "extreme.yaml"
    path.write_text(yaml.safe_dump(changed(changes), sort_keys=False))
    try:
        validate_file(path)
    except ScenarioError as error:
        event("refused")
        assert error.problems
        for problem in error.problems:
            assert problem.mark.line >= 1 and problem.mark.column >= 1 and problem.message
        return
    event("accepted and run")
    for scenario in changed_scenarios(path, changes):
        run_briefly(scenario)


def test_the_reference_document_holds_every_numeric_field():
    keys = {key for path in VALUES for key in path if isinstance(key, str)}
    assert numeric_fields(Scenario) <= keys


def test_plant_costs_stay_below_the_grid_models_value_of_lost_load():
    from simulator.consequences.grid import DEFAULT_VALUE_OF_LOST_LOAD_PER_MWH

    assert VALUE_OF_LOST_LOAD_PER_MWH == DEFAULT_VALUE_OF_LOST_LOAD_PER_MWH


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                        HealthCheck.too_slow])


@settings(max_examples=int(60 * SCALE) or 10, **SETTINGS)
@given(changes=extreme_changes(max_changes=1))
def test_extreme_numbers_are_refused_or_run_finite(tmp_path, changes):
    check(tmp_path, changes)


@pytest.mark.slow
@settings(max_examples=int(1000 * SCALE), **SETTINGS)
@given(changes=extreme_changes(max_changes=6))
def test_many_extreme_numbers_are_refused_or_run_finite(tmp_path, changes):
    """The long form of the check above, with more fields changed at once."""
    check(tmp_path, changes)
