"""Replay one replication of a stored run, alone and exactly.

A run records the scenario file, its resolved hash, the variant, the seed and the
replication function; replication k gets the run's seed and index k whatever executor
ran it. So replaying is loading the same scenario, checking it still resolves to the
same hash (a changed file would replay something else), and calling the replication
function once with the timeline switched on.

The functions replayed are the caller's (the engine's unless a test passes its own),
never the ones the manifest names: a run directory is data people share, and nothing in
it may choose code to import. A run made with other functions is refused.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .batch import DEFAULT_PREPARE, DEFAULT_REPLICATE, Failure, resolve
from .columns import StoredColumns
from .errors import RunError
from .ledger import Ledger
from .runner import RunResult, scenario_identity
from .store import RunStore


@dataclass(frozen=True)
class Replay:
    """A replication rerun, with what the run stored for it (if anything)."""

    scenario: Any
    replication: Any  # the engine's Replication record, timeline included
    stored: dict[str, float] | None  # the run's outcomes for it; None if it failed or is missing
    failure: Failure | None  # what the run recorded if it failed there

    @property
    def matches(self) -> bool | None:
        """Whether the rerun reproduced the stored outcomes exactly (None: none stored)."""
        if self.stored is None:
            return None
        outcomes = self.replication.outcomes
        return set(outcomes) >= set(self.stored) and all(
            _same(float(outcomes[name]), value) for name, value in self.stored.items()
        )


def load_run(path: str | os.PathLike[str]) -> RunResult:
    """A stored run as a `RunResult`: all of it when the run completed, else the gap-free
    start of what it got done. Its outcome columns are read from the chunks on demand
    (exact floats; `StoredColumns`), so loading a run of any size takes little memory."""
    store = RunStore(path)
    manifest = store.read_manifest()
    ledger = Ledger()
    for chunk in store.read_chunks():
        ledger.add(chunk)
    final = (manifest.get("result") or {}).get("replications")
    if final is None:
        final = ledger.prefix()
    replications = ledger.replications(final)
    return RunResult(replications,
                     StoredColumns(store, final, ledger.names_below(final), replications.size),
                     tuple(ledger.failures_below(final)), manifest, store.path)


def load_run_scenario(run: str | os.PathLike[str]) -> Any:
    """The scenario the run stored at `run` ran, loaded from its file with its variant.

    Raises:
        RunError: when the file is gone, or has changed so that it no longer resolves
            to the run's hash (rerunning its replications would not reproduce them).
    """
    from ..scenario import load_scenario

    store = RunStore(run)
    manifest = store.read_manifest()
    info = manifest.get("scenario") or {}
    candidates = [p for p in (info.get("file"), info.get("path")) if p]
    source = next((p for p in candidates if Path(p).is_file()), None)
    if source is None:
        raise RunError(f"the scenario file of {store.path} is gone "
                       f"({info.get('file') or 'not recorded'})")
    scenario = load_scenario(source, variant=manifest.get("variant"))
    identity = scenario_identity(scenario)
    if identity["resolved_sha256"] != manifest.get("resolved_sha256"):
        raise RunError(f"{source} has changed since {store.path} was run; its "
                       f"replications rerun would not reproduce the run (restore the file, "
                       f"e.g. from version control)")
    return scenario


def replay(run: str | os.PathLike[str], replication: int, *,
           replicate: str = DEFAULT_REPLICATE, prepare: str | None = DEFAULT_PREPARE
           ) -> Replay:
    """Rerun replication `replication` of the run stored at `run`, with its timeline.

    `replicate` and `prepare` are the import paths of the functions to rerun it with, as
    for `run_monte_carlo`; the run must have been made with the same ones.

    Raises:
        RunError: when the run cannot be replayed (no such replication, a changed or
            missing scenario file, a malformed manifest, other functions).
    """
    store = RunStore(run)
    manifest = store.read_manifest()
    for role, key, default, chosen in (("replication", "replicate", DEFAULT_REPLICATE, replicate),
                                       ("preparation", "prepare", DEFAULT_PREPARE, prepare)):
        named = manifest.get(key, default)
        if named != chosen:
            raise RunError(f"{store.path} was run with the {role} function {named}, not "
                           f"{chosen}; replay reruns only runs of {chosen}")
    scenario = load_run_scenario(run)
    limit = (manifest.get("result") or {}).get("replications") or manifest.get("replications")
    if not isinstance(replication, int) or replication < 0 or (limit and replication >= limit):
        within = f" (0 to {limit - 1})" if limit else ""
        raise RunError(f"{store.path} has no replication {replication}{within}")

    stored, failure = _stored(store, replication)
    prepared = scenario if prepare is None else resolve(prepare)(scenario)
    if manifest.get("knowledge"):  # a two-layer run: its sample's knowledge pinned
        from .knowledge import KnowledgeDesign

        rerun = KnowledgeDesign.from_json(manifest["knowledge"]).replicate(
            resolve(replicate), prepared, manifest["seed"], replication, timeline=True)
    else:
        rerun = resolve(replicate)(prepared, manifest["seed"], replication, timeline=True)
    return Replay(scenario, rerun, stored, failure)


def _stored(store: RunStore, k: int) -> tuple[dict[str, float] | None, Failure | None]:
    for chunk in store.read_chunks():
        if k not in chunk.indices:
            continue
        for failure in chunk.failures:
            if failure.replication == k:
                return None, failure
        rows = np.flatnonzero(chunk.replications == k)
        if rows.size:
            row = chunk.values[rows[0]]
            return {name: float(row[j]) for j, name in enumerate(chunk.names)
                    if not math.isnan(row[j]) or chunk.first_seen[j] <= k}, None
    return None, None


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))
