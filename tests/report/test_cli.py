"""``infrasim report``, ``compare`` and ``gallery`` on the command line: a report renders
what the run stores (no replication runs), and makes the exhibits of a run stored
without them first; ``compare -o`` is the page in both modes and warns when the runs are
of different scenario files; usage errors are one line and exit status 2."""

import json
import re
import shutil

import pytest

import simulator.engine
from simulator.cli import main
from simulator.report.exhibits import EXHIBITS
from simulator.scenario import load_scenario
from simulator.workflows import run_scenario

SCENARIO = "scenarios/classroom.yaml"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A small run of the classroom scenario, stored with its exhibits."""
    out = tmp_path_factory.mktemp("runs") / "classroom"
    run_scenario(load_scenario(SCENARIO), replications=30, executor="serial", out=out)
    return out


@pytest.fixture
def no_engine(monkeypatch):
    """Every way of running a replication raises."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("the engine ran")

    for name in ("simulate", "simulate_history", "hourly_load_shed", "hourly_load_shed_of",
                 "prepare"):
        monkeypatch.setattr(simulator.engine, name, refuse)


def copy_run(stored, tmp_path, name="copy", *, exhibits=True, scenario=None):
    """A copy of the stored run, without its exhibits or with another scenario file
    recorded in its manifest."""
    run = tmp_path / name
    shutil.copytree(stored, run)
    if not exhibits:
        shutil.rmtree(run / EXHIBITS)
    if scenario is not None:
        manifest = json.loads((run / "manifest.json").read_text())
        manifest["scenario"].update(file=scenario, path=scenario)
        (run / "manifest.json").write_text(json.dumps(manifest))
    return run


def test_report_renders_stored_data_without_running_the_engine(stored, tmp_path, no_engine,
                                                               capsys):
    page = tmp_path / "report.html"
    assert main(["report", str(stored), "-o", str(page)]) == 0
    assert capsys.readouterr().err == ""
    text = page.read_text(encoding="utf-8")
    assert text.count("<figure>") == len(re.findall(r'src="data:image/png;base64,', text))
    assert "Median case: replication" in text and "Worst case: replication" in text
    assert "The grid over the horizon" in text  # the grid figure, from the stored series


def test_report_of_a_run_without_exhibits_makes_them_first(stored, tmp_path, capsys):
    run = copy_run(stored, tmp_path, exhibits=False)
    assert main(["report", str(run)]) == 0
    assert "stores no timelines or load-shed series" in capsys.readouterr().err
    assert (run / EXHIBITS / "timelines.json").is_file()
    text = (run / "report.html").read_text(encoding="utf-8")
    assert "Worst case: replication" in text and "The grid over the horizon" in text


def test_report_whose_scenario_file_is_gone_goes_without_timelines(stored, tmp_path, capsys):
    run = copy_run(stored, tmp_path, exhibits=False, scenario=str(tmp_path / "gone.yaml"))
    assert main(["report", str(run)]) == 0
    assert "cannot make them: the scenario file" in capsys.readouterr().err
    assert "stores no timelines" in (run / "report.html").read_text(encoding="utf-8")


def test_report_of_a_directory_without_a_run(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("infrasim report: ") and "no run" in err and "Traceback" not in err


def test_compare_out_is_the_page_and_runs_of_two_files_are_warned_of(stored, tmp_path,
                                                                      monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    same = copy_run(stored, tmp_path, "same")
    assert main(["compare", str(stored), str(same)]) == 0
    assert "warning" not in capsys.readouterr().err
    assert (tmp_path / "comparison.html").is_file()  # the default page
    other = copy_run(stored, tmp_path, "other", scenario="scenarios/other.yaml")
    page = tmp_path / "pages" / "cmp.html"
    assert main(["compare", str(stored), str(other), "-o", str(page)]) == 0
    err = capsys.readouterr().err
    assert "warning: the runs are of different scenario files" in err
    assert "scenarios/other.yaml" in err
    assert "different scenario files" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("argv, message", [
    (["compare", "runs/only-one"], "two or more run directories"),
    (["compare", "a.yaml", "b.yaml", "--variants", "x"], "one scenario FILE"),
    (["compare", "a", "b", "-n", "5"], "-n goes with --variants"),
    (["compare", "a", "b", "--runs-dir", "d", "--seed", "1"], "--seed, --runs-dir go with"),
    (["compare", "a", "b", "-o", "."], "-o/--out is the comparison page, a file"),
])
def test_compare_usage_errors(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_compare_variants_then_report_end_to_end(tmp_path, capsys):
    runs, page = tmp_path / "cmp", tmp_path / "pages" / "variants.html"
    assert main(["compare", SCENARIO, "--variants", "early_reinforcement", "-n", "40",
                 "--executor", "serial", "--runs-dir", str(runs), "-o", str(page),
                 "-q"]) == 0
    printed = capsys.readouterr()
    assert "paired by replication" in printed.out and "warning" not in printed.err
    assert page.is_file() and not (runs / "comparison.html").exists()
    assert (runs / "early_reinforcement" / EXHIBITS / "timelines.json").is_file()
    assert main(["report", str(runs / "base")]) == 0
    assert "Worst case: replication" in (runs / "base" / "report.html").read_text()


@pytest.mark.slow
def test_gallery_writes_its_figures_and_index(tmp_path):
    from simulator.report.gallery import GalleryEntry
    from simulator.workflows import make_gallery

    entry = GalleryEntry("classroom.yaml", 30, ("fn", "timeline-worst"),
                         variants=("precise_warning",), comparison=("compare-fn",))
    written = make_gallery(tmp_path, entries=[entry], workers=1)
    assert sorted(p.name for p in written) == [
        "classroom-compare-fn.png", "classroom-fn.png", "classroom-timeline-worst.png"]
    index = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert all(f"]({p.name})" in index for p in written)
