"""Uncertain inputs: distribution specs read from the scenario and their samplers.

Any numeric field of a scenario may be a plain quantity (``6 h``) or a mapping such as
``{dist: triangular, low: 2 h, mode: 4 h, high: 8 h}``. At load time the mapping is
checked and converted to a `Distribution` whose parameters are SI floats; the engine
then draws from it with a named random stream. A small registry maps each YAML name to
its parameters, checks and sampler, so adding a distribution is one entry, not an
if-chain spread over the code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, model_serializer

_STANDARD_NORMAL = NormalDist()
Z90 = _STANDARD_NORMAL.inv_cdf(0.9)  # 1.2816: p90 of a standard normal


class Distribution(BaseModel):
    """A parsed distribution: its registry name and SI parameters."""

    model_config = ConfigDict(frozen=True)

    kind: str
    params: dict[str, float] = {}
    values: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()

    @property
    def is_fixed(self) -> bool:
        return self.kind == "fixed"

    @property
    def mean(self) -> float:
        """Expected value, used where a plan needs one number (route choice)."""
        return KINDS[self.kind].mean(self)

    def sample(self, rng: np.random.Generator) -> float:
        """One draw with `rng`; a fixed value consumes no random numbers."""
        return KINDS[self.kind].sample(self, rng)

    @model_serializer
    def _serialise(self) -> Any:
        if self.kind == "fixed":
            return self.params["value"]
        out: dict[str, Any] = {"dist": self.kind, **self.params}
        if self.values:
            out["values"] = list(self.values)
            out["weights"] = list(self.weights)
        return out


def fixed(value: float) -> Distribution:
    return Distribution(kind="fixed", params={"value": float(value)})


@dataclass(frozen=True)
class Kind:
    """How one distribution is written, checked, summarised and sampled."""

    params: tuple[str, ...]
    check: Callable[[dict[str, float]], str | None]
    mean: Callable[[Distribution], float]
    sample: Callable[[Distribution, np.random.Generator], float]


def _no_check(_: dict[str, float]) -> None:
    return None


def _check_uniform(p: dict[str, float]) -> str | None:
    if p["low"] > p["high"]:
        return f"low ({p['low']:g}) must not exceed high ({p['high']:g})"
    return None


def _check_triangular(p: dict[str, float]) -> str | None:
    if not p["low"] <= p["mode"] <= p["high"]:
        return (
            f"needs low <= mode <= high, found low={p['low']:g}, mode={p['mode']:g}, "
            f"high={p['high']:g} (SI units)"
        )
    if p["low"] == p["high"]:
        return "low and high are equal; write the fixed value instead"
    return None


def _check_normal(p: dict[str, float]) -> str | None:
    return None if p["sd"] > 0 else f"sd must be > 0, found {p['sd']:g}"


def _check_truncnormal(p: dict[str, float]) -> str | None:
    return _check_normal(p) or _check_uniform(p)


def _check_exponential(p: dict[str, float]) -> str | None:
    return None if p["mean"] > 0 else f"mean must be > 0, found {p['mean']:g}"


def _check_bernoulli(p: dict[str, float]) -> str | None:
    return None if 0.0 <= p["p"] <= 1.0 else f"p must be a probability in [0, 1], found {p['p']:g}"


def _check_lognormal(p: dict[str, float]) -> str | None:
    if p["median"] <= 0:
        return f"median must be > 0, found {p['median']:g}"
    if p["sigma"] <= 0:
        return "p90 must be above the median (sigma > 0)"
    return None


def _truncnormal_sample(d: Distribution, rng: np.random.Generator) -> float:
    """Inverse-CDF draw restricted to [low, high]: one uniform per draw, no rejection."""
    p = d.params
    lo = _STANDARD_NORMAL.cdf((p["low"] - p["mean"]) / p["sd"])
    hi = _STANDARD_NORMAL.cdf((p["high"] - p["mean"]) / p["sd"])
    u = lo + (hi - lo) * rng.random()
    u = min(max(u, 1e-12), 1 - 1e-12)
    return min(max(p["mean"] + p["sd"] * _STANDARD_NORMAL.inv_cdf(u), p["low"]), p["high"])


def _truncnormal_mean(d: Distribution) -> float:
    p = d.params
    a, b = (p["low"] - p["mean"]) / p["sd"], (p["high"] - p["mean"]) / p["sd"]
    mass = _STANDARD_NORMAL.cdf(b) - _STANDARD_NORMAL.cdf(a)
    if mass <= 0:
        return min(max(p["mean"], p["low"]), p["high"])
    return p["mean"] + p["sd"] * (_STANDARD_NORMAL.pdf(a) - _STANDARD_NORMAL.pdf(b)) / mass


def _choice_sample(d: Distribution, rng: np.random.Generator) -> float:
    cumulative = np.cumsum(d.weights)
    index = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
    return d.values[min(index, len(d.values) - 1)]


KINDS: dict[str, Kind] = {
    "fixed": Kind(
        ("value",), _no_check, lambda d: d.params["value"], lambda d, r: d.params["value"]
    ),
    "uniform": Kind(
        ("low", "high"),
        _check_uniform,
        lambda d: 0.5 * (d.params["low"] + d.params["high"]),
        lambda d, r: float(r.uniform(d.params["low"], d.params["high"])),
    ),
    "triangular": Kind(
        ("low", "mode", "high"),
        _check_triangular,
        lambda d: (d.params["low"] + d.params["mode"] + d.params["high"]) / 3,
        lambda d, r: float(r.triangular(d.params["low"], d.params["mode"], d.params["high"])),
    ),
    "normal": Kind(
        ("mean", "sd"),
        _check_normal,
        lambda d: d.params["mean"],
        lambda d, r: float(r.normal(d.params["mean"], d.params["sd"])),
    ),
    "truncnormal": Kind(
        ("mean", "sd", "low", "high"), _check_truncnormal, _truncnormal_mean, _truncnormal_sample
    ),
    "lognormal": Kind(
        ("median", "sigma"),
        _check_lognormal,
        lambda d: d.params["median"] * math.exp(0.5 * d.params["sigma"] ** 2),
        lambda d, r: float(d.params["median"] * math.exp(d.params["sigma"] * r.standard_normal())),
    ),
    "exponential": Kind(
        ("mean",),
        _check_exponential,
        lambda d: d.params["mean"],
        lambda d, r: float(r.exponential(d.params["mean"])),
    ),
    "bernoulli": Kind(
        ("p",),
        _check_bernoulli,
        lambda d: d.params["p"],
        lambda d, r: float(r.random() < d.params["p"]),
    ),
    "choice": Kind(
        (),
        _no_check,
        lambda d: float(np.dot(d.values, d.weights) / sum(d.weights)),
        _choice_sample,
    ),
}

# Parameters that are plain numbers whatever the field's unit: a probability, and the
# log-space mu and sigma of a lognormal (mu is the log of the SI value).
_DIMENSIONLESS_PARAMS = ("p", "mu", "sigma")

# How each kind may be written in YAML when that differs from its stored parameters.
_SPELLINGS: dict[str, list[tuple[str, ...]]] = {
    "lognormal": [("median", "p90"), ("mu", "sigma"), ("median", "sigma")],
    "choice": [("values",), ("values", "weights")],
}


def parse_distribution(spec: Mapping[str, Any], to_si: Callable[[Any], float]) -> Distribution:
    """Turn a YAML mapping ``{dist: name, ...}`` into a checked `Distribution`.

    `to_si` converts one parameter to the field's SI unit (and checks its dimension).
    Raises ValueError naming the bad parameter.
    """
    from .errors import did_you_mean
    from .units import DIMENSIONLESS
    from .units import to_si as convert

    def to_si_dimensionless(value: Any) -> float:
        return convert(value, DIMENSIONLESS)

    kind_name = spec.get("dist")
    if not isinstance(kind_name, str) or kind_name not in KINDS:
        raise ValueError(
            f"unknown distribution {kind_name!r}; " + did_you_mean(str(kind_name), KINDS)
        )
    kind = KINDS[kind_name]
    given = tuple(k for k in spec if k != "dist")
    spellings = _SPELLINGS.get(kind_name, [kind.params])
    if set(given) not in [set(s) for s in spellings]:
        wanted = " or ".join("{" + ", ".join(s) + "}" for s in spellings)
        raise ValueError(f"{kind_name} takes {wanted}, found {{{', '.join(given)}}}")

    def param(name: str) -> float:
        try:
            if name in _DIMENSIONLESS_PARAMS:
                return to_si_dimensionless(spec[name])
            return to_si(spec[name])
        except ValueError as error:
            raise ValueError(f"{kind_name} parameter '{name}': {error}") from None

    if kind_name == "choice":
        values = spec["values"]
        if not isinstance(values, list) or not values:
            raise ValueError("choice needs a non-empty list under 'values'")
        weights = spec.get("weights", [1.0] * len(values))
        if not isinstance(weights, list) or len(weights) != len(values):
            raise ValueError("choice 'weights' must be a list as long as 'values'")
        weight_floats = tuple(to_si_dimensionless(w) for w in weights)
        if any(w < 0 for w in weight_floats) or sum(weight_floats) <= 0:
            raise ValueError("choice weights must be >= 0 with a positive sum")
        return Distribution(
            kind="choice", values=tuple(to_si(v) for v in values), weights=weight_floats
        )

    if kind_name == "lognormal":
        if "mu" in spec:
            params = {"median": math.exp(param("mu")), "sigma": param("sigma")}
        elif "p90" in spec:
            median, p90 = param("median"), param("p90")
            if median <= 0 or p90 <= 0:
                raise ValueError("lognormal median and p90 must be > 0")
            params = {"median": median, "sigma": math.log(p90 / median) / Z90}
        else:
            params = {"median": param("median"), "sigma": param("sigma")}
    else:
        params = {name: param(name) for name in kind.params}
    problem = kind.check(params)
    if problem:
        raise ValueError(f"{kind_name}: {problem}")
    return Distribution(kind=kind_name, params=params)


def support(d: Distribution) -> tuple[float, float]:
    """The smallest and largest value a draw can take (infinite when unbounded)."""
    p = d.params
    match d.kind:
        case "fixed":
            return p["value"], p["value"]
        case "uniform" | "triangular" | "truncnormal":
            return p["low"], p["high"]
        case "lognormal":
            return math.ulp(0.0), math.inf  # strictly positive
        case "exponential":
            return 0.0, math.inf
        case "bernoulli":
            return 0.0, 1.0
        case "choice":
            return min(d.values), max(d.values)
    return -math.inf, math.inf
