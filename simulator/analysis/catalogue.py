"""The outcome catalogue: what every column of a run means, in words a decision maker reads.

Every outcome the engine emits, and every ``input.<path>`` column, has one entry here: a
label, the unit of its stored values, a kind, a one-line meaning, which direction is
worse, and the group it is shown under. Tables, plots, reports, comparisons and the
exercise show ``label (unit)``; raw ids stay in CSV headers and in tooltips. A test
(tests/analysis/test_catalogue.py) runs the engine on the bundled scenarios and fails
when an emitted column has no entry, so a new outcome needs an entry here.

How to add an outcome (one line in `OUTCOMES`)::

    Entry("peak_outflow_m3s", "Peak breach outflow", "m³/s", AMOUNT,
          "largest discharge through the breach", worse=HIGHER, group=DAM,
          given="breach_started"),

- ``id``: the column name. A per-place family is one pattern entry whose id ends in
  ``.<placeholder>`` (``fatalities.<town>``); its label may use ``{name}``, filled with
  the scenario's display name for that id (`scenario_names` says where each placeholder
  (``node``, ``town``, ``road``, ``failure_mode``, ``asset``) finds its names; any other
  placeholder, and an id without a name, is tidied up: ``al_qaim`` -> ``Al qaim``).
  A place within a place has two placeholders (``fatalities.<town>.<district>``): its
  label fills ``{town}`` with the outer place's name and ``{name}`` with the inner one's
  (a district's names are keyed ``town.district``).
- ``kind``: `PROBABILITY` (a 0/1 flag: its mean is the probability; give ``event``, the
  thing that happens, e.g. "dam captured"), `TIME_TO_EVENT` (hours from the scenario
  start, empty (NaN) when it did not happen by the horizon, except the flood's arrival
  and peak, which follow a breach begun before the horizon to its end; give ``event``
  too), `AMOUNT` (a quantity,
  0 when nothing happened) or `COUNT` (a whole number of things).
- ``worse``: `HIGHER`, `LOWER` or `NEITHER`.
- ``given``: for an amount that only arises after some event, the id of that event's
  probability outcome (fatalities are given ``breach_started``): summaries then show
  both the unconditional mean and the distribution among replications where it
  happened, each labelled as such; with ``only_given=True`` an amount that has no value
  without the event (a warning lead time) is shown and compared given it only, never by
  an unconditional mean. For a time to an event, its event's yes/no outcome
  where there is one (``time_to_capture_h`` is given ``dam_captured``), so comparisons
  do not show the same probability twice.
- ``group``: one of `GROUPS`, the order the full table is shown in.

Input columns are ``input.<component>.<field>``: the field's label and unit come from
`INPUT_FIELDS` and the component's from `INPUT_COMPONENTS` (the same placeholder rule
for the last part of the component, ``forces.<force>``). A new random input of the
engine needs a line in `INPUT_FIELDS` (and in `INPUT_COMPONENTS` if its component is new).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

__all__ = [
    "AMOUNT", "COUNT", "DEFAULT_HEADLINE", "GROUPS", "HIGHER", "INPUT_COMPONENTS",
    "INPUT_FIELDS", "KINDS", "LOWER", "NEITHER", "OUTCOMES", "PROBABILITY", "TIME_TO_EVENT",
    "Catalogue", "Entry", "InputField", "catalogue_entry", "headline_problem", "outcome_ids",
    "reach_name", "scenario_names", "tidy_id",
]

PROBABILITY = "probability"
TIME_TO_EVENT = "time_to_event"
AMOUNT = "amount"
COUNT = "count"
KINDS = (PROBABILITY, TIME_TO_EVENT, AMOUNT, COUNT)

HIGHER, LOWER, NEITHER = "higher", "lower", "neither"

FORCES, DAM, FLOOD, LIFE_LOSS, GRID, INPUTS = (
    "forces", "dam", "flood", "life loss", "grid", "inputs")
GROUPS = (FORCES, DAM, FLOOD, LIFE_LOSS, GRID, INPUTS)

# What a decision maker asks first, when the scenario names no headline of its own.
DEFAULT_HEADLINE = ("dam_captured", "breach_started", "fatalities",
                    "added_unserved_energy_mwh", "time_to_capture_h")


@dataclass(frozen=True)
class Entry:
    """One outcome (or a pattern of per-place outcomes) and what it means."""

    id: str
    label: str
    unit: str
    kind: str
    meaning: str
    worse: str
    group: str
    given: str | None = None  # amounts: the probability outcome they are conditional on
    event: str | None = None  # probabilities and times to event: what happens
    only_given: bool = False  # an amount with no value without its event (a warning lead)

    @property
    def heading(self) -> str:
        """The label with its unit, as a table heading or an axis shows it."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


