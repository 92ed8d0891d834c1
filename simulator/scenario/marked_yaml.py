"""Read YAML into plain data while remembering where every key and value came from.

PyYAML's own constructors forget positions, silently keep the last of two duplicate
keys and expand aliases without limit. This module composes the node graph with the
safe loader, then builds the data itself so that it can: record a `Mark` for every
key and value path, refuse duplicate keys, bound the number of values an alias can
expand into (a "billion laughs" file is refused, not expanded), and refuse files that
are too large or not text. Every failure is a `ScenarioError` naming file, line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Mark, Problem, ScenarioError

MAX_FILE_BYTES = 2_000_000
MAX_VALUES = 200_000  # values after alias expansion; the reference scenario has ~2,000
MAX_DEPTH = 60

PathKey = tuple[str | int, ...]


@dataclass
class MarkedData:
    """Plain YAML data plus the marks of every value and mapping key, by path."""

    data: Any
    value_marks: dict[PathKey, Mark] = field(default_factory=dict)
    key_marks: dict[PathKey, Mark] = field(default_factory=dict)

    def mark_of(self, path: PathKey, key: bool = False) -> Mark:
        """The mark of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        if key and path in self.key_marks:
            return self.key_marks[path]
        while path not in self.value_marks and path:
            path = path[:-1]
        return self.value_marks.get(path) or next(iter(self.value_marks.values()))


def _mark(file: str, node_mark: yaml.Mark) -> Mark:
    return Mark(file, node_mark.line + 1, node_mark.column + 1)


def _fail(file: str, line: int, column: int, message: str) -> ScenarioError:
    return ScenarioError([Problem(Mark(file, line, column), message)])


def _decode(raw: bytes, file: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise _fail(file, line, column, "the file is not UTF-8 text (binary data?)") from None
    if "\x00" in text:
        before = text[: text.index("\x00")]
        raise _fail(
            file,
            before.count("\n") + 1,
            len(before) - before.rfind("\n"),
            "the file contains NUL bytes: it is binary, not a YAML scenario",
        )
    return text


def _yaml_problem(error: yaml.YAMLError, file: str) -> ScenarioError:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    if "\t" in problem or "'\\t'" in problem:
        message = "a tab character is used for indentation; YAML needs spaces"
    else:
        message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    if mark is None:
        return _fail(file, 1, 1, message)
    return _fail(file, mark.line + 1, mark.column + 1, message)


class _Builder:
    """Turns a composed node graph into data and marks, enforcing the limits above."""

    def __init__(self, file: str, loader: yaml.SafeLoader):
        self.file = file
        self.loader = loader
        self.values = 0
        self.out = MarkedData(None)

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise _fail(
                self.file,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                f"the document expands to more than {MAX_VALUES:,} values "
                "(an alias bomb?); refusing to expand it",
            )
        if len(path) > MAX_DEPTH:
            raise _fail(
                self.file,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                f"nesting deeper than {MAX_DEPTH} levels",
            )
        self.out.value_marks.setdefault(path, _mark(self.file, node.start_mark))
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _fail(
                        self.file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        "a key must be plain text",
                    )
                key = key_node.value
                if key == "<<":
                    raise _fail(
                        self.file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        "YAML merge keys ('<<') are not supported; use 'extends' or a variant",
                    )
                if key in result:
                    first = self.out.key_marks[path + (key,)]
                    raise _fail(
                        self.file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        f"duplicate key '{key}' (first given at line {first.line})",
                    )
                self.out.key_marks[path + (key,)] = _mark(self.file, key_node.start_mark)
                result[key] = self.build(value_node, path + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as error:
            raise _fail(
                self.file,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                f"cannot read value {node.value!r}: {error}",
            ) from None


def read_marked_yaml(path: Path) -> MarkedData:
    """Read one scenario file; the document must be a mapping."""
    file = str(path)
    try:
        with path.open("rb") as stream:  # never more than the limit, whatever the file is
            raw = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise _fail(file, 1, 1, "no such file") from None
    except IsADirectoryError:
        raise _fail(file, 1, 1, "this is a directory, not a scenario file") from None
    except OSError as error:
        raise _fail(file, 1, 1, f"cannot read the file: {error.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise _fail(
            file,
            1,
            1,
            f"the file holds more than {MAX_FILE_BYTES:,} bytes; scenarios are limited to "
            f"{MAX_FILE_BYTES:,} bytes",
        )
    text = _decode(raw, file)
    if not text.strip():
        raise _fail(
            file,
            1,
            1,
            "the file is empty; a scenario is a mapping with sections "
            "'scenario', 'network', 'forces', 'assets', 'river', 'warning', 'grid'",
        )
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            raise _fail(file, 1, 1, "the file holds no YAML document (only comments?)")
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            raise _fail(
                file,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                f"a scenario must be a mapping of sections, found {kind}",
            )
        builder = _Builder(file, loader)
        builder.out.data = builder.build(node, ())
        return builder.out
    except yaml.reader.ReaderError as error:
        before = text[: error.position]
        raise _fail(
            file,
            before.count("\n") + 1,
            len(before) - before.rfind("\n"),
            f"character {chr(error.character)!r} is not allowed in YAML text",
        ) from None
    except yaml.YAMLError as error:
        raise _yaml_problem(error, file) from None
    except RecursionError:
        raise _fail(file, 1, 1, "the document is nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
