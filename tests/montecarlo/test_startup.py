"""What a run pays before its first replication (issue 18: start-up cost).

``infrasim run`` imports `simulator.workflows` and loads a scenario before it starts any
worker, and every second there is serial. Rendering modules (matplotlib) load only when
something renders, and pint loads only for quantity text it has not converted before:
its earlier conversions are remembered in the user's cache folder and reused as they
were, so a scenario loads to the same numbers either way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from simulator.scenario import units


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty cache folder, and no conversions remembered in this process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    units._remembered.cache_clear()
    units._text_to_si.cache_clear()
    yield tmp_path
    units._remembered.cache_clear()
    units._text_to_si.cache_clear()


def test_a_remembered_conversion_is_pints_and_needs_no_pint(fresh_cache, monkeypatch):
    by_pint = units.to_si("60 km/h", "speed")
    units._save_remembered()
    units._remembered.cache_clear()
    units._text_to_si.cache_clear()

    def no_pint():
        raise AssertionError("pint was asked again")

    monkeypatch.setattr(units, "_registry", no_pint)
    assert units.to_si("60 km/h", "speed") == by_pint == pytest.approx(60 / 3.6)
    assert units.to_si(" 60 km/h ", "speed") == by_pint


def test_text_pint_refuses_is_not_remembered(fresh_cache):
    with pytest.raises(ValueError, match="unknown unit 'furlongz'"):
        units.to_si("3 furlongz", "length")
    with pytest.raises(ValueError, match="expected a length"):
        units.to_si("3 s", "length")
    assert units._remembered().values == {}


def test_a_damaged_cache_file_counts_as_empty(fresh_cache):
    path = units._remembered_path()
    path.parent.mkdir(parents=True)
    path.write_text('{"length:57 m": "57", "length:1 km": 7.0')
    assert units._remembered().values == {}
    assert units.to_si("1 km", "length") == 1000.0


def test_a_remembered_conversion_still_meets_the_fields_limits(fresh_cache):
    """The file holds pint's magnitudes; the limits of the field are checked on every
    use, so a changed limit or an edited file cannot let a value through."""
    path = units._remembered_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({f"{units.DIMENSIONS['length'].pint}:1 km": 1e300}))
    with pytest.raises(ValueError):
        units.to_si("1 km", "length")


_IMPORTS = """
import json, sys
import simulator.workflows
from simulator.scenario import load_scenario
load_scenario(sys.argv[1])
print(json.dumps(sorted(name for name in sys.modules if name in sys.argv[2:])))
"""


@pytest.mark.slow
def test_a_run_loads_no_plotting_and_no_pint_the_second_time(tmp_path):
    heavy = ("matplotlib", "pint", "scipy.stats", "pandas")
    command = [sys.executable, "-c", _IMPORTS, "scenarios/haditha_2014.yaml", *heavy]
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}

    def imported() -> list[str]:
        output = subprocess.run(command, check=True, capture_output=True, text=True,
                                env=environment).stdout
        return json.loads(output.strip().splitlines()[-1])

    assert imported() == ["pint"]
    assert imported() == []


# ---------------------------------------------------------- preparing once, in the parent

PREPARED: list[object] = []


def counting_prepare(scenario):
    """A preparation that records each call (in the process that makes it)."""
    PREPARED.append(scenario)
    return ("prepared", len(PREPARED))


def failing_prepare(scenario):
    raise RuntimeError("no such river")


def test_forked_workers_and_what_runs_after_share_one_preparation(minimal):
    from simulator.montecarlo import run_monte_carlo
    from simulator.montecarlo.runner import prepared_scenario

    PREPARED.clear()
    prepare = f"{__name__}:counting_prepare"
    result = run_monte_carlo(minimal, 40, executor="processes", workers=2,
                             replicate="fake_engine:simulate", prepare=prepare)
    assert result.done == 40
    assert PREPARED == [minimal]  # here, once, before the workers forked
    assert prepared_scenario(minimal, prepare) == ("prepared", 1)
    assert len(PREPARED) == 1


def test_a_preparation_that_fails_is_reported_by_the_batches(minimal):
    from simulator.montecarlo import ReplicationsFailed, run_monte_carlo

    with pytest.raises(ReplicationsFailed) as raised:
        run_monte_carlo(minimal, 10, executor="serial", replicate="fake_engine:simulate",
                        prepare=f"{__name__}:failing_prepare")
    assert "no such river" in raised.value.result.failures[0].error