OUTCOMES: tuple[Entry, ...] = (
    # ---------------------------------------------------------------- forces
    Entry("dam_threatened", "P(dam threatened)", "", PROBABILITY,
          "an attacking force set off towards the dam within the horizon", HIGHER, FORCES,
          event="dam threatened"),
    Entry("towns_captured", "Towns captured", "towns", COUNT,
          "towns and cities taken by the attackers within the horizon (not those they held "
          "from the start)", HIGHER, FORCES),
    Entry("capture_h.<node>", "Time to capture of {name}", "h", TIME_TO_EVENT,
          "hours from the start until the attackers first took this place; empty if they "
          "did not (no column for a place they held from the start)",
          LOWER, FORCES, event="{name} captured"),
    Entry("asset_lost.<asset>", "P({name} lost)", "", PROBABILITY,
          "the asset (a power plant, substation or bridge beside the dam) was lost within "
          "the horizon: generators off the grid, lines cut, or the road closed", HIGHER,
          FORCES, event="{name} lost"),
    Entry("asset_lost_h.<asset>", "Time to loss of {name}", "h", TIME_TO_EVENT,
          "hours from the start until the asset was lost; empty if it was not", LOWER,
          FORCES, event="{name} lost"),
    Entry("reinforcements_arrived", "P(reinforcements arrived)", "", PROBABILITY,
          "a defending reinforcement reached its destination node within the horizon "
          "(arrived on the scene: it counts whether or not it then won the fight there, "
          "a repulsed counter-attack included)", LOWER,
          FORCES, event="reinforcements arrived"),
    Entry("reinforcements_arrival_h", "Time to reinforcements' arrival", "h", TIME_TO_EVENT,
          "hours from the start until the first defending reinforcement reached its "
          "destination node (before any fight there); empty if none did", HIGHER, FORCES, given="reinforcements_arrived",
          event="reinforcements arrived"),
    Entry("attacker_losses", "Attacker losses", "fighters", AMOUNT,
          "attacking fighters put out of action (fights still going counted as they stand)",
          LOWER, FORCES),
    Entry("defender_losses", "Defender losses", "fighters", AMOUNT,
          "defending fighters put out of action (fights still going counted as they stand)",
          HIGHER, FORCES),
    # ------------------------------------------------------------------- dam
    Entry("dam_captured", "P(dam captured)", "", PROBABILITY,
          "the attackers took the dam within the horizon", HIGHER, DAM, event="dam captured"),
    Entry("time_to_capture_h", "Time to capture of the dam", "h", TIME_TO_EVENT,
          "hours from the start until the attackers took the dam; empty if they did not",
          LOWER, DAM, given="dam_captured", event="dam captured"),
    Entry("dam_recaptured", "P(dam recaptured)", "", PROBABILITY,
          "the defenders retook the dam after the attackers had taken it, within the horizon",
          LOWER, DAM, event="dam recaptured"),
    Entry("time_to_recapture_h", "Time to recapture of the dam", "h", TIME_TO_EVENT,
          "hours from the start until the defenders first retook the dam; empty if they "
          "did not", HIGHER, DAM, given="dam_recaptured", event="dam recaptured"),
    Entry("dam_time_held_h", "Time the attackers held the dam", "h", AMOUNT,
          "hours within the horizon in which the attackers held the dam (0 if they never "
          "took it)", HIGHER, DAM, given="dam_captured"),
    Entry("dam_held", "P(attack on the dam repulsed)", "", PROBABILITY,
          "the defenders held the dam against an attack (its final state)", LOWER, DAM,
          event="attack repulsed"),
    Entry("breach_started", "P(breach)", "", PROBABILITY,
          "the dam breached, fully or partially, within the horizon", HIGHER, DAM,
          event="breach"),
    Entry("breach_time_h", "Time to breach", "h", TIME_TO_EVENT,
          "hours from the start until the breach began; empty if there was none", LOWER, DAM,
          given="breach_started", event="breach"),
    Entry("breach_depth_fraction", "Breach depth", "share of dam height", AMOUNT,
          "share of the dam's height the breach cut down (0 without a breach)", HIGHER, DAM,
          given="breach_started"),
    Entry("peak_outflow_m3s", "Peak breach outflow", "m³/s", AMOUNT,
          "largest discharge through the breach (0 without a breach)", HIGHER, DAM,
          given="breach_started"),
    Entry("flood_volume_m3", "Flood volume", "m³", AMOUNT,
          "water released through the breach (0 without a breach)", HIGHER, DAM,
          given="breach_started"),
    # ----------------------------------------------------------------- flood
    Entry("arrival_h.<town>", "Flood arrival at {name}", "h", TIME_TO_EVENT,
          "hours from the start until the flood reached the town; a breach begun before "
          "the horizon is followed to its end, so this may lie past the horizon; empty "
          "without a flood",
          LOWER, FLOOD, event="flood reaches {name}"),
    Entry("peak_h.<town>", "Flood peak at {name}", "h", TIME_TO_EVENT,
          "hours from the start until the flood peaked at the town (may lie past the "
          "horizon, as the arrival); empty without a flood",
          LOWER, FLOOD, event="flood peaks at {name}"),
    Entry("depth_m.<town>", "Peak flood depth at {name}", "m", AMOUNT,
          "highest water level above normal at the town (0 without a flood)", HIGHER, FLOOD,
          given="breach_started"),
    Entry("velocity_mps.<town>", "Peak flood velocity at {name}", "m/s", AMOUNT,
          "highest flow velocity at the town (0 without a flood)", HIGHER, FLOOD,
          given="breach_started"),
    Entry("depth_velocity_m2s.<town>", "Peak depth × velocity at {name}", "m²/s", AMOUNT,
          "largest product of depth and velocity at the town, the measure of whether "
          "people and buildings stand (0 without a flood)", HIGHER, FLOOD,
          given="breach_started"),
    Entry("time_above_damaging_h.<town>", "Time above damaging depth at {name}", "h",
          AMOUNT, "hours the water stood above the damaging depth at the town",
          HIGHER, FLOOD, given="breach_started"),
    Entry("warning_lead_h.<town>", "Warning lead time at {name}", "h", AMOUNT,
          "hours from the warning reaching the town to the flood's arrival there; "
          "negative when the water came first, empty without a flood", LOWER, FLOOD,
          given="breach_started", only_given=True),
    Entry("arrival_h.<town>.<district>", "Flood arrival at {town}, {name}", "h",
          TIME_TO_EVENT, "hours from the start until the flood reached this district of the "
          "town (may lie past the horizon, as the town's arrival); empty without a flood",
          LOWER, FLOOD, event="flood reaches {town}, {name}"),
    Entry("depth_m.<town>.<district>", "Peak flood depth at {town}, {name}", "m", AMOUNT,
          "highest water level above normal in this district of the town (0 without a "
          "flood)", HIGHER, FLOOD, given="breach_started"),
    # ------------------------------------------------------------- life loss
    Entry("fatalities", "Fatalities", "people", AMOUNT,
          "people killed by the flood in all river towns (0 without a breach)", HIGHER,
          LIFE_LOSS, given="breach_started"),
    Entry("fatalities.<town>", "Fatalities in {name}", "people", AMOUNT,
          "people killed by the flood in the town (0 without a breach)", HIGHER, LIFE_LOSS,
          given="breach_started"),
    Entry("fatalities.<town>.<district>", "Fatalities in {town}, {name}", "people", AMOUNT,
          "people killed by the flood in this district of the town (0 without a breach)",
          HIGHER, LIFE_LOSS, given="breach_started"),
    Entry("people_exposed", "People exposed", "people", AMOUNT,
          "people living in the flooded area of the towns the flood reached (Graham's "
          "population at risk, which his fatality rates multiply)", HIGHER, LIFE_LOSS,
          given="breach_started"),
    Entry("people_evacuated", "People evacuated", "people", AMOUNT,
          "people at risk who left before the water came (reported only: Graham's rates "
          "already count evacuation)", LOWER, LIFE_LOSS, given="breach_started"),
    # ------------------------------------------------------------------ grid
    Entry("added_unserved_energy_mwh", "Added unserved energy", "MWh", AMOUNT,
          "electricity demand not met over the horizon, above the same grid with nothing "
          "out", HIGHER, GRID),
    Entry("unserved_energy_mwh", "Unserved energy", "MWh", AMOUNT,
          "electricity demand not met over the horizon, shortages before the attack "
          "included", HIGHER, GRID),
    Entry("unserved_energy_mwh.<region>", "Unserved energy in {name}", "MWh", AMOUNT,
          "electricity demand not met in the region over the horizon", HIGHER, GRID),
    Entry("plant_outage_h", "Plant outage", "h", AMOUNT,
          "hours the dam's power plant was off the grid within the horizon", HIGHER, GRID),
    Entry("lines_cut", "Lines cut", "lines", COUNT,
          "transmission lines cut by captures and lost substations", HIGHER, GRID),
    Entry("peak_shed_mw", "Peak load shed", "MW", AMOUNT,
          "largest hourly mean load shed, shortages before the attack included", HIGHER, GRID),
    Entry("added_peak_shed_mw", "Added peak load shed", "MW", AMOUNT,
          "largest hourly load shed above the same grid with nothing out", HIGHER, GRID),
    Entry("shedding_h", "Hours with load shed", "h", AMOUNT,
          "hours in which some load was shed, shortages before the attack included",
          HIGHER, GRID),
    Entry("added_shedding_h", "Added hours with load shed", "h", AMOUNT,
          "hours with load shed above those of the same grid with nothing out", HIGHER, GRID),
    Entry("generation_lost_mw", "Generation lost", "MW", AMOUNT,
          "most generating capacity out at once", HIGHER, GRID),
    # ---------------------------------------------------------------- inputs
    Entry("knowledge_sample", "Knowledge sample", "", COUNT,
          "which sample of the knowledge inputs this replication ran with (two-layer runs, "
          "infrasim run --knowledge)", NEITHER, INPUTS),
)


