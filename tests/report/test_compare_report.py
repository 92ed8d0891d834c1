"""Comparisons: two runs with one seed and the same replications are paired (common random
numbers) and their intervals are much narrower than unpaired ones; runs with different
seeds are compared unpaired, and the table and page say which."""

import re

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
    assert ("unpaired (Welch t; Newcombe's score interval for probabilities), different "
            "seeds (5 and 6)") in pairing_text(base, other, differences)


def test_comparison_table_and_page(fast_png):
    runs = [stored("base", 5, 0.0), stored("a", 5, 50.0), stored("b", 5, -20.0)]
    differences = compare_stored_runs(runs)
    table = comparison_table(runs, differences)
    headers = [column.header for column in table.columns]
    assert headers[:4] == ["outcome", "base", "a", "b"]
    assert headers[4] == "a − base (95% CI)"
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


def test_the_page_opens_with_the_headline_of_every_run_labelled(fast_png):
    """The headline answers come first, each run side by side with its difference from
    the reference; probabilities differ in percentage points with a written-out interval
    (never '± 0'); every table names outcomes by label, ids only in tooltips; the
    fatalities given a breach are compared over breaches only."""
    runs = [stored("base", 5, 0.0), stored("a", 5, 50.0)]
    differences = compare_stored_runs(runs)
    kinds = {(d.outcome, d.measure) for d in differences["a"]}
    assert ("fatalities", "mean") in kinds and ("fatalities", "given") in kinds
    given = next(d for d in differences["a"] if (d.outcome, d.measure) == ("fatalities", "given"))
    breach = runs[0].outcomes["breach_started"] == 1
    assert given.mean_a == np.mean(runs[0].outcomes["fatalities"][breach])
    text = build_comparison_report(runs, differences)
    assert text.index('id="headline"') < text.index(">Runs<") < text.index(">Figures<")
    headline = text[text.index('id="headline"'):text.index(">Runs<")]
    for answer in ("P(dam captured)", "P(breach)", "Expected fatalities (people)",
                   "Fatalities given breach (people)"):
        assert answer in headline
    from simulator.formatting import number_text

    given_row = headline[headline.index("Fatalities given breach"):]
    given_row = given_row[:given_row.index("</tr>")]
    assert f"mean {number_text(given.mean_a)}" in given_row  # what the difference compares
    assert f"mean {number_text(given.mean_b)}" in given_row and "median" not in given_row
    captured = next(d for d in differences["a"] if d.outcome == "dam_captured")
    assert captured.difference == 0 and "0 pp (0 to 0)" in headline and "±" not in text
    cells = " ".join(re.sub(r'title="[^"]*"', "", c)
                     for c in re.findall(r"<td[^>]*>(.*?)</td>", text))
    assert not re.search(r"\b(dam_captured|breach_started|depth_m\.\w+)\b|>fatalities<", cells)


def test_a_clear_change_says_whether_it_is_worse_or_better():
    """More fatalities are worse, an earlier capture is worse and so is a likelier one
    (the probability of a time to an event goes the other way from the time), a later
    arrival of reinforcements is worse; unclear changes get no verdict."""
    from simulator.analysis.catalogue import Catalogue
    from simulator.analysis.compare import Difference
    from simulator.report.compare import _difference_text

    def diff(outcome, difference, measure="mean", low=None, high=None):
        low = difference - 1 if low is None else low
        high = difference + 1 if high is None else high
        return Difference(outcome, 10.0, 10.0 + difference, difference, low, high, 50, 50,
                          True, 50, measure=measure)

    catalogue = Catalogue()
    assert _difference_text(diff("fatalities", 50.0), catalogue).endswith("* worse")
    assert _difference_text(diff("fatalities", -50.0), catalogue).endswith("* better")
    assert _difference_text(diff("capture_h.hit", -5.0, "given"), catalogue).endswith("worse")
    assert _difference_text(diff("capture_h.hit", 0.2, "probability", 0.1, 0.3),
                            catalogue).endswith("* worse")
    assert _difference_text(diff("reinforcements_arrival_h", 3.0, "given"),
                            catalogue).endswith("* worse")
    unclear = _difference_text(diff("fatalities", 0.5, low=-1.0, high=2.0), catalogue)
    assert "*" not in unclear and "worse" not in unclear and "better" not in unclear
