"""``infrasim report``, ``compare`` and ``gallery`` on the command line: usage errors are
one line and exit status 2; the slow end-to-end check runs the classroom scenario."""

import re

import pytest

from simulator.cli import main


def test_report_of_a_directory_without_a_run(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("infrasim report: ") and "no run" in err and "Traceback" not in err


@pytest.mark.parametrize("argv, message", [
    (["compare", "runs/only-one"], "two or more run directories"),
    (["compare", "a.yaml", "b.yaml", "--variants", "x"], "one scenario FILE"),
    (["compare", "a", "b", "-n", "5"], "go with --variants"),
])
def test_compare_usage_errors(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_run_report_and_compare_end_to_end(tmp_path, capsys):
    scenario = "scenarios/classroom.yaml"
    out = tmp_path / "cmp"
    assert main(["compare", scenario, "--variants", "early_reinforcement", "-n", "40",
                 "--executor", "serial", "--out", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    assert "paired by replication" in printed and (out / "comparison.html").is_file()
    assert main(["report", str(out / "base")]) == 0
    text = (out / "base" / "report.html").read_text(encoding="utf-8")
    assert text.count("<figure>") == len(re.findall(r'src="data:image/png;base64,', text))
    assert "Timelines of a median and a worst case" in text and "Not replayed" not in text
    assert main(["compare", str(out / "base"), str(out / "early_reinforcement"),
                 "--out", str(tmp_path / "again.html")]) == 0
    assert (tmp_path / "again.html").is_file()


@pytest.mark.slow
def test_gallery_writes_its_figures_and_index(tmp_path):
    from simulator.report.gallery import GalleryEntry, make_gallery

    entry = GalleryEntry("classroom.yaml", 30, ("fn", "timeline-worst"),
                         variants=("precise_warning",), comparison=("compare-fn",))
    written = make_gallery(tmp_path, entries=[entry], workers=1)
    assert sorted(p.name for p in written) == [
        "classroom-compare-fn.png", "classroom-fn.png", "classroom-timeline-worst.png"]
    index = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert all(f"]({p.name})" in index for p in written)