@dataclass(frozen=True)
class InputField:
    """The last part of an ``input.<component>.<field>`` column: its label and unit."""

    label: str
    unit: str
    kind: str = AMOUNT
    sentence: bool = False  # the label follows its owner as a verb: "Full breach happens..."


INPUT_FIELDS: dict[str, InputField] = {
    "strength": InputField("strength", "fighters"),
    "departure_s": InputField("departure", "s"),
    "effectiveness_per_s": InputField("effectiveness", "1/s"),
    "defender_advantage": InputField("defender advantage", "×"),
    "withdraw_ratio": InputField("withdrawal ratio", ""),
    "mobilisation_s": InputField("mobilisation time", "s"),
    "halt_s": InputField("halt", "s"),
    "speed_mps": InputField("speed", "m/s"),
    "travel_time_s": InputField("travel time", "s"),
    "delay_s": InputField("delay", "s"),
    "volume_m3": InputField("stored volume", "m³"),
    "occurs": InputField("happens if set off", "", PROBABILITY, sentence=True),
    "restoration_s": InputField("restoration time", "s"),
    "detection_delay_s": InputField("breach detection delay", "s"),
    "dissemination_delay_s": InputField("warning dissemination delay", "s"),
    "repair_time_s": InputField("line repair time", "s"),
    "width_factor": InputField("breach width factor", "×"),
    "depth_fraction": InputField("breach depth", "share of dam height"),
    "width_m": InputField("breach width", "m"),
    "crest_fraction": InputField("breach width", "share of crest"),
    "formation_s": InputField("breach formation time", "s"),
    "rate_quantile": InputField("fatality-rate quantile", ""),
    "population": InputField("population", "people"),
    "floodplain_share": InputField("floodplain share", ""),
    "slope": InputField("river slope", ""),
    "channel_width_m": InputField("channel width", "m"),
    "bankfull_depth_m": InputField("bankfull depth", "m"),
    "channel_roughness": InputField("channel Manning's n", ""),
    "floodplain_width_m": InputField("floodplain width", "m"),
    "floodplain_roughness": InputField("floodplain Manning's n", ""),
    "from_s": InputField("support start", "s"),
    "effectiveness_factor": InputField("support effectiveness factor", "×"),
    "inflow_m3s": InputField("inflow", "m³/s"),
    "release_m3s": InputField("routine release", "m³/s"),
    "drawdown_from_s": InputField("drawdown start", "s"),
    "drawdown_rate_m3s": InputField("drawdown release", "m³/s"),
    "drawdown_duration_s": InputField("drawdown duration", "s"),
}

