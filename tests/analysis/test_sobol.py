"""Sobol' indices against the Ishigami function's analytical values.

Ishigami & Homma (1990): f(x) = sin x1 + a sin^2 x2 + b x3^4 sin x1, each x_i uniform on
[-pi, pi]. With a = 7, b = 0.1 its published indices (Saltelli et al. 2008, Global
Sensitivity Analysis: The Primer, section 4.8; the values SALib's documentation quotes)
are S1 = 0.3139, S2 = 0.4424, S3 = 0, ST1 = 0.5576, ST2 = 0.4424, ST3 = 0.2437.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulator.analysis.sobol import saltelli_points, sobol_indices

PUBLISHED_FIRST = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
PUBLISHED_TOTAL = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_ishigami_indices_match_the_published_values():
    names = ["x1", "x2", "x3"]
    unit = saltelli_points(names, 2048, seed=3)
    assert unit.shape == (2048 * 5, 3) and unit.min() >= 0 and unit.max() <= 1
    found = {i.input: i for i in sobol_indices(names, ishigami(-np.pi + 2 * np.pi * unit),
                                               seed=3)}
    for name in names:
        assert found[name].first == pytest.approx(PUBLISHED_FIRST[name], abs=0.02)
        assert found[name].total == pytest.approx(PUBLISHED_TOTAL[name], abs=0.02)
        assert 0 < found[name].total_half < 0.1  # a bootstrap interval, and a narrow one
    assert [i.input for i in sobol_indices(names, ishigami(-np.pi + 2 * np.pi * unit),
                                           seed=3)][0] == "x1"  # largest total first


def test_an_input_the_outcome_ignores_has_no_index():
    names = ["used", "ignored"]
    unit = saltelli_points(names, 1024, seed=1)
    found = {i.input: i for i in sobol_indices(names, unit[:, 0] ** 2, seed=1)}
    assert found["used"].first == pytest.approx(1.0, abs=0.05)
    assert abs(found["ignored"].total) < 0.01


def test_morris_effects_of_a_linear_outcome_are_its_slopes():
    """y = 3 x1 - 0.5 x2: every elementary effect of x1 is 3 (mu* = 3, sigma = 0), of
    x2 is -0.5 (mu* = 0.5), and x3 has none (Morris 1991's definition, by hand)."""
    from simulator.analysis.morris import morris_effects, morris_points

    names = ["x1", "x2", "x3"]
    points = morris_points(names, 20, seed=2)
    assert points.shape == (20 * 4, 3)
    found = {e.input: e for e in morris_effects(names, points, 3 * points[:, 0] - 0.5 * points[:, 1],
                                                seed=2)}
    assert found["x1"].mu_star == pytest.approx(3.0) and found["x1"].sigma == pytest.approx(0, abs=1e-9)
    assert found["x2"].mu_star == pytest.approx(0.5)
    assert found["x3"].mu_star == pytest.approx(0.0, abs=1e-12)


def test_the_figures_draw_one_bar_per_index_and_per_effect():
    from simulator import plotting
    from simulator.analysis.morris import MorrisEffect
    from simulator.analysis.sobol import SobolIndices

    indices = [SobolIndices("a", "Input a", 0.6, 0.1, 0.7, 0.1),
               SobolIndices("b", "Input b", 0.1, 0.05, 0.3, 0.1)]
    axes = plotting.plot_sobol(indices, outcome="P(x)").axes[0]
    assert len(axes.patches) == 4  # first and total bars for each input
    assert [t.get_text() for t in axes.get_yticklabels()] == ["Input a", "Input b"]
    effects = [MorrisEffect("a", "Input a", 3.0, 0.2, 0.1)]
    axes = plotting.plot_morris(effects, outcome="Fatalities", unit="people").axes[0]
    assert len(axes.patches) == 1 and "people" in axes.get_xlabel()
    assert plotting.png_bytes(plotting.plot_sobol([], outcome="P(x)"))[:4] == b"\x89PNG"
