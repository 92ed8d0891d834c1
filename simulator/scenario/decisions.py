"""Decision scripts: the choices of one tabletop exercise, to replay it without prompts.

A decisions file is YAML with a top-level ``decisions:`` mapping of decision id to option
id, optionally naming the scenario it answers (``scenario:``, relative to the file) and
the story it was played on (``variant``, ``seed``, ``replication``)::

    scenario: haditha_2014.yaml
    seed: 20140621
    decisions:
      reserve: dispatch_now
      drawdown: keep_level

`infrasim exercise FILE --script decisions.yaml` plays the exercise with these choices,
and `infrasim validate` recognises a decisions file by its ``decisions:`` key and checks
its ids against the scenario it names. Every problem carries the file, line and column
of the id at fault, like any scenario error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Mark, Problem, ScenarioError, did_you_mean, shown
from .marked_yaml import MarkedData, read_marked_yaml
from .schema import Scenario

__all__ = ["Choice", "DecisionScript", "check_decisions", "is_decisions_document",
           "read_decisions", "script_from_document", "validate_decisions_document"]

KEYS = ("description", "scenario", "variant", "seed", "replication", "decisions")


@dataclass(frozen=True)
class Choice:
    """One line of a script: decision id -> option id, with where each was written."""

    decision: str
    option: str
    decision_mark: Mark
    option_mark: Mark


@dataclass(frozen=True)
class DecisionScript:
    """A decisions file as read: a choice per decision, and the story it answers
    (scenario, variant, seed, replication; None where the file does not say)."""

    path: str
    scenario_path: Path | None  # resolved against the script's folder
    variant: str | None
    seed: int | None
    replication: int | None
    choices: dict[str, Choice]
    mark: Mark  # of the 'decisions' key

    def choice(self, decision: str) -> Choice | None:
        """The scripted choice at decision `decision`, or None if the script has none."""
        return self.choices.get(decision)


def is_decisions_document(document: MarkedData) -> bool:
    """A document with a top-level ``decisions`` key is a decisions script (a scenario
    keeps its decisions under ``exercise``)."""
    return isinstance(document.data, dict) and "decisions" in document.data


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def script_from_document(document: MarkedData, path: Path) -> DecisionScript:
    """Check the structure of a decisions document (not yet its ids)."""
    data = document.data
    problems: list[Problem] = []
    for key in data:
        if key not in KEYS:
            problems.append(Problem(document.mark_of((key,), key=True),
                                    f"unknown key '{key}' in a decisions file; "
                                    f"{did_you_mean(key, KEYS)}"))
    scenario_path = None
    if "scenario" in data:
        name = _text(data["scenario"])
        if name is None:
            problems.append(Problem(document.mark_of(("scenario",)),
                                    "'scenario' takes the path of the scenario file"))
        else:
            scenario_path = (path.parent / name)
    variant = None
    if data.get("variant") is not None:
        variant = _text(data["variant"])
        if variant is None:
            problems.append(Problem(document.mark_of(("variant",)),
                                    "'variant' takes the name of a variant"))
    numbers: dict[str, int | None] = {}
    for key in ("seed", "replication"):
        value = data.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or not 0 <= value < 2**63):
            problems.append(Problem(document.mark_of((key,)),
                                    f"'{key}' must be a whole number >= 0, found {shown(value)}"))
            value = None
        numbers[key] = value
    choices: dict[str, Choice] = {}
    decisions = data["decisions"]
    if not isinstance(decisions, dict) or not decisions:
        problems.append(Problem(document.mark_of(("decisions",)),
                                "'decisions' maps each decision id to the option chosen, "
                                "e.g. {reserve: dispatch_now}"))
        decisions = {}
    for decision, option in decisions.items():
        at = ("decisions", decision)
        option_id = _text(option)
        if option_id is None:
            hint = ("; YAML reads unquoted yes/no/on/off/true/false as a boolean: quote "
                    "the option id" if isinstance(option, bool) else "")
            problems.append(Problem(document.mark_of(at),
                                    f"decision '{decision}': expected an option id, "
                                    f"found {option!r}{hint}"))
            continue
        choices[decision] = Choice(decision, option_id, document.mark_of(at, key=True),
                                   document.mark_of(at))
    if problems:
        raise ScenarioError(problems)
    return DecisionScript(str(path), scenario_path, variant, numbers["seed"],
                          numbers["replication"], choices,
                          document.mark_of(("decisions",), key=True))


def read_decisions(path: str | Path) -> DecisionScript:
    """Read and structurally check a decisions file."""
    path = Path(path)
    document = read_marked_yaml(path)
    if not is_decisions_document(document):
        raise ScenarioError([Problem(document.mark_of(()), "a decisions file needs a top-level "
                                     "'decisions:' mapping of decision id to option id")])
    return script_from_document(document, path)


def check_decisions(script: DecisionScript, scenario: Scenario) -> None:
    """Every decision id of `script` exists in `scenario`'s exercise and every option id
    among that decision's options; raises `ScenarioError` listing all that do not."""
    exercise = scenario.exercise
    decisions = exercise.decisions if exercise is not None else {}
    problems = []
    for choice in script.choices.values():
        if choice.decision not in decisions:
            hint = (did_you_mean(choice.decision, decisions) if decisions else
                    "the scenario has no exercise decisions")
            problems.append(Problem(choice.decision_mark,
                                    f"unknown decision '{choice.decision}'; {hint}"))
            continue
        options = decisions[choice.decision].options
        if choice.option not in options:
            problems.append(Problem(choice.option_mark,
                                    f"decision '{choice.decision}' has no option "
                                    f"'{choice.option}'; {did_you_mean(choice.option, options)}"))
    if problems:
        raise ScenarioError(problems)


def _is_file(path: Path) -> bool:
    """Whether `path` is a regular file; a name too long for the file system is not one."""
    try:
        return path.is_file()
    except OSError:
        return False


def validate_decisions_document(document: MarkedData, path: Path) -> Scenario:
    """`infrasim validate` on a decisions file: its structure, then its ids against the
    scenario (and variant) it names, which is validated in full too. Returns that
    scenario (its `source` is the scenario file, not the decisions file)."""
    from .loader import load_scenario, validate_file

    script = script_from_document(document, path)
    if script.scenario_path is None:
        raise ScenarioError([Problem(document.mark_of(()), "this decisions file does not name "
                                     "its scenario; add 'scenario: FILE' (relative to this "
                                     "file) so that its ids can be checked")])
    if not _is_file(script.scenario_path):
        raise ScenarioError([Problem(document.mark_of(("scenario",)),
                                     f"scenario file not found: {shown(str(script.scenario_path))}")])
    scenario = validate_file(script.scenario_path)
    if script.variant is not None:
        if script.variant not in scenario.variants:
            hint = (did_you_mean(script.variant, scenario.variants) if scenario.variants
                    else "the scenario defines no variants")
            raise ScenarioError([Problem(document.mark_of(("variant",)),
                                         f"unknown variant '{script.variant}'; {hint}")])
        scenario = load_scenario(script.scenario_path, script.variant)
    check_decisions(script, scenario)
    scenario._source = str(script.scenario_path)
    return scenario
