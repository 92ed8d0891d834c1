"""The run store: one directory per run, every file written atomically.

``runs/<name>/`` holds

- ``manifest.json``: what ran (scenario file and hash, resolved scenario, variant, seed,
  versions, executor), when, how far it got, and the convergence trace;
- ``chunks/chunk-<first replication>.npz``: the outcomes of one batch as columns (and
  as the CSV lines its worker formatted), written as each batch comes back, so a crash
  loses at most the batches in flight; the run keeps no outcomes in memory, and reads
  them back from here;
- ``outcomes.csv``: one row per successful replication, sorted, written at the end from
  the chunks, one chunk at a time;
- ``failures.json``: the replications that raised, with seed and error.

Every file is written to a temporary name in the same directory, flushed to disk and
renamed over its final name, so a reader (or a resumed run) sees the old file or the new
one, never half of one. A lock file keeps two processes from writing one run at a time.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..atomicfile import TEMPORARY_GLOB, atomic_open, write_atomic
from .batch import BatchResult, Failure
from .csvformat import format_rows, header
from .errors import RunError
from .ledger import Ledger

MANIFEST = "manifest.json"
OUTCOMES = "outcomes.csv"
FAILURES = "failures.json"
CHUNKS = "chunks"
LOCK = ".lock"
CSV_BLOCK_ROWS = 2048


class RunStore:
    """Reads and writes one run directory."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.chunks = self.path / CHUNKS
        self._lock: IO[Any] | None = None

    def __repr__(self) -> str:
        return f"RunStore({str(self.path)!r})"

    @classmethod
    def scratch(cls) -> RunStore:
        """A store in a new temporary directory (under ``$TMPDIR``), removed with
        everything in it once the store is no longer referenced: where a run that is
        not kept (`run_monte_carlo` without `out`) puts its chunks."""
        path = tempfile.mkdtemp(prefix="infrasim-run-")
        store = cls(path)
        weakref.finalize(store, shutil.rmtree, path, ignore_errors=True)
        return store

    # ----------------------------------------------------------------- lifecycle

    def has_run(self) -> bool:
        """Whether a run was started here (its manifest exists)."""
        return (self.path / MANIFEST).is_file()

    def check_free(self) -> None:
        """Refuse to start a new run over an existing one (or over any other file)."""
        if self.path.exists() and not self.path.is_dir():
            raise RunError(f"{self.path} exists and is not a directory; choose another --out")
        if self.path.is_dir() and any(self._meaningful()):
            if self.has_run():
                raise RunError(f"{self.path} already holds a run; use --resume to continue it "
                               f"or choose another --out")
            raise RunError(f"{self.path} holds files but no run to resume (no {MANIFEST}); "
                           f"choose another --out")

    def _meaningful(self) -> Iterator[Path]:
        """Entries other than what a run killed while starting leaves: the lock, an empty
        chunks directory, temporary files."""
        for entry in self.path.iterdir():
            if entry.name == LOCK or entry.match(TEMPORARY_GLOB):
                continue
            if entry == self.chunks and entry.is_dir() and not any(entry.iterdir()):
                continue
            yield entry

    def create(self) -> None:
        """Make the run directory and its chunks folder (RunError if it cannot)."""
        try:
            self.chunks.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RunError(f"cannot create the run directory {self.path}: "
                           f"{error.strerror}") from None

    def lock(self) -> None:
        """Hold an exclusive lock on the run while writing it (released if killed)."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, as before
            return
        handle = open(self.path / LOCK, "a")  # held until unlock()
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise RunError(f"{self.path} is being written by another process") from None
        self._lock = handle

    def unlock(self) -> None:
        """Release the lock `lock` took, if any."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def remove_temporary(self) -> None:
        """Drop temporary files a killed writer left behind."""
        for directory in (self.path, self.chunks):
            if directory.is_dir():
                for temporary in directory.glob(TEMPORARY_GLOB):
                    temporary.unlink(missing_ok=True)

    # ------------------------------------------------------------------ manifest

    def read_manifest(self) -> dict[str, Any]:
        """The run's manifest, checked by `check_manifest` (RunError if there is none,
        it cannot be read, or it is not what a run writes)."""
        path = self.path / MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RunError(f"{self.path} holds no run (no {MANIFEST})") from None
        except (OSError, ValueError) as error:
            raise RunError(f"cannot read {path}: {error}") from None
        problem = check_manifest(manifest)
        if problem:
            raise RunError(f"{path} is not a run's manifest: {problem}")
        return manifest

    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        """Replace the manifest atomically, NaN and infinity written as null."""
        text = json.dumps(_json_safe(manifest), indent=2, allow_nan=False)
        write_atomic(self.path / MANIFEST, text + "\n")

    # -------------------------------------------------------------------- chunks

    def write_chunk(self, result: BatchResult) -> None:
        """Store one batch's outcomes and failures as an uncompressed .npz."""
        failures = [f.__dict__ for f in result.failures]
        arrays = {
            "indices": result.indices,
            "replications": result.replications,
            "names": np.array(result.names, dtype=str),
            "values": result.values,
            "first_seen": result.first_seen,
            "failures": np.frombuffer(json.dumps(failures).encode(), np.uint8),
        }
        if result.csv is not None:
            arrays["csv"] = np.frombuffer(result.csv, np.uint8)
        with atomic_open(self.chunks / f"chunk-{result.first_index:012d}.npz", "wb") as handle:
            np.savez(handle, **arrays)

    def chunk_paths(self) -> list[Path]:
        """Chunk files in replication order (their names carry the first index)."""
        return sorted(self.chunks.glob("chunk-*.npz")) if self.chunks.is_dir() else []

    def read_chunks(self, text: bool = False) -> Iterator[BatchResult]:
        """Every stored batch (with its CSV text if `text`); a chunk that cannot be read
        is set aside as ``.bad``, and its replications count as not done and run again."""
        for path in self.chunk_paths():
            try:
                with np.load(path, allow_pickle=False) as data:
                    failures = json.loads(data["failures"].tobytes().decode() or "[]")
                    csv = data["csv"].tobytes() if text and "csv" in data.files else None
                    yield BatchResult(
                        replications=data["replications"].astype(np.int64),
                        names=tuple(str(name) for name in data["names"]),
                        values=data["values"].reshape(len(data["replications"]), -1),
                        first_seen=data["first_seen"].astype(np.int64),
                        failures=tuple(Failure(**f) for f in failures),
                        indices=data["indices"].astype(np.int64),
                        csv=csv,
                    )
            except Exception:  # any unreadable chunk is set aside
                os.replace(path, path.with_suffix(".bad"))

    def batches(self, final: int, text: bool = False) -> Iterator[BatchResult]:
        """The stored batches in replication order, each cut to its replications below
        `final` that no earlier chunk holds (with their CSV text if `text`)."""
        ledger = Ledger()
        for chunk in self.read_chunks(text):
            fresh = ledger.add(chunk)
            if fresh is None:
                continue
            below = fresh.replications < final
            failures = tuple(f for f in fresh.failures if f.replication < final)
            yield fresh if below.all() and len(failures) == len(fresh.failures) \
                else fresh.take(below, failures)

    def blocks(self, final: int, names: Sequence[str], rows: int
               ) -> Iterator[tuple[int, np.ndarray]]:
        """Outcomes `names` of the `rows` successful replications below `final`, a stored
        batch at a time in replication order: (the batch's first row, its values with one
        column per name, NaN where it has none). RunError if the chunks hold another
        number of rows."""
        filled = 0
        for batch in self.batches(final):
            stop = filled + batch.replications.size
            if stop > rows:
                raise self._changed(rows)
            yield filled, _in_columns(batch.values, batch.names, names)
            filled = stop
        if filled < rows:
            raise self._changed(rows)

    def read_columns(self, final: int, names: Sequence[str], rows: int) -> dict[str, np.ndarray]:
        """Outcomes `names` of the `rows` successful replications below `final`, read in
        one pass over the chunks (RunError if they hold another number of rows)."""
        columns = {name: np.empty(rows) for name in names}
        for first, block in self.blocks(final, names, rows):
            for j, column in enumerate(columns.values()):
                column[first : first + block.shape[0]] = block[:, j]
        return columns

    def write_columns(self, final: int, names: Sequence[str], rows: int,
                      handle: IO[bytes]) -> None:
        """Outcomes `names` of the `rows` successful replications below `final` into the
        binary file `handle`, one column after the other (float64; column j from byte
        8 * rows * j), in one pass over the chunks: a layout from which any one column is
        a single read (RunError if the chunks hold another number of rows)."""
        for first, block in self.blocks(final, names, rows):
            by_name = np.ascontiguousarray(block.T)
            for j in range(len(names)):
                handle.seek(8 * (rows * j + first))
                handle.write(by_name[j].data)

    def _changed(self, rows: int) -> RunError:
        return RunError(f"the chunks of {self.path} no longer hold the run's {rows:,} "
                        f"replications: were they changed or removed?")

    # ------------------------------------------------------------ final products

    def write_outcomes(self, final: int, names: Sequence[str], rows: int) -> Path:
        """``outcomes.csv``: a ``replication`` column, then outcomes `names` (sorted), one
        row for each of the `rows` successful replications below `final`, in order
        (RunError, and no file, if the chunks hold another number).

        Written a chunk at a time. Rows come from the text workers formatted into the
        chunks wherever a chunk has exactly these columns; anything else is formatted
        here. Either way the bytes are those of `format_rows`, so equal runs give equal
        files."""
        path = self.path / OUTCOMES
        written = 0
        with atomic_open(path, "wb") as handle:
            handle.write(header(names))
            for batch in self.batches(final, text=True):
                handle.write(_csv(batch, names))
                written += batch.replications.size
            if written != rows:
                raise self._changed(rows)
        return path

    def write_failures(self, failures: Sequence[Failure]) -> Path:
        """``failures.json``: every failed replication with its seed and error."""
        path = self.path / FAILURES
        with atomic_open(path) as handle:
            json.dump([f.__dict__ for f in failures], handle, indent=2)
            handle.write("\n")
        return path


