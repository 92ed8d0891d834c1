"""The board's game: one `Session` driven step by step by the facilitator, saved after
every step, and shown two ways.

`Board` holds the session and does what the control view asks: advance to the next inject
or decision (`Session.next_step`, the same logic as the terminal), choose an option
(`Session.choose`), undo the last decision, hold, record the group's reasons and the
facilitator's notes. After every change it writes the folder's ``decisions.yaml`` (a
decisions file `infrasim exercise --script` plays) and ``board.json`` (how many steps were
shown, reasons, notes, hold), so ``--resume`` rebuilds the same session by replaying
them: the story is a function of the scenario, seed, replication and choices. Undo
replays the choices before the undone one the same way; nothing is patched by hand.
At the end it writes the after-action report, MSEL and decisions into the folder.

`Board.view(controller)` is what a page shows, as plain data: the players' view (the
fog of war of `exercise.fog`: no engine strengths, no expected actions, no notes) or the
facilitator's, which adds them.
"""

from __future__ import annotations

import json
import math
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ...atomicfile import write_atomic
from ...engine.record import Event, EventKind
from ...engine.timeline import describe
from ...formatting import HOUR_S, clock_text, elapsed_text
from ..aar import story_outcome_rows
from ..fog import reported, reported_strength
from ..forecast import Estimate, Forecast, fatalities_if_breach
from ..run import write_outputs
from ..session import Session, Step
from .mapview import map_layout

__all__ = ["BOARD_JSON", "DECISIONS_YAML", "Board", "BoardRefusal"]

DECISIONS_YAML = "decisions.yaml"
BOARD_JSON = "board.json"
RECENT_EVENTS = 12  # events listed on the room view, the latest first


class BoardRefusal(Exception):
    """A control action that cannot be done now; the message says why (shown as is)."""


