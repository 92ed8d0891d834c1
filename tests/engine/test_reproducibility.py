"""Reproducible by construction: the same (scenario, seed, replication) always gives the
same history, alone or in any batch, and two variants share the random numbers of every
component they have in common."""

from __future__ import annotations

import pickle

from simulator.engine import Replication, prepare, simulate, simulate_history


def test_same_seed_same_history(uncertain, same):
    """Outcomes and timeline are identical on a second run with a scenario prepared
    afresh, and do not depend on whether a timeline is kept."""
    prepared = prepare(uncertain)
    first = [simulate(prepared, seed=17, replication=k, timeline=True) for k in range(30)]
    again = [simulate(prepare(uncertain), seed=17, replication=k, timeline=True)
             for k in range(30)]
    assert all(same(a, b) for a, b in zip(first, again, strict=True))
    bare = [simulate(uncertain, seed=17, replication=k) for k in range(30)]
    without_timeline = [Replication(r.seed, r.replication, r.outcomes) for r in first]
    assert all(same(a, b) for a, b in zip(bare, without_timeline, strict=True))
    assert all(r.timeline is None for r in bare)


def test_seed_defaults_to_the_scenario_and_matters(uncertain, same):
    assert simulate(uncertain).seed == uncertain.scenario.seed == 5
    assert same(simulate(uncertain, seed=5), simulate(uncertain))
    assert simulate(uncertain, seed=6).outcomes != simulate(uncertain, seed=5).outcomes
    assert simulate(uncertain, replication=1).outcomes != simulate(uncertain).outcomes


def test_replication_alone_equals_replication_in_a_batch(uncertain, same):
    prepared = prepare(uncertain)
    batch = [simulate(prepared, seed=3, replication=k) for k in range(25)]
    for k in (24, 0, 13, 7):  # alone: a plain scenario, prepared for the one call
        assert same(simulate(uncertain, seed=3, replication=k), batch[k])
    reverse = [simulate(prepared, seed=3, replication=k) for k in reversed(range(25))]
    assert all(same(a, b) for a, b in zip(reversed(reverse), batch, strict=True))


def test_common_random_numbers_across_variants(load):
    """The big_column variant changes only the column: every other component's inputs
    are drawn identically, replication by replication."""
    base = load("engine_uncertain.yaml")
    variant = load("engine_uncertain.yaml", "big_column")
    changed = 0
    for k in range(30):
        a = simulate(base, replication=k).outcomes
        b = simulate(variant, replication=k).outcomes
        inputs_a = {key: v for key, v in a.items() if key.startswith("input.")}
        inputs_b = {key: v for key, v in b.items() if key.startswith("input.")}
        column = "input.forces.column."
        assert {k_: v for k_, v in inputs_a.items() if not k_.startswith(column)} == \
            {k_: v for k_, v in inputs_b.items() if not k_.startswith(column)}
        assert "input.forces.column.withdraw_ratio" not in inputs_b  # fixed in the variant
        changed += inputs_a[column + "strength"] != inputs_b[column + "strength"]
        # the column's other draws come after strength in its own stream: unchanged
        assert inputs_a[column + "departure_s"] == inputs_b[column + "departure_s"]
    assert changed == 30


def test_records_pickle(uncertain, same):
    """Records cross process boundaries (Monte Carlo workers)."""
    r = simulate(uncertain, replication=2, timeline=True)
    assert same(pickle.loads(pickle.dumps(r)), r)
    h = simulate_history(uncertain, replication=2)
    assert pickle.loads(pickle.dumps(h)) == h


def test_outcome_columns_are_the_same_in_every_replication(uncertain):
    """The run store keeps outcomes in columns: every replication has the same names."""
    names = {tuple(simulate(uncertain, replication=k).outcomes) for k in range(40)}
    assert len(names) == 1
    (columns,) = names
    for required in ("dam_captured", "time_to_capture_h", "towns_captured",
                     "reinforcements_arrival_h", "breach_started", "breach_time_h",
                     "attacker_losses", "defender_losses", "input.forces.column.strength"):
        assert required in columns
