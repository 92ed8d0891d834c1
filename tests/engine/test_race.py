"""An analytic check of the whole engine: a race of two exponential delays.

tests/data/race.yaml sends a column to an undefended dam (travel time Exp(mean 2 h)) and
a relief force (Exp(mean 3 h)). Whoever arrives first decides: the column takes the dam
on arrival, or meets ten times its strength and withdraws at once. So
P(dam captured) = (1/2) / (1/2 + 1/3) = 0.6 exactly."""

from __future__ import annotations

import math

from simulator.engine import simulate

REPLICATIONS = 4000
Z99 = 2.5758


def test_race_of_two_exponentials(load):
    race = load("race.yaml")
    captured = [simulate(race, replication=k, consequences=False).outcomes["dam_captured"]
                for k in range(REPLICATIONS)]
    p = 0.6
    half_width = Z99 * math.sqrt(p * (1 - p) / REPLICATIONS)
    estimate = sum(captured) / REPLICATIONS
    assert abs(estimate - p) < half_width, (estimate, half_width)


def test_race_winner_is_the_earlier_arrival(load):
    race = load("race.yaml")
    for k in range(200):
        o = simulate(race, replication=k, consequences=False).outcomes
        column_first = (o["input.network.roads.east_dam.travel_time_s"]
                        < o["input.network.roads.west_dam.travel_time_s"])
        assert o["dam_captured"] == float(column_first)
        assert o["dam_held"] == float(not column_first)