INPUT_COMPONENTS: dict[str, str] = {
    "forces.<force>": "{name}",
    "network.nodes.<node>": "{name}",
    "network.roads.<road>": "road {name}",
    "assets.dam.reservoir": "reservoir",
    "assets.dam.failure_modes.<failure_mode>": "{name}",
    "assets.others.<asset>": "{name}",
    "warning": "warning",
    "warning.towns.<town>": "{name}",
    "river.towns.<town>": "{name}",
    "river.towns.<town>.districts.<district>": "{town}, {name}",
    "assets.dam.reservoir.operation": "reservoir operation",
    "river.reaches.<reach>": "reach {name}",
    "grid": "grid",
    "support.<force>": "{name}",
}


def tidy_id(identifier: str) -> str:
    """An id as words (``isil_column`` -> ``Isil column``) when a scenario has no name."""
    words = identifier.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else identifier


def outcome_ids(places: Mapping[str, Iterable[str]] | None = None) -> list[str]:
    """Every outcome id the catalogue knows; a pattern's placeholder filled with each id
    `places` gives for it (``{"town": ["hit"]}``: ``fatalities.hit``), else as written."""
    places = places or {}
    ids = []
    for entry in OUTCOMES:
        key = _pattern_key(entry.id)
        if key is None or key[1] not in places:
            ids.append(entry.id)
        else:
            ids.extend(f"{key[0]}.{place}" for place in places[key[1]])
    return ids


