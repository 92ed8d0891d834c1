"""Which knowledge inputs drive the risk: variance-based (Sobol') sensitivity indices.

`infrasim sensitivity FILE --method sobol -n N` samples the knowledge inputs with
Saltelli's scheme (Saltelli 2002; Saltelli et al. 2010, the estimators SALib's
``sobol.analyze`` implements) on the unit cube, maps the points through each input's
quantile function (`montecarlo.knowledge.quantiles`), runs each point's chance
replications as one two-layer run, and reads the indices from each point's expected
outcome. The first-order index S1 of an input is the share of the outcome's variance
that the input explains alone; its total index ST adds every interaction it takes part
in (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, ch. 4). Intervals are
SALib's bootstrap ones (95 %). The chance layer's noise in each point's mean adds
variance no input explains, so indices shrink as chance replications per point fall.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["RESAMPLES", "SobolIndices", "run_indices", "saltelli_points", "sobol_indices",
           "unit_problem"]

RESAMPLES = 200  # bootstrap resamples behind each interval


def unit_problem(names: Sequence[str]) -> dict:
    """SALib's description of inputs `names`, each on [0, 1]: designs stay on the unit
    cube and each input's quantile function maps them to values."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def saltelli_points(names: Sequence[str], base: int, seed: int) -> np.ndarray:
    """Saltelli's design for first-order and total indices of `names` on the unit cube:
    ``base * (len(names) + 2)`` points (`base` a power of 2, as Sobol' sequences want)."""
    from SALib.sample import sobol

    return sobol.sample(unit_problem(names), base, calc_second_order=False, seed=seed)


@dataclass(frozen=True)
class SobolIndices:
    """One input's first-order and total indices for one outcome, each with the half
    width of its 95 % bootstrap interval."""

    input: str
    label: str
    first: float
    first_half: float
    total: float
    total_half: float


def sobol_indices(names: Sequence[str], values: np.ndarray, seed: int, *,
                  labels: Mapping[str, str] | None = None) -> list[SobolIndices]:
    """The indices of `names` from an outcome's `values` at `saltelli_points` (in their
    order), largest total index first."""
    from SALib.analyze import sobol

    found = sobol.analyze(unit_problem(names), np.asarray(values, dtype=np.float64),
                          calc_second_order=False, num_resamples=RESAMPLES,
                          conf_level=0.95, seed=seed)
    labels = labels or {}
    rows = [SobolIndices(name, labels.get(name, name), float(found["S1"][i]),
                         float(found["S1_conf"][i]), float(found["ST"][i]),
                         float(found["ST_conf"][i]))
            for i, name in enumerate(names)]
    return sorted(rows, key=lambda r: -np.nan_to_num(r.total))



def run_indices(outcomes: Mapping[str, np.ndarray], manifest: Mapping, catalogue,
                names: Sequence[str]) -> dict[str, list[SobolIndices]]:
    """The indices of each of `names` (those `design_means` keeps) from a stored
    Saltelli run (``infrasim sensitivity --method sobol``)."""
    from .knowledge import design_means

    inputs = list(manifest["knowledge"]["inputs"])
    labels = {p: catalogue.label("input." + p) for p in inputs}
    seed = int(manifest.get("seed") or 0)
    return {name: sobol_indices(inputs, column, seed, labels=labels) for name, column in
            design_means(outcomes, manifest["knowledge"], catalogue, names).items()}
