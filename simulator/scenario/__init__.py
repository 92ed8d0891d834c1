"""The scenario language: YAML files with units and distributions, validated into
frozen models. See README.md, section "Scenario language"."""

from .errors import Mark, Problem, ScenarioError
from .loader import load_scenario, validate_file
from .schema import Scenario

__all__ = ["Mark", "Problem", "Scenario", "ScenarioError", "load_scenario", "validate_file"]