def headline_problem(column: str, places: Mapping[str, Iterable[str]]) -> str | None:
    """Why `column` cannot be a headline outcome of a scenario whose places are `places`
    (placeholder -> ids: ``town``, ``node``, ``region``), or None when it can."""
    if column.startswith("input."):
        return f"'{column}' is a sampled input, not an outcome"
    if catalogue_entry(column, names={}) is None:
        return f"'{column}' is not an outcome in the outcome catalogue"
    prefix, _, place = column.rpartition(".")
    if prefix in _PATTERNS:
        placeholder = _PATTERNS[prefix][0]
    elif (nested := _nested_match(column, _NESTED, {})) is not None:
        placeholder, place = _PLACEHOLDER.findall(nested[0].id)[0], nested[1]["ids"][0]
    else:
        return None
    if placeholder in places and place not in set(places[placeholder]):
        return f"'{column}': the scenario has no {placeholder.replace('_', ' ')} '{place}'"
    return None


def _field(source: Any, key: str) -> Any:
    """`key` of a scenario part, whether a model (attribute) or its resolved dict."""
    if isinstance(source, Mapping):
        return source.get(key)
    return getattr(source, key, None)


def _parts(source: Any, *path: str) -> dict[str, Any]:
    for key in path:
        source = _field(source, key) if source is not None else None
    return dict(source) if isinstance(source, Mapping) else {}


