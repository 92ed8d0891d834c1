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
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..analysis.catalogue import Catalogue
from ..engine import PreparedScenario, prepare
from ..engine.record import Event, Replication
from ..engine.rng import seed_sequence
from ..scenario.schema import Scenario
from .branches import BranchRunner, BranchWork, Trial, unchanged_option
from .realised import Realised, past, realised_inputs

__all__ = ["Driver", "Forecast", "OptionForecast", "branch_forecast", "fatalities_if_breach",
           "forecast_seed", "top_driver"]

LEVEL = 0.95
ATTEMPTS_PER_BRANCH = 4  # candidates tried per wanted branch before giving up on rejection
PILOT = 50  # candidates after which a hopeless acceptance rate is detected
MARGIN = 1.1  # candidates handed out per candidate the acceptance rate says is needed
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
        for swing in decile_swing(values, outcome, spearman=False):
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
    work = BranchWork(prepare(scenario, consequences=False), {}, tuple(seen), time_s, seed, ())
    accepted, tried, _ = _accepted(BranchRunner(work), pinned, wanted, max_attempts)
    return accepted, tried


def _accepted(runner: BranchRunner, pinned: Mapping[str, float], wanted: int,
              max_attempts: int) -> tuple[list[int], int, list[dict[str, dict[str, float]]]]:
    """`accepted_branches` on the runner's work, with every option's outcomes of each
    accepted branch (`BranchWork.trials`). At time 0 nothing can have happened yet and
    every candidate is accepted untested. The candidates are read in order, one at a
    time, so the branches kept and the candidates counted do not depend on how they were
    handed out (`_verdicts`) or run."""
    tested = runner.work.time_s > 0
    accepted: list[int] = []
    rows: list[dict[str, dict[str, float]]] = []
    tried = 0
    pilot = min(wanted, PILOT)
    verdicts = _verdicts(runner, pinned, wanted, pilot, max_attempts)
    while len(accepted) < wanted and tried < max_attempts:
        branch = tried
        tried += 1
        fits, outcomes = next(verdicts)
        if fits:
            accepted.append(branch)
            rows.append(outcomes)
        if tested and tried == pilot and (
                not accepted or wanted * tried / len(accepted) > max_attempts * 1.2):
            break  # at this acceptance rate the budget would not be enough
    return accepted, tried, rows


def _verdicts(runner: BranchRunner, pinned: Mapping[str, float], wanted: int, pilot: int,
              max_attempts: int) -> Iterator[Trial]:
    """Candidate 0, 1, ... in order, handed out to the runner in chunks as they are
    read: as many as the acceptance rate so far says are still needed, and a margin, so
    that the workers seldom wait for the last ones (the pilot while none has been kept;
    all wanted, untested, at time 0); never more than `runner.ahead` beyond those read
    nor beyond `max_attempts`."""
    tested = runner.work.time_s > 0
    handed_out: deque[Callable[[], list[Trial]]] = deque()
    handed = read = kept = 0
    while True:
        if not tested:
            needed = wanted
        elif kept:
            needed = read + math.ceil(MARGIN * (wanted - kept) * read / kept)
        else:
            needed = pilot if read < pilot else max_attempts
        limit = min(needed, max_attempts, read + runner.ahead)
        while handed < limit:
            count = min(runner.chunk, limit - handed)
            handed_out.append(runner.hand_out(range(handed, handed + count), pinned, tested))
            handed += count
        if not handed_out:
            return
        for trial in handed_out.popleft()():
            read += 1
            kept += trial[0]
            yield trial


def _columns(rows: list[dict[str, float]]) -> dict[str, np.ndarray]:
    """The key outcomes and the inputs of an option's branches, one array each (NaN
    where a branch lacks one)."""
    inputs = [name for name in (rows[0] if rows else {}) if name.startswith("input.")]
    return {name: np.array([row.get(name, math.nan) for row in rows], dtype=float)
            for name in (*METRICS, *inputs)}


def branch_forecast(scenario: Scenario | PreparedScenario, story: Replication, time_s: float,
                    options: Mapping[str, Scenario | PreparedScenario], wanted: int,
                    decision: str, *, seen: Sequence[Event] | None = None,
                    reference: str | None = None, workers: int = 1) -> Forecast:
    """Forecast every option (option id -> the scenario with its overrides, decision
    time `time_s` resolved) from the past of `story`, a replication of `scenario` with
    its timeline: the `seen` events (default: all before `time_s`). `reference` names
    the option the others are compared with (default: the first). The branches run on
    `workers` processes (`branches.BranchRunner`); the forecast is the same for any
    number. Prepared scenarios are used as they are (a session prepares each once)."""
    started = time.perf_counter()
    seen = tuple(seen) if seen is not None else past(story.timeline, time_s)
    engine = prepare(scenario, consequences=False)
    realised = realised_inputs(engine, story, seen, time_s)
    seed = forecast_seed(story.seed, story.replication, decision)
    pinned = dict(realised.pinned)
    prepared = {option: prepare(option_scenario) for option, option_scenario in options.items()}
    work = BranchWork(engine, prepared, seen, time_s, seed, METRICS, ("input.",),
                      unchanged_option(engine, prepared))
    with BranchRunner(work, workers) as runner:
        branches, attempts, rows = _accepted(runner, pinned, wanted,
                                             wanted * ATTEMPTS_PER_BRANCH)
        conditioning = "rejection"
        if len(branches) < wanted and realised.under_way:
            # Too few fresh branches reproduce the story: keep the story's draws of the
            # activities under way too (the forecast then knows how long they last).
            conditioning = "pinned"
            rejected = (len(branches), attempts)
            story_values = engine.inputs.draw_by_path(story.seed, story.replication)
            pinned.update({path: story_values[path] for path in realised.under_way})
            branches, attempts, rows = _accepted(runner, pinned, wanted,
                                                 wanted * ATTEMPTS_PER_BRANCH)
        else:
            rejected = None
        # summed up while the workers end the chunks handed out beyond the last one read
        columns = {option: _columns([row[option] for row in rows]) for option in options}
        catalogue = Catalogue(engine.scenario)
        drivers = {option: top_driver(values, catalogue) for option, values in columns.items()}
    if reference not in columns:
        reference = next(iter(columns), None)
    forecasts = {}
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
            driver=drivers[option],
        )
    return Forecast(decision, time_s, seed, wanted, tuple(branches), attempts, reference,
                    forecasts, realised, time.perf_counter() - started, conditioning,
                    rejected, pinned)
