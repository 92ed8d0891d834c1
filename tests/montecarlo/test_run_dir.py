"""Where a run is stored: the directory given, a new one, or (to resume) the latest run of
the same scenario and variant under the runs root."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fake_engine import MINIMAL

from simulator.montecarlo import RunError, choose_run_dir, run_monte_carlo
from simulator.scenario import load_scenario


def _started(path, when):
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["started"] = when
    (path / "manifest.json").write_text(json.dumps(manifest))


def test_the_directory_given_is_used_as_it_is(minimal, tmp_path):
    assert choose_run_dir(minimal, "somewhere/run", root=tmp_path) == Path("somewhere/run")
    assert choose_run_dir(minimal, tmp_path / "x", resume=True, root=tmp_path) == tmp_path / "x"


def test_a_new_run_gets_a_fresh_directory_under_the_root(minimal, tmp_path):
    path = choose_run_dir(minimal, root=tmp_path)
    assert path.parent == tmp_path and path.name.startswith("minimal-") and not path.exists()


def test_resume_picks_the_latest_run_of_the_same_scenario_and_variant(minimal, tmp_path):
    for name in ("minimal-a", "minimal-b"):
        run_monte_carlo(minimal, 3, executor="serial", out=tmp_path / name,
                        replicate="fake_engine:cheap")
    _started(tmp_path / "minimal-a", "2030-01-02T00:00:00+00:00")
    _started(tmp_path / "minimal-b", "2030-01-01T00:00:00+00:00")
    strong = load_scenario(MINIMAL, variant="strong_garrison")
    run_monte_carlo(strong, 3, executor="serial", out=tmp_path / "minimal-strong_garrison-c",
                    replicate="fake_engine:cheap")
    _started(tmp_path / "minimal-strong_garrison-c", "2030-01-03T00:00:00+00:00")
    (tmp_path / "minimal-d").mkdir()  # no manifest: not a run

    assert choose_run_dir(minimal, resume=True, root=tmp_path) == tmp_path / "minimal-a"
    assert choose_run_dir(strong, resume=True, root=tmp_path) == \
        tmp_path / "minimal-strong_garrison-c"


def test_resume_without_an_earlier_run_is_refused(minimal, tmp_path):
    message = f"no earlier run of {MINIMAL} under {tmp_path}/ to resume; name it with --out"
    with pytest.raises(RunError, match=re.escape(message)):
        choose_run_dir(minimal, resume=True, root=tmp_path)
