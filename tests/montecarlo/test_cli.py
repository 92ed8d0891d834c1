"""`infrasim run` and `infrasim replay`: output, exit status, and one clear message with
exit status 2 for every kind of bad input, with nothing already written lost."""

from __future__ import annotations

import json

import pytest
from fake_engine import MINIMAL

from simulator.cli import main


def files(path):
    return {p.relative_to(path): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def run(capsys, *argv):
    try:
        status = main(["run", *map(str, argv)])
    except SystemExit as exit_:  # argparse's own errors
        status = exit_.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run"
    assert main(["run", str(MINIMAL), "-n", "60", "--executor", "serial", "--out", str(out),
                 "--quiet"]) == 0
    return out


def test_run_prints_a_summary_and_where_it_wrote(capsys, tmp_path):
    out = tmp_path / "run"
    status, stdout, stderr = run(capsys, MINIMAL, "-n", 40, "--executor", "serial",
                                 "--out", out)
    assert status == 0
    assert "Minimal valley: 40 replications, seed 7" in stdout
    headline, _, table = stdout.partition("All outcomes")
    for answer in ("P(dam captured)", "P(breach)", "Expected fatalities (people)"):
        assert answer in headline  # the headline first
    for heading in ("mean or P", "95% CI", "p5", "median", "p95", "replications"):
        assert heading in table
    assert f"wrote {out}" in stdout
    assert stderr == ""  # no progress bar when stderr is not a terminal
    assert (out / "outcomes.csv").is_file()


def test_default_out_is_named_after_the_scenario_and_variant(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, stdout, _ = run(capsys, MINIMAL, "-n", 5, "--executor", "serial", "-V",
                            "strong_garrison")
    assert status == 0
    (made,) = (tmp_path / "runs").iterdir()
    assert made.name.startswith("minimal-strong_garrison-")
    # --resume without --out finds that run again
    status, stdout, stderr = run(capsys, MINIMAL, "--executor", "serial", "-V",
                                 "strong_garrison", "--resume")
    assert status == 0 and f"wrote runs/{made.name}" in stdout


def test_adaptive_run_from_the_command_line(capsys, tmp_path):
    status, stdout, _ = run(capsys, MINIMAL, "--precision", 0.05, "--metric",
                            "time_to_capture_h", "--min", 20, "--max", 400,
                            "--executor", "serial", "--out", tmp_path / "run")
    assert status == 0 and "converged" in stdout
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["stopping"]["metrics"] == {"time_to_capture_h": 0.0}


@pytest.mark.parametrize("argv, message", [
    (["missing.yaml"], "missing.yaml:1:1: no such file"),
    ([MINIMAL, "-V", "nope"], "unknown variant 'nope'"),
    ([MINIMAL, "-n", "-5"], "must be at least 1"),
    ([MINIMAL, "-n", "many"], "expected a whole number"),
    ([MINIMAL, "--precision", "2"], "fraction between 0 and 1"),
    ([MINIMAL, "-n", "5", "--precision", "0.1"], "not allowed with"),
    ([MINIMAL, "--precision", "0.1"], "needs at least one metric"),
    ([MINIMAL, "-n", "5", "--metric", "x"], "go with --precision"),
    ([MINIMAL, "--executor", "threads"], "unknown executor 'threads'"),
    ([MINIMAL, "--executor", "serial", "--scheduler", "tcp://x:1"], "needs the dask executor"),
    ([MINIMAL, "--seed", "-1"], "must be from 0"),
])
def test_bad_input_is_one_message_and_exit_2(capsys, tmp_path, argv, message):
    status, stdout, stderr = run(capsys, *argv, "--out", tmp_path / "run")
    assert status == 2
    assert message in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "run").exists()


def test_argparse_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", str(MINIMAL), "-n", "-5"])
    assert exit_info.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_existing_out_and_foreign_resume_are_refused_untouched(capsys, stored):
    before = files(stored)
    status, _, stderr = run(capsys, MINIMAL, "-n", 10, "--executor", "serial", "--out", stored)
    assert status == 2 and "already holds a run; use --resume" in stderr
    status, _, stderr = run(capsys, MINIMAL, "-V", "strong_garrison", "--executor", "serial",
                            "--out", stored, "--resume")
    assert status == 2 and "a resume needs the same variant" in stderr
    status, _, stderr = run(capsys, MINIMAL, "--seed", 99, "--out", stored, "--resume")
    assert status == 2 and "drop --seed" in stderr
    assert files(stored) == before


def test_failed_replications_exit_1_with_a_count(capsys, tmp_path, monkeypatch):
    from simulator.montecarlo import runner

    real = runner.run_monte_carlo

    def failing(*args, **kwargs):
        return real(*args, **kwargs, replicate="fake_engine:failing")

    monkeypatch.setattr("simulator.workflows.run_monte_carlo", failing)
    status, stdout, stderr = run(capsys, MINIMAL, "-n", 20, "--executor", "serial",
                                 "--out", tmp_path / "run")
    assert status == 1
    assert "3 replications failed" in stderr and "failures.json" in stderr
    assert "infrasim replay" in stderr and "--replication 3" in stderr
    assert "wrote" in stdout


def test_replay_prints_the_timeline_and_checks_the_stored_outcomes(capsys, stored):
    assert main(["replay", str(stored), "--replication", "7"]) == 0
    out = capsys.readouterr().out
    assert "seed 7, replication 7" in out and "timeline" in out
    assert f"identical to the outcomes stored in {stored}" in out


def test_replay_refuses_what_it_cannot_reproduce(capsys, stored, tmp_path):
    assert main(["replay", str(stored), "--replication", "60"]) == 2
    assert "has no replication 60 (0 to 59)" in capsys.readouterr().err
    assert main(["replay", str(tmp_path / "nothing"), "--replication", "1"]) == 2
    assert "holds no run" in capsys.readouterr().err
    # a run whose scenario file changed since
    edited = tmp_path / "edited.yaml"
    edited.write_text(MINIMAL.read_text())
    out = tmp_path / "run"
    assert main(["run", str(edited), "-n", "3", "--executor", "serial", "--out", str(out),
                 "-q"]) == 0
    capsys.readouterr()
    edited.write_text(MINIMAL.read_text().replace("strength: 300", "strength: 310"))
    assert main(["replay", str(out), "--replication", "1"]) == 2
    assert "has changed since" in capsys.readouterr().err


def test_replay_of_a_failed_replication_shows_its_traceback(capsys, minimal, tmp_path,
                                                             monkeypatch):
    import functools

    from simulator.montecarlo import replay, run_monte_carlo

    out = tmp_path / "run"
    run_monte_carlo(minimal, 10, executor="serial", out=out, replicate="fake_engine:failing")
    monkeypatch.setattr("simulator.montecarlo.replay",
                        functools.partial(replay, replicate="fake_engine:failing"))
    assert main(["replay", str(out), "--replication", "3"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "replication 3 hit a bad state" in err
    assert main(["replay", str(out), "--replication", "4"]) == 0
    assert "identical to the outcomes stored" in capsys.readouterr().out


def test_a_bounded_number_is_refused_outside_its_open_interval():
    import argparse

    from simulator.cli.common import bounded_float

    share = bounded_float(0.0, 0.5, "a share")
    assert share("0.25") == 0.25
    for text, message in (("0.5", "must be a share between 0 and 0.5, got 0.5"),
                          ("0", "between 0 and 0.5"), ("x", "expected a number")):
        with pytest.raises(argparse.ArgumentTypeError, match=message):
            share(text)
