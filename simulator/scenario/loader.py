"""Load a scenario file: YAML with marks, `extends`, variants, validation, cross-checks.

``load_scenario(path, variant)`` is the entry point the rest of the project uses;
``read_document`` keeps a file as a `ScenarioDocument` for callers that change it before
validating (the tabletop exercise applies its decisions' overrides).
It returns a frozen `Scenario` or raises `ScenarioError` carrying every problem found,
each with the file, line and column it points at; the two stages (field validation by
pydantic, then cross-references between sections) each report all their problems.
"""

from __future__ import annotations

import copy
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .checks import cross_check
from .decisions import is_decisions_document, validate_decisions_document
from .errors import Mark, Problem, ScenarioError, did_you_mean, shown
from .marked_yaml import MarkedData, PathKey, read_marked_yaml
from .overrides import with_decision_time
from .schema import Scenario

MAX_EXTENDS_DEPTH = 10


@dataclass(frozen=True)
class ScenarioDocument:
    """A scenario file resolved (extends and variant applied) but kept as marked YAML.

    A tabletop exercise changes its scenario as it goes (a decision's option is a set of
    overrides with ``now`` resolved to the decision time); keeping the document lets each
    change be validated with file, line and column in its messages.
    """

    path: Path
    variant: str | None
    data: MarkedData

    @property
    def mark(self) -> Mark:
        """Where the document starts (for problems about the file as a whole)."""
        return self.data.mark_of(())

    def scenario(self) -> Scenario:
        """The validated, cross-checked scenario, knowing its file and variant."""
        scenario = validate_document(self.data)
        scenario._source = str(self.path)
        scenario._variant = self.variant
        return scenario

    def with_option(self, decision: str, option: str, now_s: float) -> ScenarioDocument:
        """The document with option `option` of exercise decision `decision` taken: its
        overrides merged over the document, ``now`` read as `now_s` seconds from the
        start."""
        at = option_path(decision, option)
        data = apply_overrides(with_decision_time(self.data, at, now_s), at)
        return ScenarioDocument(self.path, self.variant, data)

    def removed_by_variant(self, decision: str, option: str) -> list[Problem]:
        """What option `option` of exercise decision `decision` overrides that the
        document's variant removes (sets to null): taking the option would bring back a
        fragment of it, so say that, rather than list the keys the fragment lacks."""
        if self.variant is None:
            return []
        data = self.data.data
        removed = ((data.get("variants") or {}).get(self.variant) or {}).get("overrides")
        at = option_path(decision, option)
        overrides = data
        for key in at:
            overrides = overrides.get(key) if isinstance(overrides, dict) else None
        problems = []
        pending = [((), overrides, removed)]
        while pending:
            path, taken, variant = pending.pop()
            if not (isinstance(taken, dict) and isinstance(variant, dict)):
                continue
            for key, value in taken.items():
                if key in variant and variant[key] is None and value is not None:
                    where = ".".join(map(str, (*path, key)))
                    problems.append(Problem(
                        self.data.mark_of((*at, *path, key), key=True),
                        f"option '{decision}.{option}' overrides {where}, which variant "
                        f"'{self.variant}' removes"))
                else:
                    pending.append(((*path, key), value, variant.get(key)))
        return problems


def option_path(decision: str, option: str) -> PathKey:
    """Where the overrides of an exercise decision's option sit in a scenario file."""
    return ("exercise", "decisions", decision, "options", option, "overrides")


def read_document(path: str | Path, variant: str | None = None) -> ScenarioDocument:
    """Read and merge one scenario file (and its variant), without validating it."""
    document = resolve_document(Path(path))
    if variant is not None:
        document = apply_variant(document, variant)
    return ScenarioDocument(Path(path), variant, document)


def load_scenario(path: str | Path, variant: str | None = None) -> Scenario:
    """Read, merge, validate and cross-check one scenario file (and its variant)."""
    return read_document(path, variant).scenario()


def validate_file(path: str | Path) -> Scenario:
    """Check a file as `infrasim validate` does: the base scenario, every variant and
    every exercise option, reporting all problems found together. A decisions script
    (top-level ``decisions:``) is checked against the scenario it names, which is
    returned (see `decisions.validate_decisions_document`)."""
    document = resolve_document(Path(path))
    if is_decisions_document(document):  # a decisions script: checked against its scenario
        return validate_decisions_document(document, Path(path))
    problems: list[Problem] = []
    scenario = validate_document(document)
    for name in scenario.variants:
        try:
            validate_document(apply_variant(document, name))
        except ScenarioError as error:
            problems.extend(_labelled(error, f"with variant '{name}'"))
    if scenario.exercise is not None:
        for decision_id, decision in scenario.exercise.decisions.items():
            for option_id in decision.options:
                at = option_path(decision_id, option_id)
                try:  # a 'now' placeholder (the decision time) is checked at time 0
                    validate_document(apply_overrides(with_decision_time(document, at, 0.0), at))
                except ScenarioError as error:
                    problems.extend(_labelled(error, f"with option '{decision_id}.{option_id}'"))
    if problems:
        raise ScenarioError(problems)
    scenario._source = str(path)
    return scenario


