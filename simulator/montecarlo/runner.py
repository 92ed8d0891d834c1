"""Run many replications of a scenario and keep their outcomes: `run_monte_carlo`.

The runner plans batches of replication indices, hands them to an executor, records each
batch that comes back in its ledger and the run store, and decides when to stop:
after a fixed count, or adaptively once the chosen metrics' means are precise enough.
Replication k of a run always gets seed `seed` and index k, so the outcomes depend only
on scenario, variant, seed and indices: never on executor, worker count, batch sizes or
the order results arrive in. That is also what makes resume exact: whatever chunks a
killed run left behind are read back and only the missing indices run again.

Memory stays flat in the number of replications: outcomes go to chunk files as batches
come back (a run without `out` keeps them in a temporary directory), the finished
replications are a few ranges (`Ledger`), adaptive stopping keeps running moments
(`PrefixMoments`), and the result reads its columns back from the chunks on demand.

Batch sizes adapt to the measured cost of a replication: large enough that scheduling
costs under 2% of the run, capped at a couple of seconds so progress, stopping checks and
crash losses stay fine-grained, capped at `MAX_BATCH_VALUES` outcome values so a batch in
flight holds a few tens of MB whatever the replications cost, and shrinking towards the
end of the run ("guided" scheduling) so no worker idles while another finishes a long
last batch.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import time
import traceback
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis.stats import OutcomeRow, key_outcomes, summarise
from ..names import safe_name
from .batch import (
    DEFAULT_PREPARE,
    DEFAULT_REPLICATE,
    WORKER_SCENARIOS,
    BatchResult,
    BatchTask,
    Failure,
    import_path,
    resolve,
    run_batch,
)
from .columns import StoredColumns
from .errors import ReplicationsFailed, RunError
from .executors import Executor, make_executor
from .knowledge import KnowledgeDesign
from .ledger import Ledger
from .progress import make_progress
from .stopping import PrefixMoments, StoppingRule, parse_metrics
from .store import RunStore, run_status

if TYPE_CHECKING:
    from ..analysis.catalogue import Catalogue

DEFAULT_MIN_REPLICATIONS = 100
DEFAULT_MAX_REPLICATIONS = 100_000
FIRST_BATCH = 8  # replications per batch until one has been timed
MIN_BATCH_S = 0.25  # a batch's chunk file and bookkeeping cost well under 2% of this
MAX_BATCH_S = 2.0  # bounds what a crash loses and how stale progress can get
MAX_BATCH_REPLICATIONS = 10_000  # bounds a batch's memory when replications are very cheap
# Outcome values a batch returns at most (2 MB of them): what a batch holds in flight, in
# its worker (about 25 MB with its rows and CSV text) and here, grows with its
# outcomes too; bigger batches freed one by one leave this process's heap larger.
MAX_BATCH_VALUES = 250_000
SCHEDULING_SHARE = 0.02  # task overhead as a share of a batch's time, at most
GUIDED_FACTOR = 3  # a batch takes at most 1/(3 * workers) of the work left
IN_FLIGHT_PER_WORKER = 2  # batches queued per worker, so none waits for the next
MANIFEST_EVERY_S = 5.0
ABORT_AFTER_FAILURES = 50  # stop early if this many replications failed and none succeeded
RUN_FORMAT = 1


@dataclass(frozen=True)
class RunResult:
    """A finished (or stopped) run: outcome columns, failures and the manifest.

    `outcomes[name][i]` belongs to replication `replications[i]`; rows are sorted by
    replication, failed replications are left out (see `failures`). A run's columns are
    read from its chunk files when asked for (`StoredColumns`); a run made without `out`
    keeps those in a temporary directory that lives as long as its columns do."""

    replications: np.ndarray
    outcomes: Mapping[str, np.ndarray]
    failures: tuple[Failure, ...]
    manifest: dict[str, Any]
    path: Path | None = None

    def __repr__(self) -> str:
        where = f" {self.path}" if self.path is not None else ""
        name = (self.manifest.get("scenario") or {}).get("name") or "run"
        return (f"<RunResult {name!r}{where}: {self.done:,} replications, {self.failed:,} "
                f"failed, {self.status or 'no status'}>")

    @property
    def done(self) -> int:
        """Replications that succeeded."""
        return int(self.replications.size)

    @property
    def failed(self) -> int:
        """Replications that raised (see `failures`)."""
        return len(self.failures)

    @property
    def status(self) -> str:
        """How the run ended, from the manifest: ``complete``, ``interrupted`` or
        ``aborted``; ``running`` while it runs and ``died`` if its process was killed
        (see `run_status`; empty if the manifest does not say)."""
        return run_status(self.manifest)

    def summary(self, names: Sequence[str] | None = None,
                catalogue: Catalogue | None = None) -> list[OutcomeRow]:
        """Mean, 95% CI, percentiles and P(>0) of `names` (default: key outcomes), each
        exact: from the whole column, read a group of columns at a time. With a
        `catalogue` each is summarised as its kind asks (see `analysis.stats`)."""
        outcomes = self.outcomes
        chosen = key_outcomes(outcomes) if names is None else [n for n in names if n in outcomes]
        groups = outcomes.groups(chosen) if isinstance(outcomes, StoredColumns) else [outcomes]
        return [row for group in groups
                for row in summarise(group, chosen, catalogue=catalogue, events=outcomes)]


def run_monte_carlo(
    scenario: Any,
    replications: int | None = None,
    precision: float | None = None,
    seed: int | None = None,
    executor: str = "processes",
    workers: int | None = None,
    out: str | os.PathLike[str] | None = None,
    *,
    variant: str | None = None,
    metrics: Sequence[str] | Mapping[str, float] = (),
    min_replications: int | None = None,
    max_replications: int | None = None,
    resume: bool = False,
    scheduler: str | None = None,
    progress: bool | None = False,
    replicate: str | Callable[..., Any] = DEFAULT_REPLICATE,
    prepare: str | Callable[..., Any] | None = DEFAULT_PREPARE,
    knowledge: int | KnowledgeDesign | None = None,
) -> RunResult:
    """Run replications of `scenario` (a `Scenario`, or a file path with `variant`).

    Either a fixed count (`replications`, default the scenario's own) or, with
    `precision`, adaptively: stop once every metric in `metrics` (names, or a mapping of
    name to an absolute floor for means near zero) has a 95% CI half-width under
    `precision` times its mean, within `min_replications`..`max_replications`.
    `seed` defaults to the scenario's. With `out`, the run is stored there (and `resume`
    continues a run stored there); without it, its chunks go to a temporary directory
    that is removed once the result is no longer used. `progress` draws a
    bar on stderr (None: only when stderr is a terminal). `replicate` is the import path
    of the replication function, ``simulator.engine:simulate`` unless testing, and
    `prepare` that of the function each worker process calls once on the scenario
    before handing the result to `replicate` (None: hand over the scenario as it is).
    `knowledge` makes it a two-layer run (see `knowledge`): that many Latin-hypercube
    samples of the knowledge inputs (or a `KnowledgeDesign`), each with `replications`
    chance replications; `replicate` must then take ``pinned=``.

    Raises:
        RunError: a request that cannot run as asked (bad counts, a run directory in use,
            a resume of another experiment, a replication function that cannot be
            imported).
        ReplicationsFailed: every replication failed (after the first
            `ABORT_AFTER_FAILURES`, or all of a smaller run); it holds the run so far.
    """
    scenario = _load(scenario, variant)
    replicate_path = import_path(replicate)
    prepare_path = None if prepare is None else import_path(prepare)
    for role, path in (("replication", replicate_path), ("preparation", prepare_path)):
        try:
            if path is not None:
                resolve(path)
        except (ImportError, AttributeError, TypeError) as error:
            raise RunError(f"cannot import the {role} function {path}: {error}") from None
    identity = scenario_identity(scenario)
    identity["replicate"] = replicate_path
    identity["prepare"] = prepare_path
    _check_count("replications", replications)
    _check_count("min_replications", min_replications)
    _check_count("max_replications", max_replications)
    if seed is not None and not (isinstance(seed, int) and 0 <= seed < 2**63):
        raise RunError(f"the seed must be a whole number from 0 to 2**63 - 1, found {seed}")
    if replications is not None and precision is not None:
        raise RunError("give either a replication count or a precision, not both "
                       "(with a precision, --min/--max bound the count)")

    previous: dict[str, Any] | None = None
    if out is None:
        if resume:
            raise RunError("resume needs the run directory (out=...) to continue")
        store = RunStore.scratch()
    else:
        store = RunStore(out)
        if resume and store.has_run():
            previous = store.read_manifest()
            _check_same_run(store, previous, identity, seed)
        else:
            store.check_free()

    if previous is not None:
        seed = int(previous["seed"])
    elif seed is None:
        seed = int(scenario.scenario.seed)

    rule: StoppingRule | None = None
    target: int | None = None
    design = _design(scenario, knowledge, replications, precision, seed)
    if design is not None:
        identity["knowledge"] = design.as_json()
        if previous is not None and previous.get("knowledge") != identity["knowledge"]:
            raise RunError(f"{store.path} was run with another knowledge design "
                           f"({_design_text(previous.get('knowledge'))}, not "
                           f"{_design_text(identity['knowledge'])})")
        target = design.replications
    elif previous is not None and previous.get("knowledge"):
        raise RunError(f"{store.path} is a two-layer run "
                       f"({_design_text(previous['knowledge'])}); resume it with the same "
                       f"--knowledge and -n")
    elif precision is not None:
        rule = StoppingRule(
            float(precision),
            parse_metrics(metrics),
            min_replications or DEFAULT_MIN_REPLICATIONS,
            max_replications or max(DEFAULT_MAX_REPLICATIONS, min_replications or 0),
        )
    elif replications is not None:
        target = replications
    elif previous is not None and previous.get("stopping"):
        rule = StoppingRule.from_json(previous["stopping"])
    elif previous is not None and previous.get("replications"):
        target = int(previous["replications"])
    else:
        target = int(scenario.scenario.replications)
    if rule is None and (metrics or min_replications or max_replications):
        raise RunError("--metric, --min and --max go with --precision")

    pool = make_executor(executor, workers, scheduler, worker_modules(replicate_path))
    run = _Run(scenario, identity, seed, replicate_path, store, out is not None, pool, rule,
               target, previous, knowledge=design)
    result = run.execute(progress)
    if result.done == 0 and result.failed:
        raise ReplicationsFailed(result)
    return result


def _design(scenario: Any, knowledge: int | KnowledgeDesign | None, replications: int | None,
            precision: float | None, seed: int) -> KnowledgeDesign | None:
    """The knowledge design of a two-layer run (None for a plain one)."""
    if knowledge is None:
        return None
    if precision is not None:
        raise RunError("a two-layer run has a fixed count: give -n (chance replications per "
                       "knowledge sample), not --precision")
    if isinstance(knowledge, KnowledgeDesign):
        if replications is not None and replications != knowledge.chance:
            raise RunError(f"the knowledge design has {knowledge.chance} chance replications "
                           f"per sample, not {replications}")
        return knowledge
    _check_count("knowledge samples", knowledge)
    chance = replications or int(scenario.scenario.replications)
    return KnowledgeDesign.for_scenario(scenario, knowledge, chance, seed)


def _design_text(design: Mapping[str, Any] | None) -> str:
    if not design:
        return "none"
    return (f"{design['samples']} knowledge samples x {design['chance_replications']} "
            f"chance replications")


# ------------------------------------------------------------------------- identity


def resolved_sha256(resolved: dict[str, Any]) -> str:
    """The content hash of a resolved scenario (`model_dump(mode="json")`)."""
    canonical = json.dumps(resolved, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def prepared_scenario(scenario: Any, prepare: str | Callable[..., Any] = DEFAULT_PREPARE) -> Any:
    """`scenario` as `prepare` prepares it for replications, once per process: a run
    with workers forked from this process prepared it here already, and what runs after
    it (the exhibits of `simulator.workflows`) takes it from there, warm."""
    return WORKER_SCENARIOS.prepared(
        scenario, resolved_sha256(scenario.model_dump(mode="json")), import_path(prepare))


def scenario_identity(scenario: Any) -> dict[str, Any]:
    """What makes two runs the same experiment: the resolved scenario (hashed) and the
    file it came from (hashed too, though comment edits alone do not block a resume)."""
    resolved = scenario.model_dump(mode="json")
    identity: dict[str, Any] = {
        "scenario": {
            "file": scenario.source or None,
            "path": None,
            "sha256": None,
            "name": scenario.scenario.name,
        },
        "variant": scenario.variant,
        "resolved_sha256": resolved_sha256(resolved),
        "resolved_scenario": resolved,
    }
    source = Path(scenario.source) if scenario.source else None
    if source is not None and source.is_file():
        identity["scenario"]["path"] = str(source.resolve())
        identity["scenario"]["sha256"] = hashlib.sha256(source.read_bytes()).hexdigest()
    return identity


def _check_same_run(
    store: RunStore, previous: Mapping[str, Any], identity: Mapping[str, Any], seed: int | None
) -> None:
    where = store.path
    if previous.get("variant") != identity["variant"]:
        def named(variant: str | None) -> str:
            return f"variant '{variant}'" if variant else "no variant"

        raise RunError(f"{where} was run with {named(previous.get('variant'))}, not "
                       f"{named(identity['variant'])}; a resume needs the same variant")
    if previous.get("resolved_sha256") != identity["resolved_sha256"]:
        raise RunError(f"{where} was run with a different scenario (sha256 "
                       f"{str(previous.get('resolved_sha256'))[:12]} there, "
                       f"{identity['resolved_sha256'][:12]} now); resume it with the same "
                       f"scenario file, or start a new run with another --out")
    if seed is not None and int(previous["seed"]) != seed:
        raise RunError(f"{where} was run with seed {previous['seed']}, not {seed}; drop "
                       f"--seed to resume it")
    for role, key, default in (("replication", "replicate", DEFAULT_REPLICATE),
                               ("preparation", "prepare", DEFAULT_PREPARE)):
        if previous.get(key, default) != identity[key]:
            raise RunError(f"{where} was run with the {role} function "
                           f"{previous.get(key)}, not {identity[key]}")


def worker_modules(replicate_path: str) -> tuple[str, ...]:
    """Modules every worker needs: the batch runner, and the replication function's
    module with, if it is a package, all its submodules (an engine that imports its
    parts lazily still has them loaded once, up front, where executors can share them)."""
    import importlib
    import pkgutil

    module_name = replicate_path.partition(":")[0]
    module = importlib.import_module(module_name)
    names = [run_batch.__module__, module_name]
    if hasattr(module, "__path__"):
        names += [info.name for info in pkgutil.walk_packages(module.__path__, f"{module_name}.")]
    return tuple(names)


def versions(executor: str) -> dict[str, str]:
    """Versions of what produced the numbers (read from package metadata, no imports)."""
    from importlib.metadata import PackageNotFoundError, version

    from .. import __version__

    found = {"infrasim": __version__, "python": platform.python_version()}
    packages = ["numpy", "scipy", "simpy"] + (["dask", "distributed"] if executor == "dask" else [])
    for package in packages:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            pass
    return found


def _run_name(scenario: Any) -> str:
    """``<scenario file stem>[-<variant>]`` as a safe name (a variant id is data)."""
    stem = Path(scenario.source).stem if scenario.source else "scenario"
    return safe_name(f"{stem}-{scenario.variant}" if scenario.variant else stem)


def default_run_dir(scenario: Any, root: str | os.PathLike[str] = "runs") -> Path:
    """``runs/<scenario file stem>[-<variant>]-<YYYYmmdd-HHMMSS>``, made unique; the
    name is a `safe_name`, so the folder stays under `root` whatever the variant id."""
    base = _run_name(scenario)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(root) / f"{base}-{stamp}"
    suffix = 2
    while path.exists():
        path = Path(root) / f"{base}-{stamp}-{suffix}"
        suffix += 1
    return path


def latest_run_dir(scenario: Any, root: str | os.PathLike[str] = "runs") -> Path | None:
    """The most recently started run of this scenario and variant under `root`."""
    candidates = []
    for path in Path(root).glob(f"{_run_name(scenario)}-*"):
        store = RunStore(path)
        if not store.has_run():
            continue
        try:
            manifest = store.read_manifest()
        except RunError:
            continue
        if manifest.get("variant") == scenario.variant:
            candidates.append((manifest.get("started", ""), str(path)))
    return Path(max(candidates)[1]) if candidates else None


def choose_run_dir(scenario: Any, out: str | os.PathLike[str] | None = None, *,
                   resume: bool = False, root: str | os.PathLike[str] = "runs") -> Path:
    """The directory a run of `scenario` is stored in.

    `out` when given. Otherwise a resumed run continues the latest run of this scenario
    and variant under `root`, and a new run gets a fresh `default_run_dir`.

    Raises:
        RunError: when resuming without `out` and `root` holds no run of this scenario.
    """
    if out is not None:
        return Path(out)
    if not resume:
        return default_run_dir(scenario, root)
    latest = latest_run_dir(scenario, root)
    if latest is None:
        raise RunError(f"no earlier run of {scenario.source} under {root}/ to resume; "
                       f"name it with --out")
    return latest


def _load(scenario: Any, variant: str | None) -> Any:
    if isinstance(scenario, str | os.PathLike):
        from ..scenario import load_scenario

        return load_scenario(scenario, variant=variant)
    if variant is not None and variant != scenario.variant:
        raise RunError("variant= applies when the scenario is given as a file path; load "
                       "the scenario with load_scenario(path, variant) instead")
    return scenario


def _check_count(name: str, value: int | None) -> None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                              or value < 1):
        raise RunError(f"{name} must be a whole number of at least 1, found {value!r}")


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _ended(session: dict[str, Any]) -> dict[str, Any]:
    """An earlier session as a resume finds it: one still marked running died (this
    process holds the run's lock, so no other is writing it), at its last heartbeat."""
    if session.get("status") != "running":
        return session
    return {**session, "status": "died", "finished": session.get("heartbeat")}


# ------------------------------------------------------------------------ the run


@dataclass
class _Run:
    scenario: Any
    identity: dict[str, Any]
    seed: int
    replicate: str
    store: RunStore  # the user's, or a scratch store when the run is not kept
    keep: bool  # whether the run is kept (out=): manifest, outcomes.csv, failures.json
    executor: Executor
    rule: StoppingRule | None
    target: int | None
    previous: dict[str, Any] | None
    ledger: Ledger = field(default_factory=Ledger)
    moments: PrefixMoments | None = None  # the stopping rule's metrics, when adaptive
    trace: list[dict[str, Any]] = field(default_factory=list)
    checkpoint: int = 0
    final: int | None = None  # replications in the result, once known
    cursor: int = 0  # next index to hand out (indices below it are finished or in flight)
    suspects: deque = field(default_factory=deque)  # batches whose worker died
    rep_s: float | None = None  # measured seconds per replication
    _timed: tuple[float, float] = (0.0, 0.0)  # decayed sums of batch seconds, replications
    status: str = "running"
    message: str | None = None
    names_checked: bool = False
    knowledge: KnowledgeDesign | None = None  # a two-layer run's design

    def __post_init__(self) -> None:
        if self.rule is not None:
            self.moments = PrefixMoments(list(self.rule.metrics))
            self.checkpoint = self.rule.min_replications

    def execute(self, progress: bool | None) -> RunResult:
        # Workers first: if they cannot start (say, no scheduler at that address),
        # nothing has been written yet and the same command can simply be run again.
        starting = time.perf_counter()
        self._prepare_for_forked_workers()
        with self.executor:
            started_s = round(time.perf_counter() - starting, 3)
            self._open_store()
            manifest = self._manifest_start()
            manifest["sessions"][-1]["executor_start_s"] = started_s
            self._session_start = starting  # a session's time includes starting workers
            try:
                already = self._load_stored()
                self._write(manifest)
                if self.final is None:
                    label = Path(self.scenario.source).name or self.scenario.scenario.name
                    with make_progress(progress, label, already) as bar:
                        bar.update(already, self._shown_total(), self.ledger.failed)
                        self._loop(bar, manifest)
                if self.status != "aborted":
                    self.status = "complete"
            except KeyboardInterrupt:
                self.status = "interrupted"
                raise
            except BaseException as error:
                self.status = "aborted"
                self.message = self.message or f"{type(error).__name__}: {error}"
                raise
            finally:
                result = self._finish(manifest)
                self.store.unlock()
        return result

    def _prepare_for_forked_workers(self) -> None:
        """Prepare the scenario here, once, when the workers are forked from this
        process: each starts with it prepared instead of preparing it again, and what
        runs here after the run (a workflow's exhibits) finds it too. A preparation that
        fails is left to fail in the batches, which report it as they report any error."""
        if not self.executor.forks_from_this_process:
            return
        try:
            WORKER_SCENARIOS.prepared(self.scenario, self.identity["resolved_sha256"],
                                      self.identity["prepare"])
        except Exception:  # any error: the batches report it
            pass

    def _open_store(self) -> None:
        if self.previous is None:
            self.store.create()
        self.store.lock()
        self.store.remove_temporary()

    # -------------------------------------------------------------- bookkeeping

    def _manifest_start(self) -> dict[str, Any]:
        session = {"started": _now(), "finished": None, "status": "running",
                   "host": platform.node(), "pid": os.getpid(), "heartbeat": None,
                   **self.executor.describe()}
        identity = dict(self.identity)
        resolved = identity.pop("resolved_scenario")
        earlier = [_ended(s) for s in (self.previous or {}).get("sessions", [])]
        manifest: dict[str, Any] = {
            "infrasim_run": RUN_FORMAT,
            "name": self.store.path.name if self.keep else None,
            "status": "running",
            **identity,
            "seed": self.seed,
            "replications": self.target,
            "stopping": self.rule.as_json() if self.rule else None,
            "done": 0,
            "failed": 0,
            "outcomes": [],
            "convergence": [],
            **self.executor.describe(),
            "started": session["started"],
            "finished": None,
            "elapsed_s": 0.0,
            "sessions": [*earlier, session],
            "versions": versions(self.executor.name),
            "platform": platform.platform(),
            "resolved_scenario": resolved,
        }
        if self.previous is not None:
            manifest["started"] = self.previous.get("started", session["started"])
            manifest["elapsed_s"] = float(self.previous.get("elapsed_s") or 0.0)
        self._session_start = time.perf_counter()
        self._last_write = 0.0
        return manifest

    def _write(self, manifest: dict[str, Any], force: bool = True) -> None:
        """Save the manifest (at most every `MANIFEST_EVERY_S` unless `force`); each save
        is the session's heartbeat."""
        if not self.keep:
            return
        now = time.perf_counter()
        if not force and now - self._last_write < MANIFEST_EVERY_S:
            return
        manifest["done"] = self.ledger.done
        manifest["failed"] = self.ledger.failed
        manifest["convergence"] = self.trace
        manifest["outcomes"] = self.ledger.names
        manifest["sessions"][-1]["heartbeat"] = _now()
        self.store.write_manifest(manifest)
        self._last_write = now

    def _load_stored(self) -> int:
        """Read back the chunks of a resumed run; returns how many replications they hold.
        Checkpoints are evaluated as the chunks come in, so the stopping rule's buffer
        stays small."""
        if self.previous is not None:
            for result in self.store.read_chunks():
                fresh = self.ledger.add(result)
                if fresh is not None:
                    self._note(fresh)
                    self._advance_checkpoints()
        if self.rule is not None:
            self._check_names()
            self._advance_checkpoints()
        elif self.target is not None and self.ledger.prefix() >= self.target:
            self.final = self.target
        return self.ledger.done + self.ledger.failed

    def _finish(self, manifest: dict[str, Any]) -> RunResult:
        final = self.final if self.final is not None else self.ledger.prefix()
        replications = self.ledger.replications(final)
        names = self.ledger.names_below(final)
        failures = self.ledger.failures_below(final)
        elapsed = time.perf_counter() - self._session_start
        manifest["status"] = self.status
        if self.message:
            manifest["message"] = self.message
        manifest["finished"] = _now()
        manifest["elapsed_s"] = round(float(manifest["elapsed_s"]) + elapsed, 3)
        manifest["sessions"][-1].update(finished=manifest["finished"], status=self.status,
                                        elapsed_s=round(elapsed, 3))
        manifest["result"] = {
            "replications": final if self.status == "complete" else None,
            "done": int(replications.size),
            "failed": len(failures),
            "converged": self.trace[-1]["converged"] if self.rule and self.trace else None,
        }
        if self.keep:
            if self.status == "complete":
                self.store.write_outcomes(final, names, replications.size)
                self.store.write_failures(failures)
            self._write(manifest)
            manifest["outcomes"] = names
        else:
            manifest.update(done=self.ledger.done, failed=self.ledger.failed,
                            convergence=self.trace, outcomes=names)
        columns = StoredColumns(self.store, final, names, replications.size)
        return RunResult(replications, columns, tuple(failures), manifest,
                         self.store.path if self.keep else None)

    # ---------------------------------------------------------------- the loop

    def _loop(self, bar: Any, manifest: dict[str, Any]) -> None:
        in_flight: dict[Any, np.ndarray] = {}
        alone: set[Any] = set()  # handles of suspect batches, run with nothing beside them
        window = IN_FLIGHT_PER_WORKER * self.executor.workers
        while self.final is None:
            while len(in_flight) < window:
                suspect = bool(self.suspects)
                if suspect and in_flight:
                    break
                batch = self.suspects.popleft() if suspect else self._next_batch()
                if batch is None:
                    break
                task = BatchTask(self.scenario, self.identity["resolved_sha256"], self.seed,
                                 batch, self.replicate, self.identity["prepare"],
                                 csv=self.keep, knowledge=self.knowledge)
                handle = self.executor.submit(run_batch, task)
                in_flight[handle] = batch
                if suspect:
                    alone.add(handle)
                    break
            if not in_flight:
                if self.final is None:  # nothing to run, yet not finished: a bug
                    raise RuntimeError("the run stalled with replications missing")
                break
            for handle in self.executor.wait(in_flight, timeout=1.0):
                batch = in_flight.pop(handle)
                try:
                    result = self.executor.result(handle)
                except Exception as error:  # a worker died mid-batch
                    self._lost(batch, error, handle in alone)
                    continue
                finally:
                    alone.discard(handle)
                self._record(result)
            bar.update(self.ledger.done + self.ledger.failed, self._shown_total(),
                       self.ledger.failed)
            self._advance_checkpoints()
            if self.rule is None and self.ledger.prefix() >= self.target:
                self.final = self.target
            self._write(manifest, force=False)
            if self.ledger.done == 0 and self.ledger.failed >= min(
                ABORT_AFTER_FAILURES, self.target or ABORT_AFTER_FAILURES
            ):
                self.status = "aborted"
                first = self.ledger.failures[min(self.ledger.failures)]
                self.message = (f"the first {self.ledger.failed} replications all failed; "
                                f"first error: {first.error}")
                return

    def _shown_total(self) -> int:
        if self.rule is None:
            return self.target
        return max(self.checkpoint, self.ledger.done + self.ledger.failed, 1)

    def _limit(self) -> int:
        """Highest index (exclusive) that may be handed out now."""
        if self.rule is None:
            return self.target
        # Work a little past the next checkpoint so workers do not idle while it is
        # checked; whatever lies beyond the final checkpoint is left out of the result.
        ahead = self.executor.workers * self._batch_size(self.checkpoint - self.cursor)
        return min(self.rule.max_replications, self.checkpoint + ahead)

    def _next_batch(self) -> np.ndarray | None:
        limit = self._limit()
        batch = self.ledger.pending(self.cursor, limit, self._batch_size(limit - self.cursor))
        if batch.size == 0:
            self.cursor = max(self.cursor, limit)
            return None
        self.cursor = int(batch[-1]) + 1
        return batch

    def _batch_size(self, remaining: int) -> int:
        if self.rep_s is None:
            return FIRST_BATCH
        shortest = max(MIN_BATCH_S, self.executor.task_overhead_s / SCHEDULING_SHARE)
        low = math.ceil(shortest / self.rep_s)
        high = max(low, int(MAX_BATCH_S / self.rep_s))
        high = min(high, MAX_BATCH_REPLICATIONS,
                   MAX_BATCH_VALUES // max(len(self.ledger.first_seen), 1))
        low = min(low, high)
        guided = math.ceil(max(remaining, 1) / (GUIDED_FACTOR * self.executor.workers))
        return max(1, min(max(guided, low), high))

    def _record(self, result: BatchResult) -> None:
        if result.indices.size and result.elapsed_s > 0:
            # Seconds per replication, weighted by batch size and fading with age, so the
            # small first batches (which also pay for imports and warm caches) soon stop
            # counting.
            self._timed = (0.5 * self._timed[0] + result.elapsed_s,
                           0.5 * self._timed[1] + result.indices.size)
            self.rep_s = self._timed[0] / self._timed[1]
        fresh = self.ledger.add(result)
        if fresh is not None:
            self.store.write_chunk(result)
            self._note(fresh)

    def _note(self, fresh: BatchResult) -> None:
        """What the stopping rule keeps of replications just recorded: their metrics'
        values, until folded into running moments; and a check of the metric names."""
        if self.moments is not None:
            self.moments.add(fresh)
        self._check_names()

    def _lost(self, batch: np.ndarray, error: Exception, alone: bool) -> None:
        """A batch whose worker died (a dying worker takes the batches beside it down
        too). Rerun it alone; if it kills a worker alone, rerun its replications one by
        one, so the one that kills workers is found (and recorded as failed) at the cost
        of a single further worker restart."""
        self.executor.recover()
        if not alone:
            self.suspects.append(batch)
        elif batch.size > 1:
            self.suspects.extendleft(batch[i : i + 1] for i in reversed(range(batch.size)))
        else:
            k = int(batch[0])
            failure = Failure(k, self.seed, f"worker lost: {type(error).__name__}: {error}",
                              "".join(traceback.format_exception(error)))
            self._record(BatchResult(np.empty(0, np.int64), (), np.empty((0, 0)),
                                     np.empty(0, np.int64), (failure,), 0.0, batch))

    def _check_names(self) -> None:
        if self.rule is not None and not self.names_checked and self.ledger.first_seen:
            self.rule.check_names(self.ledger.names)
            self.names_checked = True

    def _advance_checkpoints(self) -> None:
        """Evaluate every checkpoint whose replications are all finished."""
        if self.rule is None or self.moments is None:
            return
        while self.final is None and self.ledger.prefix() >= self.checkpoint:
            checkpoint = self.rule.evaluate(self.checkpoint, self.moments.at(self.checkpoint))
            self.trace.append(checkpoint.as_json())
            if checkpoint.next_replications is None:
                self.final = self.checkpoint
            else:
                self.checkpoint = checkpoint.next_replications
        self.moments.fold(min(self.ledger.prefix(), self.checkpoint))
