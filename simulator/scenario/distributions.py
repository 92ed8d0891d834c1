"""Uncertain inputs: distribution specs read from the scenario and their samplers.

Any numeric field of a scenario may be a plain quantity (``6 h``) or a mapping such as
``{dist: triangular, low: 2 h, mode: 4 h, high: 8 h}``. At load time the mapping is
checked and converted to a `Distribution` whose parameters are SI floats; the engine
then draws from it with a named random stream. A registry, `DISTRIBUTIONS`, maps each
YAML name to a `Kind` holding how that distribution is written, read, checked,
summarised and sampled, so adding a distribution is one registered class, not a branch
in every function that handles distributions.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, model_serializer

_STANDARD_NORMAL = NormalDist()
Z90 = _STANDARD_NORMAL.inv_cdf(0.9)  # 1.2816: p90 of a standard normal
MAX_LOG_SIGMA = 5.0  # a lognormal's p90 at most 610 times its median


class Distribution(BaseModel):
    """A parsed distribution: its registry name and SI parameters."""

    model_config = ConfigDict(frozen=True)

    kind: str
    params: dict[str, float] = {}
    values: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()

    @property
    def is_fixed(self) -> bool:
        """Whether this is a plain value rather than an uncertain one."""
        return self.kind == "fixed"

    @property
    def mean(self) -> float:
        """Expected value, used where a plan needs one number (route choice)."""
        return DISTRIBUTIONS[self.kind].mean(self)

    def sample(self, rng: np.random.Generator) -> float:
        """One draw with `rng`; a fixed value consumes no random numbers."""
        return DISTRIBUTIONS[self.kind].sample(self, rng)

    @property
    def draws_one_double(self) -> bool:
        """Whether `sample` turns exactly one ``rng.random()`` double into its draw, so
        `sample_doubles` can draw many at once."""
        return DISTRIBUTIONS[self.kind].draws_one_double

    def sample_doubles(self, doubles: np.ndarray) -> np.ndarray:
        """The draws `sample` makes from these doubles of ``rng.random()``, bit for bit
        (only where `draws_one_double`)."""
        return DISTRIBUTIONS[self.kind].sample_doubles(self, doubles)

    @model_serializer
    def _serialise(self) -> Any:
        if self.is_fixed:
            return self.params["value"]
        out: dict[str, Any] = {"dist": self.kind, **self.params}
        if self.values:
            out["values"] = list(self.values)
            out["weights"] = list(self.weights)
        return out


def fixed(value: float) -> Distribution:
    """A certain value, as a distribution (``{dist: fixed}``)."""
    return Distribution(kind="fixed", params={"value": float(value)})


@dataclass(frozen=True)
class Spec:
    """One distribution as written in YAML, and the conversion of its numbers to SI."""

    name: str
    kind: Kind
    given: Mapping[str, Any]
    to_si: Callable[[Any], float]  # to the field's SI unit, checking the dimension

    def param(self, name: str) -> float:
        """Parameter `name` in SI (a plain number if the kind says so); errors name it."""
        try:
            if name in self.kind.plain:
                return self.number(self.given[name])
            return self.to_si(self.given[name])
        except ValueError as error:
            raise ValueError(f"{self.name} parameter '{name}': {error}") from None

    @staticmethod
    def number(value: Any) -> float:
        """`value` as a plain number, whatever the field's unit."""
        from .units import DIMENSIONLESS, to_si

        return to_si(value, DIMENSIONLESS)