def _labelled(error: ScenarioError, label: str) -> list[Problem]:
    return [Problem(p.mark, f"{p.message} ({label})") for p in error.problems]


# ------------------------------------------------------------------- extends / merge


def resolve_document(path: Path, _chain: tuple[Path, ...] = ()) -> MarkedData:
    """Read `path` and, if it says ``extends: base.yaml``, deep-merge it over its base."""
    document = read_marked_yaml(path)
    data = document.data
    if "extends" not in data:
        return document
    mark = document.mark_of(("extends",))
    base_name = data.pop("extends")
    if not isinstance(base_name, str) or not base_name.strip():
        raise ScenarioError([Problem(mark, "'extends' takes the path of a base scenario file")])
    base_path = _base_path(path, base_name, mark)
    chain = _chain + (path.resolve(),)
    if base_path in chain:
        cycle = " -> ".join(p.name for p in chain + (base_path,))
        raise ScenarioError([Problem(mark, f"'extends' cycle: {cycle}")])
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise ScenarioError([Problem(mark, f"'extends' chain longer than {MAX_EXTENDS_DEPTH}")])
    base = resolve_document(base_path, chain)
    return _merge(base, document, source_prefix=(), target_prefix=())


def _base_path(path: Path, base_name: str, mark: Mark) -> Path:
    """The absolute path of the base file that `path` extends. A file that is missing or
    whose path cannot be resolved (a loop of symbolic links, a NUL byte, a name too long)
    is a problem at `mark`."""
    try:
        base_path = (path.parent / base_name).resolve()
        if base_path.is_file():
            return base_path
        message = f"'extends' file not found: {base_name} (looked at {base_path})"
    except RuntimeError:  # how Python before 3.13 reports a loop of symbolic links
        message = f"'extends' path {shown(base_name)} cannot be resolved: its symbolic links form a loop"
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        message = f"'extends' path {shown(base_name)} cannot be resolved: {reason}"
    raise ScenarioError([Problem(mark, message)])


def _merge(
    base: MarkedData, overlay: MarkedData, source_prefix: PathKey, target_prefix: PathKey
) -> MarkedData:
    """Deep-merge the mapping at `source_prefix` of `overlay` into `base` at
    `target_prefix`; marks follow the values so errors point at the file that set them.
    A ``null`` in the overlay removes that key (a force, node, road, town, grid element,
    or an optional field, which falls back to its default); removing a key the base does
    not have is an error, since it is most likely a misspelt id."""
    merged = MarkedData(copy.deepcopy(base.data), dict(base.value_marks), dict(base.key_marks))
    overlay_value = _get(overlay.data, source_prefix)
    missing: list[PathKey] = []
    _deep_update(merged.data, target_prefix, overlay_value, missing)
    if missing:
        n = len(target_prefix)
        raise ScenarioError([_nothing_to_remove(overlay, source_prefix + path[n:], path,
                                                base.data) for path in missing])
    n = len(source_prefix)
    for marks, target in (
        (overlay.value_marks, merged.value_marks),
        (overlay.key_marks, merged.key_marks),
    ):
        for path, mark in marks.items():
            if path[:n] == source_prefix and len(path) > n:
                target[target_prefix + path[n:]] = mark
    return merged


def _get(data: Any, path: PathKey) -> Any:
    for part in path:
        data = data[part]
    return data


# Mappings under these keys describe one value, so an override replaces them whole:
# merging {time: 0 h} into {town_falls: anah} would give a trigger with both.
_WHOLE_VALUE_KEYS = frozenset({"trigger"})


def _replaces_whole(key: str, value: dict) -> bool:
    """A distribution or a trigger is one value: an override swaps it, never merges it
    key by key (a lognormal over a triangular must not keep the triangular's 'mode')."""
    return key in _WHOLE_VALUE_KEYS or "dist" in value


