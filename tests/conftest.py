"""Settings shared by the whole suite.

Hypothesis draws fresh examples on every local run, so a property test keeps exploring.
CI sets ``INFRASIM_HYPOTHESIS_PROFILE=ci``: a derandomized run (the examples follow from
each test's name), so a CI result depends on the code alone and a failure reproduces.
The user's cache folder is replaced by one of the test session.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

from hypothesis import settings

# Unit conversions remembered between processes (scenario/units.py) go to a folder of
# this session, so no test reads what the user's cache holds or writes to it.
_CACHE = tempfile.mkdtemp(prefix="infrasim-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("INFRASIM_HYPOTHESIS_PROFILE", "default"))
