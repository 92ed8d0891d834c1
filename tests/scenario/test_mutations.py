"""Mutated scenarios never crash the loader: every outcome is a valid scenario or a
ScenarioError with marks. Mutations work on the text (a typo, a deleted or repeated
line) and on the data (a value replaced by anything, a key removed or misspelt)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.scenario import ScenarioError, validate_file

ROOT = Path(__file__).parents[2]
REFERENCE = ROOT / "scenarios" / "haditha_2014.yaml"
SOURCE = REFERENCE if REFERENCE.exists() else ROOT / "tests" / "data" / "minimal.yaml"
TEXT = SOURCE.read_text()
DATA = yaml.safe_load(TEXT)
SCALE = float(os.environ.get("INFRASIM_SLOW_SCALE", "1"))

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["57 m", "-3 h", "1e400 km", "5 MW", "nan h", "[", "&a"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.fixed_dictionaries(
        {
            "dist": st.sampled_from(["triangular", "normal", "choice", "bogus"]),
            "low": st.sampled_from(["1 h", "-1 h", 3]),
            "high": st.just("2 h"),
        }
    ),
)


def leaf_paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield prefix + (key,)
            yield from leaf_paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield prefix + (i,)
            yield from leaf_paths(value, prefix + (i,))


PATHS = list(leaf_paths(DATA))


def mutate_data(data, path, action, value):
    import copy

    data = copy.deepcopy(data)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    if action == "replace":
        parent[key] = value
    elif action == "delete" and isinstance(parent, dict):
        del parent[key]
    elif action == "rename" and isinstance(parent, dict):
        parent[str(key) + "x"] = parent.pop(key)
    return yaml.safe_dump(data, sort_keys=False)


def check(tmp: Path, text: str | bytes) -> None:
    path = tmp / "mutant.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        validate_file(path)
    except ScenarioError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.mark.line >= 1 and problem.mark.column >= 1
            assert problem.message


common = settings(
    max_examples=int(60 * SCALE) or 10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@common
@given(
    path=st.sampled_from(PATHS), action=st.sampled_from(["replace", "delete", "rename"]), value=junk
)
def test_data_mutations_never_crash(tmp_path, path, action, value):
    check(tmp_path, mutate_data(DATA, path, action, value))


@common
@given(position=st.integers(0, len(TEXT)), insert=st.text(max_size=4), cut=st.integers(0, 6))
def test_text_mutations_never_crash(tmp_path, position, insert, cut):
    check(tmp_path, TEXT[:position] + insert + TEXT[position + cut :])


@common
@given(line=st.integers(0, TEXT.count("\n")), action=st.sampled_from(["drop", "repeat", "indent"]))
def test_line_mutations_never_crash(tmp_path, line, action):
    lines = TEXT.splitlines(keepends=True)
    if action == "drop":
        del lines[line : line + 1]
    elif action == "repeat":
        lines[line : line + 1] = lines[line : line + 1] * 2
    else:
        lines[line : line + 1] = ["  " + x for x in lines[line : line + 1]]
    check(tmp_path, "".join(lines))


@pytest.mark.slow
@settings(
    max_examples=int(2000 * SCALE),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.sampled_from(PATHS),
    action=st.sampled_from(["replace", "delete", "rename"]),
    value=junk,
    raw=st.binary(max_size=30),
    position=st.integers(0, len(TEXT)),
)
def test_many_mutations_never_crash(tmp_path, path, action, value, raw, position):
    """The long form of the checks above, with raw bytes spliced into the text too."""
    check(tmp_path, mutate_data(DATA, path, action, value))
    check(tmp_path, TEXT.encode()[:position] + raw + TEXT.encode()[position:])
