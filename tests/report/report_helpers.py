"""Helpers of the report tests: synthetic runs (outcome tables and manifests shaped like
the run store's, with no simulation behind them) and an HTML well-formedness check."""

import base64
from html.parser import HTMLParser

import numpy as np

# a 1 x 1 PNG: stands in for rendered figures where a test checks structure, not pixels
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


def synthetic_run(n=120, seed=0, shift=0.0, rng_seed=1, name="Valley <test>"):
    """Outcomes and manifest of a small run; `shift` moves the fatalities, and runs with
    the same `rng_seed` share their noise replication by replication (like CRN)."""
    rng = np.random.default_rng(rng_seed)
    strength = rng.random(n)
    captured = (strength + 0.3 * rng.random(n) > 0.7).astype(float)
    breach = captured * (rng.random(n) < 0.5)
    fatalities = breach * (rng.lognormal(5, 1, n) + shift)
    outcomes = {
        "dam_captured": captured,
        "breach_started": breach,
        "fatalities": fatalities,
        "arrival_h.upper": np.where(breach == 1, 1 + rng.random(n), np.nan),
        "arrival_h.lower": np.where(breach == 1, 5 + rng.random(n), np.nan),
        "depth_m.upper": breach * (4 + rng.random(n)),
        "depth_m.lower": breach * (2 + rng.random(n)),
        "input.forces.column.strength": strength,
        "input.warning.detection_delay_s": rng.random(n),
    }
    manifest = {
        "name": "run-test",
        "status": "complete",
        "scenario": {"file": "valley.yaml", "path": None, "name": name},
        "variant": None,
        "seed": seed,
        "resolved_sha256": "0" * 64,
        "finished": "2025-01-01T12:00:00+00:00",
        "versions": {"infrasim": "0.1.0"},
        "resolved_scenario": {
            "scenario": {"name": name, "description": HOSTILE,
                         "start": "2025-04-01T06:00:00+00:00", "horizon_s": 259200.0},
            "forces": {"column": {"side": "attacker", "start": "pass", "objective": "dam",
                                  "strength": {"dist": "triangular", "low": 100.0,
                                               "mode": 200.0, "high": 400.0}}},
            "river": {"towns": {
                "lower": {"name": "Lower <town>", "river_distance_m": 40000.0,
                          "population": 9000, "floodplain_share": 0.5},
                "upper": {"name": "Upper", "river_distance_m": 5000.0, "population": 3000,
                          "floodplain_share": 0.4}}},
        },
    }
    return outcomes, np.arange(n), manifest


VOID = {"img", "br", "meta", "link", "hr", "input", "col", "source", "wbr"}


class Checker(HTMLParser):
    """Fails on a closing tag that does not close the innermost open element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def check_html(text):
    checker = Checker()
    checker.feed(text)
    checker.close()
    assert text.startswith("<!DOCTYPE html>")
    assert not checker.errors and not checker.stack, (checker.errors, checker.stack)
    return checker.tags


def embedded_images(tags):
    sources = [attrs["src"] for tag, attrs in tags if tag == "img"]
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    return sources