def scenario_names(scenario: Any) -> dict[str, dict[str, str]]:
    """Placeholder -> {id: display name} for the ids a scenario names: nodes, river towns
    (their own name, else their node's), roads (their two ends), failure modes (their
    kind, where the id differs), assets beside the dam (their name). Takes a `Scenario` or the resolved scenario a run's
    manifest stores; ids without a name are tidied up where they are used."""
    if scenario is None:
        return {}
    nodes = {i: n for i, node in _parts(scenario, "network", "nodes").items()
             if (n := _field(node, "name"))}
    towns = {}
    for town_id, town in _parts(scenario, "river", "towns").items():
        name = _field(town, "name") or nodes.get(_field(town, "node") or "")
        if name:
            towns[town_id] = name
    roads = {i: "–".join(nodes.get(_field(road, end) or "", tidy_id(_field(road, end) or ""))
                         for end in ("from_node", "to_node"))
             for i, road in _parts(scenario, "network", "roads").items()}
    modes = {i: tidy_id(kind) for i, mode in
             _parts(scenario, "assets", "dam", "failure_modes").items()
             if (kind := _field(mode, "kind")) and kind != i}
    assets = {i: n for i, asset in _parts(scenario, "assets", "others").items()
              if (n := _field(asset, "name"))}
    districts = {f"{town_id}.{i}": n for town_id, town in _parts(scenario, "river", "towns").items()
                 for i, district in (_field(town, "districts") or {}).items()
                 if (n := _field(district, "name"))}
    reaches = {i: reach_name(i, {**nodes, **towns}) for i in _parts(scenario, "river", "reaches")}
    return {"node": nodes, "town": towns, "road": roads, "failure_mode": modes,
            "asset": assets, "district": districts, "reach": reaches}


def reach_name(identifier: str, places: Mapping[str, str]) -> str:
    """A reach, which has no name field, named from its id: each end of ``a_to_b`` that is
    a place id (node or town) gets the place's name without its parenthetical aside
    (``haditha_to_hit`` -> ``Haditha to Hit``), any other end its tidied id."""
    ends = identifier.split("_to_")
    if len(ends) != 2 or not all(ends):
        return tidy_id(identifier)
    return " to ".join(re.sub(r"\s*\([^)]*\)", "", places[end]) if end in places
                       else tidy_id(end) for end in ends)


_PATTERN = re.compile(r"^(?P<prefix>.*)\.<(?P<placeholder>\w+)>$")


def _pattern_key(identifier: str) -> tuple[str, str] | None:
    """(prefix, placeholder) of a pattern id such as ``fatalities.<town>``."""
    match = _PATTERN.match(identifier)
    return (match["prefix"], match["placeholder"]) if match else None


_PLACEHOLDER = re.compile(r"<(\w+)>")


def _nested_pattern(identifier: str) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """The regular expression and placeholders of an id with two or more placeholders
    (``fatalities.<town>.<district>``: a place within a place), else None."""
    parts = _PLACEHOLDER.split(identifier)  # text, placeholder, text, ...
    placeholders = tuple(parts[1::2])
    if len(placeholders) < 2:
        return None
    regex = "".join(re.escape(part) if i % 2 == 0 else r"([^.]+)"
                    for i, part in enumerate(parts))
    return re.compile(f"^{regex}$"), placeholders


