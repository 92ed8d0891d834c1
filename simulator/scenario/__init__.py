"""The scenario language: YAML files with units and distributions, validated into
frozen models. See README.md, section "Scenario language"."""

from .errors import Mark, Problem, ScenarioError
from .loader import ScenarioDocument, load_scenario, read_document, validate_file
from .schema import Scenario

__all__ = ["Mark", "Problem", "Scenario", "ScenarioDocument", "ScenarioError", "load_scenario",
           "read_document", "validate_file"]
