"""Shared fixtures of the engine tests: the fixture scenarios and small helpers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from simulator.scenario import load_scenario
from simulator.scenario.distributions import fixed

DATA = Path(__file__).resolve().parents[1] / "data"


def _load(name: str, variant: str | None = None):
    return load_scenario(DATA / name, variant=variant)


def extending(tmp_path: Path, base: str, overlay: str = ""):
    """The scenario of a file in `tmp_path` that extends tests/data/`base` with `overlay`
    (YAML text; ``null`` removes what the base has)."""
    path = tmp_path / "case.yaml"
    path.write_text(f"extends: {DATA / base}\n{overlay}")
    return load_scenario(path)


@pytest.fixture(scope="session")
def valley():
    """tests/data/engine_valley.yaml: fixed numbers, every event time computable by hand."""
    return _load("engine_valley.yaml")


@pytest.fixture(scope="session")
def uncertain():
    """tests/data/engine_uncertain.yaml: every sampled input uncertain."""
    return _load("engine_uncertain.yaml")


@pytest.fixture(scope="session")
def load():
    return _load


def with_force(scenario, force_id, **changes):
    """A copy of `scenario` with fields of one force replaced (numbers become fixed)."""
    changes = {k: fixed(v) if isinstance(v, int | float) else v for k, v in changes.items()}
    force = scenario.forces[force_id].model_copy(update=changes)
    return scenario.model_copy(update={"forces": {**scenario.forces, force_id: force}})


@pytest.fixture(scope="session")
def change_force():
    return with_force


def event_log(replication, kinds=None):
    """The timeline as (hours, kind, actor, place) tuples, optionally only some kinds."""
    return [(round(e.time_s / 3600, 9), e.kind, ",".join(e.actors), e.place)
            for e in replication.timeline if kinds is None or e.kind in kinds]


@pytest.fixture(scope="session")
def log():
    return event_log


def same_replication(a, b) -> bool:
    """Equal records, counting NaN outcomes (no flood) as equal to each other."""

    def same(x, y):
        return x == y or (math.isnan(x) and math.isnan(y))

    return (a.seed, a.replication, a.timeline) == (b.seed, b.replication, b.timeline) and \
        a.outcomes.keys() == b.outcomes.keys() and \
        all(same(a.outcomes[k], b.outcomes[k]) for k in a.outcomes)


@pytest.fixture(scope="session")
def same():
    return same_replication
