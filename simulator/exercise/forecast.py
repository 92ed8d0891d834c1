"""Branch forecasts at a decision point: what each option leads to, from the story's past.

For one decision at time ``t`` of a story (scenario, seed, replication K), every option
gets the same few hundred branch replications (common random numbers: the same seed and
replication indices for every option, so differences between options are differences
of the options, not of luck). A branch keeps what the story has *observed* by ``t``
(pinned to the story's values, see `realised`) and draws everything else fresh from its
own streams; a branch is kept only if it reproduces the story's timeline before ``t``
exactly, which conditions activities still under way (a column still halted at Anah, an
engagement still going) on not having ended yet. The acceptance test runs once per
branch on the scenario as it stands before the decision (options only act from ``t``
on, which the session checks), then every option runs the accepted branches with its
overrides and consequences.

Rejection is exact but can be slow when the story's past is unlikely (an engagement that
has lasted far longer than most would). At most ATTEMPTS_PER_BRANCH candidates are tried
per wanted branch (a pilot of PILOT detects a hopeless rate early); when too few fit,
the forecast falls back to keeping the story's draws of the activities under way as well
(``conditioning == "pinned"``), which reproduces the past by construction but tells the
forecast how long those activities last. The forecast records which was done.

The branch root seed is derived from the story's seed, replication and the decision id
(`forecast_seed`), so the same story and decisions always give the same forecast, and the
branches are independent of the story's own replication.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..analysis.catalogue import Catalogue
from ..engine import PreparedScenario, prepare, simulate
from ..engine.record import Event, Replication
from ..engine.rng import seed_sequence
from ..scenario.schema import Scenario
from .realised import Realised, past, realised_inputs, same_past

__all__ = ["Driver", "Forecast", "OptionForecast", "branch_forecast", "fatalities_if_breach",
           "forecast_seed", "top_driver"]

LEVEL = 0.95
ATTEMPTS_PER_BRANCH = 4  # candidates tried per wanted branch before giving up on rejection
PILOT = 50  # candidates after which a hopeless acceptance rate is detected
METRICS = ("dam_captured", "breach_started", "fatalities", "added_unserved_energy_mwh")
DRIVEN = ("dam_captured", "breach_started")  # the outcomes whose top driver is named


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95 % confidence interval (Wilson for probabilities, t otherwise)."""

    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class Driver:
    """The input that moves an outcome most among an option's branches: the widest decile
    swing (`analysis.sensitivity.decile_swing`) whose 95 % interval excludes 0. Inputs
    the story has observed are pinned, so only what is still uncertain can drive."""

    outcome: str
    input: str
    label: str  # the input's catalogue label
    low_mean: float  # the outcome's mean where the input is in its lowest decile (or 0)
    high_mean: float  # ... in its highest (or 1)


@dataclass(frozen=True)
class OptionForecast:
    """The branches of one option: estimates of the key outcomes and, against the
    reference option, the paired difference in expected fatalities."""

    option: str
    p_captured: Estimate
    p_breach: Estimate
    fatalities: Estimate
    unserved_mwh: Estimate  # above the grid's shortfall without any attack
    fatalities_vs_reference: Estimate | None  # None for the reference itself
    values: dict[str, np.ndarray] = field(repr=False, compare=False)
    driver: Driver | None = None  # None: no input moves P(capture) or P(breach) clearly


def top_driver(values: Mapping[str, np.ndarray], catalogue: Catalogue) -> Driver | None:
    """The first outcome of `DRIVEN` with a clear decile swing among the branches, and the
    input with the widest such swing; None when there is none."""
    from ..analysis.sensitivity import decile_swing

    for outcome in DRIVEN:
        if outcome not in values:
            continue
        for swing in decile_swing(values, outcome):
            if swing.swing_low > 0 or swing.swing_high < 0:
                return Driver(outcome, swing.input, catalogue.label(swing.input),
                              swing.low_mean, swing.high_mean)
    return None


@dataclass(frozen=True)
class Forecast:
    """Everything the group saw at one decision point."""

    decision: str
    time_s: float
    seed: int  # branch root seed
    wanted: int
    branches: tuple[int, ...]  # accepted replication indices, shared by every option
    attempts: int
    reference: str | None
    options: dict[str, OptionForecast]
    realised: Realised
    seconds: float
    # "rejection": activities under way drawn afresh, branches that contradict the story
    # rejected; "pinned": too few fresh branches fitted (`rejected`: (kept, tried)), so
    # the activities under way keep the story's draws as well
    conditioning: str = "rejection"
    rejected: tuple[int, int] | None = None
    pinned: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def count(self) -> int:
        """Branches per option: the accepted replications every option shares."""
        return len(self.branches)


def fatalities_if_breach(result: OptionForecast) -> tuple[Estimate | None, int]:
    """Fatalities over an option's branches in which the dam breaches ("if the dam
    breaks"), beside the expected value over all branches, which is mostly 0; and how
    many branches breached. None when none did; a single one has no interval (NaN)."""
    breached = result.values["breach_started"] > 0
    fatalities = result.values["fatalities"][breached]
    fatalities = fatalities[np.isfinite(fatalities)]
    if fatalities.size == 0:
        return None, int(breached.sum())
    if fatalities.size == 1:
        return Estimate(float(fatalities[0]), math.nan, math.nan), 1
    estimate = _estimate_mean(fatalities)
    return Estimate(estimate.mean, max(estimate.low, 0.0), estimate.high), int(breached.sum())