def _csv(batch: BatchResult, names: Sequence[str]) -> bytes:
    """The rows of `batch` as outcomes.csv lines with columns `names`: its workers' text
    when it has these columns, else formatted here in blocks (to bound memory)."""
    if batch.csv is not None and batch.names == tuple(names):
        return batch.csv
    parts = []
    for low in range(0, batch.replications.size, CSV_BLOCK_ROWS):
        rows = slice(low, low + CSV_BLOCK_ROWS)
        parts.append(format_rows(batch.replications[rows],
                                 _in_columns(batch.values[rows], batch.names, names)))
    return b"".join(parts)


def _in_columns(values: np.ndarray, have: Sequence[str], names: Sequence[str]) -> np.ndarray:
    """`values`, whose columns are outcomes `have`, with one column per name of `names`
    instead, in that order, NaN where it has no such outcome (`values` itself when it
    has exactly these columns)."""
    if tuple(have) == tuple(names):
        return values
    position = {name: j for j, name in enumerate(have)}
    chosen = np.full((values.shape[0], len(names)), np.nan)
    for i, name in enumerate(names):
        if name in position:
            chosen[:, i] = values[:, position[name]]
    return chosen


# What the code reads from a manifest, with the JSON types a run writes there; keys not
# listed are only displayed. (required, allowed types)
_MANIFEST_FIELDS: dict[str, tuple[bool, tuple[type, ...]]] = {
    "seed": (True, (int,)),
    "resolved_sha256": (True, (str,)),
    "scenario": (True, (dict,)),
    "status": (True, (str,)),
    "variant": (False, (str, type(None))),
    "replicate": (False, (str,)),
    "prepare": (False, (str, type(None))),
    "replications": (False, (int, type(None))),
    "stopping": (False, (dict, type(None))),
    "result": (False, (dict, type(None))),
    "sessions": (False, (list,)),
    "resolved_scenario": (False, (dict,)),
}
_JSON_NAMES = {int: "a whole number", float: "a number", bool: "true or false",
               str: "a string", dict: "an object", list: "a list", type(None): "null"}


