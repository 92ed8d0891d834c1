"""The forecast's footnote names each option's top driver: the input with the widest
decile swing of P(dam captured) (else P(breach)) whose 95% interval excludes 0, by its
catalogue label, in one line; an option where nothing clearly drives gets "none clear"."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from simulator.analysis.catalogue import Catalogue
from simulator.exercise.console import driver_note
from simulator.exercise.forecast import Driver, top_driver


def branches(n=300, seed=0, driven=True):
    rng = np.random.default_rng(seed)
    strength = rng.uniform(200, 800, n)
    noise = rng.uniform(size=n)
    captured = (strength < 400) if driven else (rng.uniform(size=n) < 0.3)
    return {"dam_captured": captured.astype(float), "breach_started": np.zeros(n),
            "input.forces.dam_garrison.strength": strength,
            "input.warning.detection_delay_s": noise}


def test_the_widest_clear_swing_is_the_driver():
    driver = top_driver(branches(), Catalogue())
    assert driver is not None
    assert (driver.outcome, driver.input) == ("dam_captured",
                                              "input.forces.dam_garrison.strength")
    assert driver.label == "Dam garrison: strength"
    assert driver.low_mean == 1.0 and driver.high_mean == 0.0


def test_no_clear_swing_is_no_driver():
    assert top_driver(branches(driven=False, seed=3), Catalogue()) is None


def test_footnote_is_one_line_naming_each_option():
    options = {"hold": SimpleNamespace(driver=Driver("dam_captured",
                                                     "input.forces.dam_garrison.strength",
                                                     "Dam garrison: strength", 0.61, 0.12)),
               "breach": SimpleNamespace(driver=Driver(
                   "breach_started", "input.assets.dam.failure_modes.partial_breach.occurs",
                   "Partial breach: occurs", 0.04, 1.0)),
               "withdraw": SimpleNamespace(driver=None)}
    step = SimpleNamespace(forecast=SimpleNamespace(options=options))
    note = driver_note(step)
    assert "\n" not in note
    assert note.endswith("hold: Dam garrison: strength (P(dam captured) 61.0% low, 12.0% "
                         "high); breach: Partial breach: occurs (P(breach) 4.0% no, 100% yes); "
                         "withdraw: none clear")
    assert driver_note(SimpleNamespace(forecast=None)) is None