def forecast_seed(seed: int, replication: int, decision: str) -> int:
    """The root seed of a decision's branches: a function of the story and the decision
    only (the named-stream construction of the engine, 63 bits)."""
    state = seed_sequence(seed, replication, f"exercise.forecast.{decision}").generate_state(
        2, np.uint32)
    return (int(state[0]) << 31) ^ int(state[1])


def _estimate_probability(values: np.ndarray) -> Estimate:
    from ..analysis.stats import mean_ci

    ci = mean_ci(values, LEVEL, method="wilson")
    return Estimate(ci.mean, ci.low, ci.high)


def _estimate_mean(values: np.ndarray) -> Estimate:
    from ..analysis.stats import mean_ci

    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return Estimate(math.nan, math.nan, math.nan)
    if finite.size > 1 and np.all(finite == finite[0]):
        return Estimate(float(finite[0]), float(finite[0]), float(finite[0]))
    ci = mean_ci(finite, LEVEL, method="t")
    return Estimate(ci.mean, ci.low, ci.high)


def _paired(reference: np.ndarray, other: np.ndarray) -> Estimate:
    from ..analysis.compare import paired_difference

    difference = other - reference
    if difference.size > 1 and np.all(difference == difference[0]):
        return Estimate(float(difference[0]), float(difference[0]), float(difference[0]))
    mean, low, high = paired_difference(reference, other, LEVEL)
    return Estimate(mean, low, high)


def accepted_branches(scenario: Scenario | PreparedScenario, seen: Sequence[Event], time_s: float,
                      pinned: Mapping[str, float], seed: int, wanted: int,
                      max_attempts: int) -> tuple[list[int], int]:
    """Replication indices (from 0 up) whose branch, with `pinned` inputs, reproduces the
    `seen` past; at most `wanted`, trying at most `max_attempts` indices, and giving up
    early once a pilot shows that the budget cannot be met. Returns (accepted, tried)."""
    scenario = prepare(scenario, consequences=False)
    accepted: list[int] = []
    tried = 0
    pilot = min(wanted, PILOT)
    while len(accepted) < wanted and tried < max_attempts:
        branch = tried
        tried += 1
        if time_s <= 0:  # nothing can have happened yet
            accepted.append(branch)
            continue
        trial = simulate(scenario, seed, branch, timeline=True, consequences=False,
                         pinned=pinned)
        if same_past(seen, trial.timeline, time_s):
            accepted.append(branch)
        if tried == pilot and accepted and wanted * tried / len(accepted) > max_attempts * 1.2:
            break  # at this acceptance rate the budget would not be enough
        if tried == pilot and not accepted:
            break
    return accepted, tried


def branch_forecast(scenario: Scenario, story: Replication, time_s: float,
                    options: Mapping[str, Scenario], wanted: int, decision: str, *,
                    seen: Sequence[Event] | None = None,
                    reference: str | None = None) -> Forecast:
    """Forecast every option (option id -> the scenario with its overrides, decision
    time `time_s` resolved) from the past of `story`, a replication of `scenario` with
    its timeline: the `seen` events (default: all before `time_s`). `reference` names
    the option the others are compared with (default: the first)."""
    started = time.perf_counter()
    seen = tuple(seen) if seen is not None else past(story.timeline, time_s)
    realised = realised_inputs(scenario, story, seen, time_s)
    engine = prepare(scenario, consequences=False)
    seed = forecast_seed(story.seed, story.replication, decision)
    pinned = dict(realised.pinned)
    branches, attempts = accepted_branches(engine, seen, time_s, pinned, seed, wanted,
                                           wanted * ATTEMPTS_PER_BRANCH)
    conditioning = "rejection"
    if len(branches) < wanted and realised.under_way:
        # Too few fresh branches reproduce the story: keep the story's draws of the
        # activities under way too (the forecast then knows how long they last).
        conditioning = "pinned"
        rejected = (len(branches), attempts)
        table = engine.inputs
        story_values = table.draw_by_path(story.seed, story.replication)
        pinned.update({path: story_values[path] for path in realised.under_way})
        branches, tried = accepted_branches(engine, seen, time_s, pinned, seed, wanted,
                                            wanted * ATTEMPTS_PER_BRANCH)
        attempts = tried
    else:
        rejected = None
    columns: dict[str, dict[str, np.ndarray]] = {}
    for option, option_scenario in options.items():
        prepared = prepare(option_scenario)
        rows = [simulate(prepared, seed, branch, pinned=pinned).outcomes
                for branch in branches]
        inputs = [name for name in (rows[0] if rows else {}) if name.startswith("input.")]
        columns[option] = {name: np.array([row.get(name, math.nan) for row in rows], dtype=float)
                           for name in (*METRICS, *inputs)}
    if reference not in columns:
        reference = next(iter(columns), None)
    forecasts = {}
    catalogue = Catalogue(scenario)
    for option, values in columns.items():
        versus = None
        if reference is not None and option != reference and branches:
            versus = _paired(columns[reference]["fatalities"], values["fatalities"])
        forecasts[option] = OptionForecast(
            option=option,
            p_captured=_estimate_probability(values["dam_captured"]),
            p_breach=_estimate_probability(values["breach_started"]),
            fatalities=_estimate_mean(values["fatalities"]),
            unserved_mwh=_estimate_mean(values["added_unserved_energy_mwh"]),
            fatalities_vs_reference=versus,
            values=values,
            driver=top_driver(values, catalogue),
        )
    return Forecast(decision, time_s, seed, wanted, tuple(branches), attempts, reference,
                    forecasts, realised, time.perf_counter() - started, conditioning,
                    rejected, pinned)