def check_manifest(manifest: Any) -> str | None:
    """What is wrong with `manifest` as a run writes it (None: nothing): an object whose
    fields the code reads have their types, and a seed from 0 to 2**63 - 1.

    Run directories are shared as data, so a hand-edited or damaged manifest must give
    one message, not an error deep inside whatever reads it.
    """
    if not isinstance(manifest, dict):
        return f"expected a JSON object, found {_JSON_NAMES.get(type(manifest), 'another type')}"
    for key, (required, types) in _MANIFEST_FIELDS.items():
        if key not in manifest:
            if required:
                return f"'{key}' is missing"
            continue
        value = manifest[key]
        if isinstance(value, bool) or not isinstance(value, types):
            expected = " or ".join(_JSON_NAMES[t] for t in types)
            return f"'{key}' should be {expected}, found {json.dumps(value)[:40]}"
    if not 0 <= manifest["seed"] < 2**63:
        return f"'seed' should be from 0 to 2**63 - 1, found {manifest['seed']}"
    done = (manifest.get("result") or {}).get("replications")
    if done is not None and (isinstance(done, bool) or not isinstance(done, int) or done < 0):
        return f"'result.replications' should be a whole number, found {json.dumps(done)[:40]}"
    if not all(isinstance(session, dict) for session in manifest.get("sessions", [])):
        return "'sessions' should be a list of objects"
    return None


def _json_safe(value: Any) -> Any:
    """NaN and infinity become null: strict JSON that every reader accepts."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return _json_safe(value.item())
    return value


def run_status(manifest: Mapping[str, Any]) -> str:
    """A run's status as its manifest records it, except ``died`` where it records
    ``running`` but the process of its last session, on this machine, is gone (killed
    by the out-of-memory killer, say, it could not record that itself). A run on another
    machine stays ``running``; the session's ``heartbeat`` says when it last wrote."""
    status = str(manifest.get("status", ""))
    sessions = manifest.get("sessions") or [{}]
    last = sessions[-1] if isinstance(sessions[-1], Mapping) else {}
    if status == "running" and last.get("host") == platform.node() and \
            not _process_exists(last.get("pid")):
        return "died"
    return status


def _process_exists(pid: Any) -> bool:
    """Whether process `pid` exists (True when that cannot be told: not a process id,
    or not POSIX, where signal 0 would not merely ask)."""
    if not isinstance(pid, int) or pid <= 0 or os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else (or not for this platform to say)
        return True
    return True


def read_outcomes_csv(path: str | os.PathLike[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Read back an ``outcomes.csv``: (replications, {name: values})."""
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    table = np.array([[float(v) if v else math.nan for v in row] for row in rows]).reshape(
        len(rows), len(header)
    )
    return table[:, 0].astype(np.int64), {
        name: table[:, j] for j, name in enumerate(header) if j
    }
