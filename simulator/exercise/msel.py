"""The Master Scenario Events List (MSEL) of a played exercise, as CSV.

Exercise planners keep injects in a MSEL: one row per event with its number, time,
delivery method, sender, receiver, message, the action expected from the players, the
objective it tests and the role responsible for answering (the planning columns; the
scenario's ``method``, ``objective`` and ``roles`` of each inject, empty where it has none). `msel_rows` lists every
inject and decision of the exercise in the order played (then those never reached, with
an empty time and a note), with the decision the group took; `write_msel` writes them as
UTF-8 CSV (RFC 4180 quoting) that spreadsheet and exercise-management tools import.

Times are the scenario's local clock in ISO 8601 and hours since the start. A cell that
begins with ``=``, ``+``, ``-`` or ``@`` gets a leading apostrophe so that a spreadsheet
shows the text instead of evaluating it as a formula (CSV injection).
"""

from __future__ import annotations

import csv
import io
import os
from datetime import timedelta
from pathlib import Path

from ..atomicfile import write_atomic
from ..formatting import HOUR_S
from .session import Session, Step

__all__ = ["COLUMNS", "msel_rows", "msel_text", "write_msel"]

COLUMNS = ("number", "time", "elapsed_h", "type", "inject", "method", "from", "to", "message",
           "expected_action", "objective", "responsible_role", "decision_taken", "note")
CONTROL = "exercise control"
PLAYERS = "players"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = " ".join(str(value).split()) if value is not None else ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _time_columns(session: Session, step: Step) -> tuple[str, str]:
    if step.time_s is None:
        return "", ""
    moment = session.info.start + timedelta(seconds=round(step.time_s))
    return moment.isoformat(), f"{step.time_s / HOUR_S:.2f}"


def _numbers(session: Session) -> dict[tuple[str, str], str]:
    """Planning numbers in the exercise section's order: injects 1, 2, ...; decisions D1,
    D2, ... (the numbers of the printed inject cards)."""
    exercise = session.base.exercise
    numbers = {("inject", i): str(n) for n, i in enumerate(exercise.injects, start=1)}
    numbers.update({("decision", d): f"D{n}" for n, d in enumerate(exercise.decisions, start=1)})
    return numbers


def _roles(session: Session, roles: list[str]) -> str:
    known = session.base.exercise.roles
    return "; ".join((known[r].name or r) if r in known else r for r in roles)


def msel_rows(session: Session) -> list[dict[str, str]]:
    """One row per inject and decision, in the order played, then the unreached ones."""
    rows = []
    numbers = _numbers(session)
    for step in session.steps:
        time_text, elapsed = _time_columns(session, step)
        spec = step.spec
        if step.kind == "inject":
            row = {"from": spec.sender, "to": spec.receiver, "message": spec.message,
                   "expected_action": spec.expected_action, "decision_taken": "",
                   "method": spec.method, "objective": spec.objective}
        else:
            choices = "; ".join(f"{option_id}: {option.description}" if option.description
                                else option_id for option_id, option in spec.options.items())
            taken = ""
            if step.chosen is not None:
                description = spec.options[step.chosen].description
                taken = step.chosen + (f": {description}" if description else "")
            row = {"from": CONTROL, "to": PLAYERS, "message": spec.question,
                   "expected_action": f"choose one of: {choices}", "decision_taken": taken}
        note = step.note
        if step.kind == "decision" and step.time_s is not None and step.chosen is None:
            note = note or "no decision taken (the exercise stopped here)"
        row.update({"number": numbers.get((step.kind, step.id), ""), "time": time_text,
                    "elapsed_h": elapsed, "type": step.kind, "inject": step.id,
                    "responsible_role": _roles(session, spec.roles),
                    "note": f"{step.status}: {note}" if step.time_s is None else note})
        rows.append({column: _cell(row.get(column, "")) for column in COLUMNS})
    return rows


def msel_text(session: Session) -> str:
    """The MSEL as CSV text: the header, then `msel_rows`, with CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(msel_rows(session))
    return buffer.getvalue()


def write_msel(session: Session, path: str | os.PathLike[str]) -> Path:
    """Write the MSEL of `session` to `path` (atomically)."""
    return write_atomic(path, msel_text(session))
