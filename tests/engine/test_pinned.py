"""Pinned inputs: a branch forecast replaces some draws by a story's values and draws the
rest as usual. Without pins nothing changes; with pins exactly the pinned inputs change
and every other input keeps its own stream's draw (common random numbers)."""

from __future__ import annotations

import pytest

from simulator.engine import prepare, simulate


def test_no_pins_is_the_default(uncertain, same):
    for k in range(10):
        assert same(simulate(uncertain, seed=4, replication=k, timeline=True),
                    simulate(uncertain, seed=4, replication=k, timeline=True, pinned={}))
        assert same(simulate(uncertain, seed=4, replication=k, timeline=True),
                    simulate(uncertain, seed=4, replication=k, timeline=True, pinned=None))


def test_pinned_inputs_replace_their_draws_only(uncertain):
    table = prepare(uncertain).inputs
    story = table.draw_by_path(4, 0)
    pins = {path: story[path] for path in table.random_paths[:3]}
    for k in range(1, 6):
        fresh = table.draw_by_path(4, k)
        branch = dict(zip(table.paths, table.draw(4, k, pins), strict=True))
        assert {p: branch[p] for p in pins} == pins
        assert {p: v for p, v in branch.items() if p not in pins} == \
            {p: v for p, v in fresh.items() if p not in pins}
        outcomes = simulate(uncertain, seed=4, replication=k, pinned=pins).outcomes
        assert all(outcomes["input." + p] == v for p, v in pins.items())


def test_pinning_every_input_replays_the_story(uncertain):
    """With all of a story's inputs pinned, any replication index gives its timeline."""
    story = simulate(uncertain, seed=9, replication=3, timeline=True)
    pins = prepare(uncertain).inputs.draw_by_path(9, 3)
    branch = simulate(uncertain, seed=9, replication=11, timeline=True, pinned=pins)
    assert branch.timeline == story.timeline


def test_unknown_pinned_path_is_refused(uncertain):
    with pytest.raises(ValueError, match="not in this scenario: forces.nobody.strength"):
        simulate(uncertain, pinned={"forces.nobody.strength": 1.0})


def test_input_specs_cover_every_sampled_input(uncertain):
    table = prepare(uncertain).inputs
    assert set(table.specs) == set(table.draw_by_path(1, 0))
    assert set(table.random_paths) <= set(table.specs)
    recorded = {name.removeprefix("input.") for name in simulate(uncertain).outcomes
                if name.startswith("input.")}
    assert recorded == set(table.random_paths)