class Kind(ABC):
    """How one distribution is written, read, checked, summarised and sampled.

    A subclass registered with `register` (private: the registry is how it is used) sets `name` (the YAML ``dist:`` value) and
    `spellings` (the parameter sets it may be written with; the default `read` stores
    the first) and implements `mean`, `sample` and `support`.
    """

    name: ClassVar[str]
    spellings: ClassVar[tuple[tuple[str, ...], ...]]
    plain: ClassVar[tuple[str, ...]] = ()  # plain numbers whatever the field's unit

    def read(self, spec: Spec) -> Distribution:
        """The distribution `spec` describes, its parameters in SI."""
        return Distribution(kind=self.name,
                            params={name: spec.param(name) for name in self.spellings[0]})

    def check(self, params: dict[str, float]) -> str | None:
        """What is wrong with these parameters, or None."""
        return None

    @abstractmethod
    def mean(self, d: Distribution) -> float:
        """The expected value of a draw."""

    @abstractmethod
    def sample(self, d: Distribution, rng: np.random.Generator) -> float:
        """One draw with `rng`."""

    @abstractmethod
    def support(self, d: Distribution) -> tuple[float, float]:
        """The smallest and largest value a draw can take (infinite when unbounded)."""

    #: Whether `sample` is a function of one ``rng.random()`` double (see `sample_doubles`).
    draws_one_double: ClassVar[bool] = False

    def sample_doubles(self, d: Distribution, doubles: np.ndarray) -> np.ndarray:
        """`sample` for many draws at once, given the one ``rng.random()`` double each
        uses, computed with the same floating-point operations as numpy's Generator so
        the draws are identical (`tests/engine/test_inputs_block.py` checks them)."""
        raise NotImplementedError(f"{self.name} draws are not one double each")


DISTRIBUTIONS: dict[str, Kind] = {}


def register(cls: type[Kind]) -> type[Kind]:
    """Class decorator: make a distribution available under ``dist: <cls.name>``."""
    DISTRIBUTIONS[cls.name] = cls()
    return cls


def _bounds_problem(p: dict[str, float]) -> str | None:
    if p["low"] > p["high"]:
        return f"low ({p['low']:g}) must not exceed high ({p['high']:g})"
    return None


def _exp(log_value: float) -> float:
    """``exp(log_value)``, or infinity where that overflows (a field's range check then
    refuses it with a message instead of an OverflowError)."""
    try:
        return math.exp(log_value)
    except OverflowError:
        return math.inf


def _pdf(z: float) -> float:
    """The standard normal density; zero (as it underflows to anyway) far in the tails,
    where squaring `z` would overflow."""
    return _STANDARD_NORMAL.pdf(z) if abs(z) < 40.0 else 0.0


def _sd_problem(p: dict[str, float]) -> str | None:
    return None if p["sd"] > 0 else f"sd must be > 0, found {p['sd']:g}"


@register
class _Fixed(Kind):
    """A certain value; drawing it consumes no random numbers."""

    name = "fixed"
    spellings = (("value",),)

    def mean(self, d: Distribution) -> float:
        return d.params["value"]

    def sample(self, d: Distribution, rng: np.random.Generator) -> float:
        return d.params["value"]

    def support(self, d: Distribution) -> tuple[float, float]:
        return d.params["value"], d.params["value"]


@register
class _Uniform(Kind):
    """Uniform between `low` and `high`."""

    name = "uniform"
    spellings = (("low", "high"),)

    def check(self, params: dict[str, float]) -> str | None:
        return _bounds_problem(params)

    def mean(self, d: Distribution) -> float:
        return 0.5 * (d.params["low"] + d.params["high"])

    def sample(self, d: Distribution, rng: np.random.Generator) -> float:
        return float(rng.uniform(d.params["low"], d.params["high"]))

    draws_one_double = True

    def sample_doubles(self, d: Distribution, doubles: np.ndarray) -> np.ndarray:
        # numpy's random_uniform: low + (high - low) * double
        low = d.params["low"]
        return low + (d.params["high"] - low) * doubles

    def support(self, d: Distribution) -> tuple[float, float]:
        return d.params["low"], d.params["high"]


@register
class _Triangular(Kind):
    """Triangular between `low` and `high`, most likely at `mode`."""

    name = "triangular"
    spellings = (("low", "mode", "high"),)

    def check(self, params: dict[str, float]) -> str | None:
        p = params
        if not p["low"] <= p["mode"] <= p["high"]:
            return (
                f"needs low <= mode <= high, found low={p['low']:g}, mode={p['mode']:g}, "
                f"high={p['high']:g} (SI units)"
            )
        if p["low"] == p["high"]:
            return "low and high are equal; write the fixed value instead"
        return None

    def mean(self, d: Distribution) -> float:
        return (d.params["low"] + d.params["mode"] + d.params["high"]) / 3

    def sample(self, d: Distribution, rng: np.random.Generator) -> float:
        return float(rng.triangular(d.params["low"], d.params["mode"], d.params["high"]))

    draws_one_double = True

    def sample_doubles(self, d: Distribution, doubles: np.ndarray) -> np.ndarray:
        # numpy's random_triangular (inverse CDF of the two sides, as it orders the work)
        low, mode, high = d.params["low"], d.params["mode"], d.params["high"]
        base = high - low
        left_base = mode - low
        ratio = left_base / base
        left = low + np.sqrt(doubles * (left_base * base))
        right = high - np.sqrt((1.0 - doubles) * ((high - mode) * base))
        return np.where(doubles <= ratio, left, right)

    def support(self, d: Distribution) -> tuple[float, float]:
        return d.params["low"], d.params["high"]


