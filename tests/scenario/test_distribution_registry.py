"""The distribution registry: every YAML name has one `Kind`, and a registered kind is
read, checked, summarised and sampled with no other code knowing about it."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.scenario.distributions import (
    DISTRIBUTIONS,
    Kind,
    parse_distribution,
    register,
    support,
)
from simulator.scenario.units import to_si


def hours(value):
    return to_si(value, "time")


def test_the_registry_holds_every_kind_under_its_yaml_name():
    assert list(DISTRIBUTIONS) == ["fixed", "uniform", "triangular", "normal", "truncnormal",
                                   "lognormal", "exponential", "bernoulli", "choice"]
    assert all(isinstance(kind, Kind) and kind.name == name
               for name, kind in DISTRIBUTIONS.items())


def test_a_registered_kind_is_parsed_checked_and_sampled(monkeypatch):
    monkeypatch.setattr("simulator.scenario.distributions.DISTRIBUTIONS", dict(DISTRIBUTIONS))

    @register
    class Midpoint(Kind):
        name = "midpoint"
        spellings = (("low", "high"),)

        def check(self, params):
            return None if params["low"] < params["high"] else "low must be below high"

        def mean(self, d):
            return (d.params["low"] + d.params["high"]) / 2

        def sample(self, d, rng):
            return self.mean(d)

        def support(self, d):
            return d.params["low"], d.params["high"]

    dist = parse_distribution({"dist": "midpoint", "low": "1 h", "high": "3 h"}, hours)
    assert (dist.mean, dist.sample(np.random.default_rng(0)), support(dist)) == \
        (7200.0, 7200.0, (3600.0, 10800.0))
    with pytest.raises(ValueError, match="midpoint: low must be below high"):
        parse_distribution({"dist": "midpoint", "low": "3 h", "high": "1 h"}, hours)
    with pytest.raises(ValueError, match=r"midpoint takes \{low, high\}, found \{low\}"):
        parse_distribution({"dist": "midpoint", "low": "3 h"}, hours)
