"""The two layers of uncertainty: what we do not know (`KNOWLEDGE`) and what varies (`CHANCE`).

Risk analysts keep the two apart (RMC-TotalRisk and HEC-FDA run a knowledge loop around
a natural-variability loop): a `knowledge` input is a fixed fact nobody knows exactly
(the garrison's strength, the breach's width, the river's roughness), the same every
time history plays out; a `chance` input varies each time it does (when the column
leaves, how long it halts, whether the attackers blow the dam). Mixing them answers
"P(breach) is 4.5 %"; keeping them apart answers "P(breach) is somewhere between 1 % and
12 %, because we do not know the garrison's strength".

`DEFAULTS` gives every input field of the engine a layer, matched on its input path
(``forces.<force>.strength``); a scenario moves inputs between layers with
``scenario.uncertainty: {knowledge: [...], chance: [...]}``, each entry an input path,
a component (``forces.dam_garrison``: all its inputs) or a glob (``river.reaches.*``).
`Layers` resolves both for one scenario's inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

__all__ = ["CHANCE", "DEFAULTS", "KNOWLEDGE", "LAYERS", "Layers", "layer_of", "layer_problems",
           "matches"]

KNOWLEDGE = "knowledge"
CHANCE = "chance"
LAYERS = (KNOWLEDGE, CHANCE)

#: (input path pattern, layer, why): the first pattern that matches decides. Listed in
#: ``infrasim schema``; tests/montecarlo/test_knowledge.py checks that every input of the
#: bundled scenarios matches a pattern here.
DEFAULTS: tuple[tuple[str, str, str], ...] = (
    ("forces.*.strength", KNOWLEDGE, "how many fighters a force has is a fact we lack"),
    ("forces.*.effectiveness_per_s", KNOWLEDGE, "a force's training and arms"),
    ("forces.*.defender_advantage", KNOWLEDGE, "the strength of a position"),
    ("forces.*.withdraw_ratio", KNOWLEDGE, "a force's morale and doctrine"),
    ("forces.*.departure_s", CHANCE, "when a force sets off varies"),
    ("forces.*.mobilisation_s", CHANCE, "how long mobilising takes varies"),
    ("support.*.from_s", CHANCE, "when support arrives varies"),
    ("support.*.effectiveness_factor", KNOWLEDGE, "what support adds is a fact we lack"),
    ("network.*", CHANCE, "halts, speeds and delays vary on every journey"),
    ("assets.dam.reservoir.volume_m3", KNOWLEDGE, "the water stored is a fact we lack"),
    ("assets.dam.reservoir.operation.inflow_m3s", KNOWLEDGE,
     "the river's inflow this season is a fact we lack"),
    ("assets.dam.reservoir.operation.*", CHANCE, "when and how fast water is released varies"),
    ("assets.dam.failure_modes.*.occurs", CHANCE, "whether a failure mode happens"),
    ("assets.dam.failure_modes.*.delay_s", CHANCE, "when it happens"),
    ("assets.dam.failure_modes.*.restoration_s", CHANCE, "how long a repair takes varies"),
    ("assets.dam.failure_modes.*", KNOWLEDGE,
     "breach geometry and formation time: regression coefficients we do not know"),
    ("warning.towns.*.rate_quantile", KNOWLEDGE,
     "where a town sits in Graham's fatality-rate range: a fact we lack"),
    ("warning.*", CHANCE, "how fast a warning is detected and spread varies"),
    ("river.*", KNOWLEDGE, "river sections, roughness and who lives on the floodplain"),
    ("grid.repair_time_s", CHANCE, "how long a repair takes varies"),
    ("assets.others.*", CHANCE, "whether, when and for how long a plant, substation or "
     "bridge is lost varies"),
    ("consequences.*", KNOWLEDGE, "a consequence model's own uncertainty"),
)


def matches(pattern: str, path: str) -> bool:
    """Whether `pattern` (an input path, a component of it, or a glob) covers `path`."""
    return path == pattern or path.startswith(pattern + ".") or fnmatchcase(path, pattern)


def layer_of(path: str) -> str:
    """The default layer of input `path`: the first matching `DEFAULTS` pattern's, else
    chance (an input the table does not know varies, as every input did before)."""
    for pattern, layer, _ in DEFAULTS:
        if matches(pattern, path):
            return layer
    return CHANCE


def _overrides(scenario: Any) -> dict[str, list[str]]:
    uncertainty = scenario.scenario.uncertainty
    if uncertainty is None:
        return {KNOWLEDGE: [], CHANCE: []}
    return {KNOWLEDGE: list(uncertainty.knowledge), CHANCE: list(uncertainty.chance)}


@dataclass(frozen=True)
class Layers:
    """The layer of each random input of one scenario: defaults, then its overrides."""

    paths: tuple[str, ...]  # the scenario's random inputs, in stream order
    layer: dict[str, str]

    @classmethod
    def of(cls, scenario: Any, paths: Sequence[str]) -> Layers:
        """The layers of `paths` (a scenario's random inputs) as `scenario` sets them."""
        overrides = _overrides(scenario)
        layer = {}
        for path in paths:
            chosen = layer_of(path)
            for name in LAYERS:
                if any(matches(p, path) for p in overrides[name]):
                    chosen = name
            layer[path] = chosen
        return cls(tuple(paths), layer)

    @property
    def knowledge(self) -> tuple[str, ...]:
        """The knowledge inputs, in stream order."""
        return tuple(p for p in self.paths if self.layer[p] == KNOWLEDGE)

    @property
    def chance(self) -> tuple[str, ...]:
        """The chance inputs, in stream order."""
        return tuple(p for p in self.paths if self.layer[p] == CHANCE)


def layer_problems(scenario: Any, paths: Iterable[str]) -> Iterator[tuple[tuple, str]]:
    """What is wrong with `scenario.uncertainty` given its input `paths`: an entry that
    matches no input, or an input put in both layers. Each with its place in the file."""
    from ..scenario.errors import did_you_mean

    paths = list(paths)
    overrides = _overrides(scenario)
    claimed: dict[str, str] = {}
    for name in LAYERS:
        for i, pattern in enumerate(overrides[name]):
            covered = [p for p in paths if matches(pattern, p)]
            at = ("scenario", "uncertainty", name, i)
            if not covered:
                hint = did_you_mean(pattern, {p: None for p in paths})
                yield at, f"'{pattern}' matches no input of this scenario; {hint}".rstrip("; ")
            for path in covered:
                if claimed.setdefault(path, name) != name:
                    yield at, f"'{path}' is put in both layers, knowledge and chance"
                    break
