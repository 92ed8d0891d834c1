"""'What drives the risk' on the run report and the comparison page: PRIM's top rule for
P(dam captured) in the catalogue's words beside the tornado's widest swing, a sentence
instead of a rule when a run has too few breaches, and the headline still first."""

import numpy as np
from report_helpers import check_html, synthetic_run

from simulator.analysis.catalogue import Catalogue
from simulator.report.compare import StoredRun, build_comparison_report, compare_stored_runs
from simulator.report.drivers import risk_drivers
from simulator.report.run import build_run_report


def test_run_report_says_what_drives_the_risk_after_the_headline(fast_png):
    outcomes, replications, manifest = synthetic_run(n=400)
    text = build_run_report(outcomes, replications, manifest)
    check_html(text)
    assert text.index('id="headline"') < text.index('id="drivers"') < \
        text.index('id="outcomes"')
    section = text[text.index('id="drivers"'):text.index('id="outcomes"')]
    # the capture depends on the column's strength: the rule says so in words
    assert "<h3>P(dam captured)</h3>" in section
    assert "When Column: strength over " in section and "fighters, dam captured in " in section
    assert "Widest decile swing: Column: strength" in section
    assert 'href="#tornado-dam_captured"' in section
    assert "Where P(dam captured) concentrates" in section  # the trade-off figure


def test_too_few_events_is_said_not_ruled():
    outcomes, _, manifest = synthetic_run(n=400)
    outcomes["breach_started"] = np.zeros(400)
    outcomes["breach_started"][:5] = 1.0
    catalogue = Catalogue(manifest["resolved_scenario"])
    by_outcome = {d.outcome: d for d in risk_drivers(outcomes, catalogue)}
    assert by_outcome["breach_started"].rule.startswith(
        "Only 5 of 400 replications with breach: too few")
    assert by_outcome["dam_captured"].rule.startswith("When ")


def test_comparison_page_gives_each_run_its_rule(fast_png):
    a = StoredRun("base", *synthetic_run(n=300))
    b = StoredRun("other", *synthetic_run(n=300, shift=50.0))
    text = build_comparison_report([a, b], compare_stored_runs([a, b]))
    check_html(text)
    assert text.index('id="headline"') < text.index('id="drivers"')
    section = text[text.index('id="drivers"'):text.index("<h2>Runs")]
    assert "<th>base</th><th>other</th>" in section
    assert section.count("fighters, dam captured in ") == 2  # one rule per run


def test_a_long_run_is_searched_over_its_first_replications(monkeypatch):
    from simulator.report import drivers

    monkeypatch.setattr(drivers, "MAX_ROWS", 200)
    outcomes, _, manifest = synthetic_run(n=400)
    (captured, _) = drivers.risk_drivers(outcomes, Catalogue(manifest["resolved_scenario"]))
    assert captured.discovery.result.replications == 200
    assert captured.rule.endswith("(PRIM over the first 200 of 400 replications.)")


def test_the_breachs_own_draw_is_no_driver_of_it():
    """P(breach) follows the failure mode's own yes/no draw one for one; that draw is
    left out, so the widest swing is the input that does drive it."""
    outcomes, _, manifest = synthetic_run(n=400)
    rng = np.random.default_rng(5)
    occurs = (rng.random(400) < 0.5).astype(float)
    strength = outcomes["input.forces.column.strength"]
    breach = occurs * (strength > np.quantile(strength, 0.3))  # occurs alone swings more
    outcomes.update({"breach_started": breach,
                     "input.assets.dam.failure_modes.full.occurs": occurs})
    catalogue = Catalogue(manifest["resolved_scenario"])
    by_outcome = {d.outcome: d for d in risk_drivers(outcomes, catalogue)}
    breach_driver = by_outcome["breach_started"]
    assert "happens if set off" not in breach_driver.rule + breach_driver.swing
    assert breach_driver.swing.startswith("Widest decile swing: Column: strength")
    assert catalogue.label("input.assets.dam.failure_modes.full.occurs") == \
        "Full happens if set off"
