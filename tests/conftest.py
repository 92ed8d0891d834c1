"""Settings shared by the whole suite.

Hypothesis draws fresh examples on every local run, so a property test keeps exploring.
CI sets ``INFRASIM_HYPOTHESIS_PROFILE=ci``: a derandomized run (the examples follow from
each test's name), so a CI result depends on the code alone and a failure reproduces.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("INFRASIM_HYPOTHESIS_PROFILE", "default"))