def _nested_match(column: str, patterns: Iterable[tuple[re.Pattern[str], tuple[str, ...], Any]],
                  names: Mapping[str, Mapping[str, str]]) -> tuple[Any, dict[str, Any]] | None:
    """The pattern's payload for `column` and its placeholders' display names (``name``
    the innermost's); an inner place's name is keyed by its path, ``town.district``."""
    for regex, placeholders, payload in patterns:
        match = regex.match(column)
        if match is None:
            continue
        ids = match.groups()
        filled = {placeholder: names.get(placeholder, {}).get(".".join(ids[:i + 1]))
                  or tidy_id(ids[i]) for i, placeholder in enumerate(placeholders)}
        filled["name"] = filled[placeholders[-1]]
        filled["ids"] = ids
        return payload, filled
    return None


_EXACT = {e.id: e for e in OUTCOMES if _pattern_key(e.id) is None}
_PATTERNS = {key[0]: (key[1], e) for e in OUTCOMES
             if (key := _pattern_key(e.id)) and "<" not in key[0]}
_NESTED = tuple((*found, e) for e in OUTCOMES if (found := _nested_pattern(e.id)))
_ORDER = {e.id: i for i, e in enumerate(OUTCOMES)}
_COMPONENT_PATTERNS = {key[0]: (key[1], label) for path, label in INPUT_COMPONENTS.items()
                       if (key := _pattern_key(path)) and "<" not in key[0]}
_NESTED_COMPONENTS = tuple((*found, label) for path, label in INPUT_COMPONENTS.items()
                           if (found := _nested_pattern(path)))


def _name(names: Mapping[str, Mapping[str, str]], placeholder: str, identifier: str) -> str:
    return names.get(placeholder, {}).get(identifier) or tidy_id(identifier)


def _input_entry(column: str, names: Mapping[str, Mapping[str, str]]) -> Entry | None:
    path = column[len("input."):]
    component, _, field_name = path.rpartition(".")
    field = INPUT_FIELDS.get(field_name)
    if field is None or not component:
        return None
    nested = _nested_match(component, _NESTED_COMPONENTS, names)
    if component in INPUT_COMPONENTS:
        owner = INPUT_COMPONENTS[component]
    elif nested is not None:
        template, filled = nested
        owner = template.format(**filled)
    else:
        prefix, _, last = component.rpartition(".")
        if prefix not in _COMPONENT_PATTERNS:
            return None
        placeholder, template = _COMPONENT_PATTERNS[prefix]
        owner = template.format(name=_name(names, placeholder, last))
    if field_name == "occurs" and component.startswith("assets.others."):
        field = replace(field, label="is lost if set off")  # an asset beside the dam
    label = f"{owner[:1].upper()}{owner[1:]}{' ' if field.sentence else ': '}{field.label}"
    return Entry(column, label, field.unit, field.kind,
                 f"the replication's draw of the scenario input {path}", NEITHER, INPUTS)


def catalogue_entry(column: str, scenario: Any = None,
                    *, names: Mapping[str, Mapping[str, str]] | None = None) -> Entry | None:
    """The entry of a column with ``{name}`` filled in and ``id`` the column itself, or
    None when the catalogue has none (the coverage test fails on those). Names come from
    `names` (see `scenario_names`) or else from `scenario`."""
    if names is None:
        names = scenario_names(scenario)
    if column.startswith("input."):
        return _input_entry(column, names)
    found = _EXACT.get(column)
    if found is not None:
        return found
    prefix, _, identifier = column.rpartition(".")
    if prefix not in _PATTERNS:
        nested = _nested_match(column, _NESTED, names)
        if nested is None:
            return None
        pattern, filled = nested
        event = pattern.event.format(**filled) if pattern.event else None
        return replace(pattern, id=column, label=pattern.label.format(**filled), event=event)
    placeholder, pattern = _PATTERNS[prefix]
    name = _name(names, placeholder, identifier)
    event = pattern.event.format(name=name) if pattern.event else None
    return replace(pattern, id=column, label=pattern.label.format(name=name), event=event)


