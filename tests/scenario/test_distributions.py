"""Distribution specs are checked at load time and sample what they say."""

import math

import numpy as np
import pytest

from simulator.scenario.distributions import Z90, parse_distribution, support
from simulator.scenario.units import to_si


def hours(value):
    return to_si(value, "time")


def draws(spec, n=20000):
    dist = parse_distribution(spec, hours)
    rng = np.random.default_rng(1)
    return dist, np.array([dist.sample(rng) for _ in range(n)])


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "uniform", "low": "1 h", "high": "3 h"},
        {"dist": "triangular", "low": "1 h", "mode": "2 h", "high": "6 h"},
        {"dist": "normal", "mean": "5 h", "sd": "1 h"},
        {"dist": "truncnormal", "mean": "1 h", "sd": "2 h", "low": "0 h", "high": "4 h"},
        {"dist": "lognormal", "median": "2 h", "p90": "6 h"},
        {"dist": "exponential", "mean": "3 h"},
        {"dist": "choice", "values": ["1 h", "2 h", "4 h"], "weights": [1, 2, 1]},
    ],
)
def test_sample_mean_matches_stated_mean(spec):
    """The analytic mean (used for route planning) agrees with the sample mean."""
    dist, x = draws(spec)
    assert x.mean() == pytest.approx(dist.mean, rel=0.03)
    low, high = support(dist)
    assert x.min() >= low and x.max() <= high


def test_lognormal_by_median_and_p90():
    dist, x = draws({"dist": "lognormal", "median": "2 h", "p90": "6 h"}, n=40000)
    assert dist.params["sigma"] == pytest.approx(math.log(3) / Z90)
    assert np.median(x) == pytest.approx(7200, rel=0.03)
    assert np.quantile(x, 0.9) == pytest.approx(21600, rel=0.05)


def test_lognormal_by_mu_sigma_is_in_si_log_space():
    dist = parse_distribution({"dist": "lognormal", "mu": math.log(3600.0), "sigma": 0.5}, hours)
    assert dist.params["median"] == pytest.approx(3600.0)


def test_bernoulli_rate():
    dist, x = draws({"dist": "bernoulli", "p": 0.3})
    assert set(np.unique(x)) == {0.0, 1.0}
    assert x.mean() == pytest.approx(0.3, abs=0.015)


def test_fixed_consumes_no_random_numbers():
    """A fixed value must not advance the stream, or adding certainty to one input would
    shift the random numbers of the inputs drawn after it."""
    dist = parse_distribution({"dist": "fixed", "value": "2 h"}, hours)
    rng = np.random.default_rng(5)
    dist.sample(rng)
    assert rng.random() == np.random.default_rng(5).random()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"dist": "triangular", "low": "3 h", "mode": "2 h", "high": "4 h"}, "low <= mode <= high"),
        ({"dist": "uniform", "low": "3 h", "high": "2 h"}, "must not exceed"),
        ({"dist": "normal", "mean": "3 h", "sd": "0 h"}, "sd must be > 0"),
        ({"dist": "bernoulli", "p": 1.2}, "probability"),
        ({"dist": "exponential", "mean": "-1 h"}, "mean must be > 0"),
        ({"dist": "triangular", "low": "1 h", "high": "2 h"}, "takes {low, mode, high}"),
        ({"dist": "gaussian", "mean": "1 h"}, "unknown distribution"),
        ({"dist": "choice", "values": []}, "non-empty"),
        ({"dist": "uniform", "low": "1 m", "high": "2 h"}, "parameter 'low'"),
    ],
)
def test_bad_parameters_refused(spec, message):
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        parse_distribution(spec, hours)
