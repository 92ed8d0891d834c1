"""The top-level package: its public API resolves, shows in dir() and help(), and
importing it loads none of the heavy libraries until a name is used."""

from __future__ import annotations

import pydoc
import subprocess
import sys

import pytest

import simulator

PUBLIC = {"load_scenario", "Scenario", "ScenarioError", "prepare", "simulate",
          "run_monte_carlo", "RunResult", "RunError", "ReplicationsFailed", "load_run",
          "Run", "compare_runs", "__version__"}


def test_every_name_in_all_resolves():
    assert set(simulator.__all__) == PUBLIC
    for name in simulator.__all__:
        assert getattr(simulator, name) is not None


def test_every_public_name_is_documented_and_lives_in_its_module():
    for name in set(simulator.__all__) - {"__version__"}:
        value = getattr(simulator, name)
        assert value.__doc__ and value.__doc__.strip(), name
        assert getattr(sys.modules[value.__module__], name) is value
        assert vars(simulator)[name] is value  # a real attribute once used


def test_dir_and_help_show_the_public_api():
    listed = dir(simulator)
    assert PUBLIC <= set(listed)
    assert not {"lazy", "lazy_getattr", "_PUBLIC"} & set(listed)
    text = pydoc.render_doc(simulator, renderer=pydoc.plaintext)
    assert all(name in text for name in PUBLIC)
    assert "lazy" not in text


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="module 'simulator' has no attribute 'nothing'"):
        simulator.nothing  # noqa: B018 - the attribute access is the test


def test_import_is_light():
    code = ("import sys, simulator; print(sorted({'pydantic', 'simpy', 'matplotlib', "
            "'scipy', 'pandas'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
