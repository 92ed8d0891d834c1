"""A failure mode's breach fields: every breach names its mechanism, a full breach cuts
the whole height, a demolition brings its own width and formation time, and breach
fields have no place on a loss of operation."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from simulator.scenario.schema import DEFAULT_WIDTH_FACTOR, FailureMode

BREACH = {"kind": "full_breach", "probability": 0.5, "delay": "1 h"}


def mode(**fields):
    return FailureMode.model_validate({**BREACH, **fields})


def refused(message, **fields):
    with pytest.raises(ValidationError, match=message):
        mode(**fields)


def test_a_regression_mechanism_gets_the_default_width_factor():
    piping = mode(mechanism="piping")
    assert piping.width_factor == DEFAULT_WIDTH_FACTOR
    assert DEFAULT_WIDTH_FACTOR.params["sigma"] == pytest.approx(math.log(2.0) / 1.96)
    assert piping.depth_fraction.mean == 1.0 and piping.width_m is None


def test_overrides_take_values_and_distributions():
    demolition = mode(mechanism="demolition", crest_fraction=0.1,
                      formation_time={"dist": "triangular", "low": "5 min", "mode": "10 min",
                                      "high": "30 min"})
    assert demolition.crest_fraction.mean == pytest.approx(0.1)
    assert demolition.formation_s.params["high"] == 1800.0
    partial = mode(kind="partial_breach", mechanism="overtopping",
                   depth_fraction={"dist": "uniform", "low": 0.3, "high": 0.6})
    assert partial.depth_fraction.kind == "uniform"


def test_breach_without_mechanism_is_refused():
    refused("needs 'mechanism': overtopping, piping or demolition")
    refused("Input should be 'overtopping', 'piping' or 'demolition'", mechanism="sabotage")


def test_full_breach_must_cut_the_whole_height():
    refused("depth_fraction must be 1", mechanism="overtopping", depth_fraction=0.5)
    refused("depth_fraction must be 1", mechanism="overtopping",
            depth_fraction={"dist": "uniform", "low": 0.9, "high": 1.0})
    refused("partial_breach needs depth_fraction below 1", kind="partial_breach",
            mechanism="piping", depth_fraction={"dist": "uniform", "low": 0.5, "high": 1.0})


def test_demolition_needs_width_and_time():
    refused("give its 'formation_time' and its 'width' or 'crest_fraction'",
            mechanism="demolition", width="70 m")
    refused("give its 'formation_time' and its 'width' or 'crest_fraction'",
            mechanism="demolition", formation_time="10 min")


def test_width_is_given_once_and_not_scaled_twice():
    refused("'width' or 'crest_fraction', not both", mechanism="piping", width="70 m",
            crest_fraction=0.1)
    refused("put the uncertainty in that value instead", mechanism="piping", width="70 m",
            width_factor=2.0)
    refused("must be > 0", mechanism="piping", width="0 m")


def test_loss_of_operation_has_no_breach():
    with pytest.raises(ValidationError, match="'mechanism' describes a breach"):
        FailureMode.model_validate({"kind": "loss_of_operation", "probability": 0.5,
                                    "delay": "1 h", "restoration": "2 d",
                                    "mechanism": "piping"})
