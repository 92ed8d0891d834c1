"""A tabletop exercise: one story, its injects and decisions, played in time order.

The *story* is one replication (seed, replication K) of the scenario with the decisions
taken so far. Injects and decisions happen at their ``time``, or when the story's
``trigger`` town falls (skipped, with a note, when it never does). At each one the group
sees what has happened so far: the events up to that moment, *seen*, which only ever
grow. At a decision every option is first checked (`Session.options_at`):

- its overrides are merged over the story's scenario, with ``now`` resolved to the
  decision time (`scenario.overrides`);
- it may not set a trigger time earlier than the decision, nor change the specification
  (or the story's draw) of an input whose activity has already begun (`realised`);
- the story replayed with the option must have the same past: the seen events exactly,
  and nothing else before the decision time.

An option failing a check is refused with the reason (never applied silently). Allowed
options get a branch forecast (`forecast.branch_forecast`); the choice becomes part of
the story, which is run again. Nothing random depends on the choice except through the
option's own overrides: the named streams give every component the same draws.

`Session.play(facilitator)` runs the whole exercise with a facilitator object that
shows injects and obtains choices (`console.Facilitator` prompts or follows a script).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..cores import available_cores
from ..engine import EventKind, PreparedScenario, prepare, simulate
from ..engine.record import Event, Replication
from ..engine.timeline import describe
from ..formatting import HOUR_S, elapsed_text
from ..scenario import Problem, ScenarioDocument, ScenarioError, read_document
from ..scenario.schema import Decision, Inject, Scenario
from .forecast import Forecast, branch_forecast
from .prepared import Preparations
from .realised import Realised, first_difference, realised_inputs, same_past

__all__ = ["STORY_LEVELS", "ExerciseStopped", "OptionState", "Session", "Situation", "Step",
           "find_story", "story_level"]

DEFAULT_FORECAST_REPLICATIONS = 300
KEY_OUTCOMES = ("dam_captured", "breach_started", "fatalities", "added_unserved_energy_mwh")
# How far a story goes at the dam, in order: the attackers reach it and fight for it, take
# it, breach it. "threatened" is stronger than the outcome dam_threatened (a column set off
# towards the dam), which the reference scenario has in every replication.
STORY_LEVELS = ("threatened", "captured", "breach")
STORY_SEARCH = 2000  # replications tried before giving up on a level


def story_level(timeline: tuple[Event, ...], dam_node: str) -> int:
    """How far a story's `timeline` goes at the dam: 0 nothing, then 1 + the index in
    `STORY_LEVELS` of the furthest level it reaches."""
    level = 0
    for event in timeline:
        if event.kind is EventKind.BREACH:
            return 3
        if event.kind is EventKind.CAPTURED:
            level = 2
        elif event.place == dam_node and (event.kind is EventKind.HELD or (
                event.kind is EventKind.ENGAGE and event.side == "attacker")):
            level = max(level, 1)
    return level


def find_story(scenario: Scenario, seed: int, level: str = "threatened",
               limit: int = STORY_SEARCH) -> int:
    """The first replication (0, 1, ...) of `scenario` with `seed` whose story, under the
    scenario's own plan (no decision taken), reaches at least `level` of `STORY_LEVELS`: a
    story with tension for a class, where replication 0 may have none.

    Raises:
        ValueError: for an unknown level, or when none of the first `limit` replications
            reaches it.
    """
    if level not in STORY_LEVELS:
        raise ValueError(f"unknown story level {level!r}; use a replication number or one of "
                         f"{', '.join(STORY_LEVELS)}")
    wanted = STORY_LEVELS.index(level) + 1
    prepared = prepare(scenario, consequences=False)
    dam = scenario.assets.dam
    if dam is None:
        raise ValueError(f"the scenario has no dam, so no story reaches '{level}'")
    for replication in range(limit):
        story = simulate(prepared, seed, replication, timeline=True, consequences=False)
        if story_level(story.timeline or (), dam.node) >= wanted:
            return replication
    raise ValueError(f"none of the first {limit} replications (seed {seed}) reaches "
                     f"'{level}' under the scenario's plan; choose a replication number")


class ExerciseStopped(Exception):
    """The exercise ended early (no more input, or interrupted); `reason` says why."""

    def __init__(self, reason: str, status: int = 2) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class ForceState:
    id: str
    side: str
    status: str  # where it is and what it is doing, in words
    since_s: float | None
    report: str  # the detail of its last event
    last: Event | None = None  # that event (the fog of war words it for the players)


@dataclass(frozen=True)
class Situation:
    """What the group knows at a moment: derived from the seen events only."""

    time_s: float
    forces: tuple[ForceState, ...]
    dam: str
    towns_fallen: tuple[tuple[str, float], ...]
    flood: tuple[str, ...]
    grid: tuple[str, ...]


@dataclass
class OptionState:
    """One option at a decision point: allowed (with its scenario and story) or refused."""

    id: str
    description: str
    scenario: Scenario | None = None
    document: ScenarioDocument | None = None
    story: Replication | None = None
    refusal: str | None = None

    @property
    def allowed(self) -> bool:
        """Whether the option passed every check and can be taken."""
        return self.refusal is None

    def story_outcomes(self) -> dict[str, float]:
        """Key outcomes of the story this option leads to (NaN where the story lacks
        one); empty for a refused option."""
        if self.story is None:
            return {}
        return {name: self.story.outcomes.get(name, math.nan) for name in KEY_OUTCOMES}


@dataclass
class Step:
    """One inject or decision as played (or skipped: `time_s` None and a `note`)."""

    kind: str  # "inject" or "decision"
    id: str
    spec: Inject | Decision
    time_s: float | None
    note: str = ""
    new_events: tuple[Event, ...] = ()
    seen: int = 0  # how many story events the group had seen at this step
    situation: Situation | None = None
    options: dict[str, OptionState] = field(default_factory=dict)
    forecast: Forecast | None = None
    chosen: str | None = None
    chosen_by: str = ""  # "group" or the script's path
    status: str = "played"  # or "not reached" (never happens), "not played" (stopped)
    reasons: str = ""  # a decision: the group's reasons for its choice, as recorded
    notes: list[str] = field(default_factory=list)  # the facilitator's notes at this step

    @property
    def open(self) -> bool:
        """A decision shown to the group, with an option that can be taken, not yet taken."""
        return (self.kind == "decision" and self.time_s is not None and self.chosen is None
                and any(o.allowed for o in self.options.values()))


class Facilitator(Protocol):
    """Shows the exercise and obtains the group's choices."""

    def inject(self, session: Session, step: Step) -> None: ...

    def decide(self, session: Session, step: Step) -> str: ...

    def skipped(self, session: Session, step: Step) -> None: ...

    def unavailable(self, session: Session, step: Step) -> None: ...