@register
class _Normal(Kind):
    """Normal with `mean` and standard deviation `sd`; unbounded."""

    name = "normal"
    spellings = (("mean", "sd"),)

    def check(self, params: dict[str, float]) -> str | None:
        return _sd_problem(params)

    def mean(self, d: Distribution) -> float:
        return d.params["mean"]

    def sample(self, d: Distribution, rng: np.random.Generator) -> float:
        return float(rng.normal(d.params["mean"], d.params["sd"]))

    def support(self, d: Distribution) -> tuple[float, float]:
        return -math.inf, math.inf


@register
class _TruncNormal(Kind):
    """A normal (`mean`, `sd`) restricted to [`low`, `high`]."""

    name = "truncnormal"
    spellings = (("mean", "sd", "low", "high"),)

    def check(self, params: dict[str, float]) -> str | None:
        return _sd_problem(params) or _bounds_problem(params)

    def mean(self, d: Distribution) -> float:
        p = d.params
        a, b = (p["low"] - p["mean"]) / p["sd"], (p["high"] - p["mean"]) / p["sd"]
        mass = _STANDARD_NORMAL.cdf(b) - _STANDARD_NORMAL.cdf(a)
        if mass <= 0:
            return min(max(p["mean"], p["low"]), p["high"])
        return p["mean"] + p["sd"] * (_pdf(a) - _pdf(b)) / mass

    def sample(self, d: Distribution, rng: np.random.Generator) -> float:
        """Inverse-CDF draw restricted to [low, high]: one uniform per draw, no rejection."""
        p = d.params
        lo = _STANDARD_NORMAL.cdf((p["low"] - p["mean"]) / p["sd"])
        hi = _STANDARD_NORMAL.cdf((p["high"] - p["mean"]) / p["sd"])
        u = lo + (hi - lo) * rng.random()
        u = min(max(u, 1e-12), 1 - 1e-12)
        return min(max(p["mean"] + p["sd"] * _STANDARD_NORMAL.inv_cdf(u), p["low"]), p["high"])

    def support(self, d: Distribution) -> tuple[float, float]:
        return d.params["low"], d.params["high"]


@register
class _Lognormal(Kind):
    """Lognormal, stored as its `median` and log-space `sigma`.

    Written with a median and a p90, with the log-space `mu` (of the SI value) and
    `sigma`, or with a median and `sigma`.
    """

    name = "lognormal"
    spellings = (("median", "p90"), ("mu", "sigma"), ("median", "sigma"))
    plain = ("mu", "sigma")

    def read(self, spec: Spec) -> Distribution:
        if "mu" in spec.given:
            params = {"median": _exp(spec.param("mu")), "sigma": spec.param("sigma")}
        elif "p90" in spec.given:
            median, p90 = spec.param("median"), spec.param("p90")
            if median <= 0 or p90 <= 0:
                raise ValueError("lognormal median and p90 must be > 0")
            params = {"median": median, "sigma": math.log(p90 / median) / Z90}
        else:
            params = {"median": spec.param("median"), "sigma": spec.param("sigma")}
        return Distribution(kind=self.name, params=params)

    def check(self, params: dict[str, float]) -> str | None:
        if params["median"] <= 0:
            return f"median must be > 0, found {params['median']:g}"
        if params["sigma"] <= 0:
            return "p90 must be above the median (sigma > 0)"
        if params["sigma"] > MAX_LOG_SIGMA:
            return (
                f"sigma must be at most {MAX_LOG_SIGMA:g} (a p90 at most "
                f"{math.exp(MAX_LOG_SIGMA * Z90):.0f} times the median), found {params['sigma']:g}"
            )
        return None

    def mean(self, d: Distribution) -> float:
        return d.params["median"] * math.exp(0.5 * d.params["sigma"] ** 2)

    def sample(self, d: Distribution, rng: np.random.Generator) -> float:
        return float(d.params["median"] * math.exp(d.params["sigma"] * rng.standard_normal()))

    def support(self, d: Distribution) -> tuple[float, float]:
        return math.ulp(0.0), math.inf  # strictly positive


