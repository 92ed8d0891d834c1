"""The knowledge loop of a two-layer run: which values the knowledge inputs take, sample by sample.

A two-layer run (``infrasim run FILE --knowledge M -n N``) is M knowledge samples times
N chance replications. Replication k of the run is chance replication ``k % N`` of
knowledge sample ``k // N``: the knowledge inputs are pinned to the sample's values
(`InputTable.draw` still draws every stream in full) and the chance inputs are those of
replication ``k % N`` of a plain run. Every knowledge sample therefore sees the same
chance draws (common random numbers), so the spread between samples is the knowledge
layer's alone, and fixing every knowledge input leaves no spread at all.

The samples are a Latin hypercube (McKay, Beckman & Conover 1979; `scipy.stats.qmc`)
on the unit cube, seeded from the run's seed, mapped through each input's quantile
function. Inputs have many kinds of distribution (and a failure mode's occurrence is a
probability), so the quantile function is the empirical one of `QUANTILE_DRAWS` draws
from the input's own sampler: one rule for every kind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..analysis.knowledge import KNOWLEDGE_SAMPLE
from ..engine.rng import stream
from ..scenario.distributions import Distribution

__all__ = ["KNOWLEDGE_SAMPLE", "QUANTILE_DRAWS", "KnowledgeDesign", "latin_hypercube",
           "quantiles"]

#: Draws behind each empirical quantile function: its quantiles are then within about
#: 0.005 in probability of the exact ones (the standard error of a share, 0.5 / sqrt(n)).
QUANTILE_DRAWS = 8192


def _draw(spec: Any, rng: np.random.Generator) -> float:
    """One draw of an input specification (`scenario.inputs.Spec`: a distribution, or a
    probability of occurrence), as `InputTable` draws it."""
    if isinstance(spec, Distribution):
        return spec.sample(rng)
    return float(rng.random() < spec)


def quantiles(specs: Mapping[str, Any], paths: Sequence[str], unit: np.ndarray,
              seed: int) -> np.ndarray:
    """The points `unit` (rows of the unit cube, a column per path) mapped through each
    input's empirical quantile function: a table of input values, a column per path."""
    unit = np.asarray(unit, dtype=np.float64)
    values = np.empty_like(unit)
    for j, path in enumerate(paths):
        rng = stream(seed, 0, f"knowledge.quantiles.{path}")
        sample = np.fromiter((_draw(specs[path], rng) for _ in range(QUANTILE_DRAWS)),
                             np.float64, QUANTILE_DRAWS)
        values[:, j] = np.quantile(sample, unit[:, j], method="inverted_cdf")
    return values


def latin_hypercube(specs: Mapping[str, Any], paths: Sequence[str], samples: int,
                    seed: int) -> np.ndarray:
    """`samples` Latin-hypercube points of the inputs `paths`, as their values."""
    if not paths:
        return np.empty((samples, 0))
    # scipy.stats takes a second to import: only the process that designs a run pays it,
    # never a worker that runs replications (this module is imported by the runner's).
    from scipy.stats import qmc

    sampler = qmc.LatinHypercube(d=len(paths), rng=stream(seed, 0, "knowledge.design"))
    return quantiles(specs, paths, sampler.random(samples), seed)


@dataclass(frozen=True)
class KnowledgeDesign:
    """The knowledge samples of a two-layer run: each sample's values of the knowledge
    inputs `paths` (a row of `values`), and the chance replications run for each."""

    paths: tuple[str, ...]
    values: np.ndarray  # float64, (samples, len(paths))
    chance: int  # chance replications per knowledge sample
    method: str = "latin hypercube"

    @classmethod
    def for_scenario(cls, scenario: Any, samples: int, chance: int, seed: int,
                     paths: Sequence[str] | None = None) -> KnowledgeDesign:
        """A Latin-hypercube design over the knowledge inputs of `scenario` (or over
        `paths`, any of its random inputs)."""
        from ..scenario.inputs import input_specs, random_input_paths
        from ..scenario.layers import Layers

        if paths is None:
            paths = Layers.of(scenario, random_input_paths(scenario)).knowledge
        values = latin_hypercube(input_specs(scenario), paths, samples, seed)
        return cls(tuple(paths), values, chance)

    @property
    def samples(self) -> int:
        """How many knowledge samples."""
        return int(self.values.shape[0])

    @property
    def replications(self) -> int:
        """Replications of the whole run: samples times chance replications."""
        return self.samples * self.chance

    def split(self, replication: int) -> tuple[int, int]:
        """(knowledge sample, chance replication) of run replication `replication`."""
        return divmod(replication, self.chance)

    def pinned(self, sample: int) -> dict[str, float]:
        """The knowledge inputs' values in sample `sample`, for `InputTable.draw`."""
        return dict(zip(self.paths, self.values[sample].tolist(), strict=True))

    def as_json(self) -> dict[str, Any]:
        """What the manifest records: the whole design, so a resume can check it is the
        same and a replay (or a later analysis) can read each sample's values."""
        return {"samples": self.samples, "chance_replications": self.chance,
                "method": self.method, "inputs": list(self.paths),
                "values": self.values.tolist()}

    @classmethod
    def from_json(cls, recorded: Mapping[str, Any]) -> KnowledgeDesign:
        """The design a manifest records (`as_json`)."""
        values = np.asarray(recorded["values"], dtype=np.float64).reshape(
            int(recorded["samples"]), len(recorded["inputs"]))
        return cls(tuple(recorded["inputs"]), values, int(recorded["chance_replications"]),
                   recorded["method"])

    def replicate(self, simulate: Callable[..., Any], scenario: Any, seed: int,
                  replication: int, **options: Any) -> Any:
        """Run replication `replication` of the two-layer run with `simulate`: its
        chance replication with the knowledge inputs pinned to its sample's values. The
        record carries the run's index and the sample (outcome `KNOWLEDGE_SAMPLE`)."""
        sample, chance = self.split(replication)
        record = simulate(scenario, seed, chance, pinned=self.pinned(sample), **options)
        outcomes = {**record.outcomes, KNOWLEDGE_SAMPLE: float(sample)}
        return dataclasses.replace(record, replication=replication, outcomes=outcomes)