@dataclass(frozen=True)
class _Item:
    kind: str
    id: str
    spec: Inject | Decision
    order: int


class Session:
    """The state of one exercise: the story so far, the steps played, the choices."""

    def __init__(self, path: str | Path, variant: str | None = None, seed: int | None = None,
                 replication: int = 0,
                 forecast_replications: int = DEFAULT_FORECAST_REPLICATIONS,
                 forecast_workers: int | None = None) -> None:
        self.path = Path(path)
        document = read_document(self.path, variant)
        self.base = document.scenario()
        exercise = self.base.exercise
        if exercise is None or not (exercise.injects or exercise.decisions):
            raise ScenarioError([Problem(document.mark, "this scenario has no "
                                         "'exercise:' section with injects or decisions")])
        _check_options(document, self.base)
        self.variant = variant
        self.seed = self.base.scenario.seed if seed is None else seed
        self.replication = replication
        self.forecast_replications = forecast_replications
        # processes that run a forecast's branches (default: every core; 1: this one)
        self.forecast_workers = forecast_workers or available_cores()
        self.prepared = Preparations()  # every scenario of the session, prepared once
        self.document = document
        self.scenario = self.base
        self.story = self._run(self.scenario)
        self.seen: tuple[Event, ...] = ()
        self.steps: list[Step] = []
        self.taken: list[tuple[str, str, float]] = []  # decision, option, time
        items = [_Item("inject", i, spec, n) for n, (i, spec) in enumerate(exercise.injects.items())]
        items += [_Item("decision", i, spec, n)
                  for n, (i, spec) in enumerate(exercise.decisions.items())]
        self._pending = items
        self.now_s = 0.0
        self.finished = False
        self.stop_reason: str | None = None

    # ----------------------------------------------------------------- the story
    def _run(self, scenario: Scenario) -> Replication:
        return simulate(self.prepared(scenario), self.seed, self.replication, timeline=True)

    @property
    def info(self):
        """The scenario's ``scenario:`` section: name, start time, horizon, seed."""
        return self.base.scenario

    @property
    def horizon_s(self) -> float:
        """How long the story runs, in seconds."""
        return self.base.scenario.horizon_s

    def capture_event(self, node: str, story: Replication | None = None) -> int | None:
        """Index in the story's timeline of the event in which `node` falls."""
        timeline = (story or self.story).timeline or ()
        for index, event in enumerate(timeline):
            if event.kind in ("capture", "captured") and event.place == node:
                return index
        return None

    def _when(self, item: _Item) -> tuple[float | None, int | None, str]:
        """(time, index of the triggering event or None, note when it does not happen)."""
        spec = item.spec
        trigger = spec.trigger
        if spec.time_s is not None or (trigger is not None and trigger.time_s is not None):
            time_s = spec.time_s if spec.time_s is not None else trigger.time_s
            if time_s > self.horizon_s:
                return None, None, (f"at {elapsed_text(time_s)}, after the horizon of "
                                    f"{elapsed_text(self.horizon_s)}")
            return time_s, None, ""
        node = trigger.town_falls
        index = self.capture_event(node)
        if index is None:
            return None, None, f"{node} does not fall in this story"
        return self.story.timeline[index].time_s, index, ""

    def _cut(self, time_s: float, trigger_index: int | None) -> tuple[Event, ...]:
        """The events the group has seen at a step: everything before its time and, for a
        triggered step, up to the triggering capture; never fewer than already seen."""
        timeline = self.story.timeline or ()
        if trigger_index is not None:
            count = trigger_index + 1
        else:
            count = sum(1 for e in timeline if e.time_s < time_s)
        count = max(count, len(self.seen))
        return tuple(timeline[:count])

    def _next(self) -> tuple[_Item, float, int | None] | None:
        best = None
        for item in self._pending:
            time_s, index, _ = self._when(item)
            if time_s is None:
                continue
            key = (time_s, 0 if item.kind == "inject" else 1, item.order)
            if best is None or key < best[0]:
                best = (key, item, time_s, index)
        if best is None:
            return None
        return best[1], best[2], best[3]

    def schedule(self) -> list[tuple[str, str, float | None, str]]:
        """The steps still to come in the story as it stands (the choices taken so far and
        the plan after them): (kind, id, time or None, note when it does not happen), in
        the order they would be played. For the facilitator's preview: a later choice
        can change it."""
        timed = [(item, *self._when(item)) for item in self._pending]
        timed.sort(key=lambda t: (t[1] is None, t[1] or 0.0, t[0].kind != "inject", t[0].order))
        return [(item.kind, item.id, time_s, note) for item, time_s, _, note in timed]

    # -------------------------------------------------------------------- steps
    def advance(self) -> Step | None:
        """The next inject or decision of the story (the situation filled in), or None
        when none is left (the unreached ones are then recorded as skipped)."""
        found = self._next()
        if found is None:
            self._skip_rest()
            return None
        item, time_s, index = found
        self._pending.remove(item)
        seen = self._cut(time_s, index)
        new = seen[len(self.seen):]
        self.seen = seen
        self.now_s = max(self.now_s, time_s)
        step = Step(item.kind, item.id, item.spec, time_s, new_events=new, seen=len(seen),
                    situation=self.situation(time_s), note=self._premise(item.spec, seen))
        self.steps.append(step)
        return step

    @staticmethod
    def _premise(spec: Inject | Decision, seen: tuple[Event, ...]) -> str:
        """Why an inject's premise does not hold in this story (places it takes as fallen
        that have not fallen by now), or "" when it holds."""
        fallen = {e.place for e in seen if e.kind in ("capture", "captured")}
        missing = [f"{n} has not fallen" for n in getattr(spec, "assumes_fallen", ())
                   if n not in fallen]
        dam = getattr(spec, "assumes_dam", None)
        kind = {"threatened": "threatened", "captured": "captured", "breached": "breach"}.get(dam)
        if kind is not None and not any(e.kind == kind for e in seen):
            missing.append(f"the dam has not been {dam}")
        if not missing:
            return ""
        return f"its premise does not hold in this story: {'; '.join(missing)}"

    def _skip_rest(self) -> list[Step]:
        skipped = []
        for item in sorted(self._pending, key=lambda i: (i.kind != "inject", i.order)):
            _, _, note = self._when(item)
            step = Step(item.kind, item.id, item.spec, None, note=note, seen=len(self.seen),
                        status="not reached")
            self.steps.append(step)
            skipped.append(step)
        self._pending = []
        self.finished = True
        return skipped

    def stop(self, reason: str) -> None:
        """End the exercise early: the items not played yet are recorded as such."""
        self.stop_reason = reason
        for item in sorted(self._pending, key=lambda i: (i.kind != "inject", i.order)):
            self.steps.append(Step(item.kind, item.id, item.spec, None,
                                   note=f"the exercise stopped ({reason})",
                                   seen=len(self.seen), status="not played"))
        self._pending = []

    def play_out(self) -> None:
        """After the last step, the epilogue: the group sees the rest of the story, up to
        the horizon (nothing can be decided any more, so nothing is hidden)."""
        if not self.finished:
            raise ValueError("the exercise is not over: steps are left to play")
        self.seen = tuple(self.story.timeline or ())
        self.now_s = max(self.now_s, self.horizon_s)

    def skipped_steps(self) -> Iterator[Step]:
        """Steps never played: not reached by the story, or left when the exercise stopped."""
        return (s for s in self.steps if s.time_s is None)

    # ----------------------------------------------------------------- options
    def options_at(self, step: Step) -> dict[str, OptionState]:
        """Check every option of a decision step (see the module docstring); fills in
        `step.options` and returns it."""
        decision: Decision = step.spec  # type: ignore[assignment]
        time_s = step.time_s
        current = self.prepared(self.scenario)
        realised = realised_inputs(current, self.story, self.seen, time_s)
        table = current.inputs
        story_values = table.draw_by_path(self.seed, self.replication)
        current_specs = table.specs
        states = {}
        for option_id, option in decision.options.items():
            state = OptionState(option_id, option.description)
            states[option_id] = state
            document = self.document.with_option(step.id, option_id, time_s)
            scenario = document.scenario()
            scenario._variant = self.variant
            state.document, state.scenario = document, scenario
            state.refusal = (_early_trigger(scenario, self.scenario, time_s)
                             or _changes_begun(self.prepared(scenario), current_specs,
                                               story_values, realised, self.seed,
                                               self.replication))
            if state.refusal is not None:
                continue
            story = self._run(scenario)
            if not same_past(self.seen, story.timeline, time_s):
                state.refusal = _past_changed(self.seen, story.timeline, time_s)
                continue
            state.story = story
        step.options = states
        return states

    def forecast(self, step: Step) -> Forecast | None:
        """Branch forecasts of the allowed options of a decision step."""
        allowed = {o.id: self.prepared(o.scenario) for o in step.options.values() if o.allowed}
        if not allowed or self.forecast_replications <= 0:
            return None
        decision: Decision = step.spec  # type: ignore[assignment]
        reference = next((o for o, spec in decision.options.items()
                          if not spec.overrides and o in allowed), None)
        step.forecast = branch_forecast(self.prepared(self.scenario), self.story, step.time_s,
                                        allowed, self.forecast_replications, step.id,
                                        seen=self.seen, reference=reference,
                                        workers=self.forecast_workers)
        return step.forecast

    def choose(self, step: Step, option_id: str, by: str = "group") -> None:
        """Take an allowed option: it becomes part of the story from the decision on."""
        state = step.options[option_id]
        if not state.allowed:
            raise ValueError(f"option '{option_id}' is refused: {state.refusal}")
        self.document = state.document
        self.scenario = state.scenario
        self.story = state.story
        step.chosen = option_id
        step.chosen_by = by
        self.taken.append((step.id, option_id, step.time_s))

    # ------------------------------------------------------------------- play
    def next_step(self) -> Step | None:
        """The next step, ready to show: an inject, or a decision with its options checked
        and forecast (or, when no option can be taken, its `note` saying so); None at the
        end. The one way on through a story, for the terminal and the board alike."""
        step = self.advance()
        if step is None or step.kind == "inject":
            return step
        self.options_at(step)
        if not any(o.allowed for o in step.options.values()):
            step.note = "not taken: every option would change the past"
            return step
        self.forecast(step)
        return step

    def play(self, facilitator: Facilitator) -> None:
        """Run every step in time order with `facilitator`; raises `ExerciseStopped`
        (with everything played so far kept in the session) if it stops early."""
        while (step := self.next_step()) is not None:
            if step.kind == "inject":
                facilitator.inject(self, step)
            elif not step.open:
                facilitator.unavailable(self, step)
            else:
                option_id = facilitator.decide(self, step)
                self.choose(step, option_id, getattr(facilitator, "chosen_by", "group"))
        for step in self.skipped_steps():
            facilitator.skipped(self, step)

    # -------------------------------------------------------------- situation
    def situation(self, time_s: float) -> Situation:
        """Forces, dam, fallen towns, flood and grid as the seen events show them."""
        seen = self.seen
        forces = []
        plan = self.prepared(self.scenario).plan
        for force in plan.forces:
            forces.append(_force_state(force.id, force.side, force, seen))
        dam_node = self.scenario.assets.dam.node
        dam = "operating"
        for event in seen:
            if event.place == dam_node or event.kind in ("breach", "plant_out",
                                                          "plant_restored"):
                if event.kind in ("threatened", "held", "captured", "recaptured", "breach",
                                  "plant_out", "plant_restored"):
                    dam = f"{event.kind.replace('_', ' ')} since {elapsed_text(event.time_s)}: " \
                          f"{describe(event)}"
        towns = tuple((e.place, e.time_s) for e in seen if e.kind == "capture")
        flood = _flood_lines(self.story, seen, time_s)
        grid = _grid_lines(seen)
        return Situation(time_s, tuple(forces), dam, towns, flood, grid)


