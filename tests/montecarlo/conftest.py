"""Shared fixtures for the Monte Carlo tests; puts `fake_engine` on sys.path so that
worker processes (which inherit sys.path) can import it by name."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from fake_engine import KILL_TEST_REPLICATIONS, MINIMAL  # noqa: E402 - needs the path above


@pytest.fixture(scope="session")
def minimal():
    from simulator.scenario import load_scenario

    return load_scenario(MINIMAL)


@pytest.fixture(scope="session")
def uninterrupted(minimal, tmp_path_factory):
    """outcomes.csv of an uninterrupted run of the minimal scenario, to compare
    interrupted-and-resumed runs against."""
    from simulator.montecarlo import run_monte_carlo

    out = tmp_path_factory.mktemp("uninterrupted") / "run"
    run_monte_carlo(minimal, KILL_TEST_REPLICATIONS, executor="processes", workers=2, out=out)
    return (out / "outcomes.csv").read_bytes()
