"""File and folder names made from data (scenario stems, variant ids, run labels).

A leaf module (standard library only). Ids come from scenario files people share, so an
id never becomes part of a path as it is: `safe_name` is the one transform between them,
and what it returns is a single plain name that cannot leave the folder it is put in.
"""

from __future__ import annotations

import re

__all__ = ["safe_name"]

MAX_NAME = 80  # well under every file system's limit, with room for a time stamp
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_name(text: str) -> str:
    """`text` as one file or folder name: runs of anything but ASCII letters, digits,
    ``_``, ``.`` and ``-`` become ``_``, leading dots and dashes go (no ``..``, no hidden
    file, no option), and it is cut to `MAX_NAME` characters; never empty.

    Args:
        text: An id or name from data, e.g. a variant id ``/../escaped``.

    Returns:
        The name, e.g. ``_.._escaped``; ``reinforced_early`` stays as it is.
    """
    name = _UNSAFE.sub("_", text).lstrip(".-")[:MAX_NAME]
    return name or "_"