# ------------------------------------------------------------------- option checks


def _check_options(document: ScenarioDocument, scenario: Scenario) -> None:
    """Every option must give a valid scenario (its 'now' at time 0), checked before the
    exercise starts so that a class is not stopped by a typo at its last decision."""
    problems: list[Problem] = []
    for decision_id, decision in scenario.exercise.decisions.items():
        for option_id in decision.options:
            removed = document.removed_by_variant(decision_id, option_id)
            if removed:
                problems += removed
                continue
            try:
                document.with_option(decision_id, option_id, 0.0).scenario()
            except ScenarioError as error:
                problems += [Problem(p.mark, f"{p.message} (with option "
                                     f"'{decision_id}.{option_id}')") for p in error.problems]
    if problems:
        raise ScenarioError(problems)


def _trigger_times(scenario: Scenario) -> dict[str, float]:
    return {force_id: force.trigger.time_s for force_id, force in scenario.forces.items()
            if force.trigger is not None and force.trigger.time_s is not None}


def _early_trigger(option: Scenario, current: Scenario, time_s: float) -> str | None:
    """A trigger time the option sets (or changes) to before the decision."""
    before = _trigger_times(current)
    for force_id, trigger_s in _trigger_times(option).items():
        if trigger_s < time_s and before.get(force_id) != trigger_s:
            return (f"it sets the trigger of {force_id} to {elapsed_text(trigger_s)}, before "
                    f"the decision at {elapsed_text(time_s)}: that would rewrite the past "
                    f"(use 'now' or a later time)")
    return None


