"""Comparisons: two runs with one seed and the same replications are paired (common random
numbers) and their intervals are much narrower than unpaired ones; runs with different
seeds are compared unpaired, and the table and page say which."""

import numpy as np
from report_helpers import check_html, embedded_images, synthetic_run

from simulator.analysis.compare import compare_outcome
from simulator.report.compare import (
    StoredRun,
    build_comparison_report,
    compare_stored_runs,
    comparison_table,
    pairing_text,
)


def stored(label, seed, shift, rng_seed=1):
    outcomes, replications, manifest = synthetic_run(seed=seed, shift=shift,
                                                     rng_seed=rng_seed)
    return StoredRun(label, outcomes, replications, manifest)


def test_crn_variants_are_paired_with_much_narrower_intervals():
    base, variant = stored("base", 5, 0.0), stored("variant", 5, 50.0)
    differences = compare_stored_runs([base, variant])["variant"]
    fatalities = next(d for d in differences if d.outcome == "fatalities")
    unpaired = compare_outcome("fatalities", base.sample, variant.sample, paired=False)
    assert fatalities.paired and not unpaired.paired
    assert fatalities.half_width < unpaired.half_width / 3
    assert fatalities.significant and not unpaired.significant
    assert "paired by replication" in pairing_text(base, variant, differences)
    assert "narrower than unpaired" in pairing_text(base, variant, differences)


def test_runs_with_different_seeds_are_unpaired_and_say_so():
    base, other = stored("base", 5, 0.0), stored("other", 6, 50.0, rng_seed=2)
    differences = compare_stored_runs([base, other])["other"]
    assert differences and not any(d.paired for d in differences)
    assert "unpaired (Welch t), different seeds (5 and 6)" in \
        pairing_text(base, other, differences)


def test_comparison_table_and_page(fast_png):
    runs = [stored("base", 5, 0.0), stored("a", 5, 50.0), stored("b", 5, -20.0)]
    differences = compare_stored_runs(runs)
    table = comparison_table(runs, differences)
    headers = [column.header for column in table.columns]
    assert headers[:4] == ["outcome", "mean base", "mean a", "mean b"]
    assert headers[4] == "a - base ± 95% CI"
    # constant and equal outcomes in every run are left out of the table
    assert all(d.outcome != "input.forces.column.strength" for d in differences["a"])
    text = build_comparison_report(runs, differences)
    tags = check_html(text)
    images = embedded_images(tags)
    # F-N overlay, exceedance overlay of fatalities, one forest plot per other run
    assert len(images) == 4
    assert "paired by replication" in text and "Valley &lt;test&gt;" in text
    assert "<script>" not in text
    assert np.isfinite(differences["a"][0].half_width)
