"""Scenario files read alike whichever composer PyYAML offers: libyaml's (fast, used
where PyYAML has it) and the pure-Python one give the same data and the same marks, and
a file libyaml refuses is reported with the pure-Python loader's message."""

from pathlib import Path

import pytest
import yaml

from simulator.scenario import ScenarioError, marked_yaml

ROOT = Path(__file__).parents[2]
FILES = sorted([*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("tests/data/*.yaml"),
                *ROOT.glob("tests/data/bad/*.yaml")])

needs_libyaml = pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"),
                                   reason="PyYAML built without libyaml")


def read(path, loaders, monkeypatch):
    monkeypatch.setattr(marked_yaml, "_LOADERS", loaders)
    try:
        return marked_yaml.read_marked_yaml(path)
    except ScenarioError as error:
        return str(error)


@needs_libyaml
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_both_composers_give_the_same_data_and_marks(path, monkeypatch):
    fast = read(path, (yaml.CSafeLoader,), monkeypatch)
    plain = read(path, (yaml.SafeLoader,), monkeypatch)
    assert isinstance(fast, str) == isinstance(plain, str)  # both refuse it, or neither
    if isinstance(plain, str):
        return
    assert (fast.data, fast.value_marks, fast.key_marks) == (
        plain.data, plain.value_marks, plain.key_marks)


@needs_libyaml
def test_the_fast_composer_is_tried_first():
    assert marked_yaml._LOADERS == (yaml.CSafeLoader, yaml.SafeLoader)


@needs_libyaml
@pytest.mark.parametrize("text", ["a: 1\n\tb: 2\n", "a: [1, 2\n", "a: 'open\n",
                                  "[" * 2000 + "]" * 2000])
def test_a_file_libyaml_refuses_gets_the_pure_python_message(text, tmp_path, monkeypatch):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(yaml.YAMLError):
        yaml.CSafeLoader(text).get_single_node()
    both = read(path, (yaml.CSafeLoader, yaml.SafeLoader), monkeypatch)
    plain = read(path, (yaml.SafeLoader,), monkeypatch)
    assert isinstance(both, str) and both == plain
