"""What a worker process imports to run replications (issue 18: start-up cost).

A Dask worker, or a process pool that cannot fork, imports the batch runner and the
engine afresh; every second spent there is paid once per worker and caps parallel
efficiency. These modules take from a tenth of a second to a second each and no
replication needs them (the parent designs runs and loads scenarios; the report and
the notebooks read stored runs).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

NOT_IN_A_WORKER = ("scipy.stats", "scipy.signal", "pint", "dask", "pandas", "matplotlib")

_SCRIPT = """
import json, sys
import simulator.montecarlo.batch, simulator.engine, simulator.engine.consequences_link
print(json.dumps(sorted(name for name in sys.modules if name in sys.argv[1:])))
"""


@pytest.mark.slow
def test_a_worker_imports_nothing_it_does_not_need():
    output = subprocess.run([sys.executable, "-c", _SCRIPT, *NOT_IN_A_WORKER], check=True,
                            capture_output=True, text=True).stdout
    assert json.loads(output.strip().splitlines()[-1]) == []