class Catalogue:
    """The catalogue as one scenario reads it: display names filled in, columns in the
    order tables show them, the headline outcomes chosen."""

    def __init__(self, scenario: Any = None,
                 headline: Sequence[str] | None = None) -> None:
        """Bind the catalogue to `scenario` (None: ids tidied up instead of names).

        Args:
            scenario: The scenario whose display names fill the labels: a `Scenario`,
                or the resolved scenario a run's manifest stores; or None.
            headline: Outcome ids to put first; default the scenario's own headline
                (``scenario.headline``), or `DEFAULT_HEADLINE`.
        """
        self.names = scenario_names(scenario)
        if headline is None and scenario is not None:
            headline = _field(_field(scenario, "scenario"), "headline")
        self.headline_ids = tuple(headline) if headline else DEFAULT_HEADLINE
        places = [*_parts(scenario, "river", "towns"), *_parts(scenario, "network", "nodes")]
        self._places = {place: i for i, place in reversed(list(enumerate(places)))}

    def __getitem__(self, column: str) -> Entry:
        """The entry of `column`; a column without one gets a plain stand-in."""
        found = catalogue_entry(column, names=self.names)
        if found is None:
            return Entry(column, column, "", AMOUNT, "(not in the catalogue)", NEITHER, INPUTS)
        return found

    def __contains__(self, column: object) -> bool:
        """Whether the catalogue has an entry for `column`."""
        return isinstance(column, str) and catalogue_entry(column, names=self.names) is not None

    def label(self, column: str) -> str:
        """The label of `column` (``Fatalities in Hit``)."""
        return self[column].label

    def heading(self, column: str) -> str:
        """The label with its unit (``Fatalities in Hit (people)``)."""
        return self[column].heading

    def value_heading(self, column: str) -> str:
        """The heading of one replication's value: a yes/no outcome by its event
        (``Dam captured (1 = yes)``, not a probability), any other as `heading`."""
        entry = self[column]
        if entry.kind == PROBABILITY and entry.event:
            return f"{entry.event[:1].upper()}{entry.event[1:]} (1 = yes)"
        return entry.heading

    def family(self, column: str) -> tuple[Entry, str] | None:
        """The pattern entry a per-place column belongs to (``capture_h.<node>`` for
        ``capture_h.hit``, labels unfilled) and the place's display name; None for a
        column that is no per-place outcome."""
        prefix, _, identifier = column.rpartition(".")
        if column.startswith("input.") or prefix not in _PATTERNS:
            return None
        placeholder, pattern = _PATTERNS[prefix]
        return pattern, _name(self.names, placeholder, identifier)

    def missing(self, columns: Iterable[str]) -> list[str]:
        """The columns that have no entry."""
        return [c for c in columns if c not in self]

    def _sort_key(self, column: str) -> tuple[int, int, int]:
        entry = self[column]
        group = GROUPS.index(entry.group)
        prefix, _, identifier = column.rpartition(".")
        places = self._places
        nested = None if prefix in _PATTERNS else _nested_match(column, _NESTED, {})
        if column in _ORDER or column.startswith("input.") or (
                prefix not in _PATTERNS and nested is None):
            return group, _ORDER.get(column, len(_ORDER)), -1
        if nested is not None:  # a place within a place: beside the outer place's rows
            order, identifier = _ORDER[nested[0].id], nested[1]["ids"][0]
        else:
            order = _ORDER[_PATTERNS[prefix][1].id]
        place = places.get(identifier, len(places))
        if entry.group == FLOOD:  # flood by town: each town's rows together
            return group, place, order
        return group, order, place

    def ordered(self, columns: Iterable[str]) -> list[str]:
        """The columns grouped as the full table shows them: forces, dam, flood by town,
        life loss, grid, inputs; catalogue order within a group, river order of towns."""
        columns = list(columns)
        return sorted(columns, key=lambda c: (*self._sort_key(c), c))

    def headline(self, columns: Iterable[str]) -> list[str]:
        """The headline outcomes this run has, in headline order."""
        present = set(columns)
        return [c for c in self.headline_ids if c in present]