@register
class _Exponential(Kind):
    """Exponential with `mean`."""

    name = "exponential"
    spellings = (("mean",),)

    def check(self, params: dict[str, float]) -> str | None:
        return None if params["mean"] > 0 else f"mean must be > 0, found {params['mean']:g}"

    def mean(self, d: Distribution) -> float:
        return d.params["mean"]

    def sample(self, d: Distribution, rng: np.random.Generator) -> float:
        return float(rng.exponential(d.params["mean"]))

    def support(self, d: Distribution) -> tuple[float, float]:
        return 0.0, math.inf


@register
class _Bernoulli(Kind):
    """1 with probability `p`, else 0."""

    name = "bernoulli"
    spellings = (("p",),)
    plain = ("p",)

    def check(self, params: dict[str, float]) -> str | None:
        p = params["p"]
        return None if 0.0 <= p <= 1.0 else f"p must be a probability in [0, 1], found {p:g}"

    def mean(self, d: Distribution) -> float:
        return d.params["p"]

    def sample(self, d: Distribution, rng: np.random.Generator) -> float:
        return float(rng.random() < d.params["p"])

    draws_one_double = True

    def sample_doubles(self, d: Distribution, doubles: np.ndarray) -> np.ndarray:
        return (doubles < d.params["p"]).astype(np.float64)

    def support(self, d: Distribution) -> tuple[float, float]:
        return 0.0, 1.0


@register
class _Choice(Kind):
    """One of `values`, with probabilities proportional to `weights` (default equal)."""

    name = "choice"
    spellings = (("values",), ("values", "weights"))

    def read(self, spec: Spec) -> Distribution:
        values = spec.given["values"]
        if not isinstance(values, list) or not values:
            raise ValueError("choice needs a non-empty list under 'values'")
        weights = spec.given.get("weights", [1.0] * len(values))
        if not isinstance(weights, list) or len(weights) != len(values):
            raise ValueError("choice 'weights' must be a list as long as 'values'")
        weight_floats = tuple(spec.number(w) for w in weights)
        if any(w < 0 for w in weight_floats) or sum(weight_floats) <= 0:
            raise ValueError("choice weights must be >= 0 with a positive sum")
        return Distribution(
            kind=self.name, values=tuple(spec.to_si(v) for v in values), weights=weight_floats
        )

    def mean(self, d: Distribution) -> float:
        return float(np.dot(d.values, d.weights) / sum(d.weights))

    def sample(self, d: Distribution, rng: np.random.Generator) -> float:
        cumulative = np.cumsum(d.weights)
        index = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
        return d.values[min(index, len(d.values) - 1)]

    def support(self, d: Distribution) -> tuple[float, float]:
        return min(d.values), max(d.values)


def parse_distribution(spec: Mapping[str, Any], to_si: Callable[[Any], float]) -> Distribution:
    """Turn a YAML mapping ``{dist: name, ...}`` into a checked `Distribution`.

    `to_si` converts one parameter to the field's SI unit (and checks its dimension).
    Raises ValueError naming the bad parameter.
    """
    from .errors import did_you_mean

    name = spec.get("dist")
    if not isinstance(name, str) or name not in DISTRIBUTIONS:
        raise ValueError(
            f"unknown distribution {name!r}; " + did_you_mean(str(name), DISTRIBUTIONS)
        )
    kind = DISTRIBUTIONS[name]
    given = tuple(k for k in spec if k != "dist")
    if set(given) not in [set(s) for s in kind.spellings]:
        wanted = " or ".join("{" + ", ".join(s) + "}" for s in kind.spellings)
        raise ValueError(f"{name} takes {wanted}, found {{{', '.join(given)}}}")
    dist = kind.read(Spec(name, kind, spec, to_si))
    problem = kind.check(dist.params)
    if problem:
        raise ValueError(f"{name}: {problem}")
    return dist


def support(d: Distribution) -> tuple[float, float]:
    """The smallest and largest value a draw can take (infinite when unbounded)."""
    return DISTRIBUTIONS[d.kind].support(d)
