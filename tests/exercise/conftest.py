"""Shared helpers of the exercise tests: the bundled scenarios and small variants of the
classroom valley with an exercise section written for one test."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
CLASSROOM = SCENARIOS / "classroom.yaml"
HADITHA = SCENARIOS / "haditha_2014.yaml"
DECISIONS = SCENARIOS / "haditha_2014.decisions.yaml"


def write_classroom(folder: Path, exercise: str, name: str = "valley.yaml", **changes) -> Path:
    """The classroom scenario with its exercise section replaced by `exercise` (YAML
    text) and top-level `changes` merged in, written to `folder`."""
    document = yaml.safe_load(CLASSROOM.read_text(encoding="utf-8"))
    document["exercise"] = yaml.safe_load(exercise)
    for key, value in changes.items():
        document[key] = {**document.get(key, {}), **value}
    path = folder / name
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


@pytest.fixture
def classroom_with(tmp_path):
    def make(exercise: str, **changes) -> Path:
        return write_classroom(tmp_path, exercise, **changes)

    return make


class Recorder:
    """A facilitator that records what it is shown and answers from a mapping."""

    def __init__(self, choices: dict[str, str] | None = None, pick: str = "first") -> None:
        self.choices = choices or {}
        self.pick = pick
        self.log: list[tuple[str, str]] = []

    def inject(self, session, step) -> None:
        self.log.append(("inject", step.id))

    def decide(self, session, step) -> str:
        self.log.append(("decision", step.id))
        if step.id in self.choices:
            return self.choices[step.id]
        allowed = [o.id for o in step.options.values() if o.allowed]
        return allowed[0] if self.pick == "first" else allowed[-1]

    def skipped(self, session, step) -> None:
        self.log.append(("skipped", step.id))

    def unavailable(self, session, step) -> None:
        self.log.append(("unavailable", step.id))


@pytest.fixture(scope="session")
def paths():
    """The bundled files by short name."""
    return {"haditha": HADITHA, "classroom": CLASSROOM, "decisions": DECISIONS}


@pytest.fixture(scope="session")
def recorder():
    return Recorder
