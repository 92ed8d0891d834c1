"""Printable inject cards: one card per inject of the scenario's exercise, one to a printed
page, for a facilitator who hands messages out on paper (``/cards`` on the board).

A card says what the player receives (number, when, from, to, the message) and, below a
rule, what is for the controller only (the inject's id and its expected action); cut or
fold there before handing it out. Cards come in the order of the exercise section, with a
trigger written as the event that sends them.
"""

from __future__ import annotations

from ...formatting import elapsed_text
from ...report.html import Html, element, join
from ...scenario.schema import Scenario

__all__ = ["inject_cards_page"]

STYLE = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #17202a;
       margin: 1.5rem; }
.card { border: 2px solid #17202a; border-radius: 0.4rem; padding: 1.2rem 1.5rem;
        margin: 0 0 1.5rem; max-width: 46rem; }
.head { display: flex; justify-content: space-between; font-size: 1.1rem; }
.number { font-size: 2rem; font-weight: bold; }
.route { margin: 0.6rem 0; font-size: 1.1rem; }
.message { font-size: 1.5rem; line-height: 1.4; margin: 0.8rem 0 1.2rem; }
.controller { border-top: 2px dashed #5d6d7e; padding-top: 0.6rem; color: #5d6d7e; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; } .card { break-after: page; border-width: 1px; }
               .screen { display: none; } }
"""


def _when(spec) -> str:
    if spec.time_s is not None:
        return f"at {elapsed_text(spec.time_s)}"
    trigger = spec.trigger
    if trigger is not None and trigger.time_s is not None:
        return f"at {elapsed_text(trigger.time_s)}"
    return f"when {trigger.town_falls} falls" if trigger is not None else ""


def inject_cards_page(scenario: Scenario) -> str:
    """The cards of `scenario`'s injects as one HTML page with print styles."""
    exercise = scenario.exercise
    injects = exercise.injects if exercise is not None else {}
    cards = []
    for number, (inject_id, spec) in enumerate(injects.items(), start=1):
        cards.append(element(
            "section",
            element("div", element("span", f"Inject {number}", class_="number"),
                    element("span", _when(spec)), class_="head"),
            element("div", element("b", "From: "), spec.sender, " · ", element("b", "To: "),
                    spec.receiver, class_="route"),
            element("div", spec.message, class_="message"),
            element("div", element("b", "Controller only: "), f"inject '{inject_id}'. ",
                    element("b", "Expected action: "), spec.expected_action or "(none)",
                    class_="controller"),
            class_="card"))
    title = f"Inject cards: {scenario.scenario.name}"
    body = join([element("p", "One card per printed page; fold or cut along the dashed line "
                         "before handing a card out.", class_="screen"), *cards])
    return ("<!DOCTYPE html>\n" + element(
        "html", element("head", element("meta", charset="utf-8"), element("title", title),
                        element("style", Html(STYLE))),
        element("body", element("h1", title, class_="screen"), body), lang="en"))