def _changes_begun(option: PreparedScenario, current_specs: dict[str, Any],
                   story_values: dict[str, float], realised: Realised, seed: int,
                   replication: int) -> str | None:
    """An input already begun whose specification or story draw the option changes."""
    table = option.inputs
    specs = table.specs
    values = None
    for path, (since_s, what) in realised.begun.items():
        changed = specs.get(path) != current_specs.get(path)
        if not changed:
            if values is None:
                values = table.draw_by_path(seed, replication)
            changed = values.get(path) != story_values.get(path)
        if changed:
            return (f"it changes {path}, already in effect since {elapsed_text(since_s)} "
                    f"({what}); the engine cannot change an activity that has begun")
    return None


def _event_text(event: Event | None) -> str:
    if event is None:
        return "nothing"
    return f"'{elapsed_text(event.time_s)} {event.kind} {', '.join(event.actors)} at " \
           f"{event.place}: {describe(event)}'"


def _past_changed(seen: tuple[Event, ...], timeline, time_s: float) -> str:
    difference = first_difference(seen, timeline, time_s)
    story_event, option_event = difference if difference else (None, None)
    return (f"it would change what has already happened: the story has "
            f"{_event_text(story_event)} where this option gives {_event_text(option_event)}")


# ---------------------------------------------------------------------- situation


