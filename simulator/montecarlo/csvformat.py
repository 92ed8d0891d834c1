"""The text of outcomes.csv: one function, so every process formats rows identically.

Floats are written as their shortest exact text (Python's repr, which reads back as the
same float) and NaN as an empty field, so equal outcomes give equal bytes whichever
process formatted them. Workers format their own batch's rows while they run, in
parallel, so writing outcomes.csv at the end is mostly copying text.
"""

from __future__ import annotations

import numpy as np


def format_float(value: float) -> str:
    """Shortest text that reads back as the same float; empty for NaN."""
    return repr(value) if value == value else ""


def csv_name(name: str) -> str:
    """An outcome name as a CSV field, quoted if it holds a comma, quote or line break."""
    if any(c in name for c in ',"\n\r'):
        return '"' + name.replace('"', '""') + '"'
    return name


def header(names: list[str] | tuple[str, ...]) -> bytes:
    """The first line of outcomes.csv: ``replication``, then the outcome names."""
    return (",".join(["replication", *(csv_name(n) for n in names)]) + "\n").encode()


def format_rows(replications: np.ndarray, values: np.ndarray) -> bytes:
    """CSV lines ``k,v1,v2,...`` for rows of `values` (columns already in name order)."""
    if len(replications) == 0:
        return b""
    line = "%d" + ",%r" * values.shape[1] + "\n"
    text = "".join(
        line % (k, *row)
        for k, row in zip(replications.tolist(), values.tolist(), strict=True)
    )
    # repr(nan) is 'nan', and no other field begins with it.
    return text.replace(",nan", ",").encode()


def first_lines(text: bytes, count: int) -> bytes:
    """The first `count` lines of `text` (each ending in a line break)."""
    end = 0
    for _ in range(count):
        end = text.index(b"\n", end) + 1
    return text[:end]
