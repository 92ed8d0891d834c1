"""Screening many knowledge inputs cheaply: Morris's elementary effects.

Sobol' indices need ``N x (inputs + 2)`` points; with dozens of knowledge inputs a
cheaper first look is Morris's one-at-a-time design (Morris 1991) with Campolongo et al.
(2007)'s mu* (the mean absolute elementary effect), as SALib implements them: ``N``
trajectories of ``inputs + 1`` points on a grid of 4 levels, each step moving one input.
`infrasim sensitivity --method morris` runs each point's chance replications and reads
each input's mu* (the outcome's mean absolute change when the input moves across the
span of its levels, in the outcome's unit) and sigma (the spread of those effects: large
for an input whose effect depends on the others or is non-linear). The levels span each
input's 5th to 95th percentile (`LEVELS_SPAN`), so an unbounded input has finite levels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .sobol import unit_problem

__all__ = ["LEVELS", "LEVELS_SPAN", "MorrisEffect", "morris_effects", "morris_points",
           "run_effects", "to_quantiles"]

LEVELS = 4
LEVELS_SPAN = (0.05, 0.95)  # the quantiles of each input the levels run between
RESAMPLES = 200  # bootstrap resamples behind mu*'s interval


def morris_points(names: Sequence[str], trajectories: int, seed: int) -> np.ndarray:
    """The design on the unit cube, ``trajectories x (len(names) + 1)`` points."""
    from SALib.sample import morris

    return morris.sample(unit_problem(names), trajectories, num_levels=LEVELS, seed=seed)


def to_quantiles(points: np.ndarray) -> np.ndarray:
    """Unit-cube points as the quantiles of each input they stand for (`LEVELS_SPAN`)."""
    low, high = LEVELS_SPAN
    return low + (high - low) * np.asarray(points, dtype=np.float64)


@dataclass(frozen=True)
class MorrisEffect:
    """One input's mu* (with its 95 % bootstrap half-width) and sigma, for one outcome."""

    input: str
    label: str
    mu_star: float
    mu_star_half: float
    sigma: float


def morris_effects(names: Sequence[str], points: np.ndarray, values: np.ndarray, seed: int,
                   *, labels: Mapping[str, str] | None = None) -> list[MorrisEffect]:
    """The effects of `names` from an outcome's `values` at `points` (`morris_points`),
    largest mu* first."""
    from SALib.analyze import morris

    found = morris.analyze(unit_problem(names), np.asarray(points, dtype=np.float64),
                           np.asarray(values, dtype=np.float64), num_resamples=RESAMPLES,
                           conf_level=0.95, num_levels=LEVELS, seed=seed)
    labels = labels or {}
    rows = [MorrisEffect(name, labels.get(name, name), float(found["mu_star"][i]),
                         float(found["mu_star_conf"][i]), float(found["sigma"][i]))
            for i, name in enumerate(names)]
    return sorted(rows, key=lambda r: -np.nan_to_num(r.mu_star))


def run_effects(outcomes: Mapping[str, np.ndarray], manifest: Mapping, catalogue,
                names: Sequence[str]) -> dict[str, list[MorrisEffect]]:
    """The effects of each of `names` (those `design_means` keeps) from a stored Morris
    run (``infrasim sensitivity --method morris``); its unit-cube points are drawn again
    from the run's seed, as `morris_points` drew them."""
    from .knowledge import design_means

    design = manifest["knowledge"]
    inputs = list(design["inputs"])
    seed = int(manifest.get("seed") or 0)
    points = morris_points(inputs, design["samples"] // (len(inputs) + 1), seed)
    labels = {p: catalogue.label("input." + p) for p in inputs}
    return {name: morris_effects(inputs, points, column, seed, labels=labels)
            for name, column in design_means(outcomes, design, catalogue, names).items()}
