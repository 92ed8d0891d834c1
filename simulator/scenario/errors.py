"""Scenario errors that a person can act on.

Every problem found in a scenario file becomes one `Problem` with the file, line and
column it points at, so the command line can print all of them at once as
``file:line:column: message`` and exit with status 2 instead of a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Mark:
    """A place in a scenario file; line and column count from 1 as editors do."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, where it is and what to do about it."""

    mark: Mark
    message: str

    def __str__(self) -> str:
        return f"{self.mark}: {self.message}"


class ScenarioError(Exception):
    """All problems found in one scenario file, reported together."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.mark, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


def shown(value: object, limit: int = 60) -> str:
    """`value` as a message quotes it (its repr), cut to about `limit` characters so that a
    huge number or a long string in a file does not flood the terminal."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 5]}...{text[-2:]}"


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The valid name a misspelt `word` most likely meant, if any is close enough."""
    matches = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``did you mean 'x'?`` hint, or a list of the valid names when none is close."""
    choices = sorted(choices)
    guess = closest(word, choices)
    if guess:
        return f"did you mean '{guess}'?"
    if len(choices) <= 12:
        return "expected one of: " + ", ".join(choices)
    return ""
