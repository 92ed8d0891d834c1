"""The run store: manifest contents, chunks, refusal to overwrite, and resume from any
partial state a crash can leave (chunks missing, temporary files, a chunk that cannot be
read)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from simulator.montecarlo import RunError, load_run, run_monte_carlo
from simulator.montecarlo.store import RunStore, read_outcomes_csv

CHEAP = "fake_engine:cheap"


def files(path):
    return {p.relative_to(path): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_manifest_records_what_ran(minimal, tmp_path):
    result = run_monte_carlo(minimal, 30, executor="serial", out=tmp_path / "run")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["scenario"]["file"] == str(minimal.source)
    assert len(manifest["scenario"]["sha256"]) == 64
    assert len(manifest["resolved_sha256"]) == 64
    assert manifest["resolved_scenario"] == minimal.model_dump(mode="json")
    assert manifest["variant"] is None and manifest["seed"] == 7
    assert set(manifest["versions"]) >= {"infrasim", "python", "numpy", "simpy"}
    assert manifest["executor"] == "serial" and manifest["workers"] == 1
    assert manifest["started"] and manifest["finished"]
    assert manifest["done"] == 30 and manifest["failed"] == 0
    assert manifest["result"] == {"replications": 30, "done": 30, "failed": 0,
                                  "converged": None}
    assert manifest["convergence"] == []
    assert manifest["outcomes"] == sorted(result.outcomes)
    assert json.loads((tmp_path / "run" / "failures.json").read_text()) == []
    # no temporary files left behind
    assert not [p for p in (tmp_path / "run").rglob("*.tmp")]


def test_outcomes_csv_round_trips_exactly(tmp_path, minimal):
    result = run_monte_carlo(minimal, 200, executor="serial", out=tmp_path / "run",
                             replicate="fake_engine:simulate")
    replications, outcomes = read_outcomes_csv(tmp_path / "run" / "outcomes.csv")
    assert (replications == result.replications).all()
    assert list(outcomes) == sorted(result.outcomes)
    for name, values in outcomes.items():
        np.testing.assert_array_equal(values, result.outcomes[name])  # NaN == NaN here
    loaded = load_run(tmp_path / "run")
    assert loaded.done == 200 and sorted(loaded.outcomes) == sorted(result.outcomes)


def test_variant_is_recorded_and_named_in_the_default_directory(tmp_path, monkeypatch):
    from fake_engine import MINIMAL

    from simulator.montecarlo import default_run_dir
    from simulator.scenario import load_scenario

    scenario = load_scenario(MINIMAL, variant="strong_garrison")
    path = default_run_dir(scenario, root=tmp_path)
    assert path.name.startswith("minimal-strong_garrison-")
    result = run_monte_carlo(scenario, 5, executor="serial", out=path)
    assert result.manifest["variant"] == "strong_garrison"


def test_existing_run_is_refused_and_left_untouched(minimal, tmp_path):
    out = tmp_path / "run"
    run_monte_carlo(minimal, 20, executor="serial", out=out, replicate=CHEAP)
    before = files(out)
    with pytest.raises(RunError, match="already holds a run; use --resume"):
        run_monte_carlo(minimal, 20, executor="serial", out=out, replicate=CHEAP)
    assert files(out) == before


def test_resume_refuses_a_different_scenario_or_seed(minimal, tmp_path):
    from simulator.scenario import load_scenario

    out = tmp_path / "run"
    run_monte_carlo(minimal, 20, executor="serial", out=out, replicate=CHEAP)
    before = files(out)
    other = load_scenario(minimal.source, variant="strong_garrison")
    with pytest.raises(RunError, match="variant"):
        run_monte_carlo(other, 20, executor="serial", out=out, resume=True, replicate=CHEAP)
    edited = tmp_path / "edited.yaml"
    edited.write_text(Path(minimal.source).read_text().replace("base_flow: 100", "base_flow: 120"))
    changed = load_scenario(edited)
    with pytest.raises(RunError, match="different scenario"):
        run_monte_carlo(changed, 20, executor="serial", out=out, resume=True,
                        replicate=CHEAP)
    with pytest.raises(RunError, match="seed 7, not 8"):
        run_monte_carlo(minimal, 20, executor="serial", out=out, resume=True, seed=8,
                        replicate=CHEAP)
    assert files(out) == before


def test_resume_of_a_complete_run_changes_nothing_but_the_sessions(minimal, tmp_path):
    out = tmp_path / "run"
    first = run_monte_carlo(minimal, 50, executor="serial", out=out, replicate=CHEAP)
    csv = (out / "outcomes.csv").read_bytes()
    again = run_monte_carlo(minimal, executor="serial", out=out, resume=True, replicate=CHEAP)
    assert (out / "outcomes.csv").read_bytes() == csv
    assert again.done == first.done == 50
    assert len(again.manifest["sessions"]) == 2


def test_resume_from_any_partial_state_equals_an_uninterrupted_run(minimal, tmp_path,
                                                                  monkeypatch):
    """Delete random chunks (batches lost to a crash), leave temporary files and a broken
    chunk behind: the resumed run must fill exactly the gaps."""
    from simulator.montecarlo import runner

    for name in ("MIN_BATCH_S", "MAX_BATCH_S"):  # many small chunks
        monkeypatch.setattr(runner, name, 1e-4)
    monkeypatch.setattr(runner, "FIRST_BATCH", 5)
    n = 300
    reference = tmp_path / "reference"
    run_monte_carlo(minimal, n, executor="serial", out=reference, replicate=CHEAP)
    expected = (reference / "outcomes.csv").read_bytes()
    chunks = sorted((reference / "chunks").glob("*.npz"))
    assert len(chunks) > 10
    generator = random.Random(5)
    for trial in range(4):
        out = tmp_path / f"partial{trial}"
        (out / "chunks").mkdir(parents=True)
        kept = generator.sample(chunks, generator.randrange(len(chunks)))
        for chunk in kept:
            (out / "chunks" / chunk.name).write_bytes(chunk.read_bytes())
        manifest = json.loads((reference / "manifest.json").read_text())
        manifest.update(status="running", finished=None, result=None)
        (out / "manifest.json").write_text(json.dumps(manifest))
        (out / "chunks" / ".chunk-000000999999.npz.123.tmp").write_bytes(b"half a chunk")
        if kept:
            broken = out / "chunks" / kept[0].name
            broken.write_bytes(broken.read_bytes()[:50])
        result = run_monte_carlo(minimal, executor="serial", out=out, resume=True,
                                 replicate=CHEAP)
        assert result.done == n
        assert (out / "outcomes.csv").read_bytes() == expected, trial
        assert not list(out.rglob("*.tmp"))


def test_a_run_in_use_is_locked(minimal, tmp_path):
    out = tmp_path / "run"
    run_monte_carlo(minimal, 10, executor="serial", out=out, replicate=CHEAP)
    holder = RunStore(out)
    holder.lock()
    try:
        with pytest.raises(RunError, match="another process"):
            run_monte_carlo(minimal, 20, executor="serial", out=out, resume=True,
                            replicate=CHEAP)
    finally:
        holder.unlock()


def test_without_out_nothing_is_written(minimal, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_monte_carlo(minimal, 10, executor="serial", replicate=CHEAP)
    assert result.path is None and result.done == 10
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RunError, match="resume needs"):
        run_monte_carlo(minimal, 10, executor="serial", resume=True, replicate=CHEAP)


def reference_csv(result):
    """outcomes.csv as the store promises it, formatted independently, value by value."""
    names = sorted(result.outcomes)
    lines = [",".join(["replication", *names])]
    for i, k in enumerate(result.replications.tolist()):
        values = [float(result.outcomes[name][i]) for name in names]
        lines.append(",".join([str(k), *(repr(v) if v == v else "" for v in values)]))
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("replicate", ["fake_engine:simulate", "fake_engine:ragged",
                                       "fake_engine:failing"])
def test_csv_from_worker_text_equals_csv_formatted_here(minimal, tmp_path, monkeypatch,
                                                        replicate):
    from simulator.montecarlo import runner

    monkeypatch.setattr(runner, "MAX_BATCH_REPLICATIONS", 7)  # many chunks
    out = tmp_path / "run"
    result = run_monte_carlo(minimal, 100, executor="serial", out=out, replicate=replicate)
    written = (out / "outcomes.csv").read_bytes()
    assert written == reference_csv(result)
    for chunk in (out / "chunks").glob("*.npz"):  # drop the workers' text: format here
        with np.load(chunk) as data:
            arrays = {key: data[key] for key in data.files if key != "csv"}
        np.savez(chunk, **arrays)
    RunStore(out).write_outcomes(100, sorted(result.outcomes), result.done)
    assert (out / "outcomes.csv").read_bytes() == written


def test_run_status_tells_a_running_run_from_one_whose_process_died():
    import os
    import platform
    import subprocess
    import sys

    from simulator.montecarlo.store import run_status

    here = platform.node()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout
    assert run_status({"status": "running", "sessions": [{"host": here, "pid": os.getpid()}]}
                      ) == "running"
    assert run_status({"status": "running", "sessions": [{"host": here, "pid": int(gone)}]}
                      ) == "died"
    assert run_status({"status": "running",  # another machine's run: cannot tell here
                       "sessions": [{"host": here + "-elsewhere", "pid": int(gone)}]}
                      ) == "running"
    assert run_status({"status": "complete", "sessions": [{"host": here, "pid": int(gone)}]}
                      ) == "complete"
    assert run_status({"status": "running"}) == "running"  # made before pids were recorded
