"""Run-to-run differences: with common random numbers (same seed, same replication
indices) the paired interval is much narrower than the unpaired one; intervals match
scipy's paired and Welch t tests; runs that cannot be paired say so."""

import numpy as np
import pytest
from scipy.stats import ttest_ind, ttest_rel

from simulator.analysis.compare import RunSample, compare_outcome, compare_runs


def crn_runs(n=400, effect=0.3, seed_b=42):
    """Two variants driven by the same random numbers replication by replication."""
    rng = np.random.default_rng(0)
    common = rng.lognormal(2.0, 0.8, n)  # the shared random inputs' effect
    a = common + 0.1 * rng.normal(size=n)
    b = common + effect + 0.1 * rng.normal(size=n)
    replications = np.arange(n)
    return (RunSample("base", {"fatalities": a}, replications, 42),
            RunSample("variant", {"fatalities": b}, replications, seed_b))


def test_common_random_numbers_give_a_much_narrower_paired_interval():
    base, variant = crn_runs()
    paired = compare_outcome("fatalities", base, variant)
    unpaired = compare_outcome("fatalities", base, variant, paired=False)
    assert paired.paired and paired.pairs == 400 and paired.method.startswith("paired")
    assert not unpaired.paired and "Welch" in unpaired.method
    assert paired.low < 0.3 < paired.high and paired.significant
    assert not unpaired.significant  # the same data, unpaired, cannot see the effect
    assert paired.half_width < unpaired.half_width / 10
    assert paired.difference == pytest.approx(unpaired.difference)


def test_intervals_match_scipy():
    base, variant = crn_runs(n=60)
    a, b = base.outcomes["fatalities"], variant.outcomes["fatalities"]
    paired = compare_outcome("fatalities", base, variant)
    expected = ttest_rel(b, a).confidence_interval(0.95)
    assert (paired.low, paired.high) == pytest.approx((expected.low, expected.high))
    welch = compare_outcome("fatalities", base, variant, paired=False)
    expected = ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert (welch.low, welch.high) == pytest.approx((expected.low, expected.high))


def test_runs_with_different_seeds_or_no_indices_are_unpaired():
    base, variant = crn_runs(seed_b=7)
    assert not compare_outcome("fatalities", base, variant).paired
    anonymous = RunSample("x", base.outcomes)
    assert not compare_outcome("fatalities", anonymous, anonymous).paired


def test_pairs_are_matched_by_replication_index():
    a = RunSample("a", {"v": np.array([1.0, 2.0, 3.0, 4.0])}, np.array([0, 1, 2, 3]), 1)
    # b ran replications 2..5, stored out of order; 10.0 is replication 5 (no partner)
    b = RunSample("b", {"v": np.array([5.0, 4.0, 10.0, np.nan])},
                  np.array([3, 2, 5, 4]), 1)
    d = compare_outcome("v", a, b)
    assert d.paired and d.pairs == 2  # replications 2 and 3 (4 is missing in b)
    assert d.difference == pytest.approx(1.0) and d.low == d.high == pytest.approx(1.0)
    assert d.mean_a == 2.5 and d.mean_b == pytest.approx(19 / 3)


def test_compare_runs_takes_the_shared_key_outcomes():
    a = RunSample("a", {"x": np.ones(3), "y": np.zeros(3), "arrival_h.hit": np.ones(3)})
    b = RunSample("b", {"x": np.ones(3) * 2, "z": np.zeros(3)})
    rows = compare_runs(a, b)
    assert [r.outcome for r in rows] == ["x"]
    assert rows[0].difference == 1.0 and np.isnan(rows[0].low)  # constant: no interval


def test_from_manifest_reads_the_seed_and_replication_column():
    outcomes = {"replication": np.array([0.0, 1.0]), "v": np.array([1.0, 2.0])}
    run = RunSample.from_manifest("r", outcomes, {"seed": 5})
    assert run.seed == 5 and list(run.replications) == [0, 1]


def test_unpaired_probabilities_use_newcombe_within_100_points():
    """P(breach) 0 in one run and 1 in every replication of the other: the difference is
    +1 with an interval that has a width and ends at +1, not Welch's zero-width one."""
    from simulator.analysis.catalogue import Catalogue

    a = RunSample("a", {"breach_started": np.zeros(50)}, np.arange(50), 1)
    b = RunSample("b", {"breach_started": np.ones(50)}, np.arange(50), 2)
    (d,) = compare_runs(a, b, ["breach_started"], catalogue=Catalogue())
    assert d.method == "Newcombe, unpaired" and d.difference == 1.0
    assert 0.85 < d.low < 1.0 and d.high == 1.0


def test_a_warning_lead_is_compared_given_a_flood_only():
    """The warning lead time has no value without a flood: no paired 'mean' over the
    replications where both runs flooded, only the mean given the breach."""
    from simulator.analysis.catalogue import Catalogue

    breach = np.r_[np.ones(30), np.zeros(30)]
    lead = np.where(breach == 1, np.linspace(1, 3, 60), np.nan)
    a = RunSample("a", {"warning_lead_h.hit": lead, "breach_started": breach}, np.arange(60), 1)
    b = RunSample("b", {"warning_lead_h.hit": lead + 1, "breach_started": breach},
                  np.arange(60), 1)
    found = compare_runs(a, b, ["warning_lead_h.hit"], catalogue=Catalogue())
    assert [d.measure for d in found] == ["given"]
    assert found[0].difference == pytest.approx(1.0) and not found[0].paired


def test_two_constant_samples_give_no_welch_interval():
    """Every breach cut the whole dam in both runs: the difference is 0, with no
    interval rather than '0 to 0'."""
    from simulator.analysis.compare import welch_difference

    difference, low, high = welch_difference(np.ones(30), np.ones(20))
    assert difference == 0.0 and np.isnan(low) and np.isnan(high)
