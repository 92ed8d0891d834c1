"""Exhibits: what a run's report shows beyond its outcome table, stored beside it.

The run store keeps one number per outcome per replication. A report also shows the
timelines of a median and a worst-case replication and the grid hour by hour (when the
plant is out, the load shed that adds); both need more than those numbers. `simulator.workflows` computes them once, right
after a run, and writes them into the run directory:

- ``exhibits/timelines.json``: the picked replications (role, index, why) and their
  typed events (`event_to_dict`);
- ``exhibits/load_shed.npz``: hourly load shed (MW) of a sample of replications spread
  over the run, the grid's shed with nothing out of service (the shed the scenario adds
  is the difference), and the share of each hour the dam's plant was off the grid in
  each sampled replication;
- the planned route of each force that moves (its nodes in order, from the engine's
  plan), for the map, in ``timelines.json``.

Each file records what it was made from (the run's resolved scenario hash, seed and
replication count), so exhibits of a run that has since been resumed read as stale.
Reports only read exhibits; nothing here runs a replication.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..atomicfile import atomic_open, write_atomic

if TYPE_CHECKING:
    from ..engine.record import Event

__all__ = ["EXHIBITS", "Exhibits", "LoadShed", "PickedTimeline", "hours_out",
           "read_exhibits", "write_exhibits"]

EXHIBITS = "exhibits"
TIMELINES = "timelines.json"
LOAD_SHED = "load_shed.npz"
FORMAT = 3  # 2: routes; 3: plant_out (older exhibits are made again)


@dataclass(frozen=True)
class PickedTimeline:
    """The events of one replication a report shows, and why it was picked."""

    role: str  # "median" or "worst"
    replication: int
    why: str
    events: tuple[Event, ...]


@dataclass(frozen=True)
class LoadShed:
    """Hourly load shed of a sample of a run's replications."""

    replications: np.ndarray  # the sampled replication indices
    hourly_mw: np.ndarray  # replications x hours: the mean shed over each hour
    baseline_mw: np.ndarray  # hours: the shed with nothing out of service
    plant_out: np.ndarray | None = None  # replications x hours: share of the hour out

    @property
    def added_mw(self) -> np.ndarray:
        """Replications x hours: the shed above the grid's with nothing out of service."""
        return self.hourly_mw - self.baseline_mw[None, : self.hourly_mw.shape[1]]


@dataclass(frozen=True)
class Exhibits:
    """A run's exhibits and the run they were made for."""

    made_for: Mapping[str, Any]  # resolved_sha256, seed and replications of the run
    timelines: tuple[PickedTimeline, ...]
    load_shed: LoadShed | None  # None: the scenario has no grid loads
    routes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # force -> nodes

    def fit(self, manifest: Mapping[str, Any], replications: int) -> bool:
        """Whether these exhibits belong to the run as it is now (not resumed since)."""
        return dict(self.made_for) == made_for(manifest, replications)


def hours_out(intervals_s: Sequence[tuple[float, float]], hours: int) -> np.ndarray:
    """The share of each hour from the start (``hours`` of them) that falls inside one
    of the merged `intervals_s` (start, end in seconds), e.g. a plant's outages."""
    edges = np.arange(hours + 1, dtype=np.float64)
    share = np.zeros(hours)
    for start_s, end_s in intervals_s:
        start_h, end_h = start_s / 3600.0, end_s / 3600.0
        share += np.clip(np.minimum(edges[1:], end_h) - np.maximum(edges[:-1], start_h), 0, 1)
    return np.minimum(share, 1.0)


def made_for(manifest: Mapping[str, Any], replications: int) -> dict[str, Any]:
    """What identifies the state of a run that exhibits are made from."""
    return {"resolved_sha256": manifest.get("resolved_sha256"), "seed": manifest.get("seed"),
            "replications": int(replications)}


def write_exhibits(run: str | os.PathLike[str], exhibits: Exhibits) -> Path:
    """Write `exhibits` into the run directory `run`; returns their directory."""
    from ..engine.record import event_to_dict

    directory = Path(run) / EXHIBITS
    directory.mkdir(exist_ok=True)
    shed = exhibits.load_shed
    if shed is None:
        (directory / LOAD_SHED).unlink(missing_ok=True)
    else:
        with atomic_open(directory / LOAD_SHED, "wb") as handle:
            out = {} if shed.plant_out is None else {"plant_out": shed.plant_out}
            np.savez(handle, replications=shed.replications, hourly_mw=shed.hourly_mw,
                     baseline_mw=shed.baseline_mw, **out)
    timelines = [{"role": t.role, "replication": t.replication, "why": t.why,
                  "events": [event_to_dict(e) for e in t.events]}
                 for t in exhibits.timelines]
    document = {"format": FORMAT, "made_for": dict(exhibits.made_for),
                "load_shed": shed is not None, "timelines": timelines,
                "routes": {force: list(nodes) for force, nodes in exhibits.routes.items()}}
    write_atomic(directory / TIMELINES, json.dumps(document, indent=1) + "\n")
    return directory


def read_exhibits(run: str | os.PathLike[str]) -> Exhibits | None:
    """The exhibits stored in the run directory `run`, or None when it has none (a run
    made before exhibits existed, or by `run_monte_carlo` alone) or they cannot be read
    (then they are made again)."""
    from ..engine.record import event_from_dict

    directory = Path(run) / EXHIBITS
    try:
        document = json.loads((directory / TIMELINES).read_text(encoding="utf-8"))
        if document["format"] != FORMAT:
            return None
        timelines = tuple(
            PickedTimeline(item["role"], int(item["replication"]), item["why"],
                           tuple(event_from_dict(e) for e in item["events"]))
            for item in document["timelines"])
        routes = {str(force): tuple(str(n) for n in nodes)
                  for force, nodes in document["routes"].items()}
        shed = None
        if document["load_shed"]:
            with np.load(directory / LOAD_SHED, allow_pickle=False) as data:
                shed = LoadShed(data["replications"], data["hourly_mw"], data["baseline_mw"],
                                data["plant_out"] if "plant_out" in data else None)
    except (OSError, KeyError, TypeError, ValueError, AttributeError):
        return None
    return Exhibits(document["made_for"], timelines, shed, routes)