class Board:
    """One exercise on the board (see the module docstring)."""

    def __init__(self, file: str | os.PathLike[str], out: str | os.PathLike[str], *,
                 variant: str | None = None, seed: int | None = None, replication: int = 0,
                 forecast_replications: int = 300, resume: bool = False) -> None:
        self.file = Path(file)
        self.out = Path(out)
        self.variant = variant
        self.forecast_replications = forecast_replications
        self.lock = threading.RLock()
        self.version = 0
        self.busy = ""  # what the server is computing, for the pages
        self.held = False
        self.reasons: dict[str, str] = {}
        self.notes: list[tuple[int, str]] = []  # (index of the step, text)
        self.outputs: list[str] = []
        choices: dict[str, str] = {}
        played, finished = 0, False
        if resume:
            seed, replication, choices, played, finished = self._read_saved(seed, replication)
        self.seed = seed
        self.replication = replication
        self._rebuild(choices, played, finished)
        self.layout = map_layout(self.session.base)
        self._shed_cache: tuple[Any, np.ndarray | None, np.ndarray | None] | None = None

    # ------------------------------------------------------------------ saving
    def _read_saved(self, seed: int | None, replication: int
                    ) -> tuple[int | None, int, dict[str, str], int, bool]:
        decisions_path, board_path = self.out / DECISIONS_YAML, self.out / BOARD_JSON
        if not board_path.is_file() or not decisions_path.is_file():
            raise BoardRefusal(f"nothing to resume in {self.out}: no {BOARD_JSON} and "
                               f"{DECISIONS_YAML} there")
        saved = json.loads(board_path.read_text(encoding="utf-8"))
        decisions = yaml.safe_load(decisions_path.read_text(encoding="utf-8")) or {}
        self.reasons = dict(saved.get("reasons", {}))
        self.notes = [(int(i), str(t)) for i, t in saved.get("notes", [])]
        self.held = bool(saved.get("held", False))
        return (decisions.get("seed", seed), int(decisions.get("replication", replication)),
                dict(decisions.get("decisions") or {}), int(saved.get("played", 0)),
                bool(saved.get("finished", False)))

    def _save(self) -> None:
        """decisions.yaml and board.json, atomically: enough to rebuild this moment."""
        session = self.session
        chosen = {s.id: s.chosen for s in session.steps if s.chosen is not None}
        scenario = os.path.relpath(self.file.resolve(), self.out.resolve())
        decisions = {"description": "Choices made on the board (infrasim board); play them "
                     "again with infrasim exercise --script.",
                     "scenario": scenario, "seed": self.seed, "replication": self.replication,
                     "decisions": chosen}
        if self.variant:
            decisions["variant"] = self.variant
        self.out.mkdir(parents=True, exist_ok=True)
        write_atomic(self.out / DECISIONS_YAML, yaml.safe_dump(decisions, sort_keys=False))
        write_atomic(self.out / BOARD_JSON, json.dumps(
            {"played": len(self._played()), "reasons": self.reasons, "notes": self.notes,
             "held": self.held, "finished": session.finished}, indent=1))

    # ----------------------------------------------------------------- playing
    def _rebuild(self, choices: dict[str, str], played: int, finished: bool = False) -> None:
        """A fresh session, replayed for `played` steps with `choices` (and, if it had
        `finished`, on to its end)."""
        self.session = Session(self.file, variant=self.variant, seed=self.seed,
                               replication=self.replication,
                               forecast_replications=self.forecast_replications)
        self.seed = self.session.seed
        for _ in range(played):
            step = self.session.next_step()
            if step is None:
                break
            if step.open and step.id in choices:
                self.session.choose(step, choices[step.id], "group")
        if finished and self.session.next_step() is None:
            self.session.play_out()
        self._apply_records()

    def _apply_records(self) -> None:
        for step in self.session.steps:
            step.reasons = self.reasons.get(step.id, "") if step.kind == "decision" else ""
            step.notes = [text for index, text in self.notes
                          if index < len(self.session.steps)
                          and self.session.steps[index] is step]

    def _played(self) -> list[Step]:
        return [s for s in self.session.steps if s.time_s is not None]

    @property
    def current(self) -> Step | None:
        """The step on the board now: the last one shown."""
        played = self._played()
        return played[-1] if played else None

    def _changed(self) -> None:
        self._apply_records()
        self._save()
        self.version += 1

    def advance(self) -> None:
        """Show the next inject or decision; at the end, write the outputs."""
        with self.lock:
            if self.session.finished:
                raise BoardRefusal("the exercise is over")
            if self.held:
                raise BoardRefusal("the exercise is on hold; resume it first")
            current = self.current
            if current is not None and current.open:
                raise BoardRefusal(f"decision '{current.id}' is open: choose an option first")
            if self.session.next_step() is None:
                self._finish()
            self._changed()

    def _finish(self) -> None:
        """Write the outputs, then show the rest of the story (`Session.play_out`)."""
        self.outputs = [str(p) for p in write_outputs(self.session, self.out)]
        self.session.play_out()

    def choose(self, option_id: str) -> None:
        """Take an option at the open decision."""
        with self.lock:
            step = self.current
            if step is None or not step.open:
                raise BoardRefusal("no decision is open")
            option = step.options.get(option_id)
            if option is None:
                raise BoardRefusal(f"'{option_id}' is not an option of decision '{step.id}' "
                                   f"(options: {', '.join(step.options)})")
            if not option.allowed:
                raise BoardRefusal(f"'{option_id}' cannot be taken now: {option.refusal}")
            self.session.choose(step, option_id, "group")
            self._changed()

    def undo(self) -> None:
        """Take back the last decision: the story as it was, that decision open again."""
        with self.lock:
            steps = self.session.steps
            last = next((i for i in range(len(steps) - 1, -1, -1)
                         if steps[i].chosen is not None), None)
            if last is None:
                raise BoardRefusal("no decision to undo")
            choices = {s.id: s.chosen for s in steps[:last] if s.chosen is not None}
            self.notes = [(i, t) for i, t in self.notes if i <= last]
            self._rebuild(choices, last + 1)
            self.outputs = []
            self._changed()

    def hold(self, on: bool) -> None:
        """Hold the exercise (the room shows it; advancing is refused) or resume it."""
        with self.lock:
            self.held = on
            self._changed()

    def record_reasons(self, text: str) -> None:
        """The group's reasons at the latest decision shown."""
        with self.lock:
            step = next((s for s in reversed(self._played()) if s.kind == "decision"), None)
            if step is None:
                raise BoardRefusal("no decision has been shown yet")
            self.reasons[step.id] = text.strip()
            self._changed()

    def add_note(self, text: str) -> None:
        """A facilitator's note at the current step."""
        with self.lock:
            if not text.strip():
                raise BoardRefusal("the note is empty")
            index = len(self._played()) - 1
            self.notes.append((max(index, 0), text.strip()))
            self._changed()

    # ------------------------------------------------------------------- views
    @property
    def roles(self) -> dict[str, str]:
        """The exercise's player roles: id -> name."""
        exercise = self.session.base.exercise
        return {role_id: role.name or role_id for role_id, role in exercise.roles.items()}

    def view(self, controller: bool, role: str | None = None) -> dict[str, Any]:
        """What a page shows (see the module docstring); with `role`, the players' view of
        that role: only the injects and decisions that go to it (or to every player)."""
        with self.lock:
            session = self.session
            info = session.info
            current = self.current

            def addressed(step: Step) -> bool:
                return role is None or not step.spec.roles or role in step.spec.roles

            seen = session.seen
            words = describe if controller else reported
            view: dict[str, Any] = {
                "version": self.version, "controller": controller, "title": info.name,
                "clock": clock_text(info.start, session.now_s),
                "elapsed": elapsed_text(session.now_s), "held": self.held,
                "finished": session.finished, "busy": self.busy, "map": self.layout,
                "towns": _towns(seen), "forces": self._forces(controller),
                "dam": _dam(session, seen), "grid": self._grid(),
                "events": [{"time": elapsed_text(e.time_s), "text": _report_line(e, words)}
                           for e in seen[-RECENT_EVENTS:]][::-1],
                "cards": [self._card(s, controller) for s in self._played()
                          if s.kind == "inject" and addressed(s)][::-1],
                "step": (self._step(current, controller)
                         if current is not None and addressed(current) else None),
                "started": current is not None,
                "role": None if role is None else {"id": role, "name": self.roles[role]},
                "ending": ([{"label": label, "value": value} for label, value
                            in story_outcome_rows(session.story.outcomes)]
                           if session.finished else []),
                "outputs": self.outputs if controller else [],
            }
            if controller:  # which story this is would let players replay it
                view["story"] = f"seed {session.seed}, replication {session.replication}"
                view["coming"] = [{"kind": kind, "id": step_id,
                                   "time": "" if time_s is None else elapsed_text(time_s),
                                   "note": note}
                                  for kind, step_id, time_s, note in session.schedule()]
                view["roles"] = self.roles
                view["notes"] = [{"step": self._played()[i].id if i < len(self._played())
                                  else "", "text": t} for i, t in self.notes]
                view["not_reached"] = [f"{s.kind} {s.id}: {s.note}"
                                       for s in session.skipped_steps()]
            return view

    def _card(self, step: Step, controller: bool) -> dict[str, Any]:
        spec = step.spec
        card = {"id": step.id, "time": elapsed_text(step.time_s),
                "clock": clock_text(self.session.info.start, step.time_s),
                "from": spec.sender, "to": spec.receiver, "message": spec.message}
        if controller:
            card["expected_action"] = spec.expected_action or ""
            card["notes"] = list(step.notes)
        return card

    def _step(self, step: Step, controller: bool) -> dict[str, Any]:
        view: dict[str, Any] = {"kind": step.kind, "id": step.id,
                                "time": elapsed_text(step.time_s), "open": step.open}
        if controller:  # a step's note may tell its premise: the facilitator's only
            view["note"] = step.note
        if step.kind == "inject":
            view["card"] = self._card(step, controller)
            return view
        view["question"] = step.spec.question
        view["chosen"] = step.chosen
        view["reasons"] = step.reasons
        forecast = step.forecast
        view["forecast_count"] = forecast.count if forecast is not None else 0
        view["options"] = [_option(o, forecast) for o in step.options.values()]
        return view

    def _forces(self, controller: bool) -> list[dict[str, Any]]:
        session = self.session
        situation = session.situation(session.now_s)
        forces = []
        for force in situation.forces:
            at, road = _position(force.id, session.seen)
            entry = {"id": force.id, "side": force.side, "status": force.status,
                     "at": at or _start(session, force.id), "road": road,
                     "reported_strength": reported_strength(session.scenario, force.id),
                     "report": "" if force.last is None else (
                         describe(force.last) if controller else reported(force.last))}
            if controller:
                entry["strength"] = _true_strength(force.id, session.seen)
            forces.append(entry)
        return forces

    def _grid(self) -> dict[str, Any]:
        """Grid lines of the situation and the load shed in the current hour (the mean MW
        over it, the story's grid against the same grid with nothing out)."""
        session = self.session
        lines = list(session.situation(session.now_s).grid)
        shed, baseline = self._load_shed()
        if shed is None or baseline is None:
            return {"lines": lines, "shed_mw": None, "baseline_mw": None}
        hour = min(int(session.now_s // HOUR_S), shed.size - 1)
        return {"lines": lines, "shed_mw": round(float(shed[hour])),
                "baseline_mw": round(float(baseline[hour]))}

    def _load_shed(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        from ...engine import hourly_load_shed

        scenario = self.session.scenario
        if self._shed_cache is None or self._shed_cache[0] is not scenario:
            result = hourly_load_shed(scenario, self.session.seed, [self.session.replication])
            rows, baseline = result if result is not None else (None, None)
            self._shed_cache = (scenario, None if rows is None else rows[0], baseline)
        return self._shed_cache[1], self._shed_cache[2]


# ------------------------------------------------------------------- the picture

def _report_line(event: Event, words) -> str:
    """``isil column at rawa: arrives``: who, where, then the event's sentence."""
    who = ", ".join(a.replace("_", " ") for a in event.actors)
    return f"{who} at {event.place.replace('_', ' ')}: {words(event)}"


def _towns(seen: tuple[Event, ...]) -> dict[str, dict[str, Any]]:
    """Each node's state from the seen events: who holds it, flood depth, warned."""
    towns: dict[str, dict[str, Any]] = {}
    for event in seen:
        state = towns.setdefault(event.place, {})
        if event.kind in (EventKind.CAPTURE, EventKind.CAPTURED):
            state["held_by"] = "attacker"
        elif event.kind is EventKind.RECAPTURED:
            state["held_by"] = "defender"
        elif event.kind is EventKind.FLOOD_ARRIVAL:
            state["flood_m"] = round(event.depth_m or 0.0, 1)
        elif event.kind is EventKind.WARNING:
            state["warned"] = True
    return {k: v for k, v in towns.items() if v}


def _dam(session: Session, seen: tuple[Event, ...]) -> dict[str, Any]:
    dam = session.scenario.assets.dam
    if dam is None:
        return {}
    state = "operating"
    for event in seen:
        if state == "breached":  # nothing undoes a breach
            break
        if event.kind is EventKind.THREATENED and state == "operating":
            state = "threatened"
        elif event.kind is EventKind.ENGAGE and event.place == dam.node:
            state = "under attack"
        elif event.kind is EventKind.HELD:
            state = "held"
        elif event.kind is EventKind.CAPTURED:
            state = "captured"
        elif event.kind is EventKind.RECAPTURED and event.place == dam.node:
            state = "retaken"
        elif event.kind is EventKind.BREACH:
            state = "breached"
    return {"node": dam.node, "name": dam.name or dam.node, "state": state,
            "text": session.situation(session.now_s).dam}


def _position(force_id: str, seen: tuple[Event, ...]) -> tuple[str | None, list[str] | None]:
    """Where a force is by its last event: a node, or a road (from, to) it is on."""
    for event in reversed(seen):
        if force_id not in event.actors:
            continue
        if event.kind is EventKind.DEPART:
            return None, [event.place, event.destination]
        return event.place, None
    return None, None


def _start(session: Session, force_id: str) -> str | None:
    force = session.scenario.forces.get(force_id)
    return None if force is None else force.start


def _true_strength(force_id: str, seen: tuple[Event, ...]) -> float | None:
    """The engine's strength of a force at its last report of one (controller only)."""
    for event in reversed(seen):
        if force_id in event.actors and event.strength is not None:
            return round(event.strength)
    return None


def _estimate(estimate: Estimate | None) -> dict[str, float] | None:
    if estimate is None or not math.isfinite(estimate.mean):
        return None
    return {"mean": estimate.mean, "low": estimate.low, "high": estimate.high}


def _if_breach(result) -> dict[str, Any]:
    """Fatalities over the branches where the dam breaches: "if the dam breaks"."""
    estimate, branches = fatalities_if_breach(result)
    entry: dict[str, Any] = {"branches": branches}
    if estimate is not None:
        entry.update({key: value if math.isfinite(value) else None
                      for key, value in (("mean", estimate.mean), ("low", estimate.low),
                                         ("high", estimate.high))})
    return entry


def _option(option, forecast: Forecast | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": option.id, "description": option.description,
                             "allowed": option.allowed, "refusal": option.refusal}
    result = forecast.options.get(option.id) if forecast is not None else None
    if result is not None:
        entry["p_captured"] = _estimate(result.p_captured)
        entry["p_breach"] = _estimate(result.p_breach)
        entry["fatalities"] = _estimate(result.fatalities)
        entry["if_breach"] = _if_breach(result)
    return entry