def _force_state(force_id: str, side: str, plan, seen: tuple[Event, ...]) -> ForceState:
    mine = [e for e in seen if force_id in e.actors
            or (e.kind == "engage" and force_id in e.opponents)]
    if not mine:
        if plan.trigger_node is not None:
            status = f"at {plan.start}, waiting for {plan.trigger_node} to fall"
        elif plan.trigger_time_s is not None:
            status = f"at {plan.start}, due to leave at {elapsed_text(plan.trigger_time_s)}"
        else:
            status = f"at {plan.start}"
        return ForceState(force_id, side, status, None, "")
    last = mine[-1]
    if last.kind in ("engage", "join", "garrison"):  # a fight ends in the attackers' name
        last = next((e for e in reversed(seen) if e.kind in ("repulse", "defeat")
                     and e.place == last.place and e.time_s >= last.time_s), last)
    kind, place = last.kind, last.place
    if kind == "dispatch":
        status = f"dispatched, getting ready at {place}"
    elif kind == "depart":
        status = f"on the road from {place} to {last.destination}"
    elif kind == "arrive":
        status = f"at {place}"
    elif kind == "garrison":
        status = f"holding {place}"
    elif kind in ("engage", "join"):
        status = f"fighting at {place}"
    elif kind == "defeat":  # actors: the side that lost; opponents: the side that won
        status = f"defeated at {place}" if force_id in last.actors else f"took {place}"
    elif kind == "repulse":  # actors: the assault that failed
        status = (f"repulsed at {place}" if force_id in last.actors
                  else f"holding {place}, attack repulsed")
    elif kind == "capture":
        status = f"holds {place}"
    elif kind == "recaptured":
        status = f"retook {place}"
    else:
        status = f"{kind} at {place}"
    return ForceState(force_id, side, status, last.time_s, describe(last), last)