def _deep_update(data: dict, prefix: PathKey, overlay: Any, missing: list[PathKey]) -> None:
    """Merge `overlay` into `data` at `prefix`; a None value removes its key, and the path
    of a None whose key `data` does not have is added to `missing`."""
    target = data
    for part in prefix:
        target = target.setdefault(part, {})
    for key, value in overlay.items():
        if value is None:
            if not isinstance(target, dict) or key not in target:
                missing.append(prefix + (key,))
            else:
                del target[key]
        elif (
            isinstance(value, dict)
            and isinstance(target.get(key), dict)
            and not _replaces_whole(key, value)
        ):
            nested: list[PathKey] = []
            _deep_update(target, (key,), value, nested)
            missing.extend(prefix + path for path in nested)
        else:
            target[key] = copy.deepcopy(value)


def _nothing_to_remove(overlay: MarkedData, overlay_path: PathKey, path: PathKey,
                       base: Any) -> Problem:
    """The problem of a ``null`` that removes nothing: where it is, and the closest key."""
    parent = base
    for part in path[:-1]:
        parent = parent.get(part) if isinstance(parent, dict) else None
    known = list(parent) if isinstance(parent, dict) else []
    where = ".".join(str(part) for part in path)
    message = f"null removes nothing: '{where}' is not in the scenario"
    if known:
        message += f"; {did_you_mean(str(path[-1]), known)}"
    return Problem(overlay.mark_of(overlay_path, key=True), message)


# -------------------------------------------------------------------------- variants


def apply_variant(document: MarkedData, name: str) -> MarkedData:
    """The document with the overrides of variant `name` merged in."""
    variants = document.data.get("variants")
    if not isinstance(variants, dict) or name not in variants:
        known = list(variants) if isinstance(variants, dict) else []
        where = ("variants",) if known else ()
        hint = did_you_mean(name, known) if known else "this scenario defines no variants"
        raise ScenarioError([Problem(document.mark_of(where), f"unknown variant '{name}'; {hint}")])
    return apply_overrides(document, ("variants", name, "overrides"))


def apply_overrides(document: MarkedData, at: PathKey) -> MarkedData:
    """Merge the overrides mapping found at path `at` over the document's top level."""
    try:
        overrides = _get(document.data, at)
    except (KeyError, IndexError, TypeError):
        return document
    if not isinstance(overrides, dict):
        return document  # the schema reports a non-mapping 'overrides' at its own mark
    return _merge(document, document, source_prefix=at, target_prefix=())


# ------------------------------------------------------------------------ validation


def validate_document(document: MarkedData) -> Scenario:
    """Validate fields with pydantic, then cross-references; raise with all problems."""
    try:
        scenario = Scenario.model_validate(document.data)
    except ValidationError as error:
        raise ScenarioError(_problems_from(error, document)) from None
    problems = [
        Problem(document.mark_of(path, key=is_key), _with_field(path, message, "cross"))
        for path, message, is_key in cross_check(scenario)
    ]
    if problems:
        raise ScenarioError(problems)
    return scenario


def _problems_from(error: ValidationError, document: MarkedData) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        kind = item["type"]
        message = item["msg"].removeprefix("Value error, ")
        if kind == "extra_forbidden":
            key = str(loc[-1])
            valid = _valid_keys(loc[:-1])
            message = f"unknown key '{key}'" + (f"; {did_you_mean(key, valid)}" if valid else "")
            mark = document.mark_of(loc, key=True)
        elif kind == "missing":
            mark = document.mark_of(loc[:-1])
            message = f"missing required key '{loc[-1]}'"
            where = _where(loc[:-1])
            if where:
                message += f" in {where}"
        else:
            mark = document.mark_of(loc)
            found = item.get("input")
            if kind != "value_error" and not isinstance(found, dict | list):
                message += f", found {shown(found)}"
            if kind == "literal_error" and isinstance(found, str):
                expected = item.get("ctx", {}).get("expected", "")
                choices = [c.strip(" '") for c in expected.replace(" or ", ",").split(",")]
                hint = did_you_mean(found, [c for c in choices if c])
                if hint.startswith("did"):
                    message += f"; {hint}"
        problems.append(Problem(mark, _with_field(loc, message, kind)))
    return problems


def _where(loc: PathKey) -> str:
    return ".".join(str(p) for p in loc)


def _with_field(loc: PathKey, message: str, kind: str) -> str:
    if kind in ("extra_forbidden", "missing") or not loc:
        return message
    return f"{_where(loc)}: {message}"


def _valid_keys(loc: PathKey) -> list[str]:
    """The keys allowed in the mapping at `loc`, for a did-you-mean hint."""
    model = _model_at(Scenario, loc)
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _model_at(annotation: Any, loc: PathKey) -> type[BaseModel] | None:
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = {f.alias or n: f for n, f in annotation.model_fields.items()}
            if part not in fields:
                return None
            annotation = fields[part].annotation
        elif typing.get_origin(annotation) in (dict, list):
            annotation = typing.get_args(annotation)[-1]
        else:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional to reach the model or container type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation
