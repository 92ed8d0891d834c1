"""Atomic file writes: a reader sees the old file or the new one, never half of one.

The text goes to a temporary file beside the target (``.<name>.<random>.tmp``), is flushed
to disk and renamed over the target with `os.replace`, which is atomic on POSIX and
Windows; if writing fails the temporary file is removed and the old file stays. The
temporary file is created with mode 0o666 and the kernel applies the umask, so the result
has the usual permissions of a new file and the process umask is never touched (changing
it is process-wide and races with other threads). A leaf module (standard library only),
used by the run store, reports and exercise outputs alike.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["TEMPORARY_GLOB", "atomic_open", "write_atomic"]

TEMPORARY_GLOB = ".*.tmp"  # matches the temporary files a killed writer leaves behind


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """Open `path` for writing as a whole, replacing it only when the block succeeds.

    Missing parent folders are created. Text is UTF-8 and newlines are written as given.

    Args:
        path: The file to write.
        mode: ``"w"`` for text or ``"wb"`` for bytes.

    Yields:
        The open temporary file; it replaces `path` when the ``with`` block ends without
        an exception.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                         | getattr(os, "O_BINARY", 0), 0o666)
    try:
        text = mode == "w"
        with open(descriptor, mode, encoding="utf-8" if text else None,
                  newline="" if text else None) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write the whole of `data` (text as UTF-8) to `path` atomically.

    Args:
        path: The file to write; missing parent folders are created.
        data: The new content.

    Returns:
        `path` as a `Path`.
    """
    with atomic_open(path, "w" if isinstance(data, str) else "wb") as handle:
        handle.write(data)
    return Path(path)