def _flood_lines(story: Replication, seen: tuple[Event, ...],
                 time_s: float) -> tuple[str, ...]:
    breach = next((e for e in seen if e.kind == "breach"), None)
    if breach is None:
        return ()
    lines = [f"breach at {elapsed_text(breach.time_s)}: {describe(breach)}"]
    outcomes = story.outcomes
    for arrival in (e for e in seen if e.kind is EventKind.FLOOD_ARRIVAL):
        town = arrival.place
        text = f"the flood reached {town} at {elapsed_text(arrival.time_s)}"
        peak_s = outcomes.get(f"peak_h.{town}", math.nan) * HOUR_S
        if math.isfinite(peak_s) and peak_s <= time_s:
            text += f", peak {arrival.depth_m:.1f} m above normal"
        lines.append(text)
    warned = [e.place for e in seen if e.kind == "warning"]
    if warned:
        lines.append("warned: " + ", ".join(warned))
    return tuple(lines)


def _grid_lines(seen: tuple[Event, ...]) -> tuple[str, ...]:
    cut: dict[str, float] = {}
    plant: str | None = None
    for event in seen:
        if event.kind == "line_cut":
            cut.update(dict.fromkeys(event.actors, event.time_s))
        elif event.kind == "line_repaired":
            for line in event.actors:
                cut.pop(line, None)
        elif event.kind == "plant_out":
            plant = f"plant off the grid since {elapsed_text(event.time_s)}: {describe(event)}"
        elif event.kind == "plant_restored":
            plant = None
        elif event.kind == "breach":
            plant = f"plant lost to the breach at {elapsed_text(event.time_s)}"
    lines = [f"line {line} cut since {elapsed_text(at)}" for line, at in cut.items()]
    if plant:
        lines.append(plant)
    return tuple(lines)
