"""The gallery: ``infrasim gallery`` regenerates plots/ from the bundled scenarios.

Each bundled scenario is run with its own seed (or one given), a fixed number of
replications, and a chosen set of its report figures is saved as
``plots/<scenario>-<figure>.png``; the reference scenario also runs some of its variants
and saves the comparison figures. ``plots/README.md`` lists every picture with its
caption for the project README to embed. The same command on the same code gives the
same pictures.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .figures import FigureItem, comparison_figures, run_figures, timeline_figure

__all__ = ["GALLERY", "GalleryEntry", "default_scenarios_dir", "make_gallery"]


@dataclass(frozen=True)
class GalleryEntry:
    """Which pictures of one bundled scenario go into the gallery."""

    file: str  # scenario file name in the scenarios directory
    replications: int
    figures: tuple[str, ...]  # FigureItem slugs of the run, plus "timeline-worst"
    variants: tuple[str, ...] = ()  # compared with the base scenario
    comparison: tuple[str, ...] = ()  # slugs of the comparison figures


GALLERY = (
    GalleryEntry(
        "haditha_2014.yaml", 2000,
        ("fn", "exceedance-fatalities", "river", "load-shed", "distribution-fatalities",
         "distribution-time_to_capture_h", "convergence-fatalities", "tornado-fatalities",
         "tornado-dam_captured", "timeline-worst"),
        variants=("reinforced_early", "no_reinforcement", "precise_warning"),
        comparison=("compare-fn", "compare-differences-reinforced_early - base"),
    ),
    GalleryEntry("classroom.yaml", 1000, ("fn", "river", "timeline-worst")),
)


def default_scenarios_dir() -> Path:
    """The repository's scenarios/ beside the package, else ./scenarios."""
    bundled = Path(__file__).resolve().parents[2] / "scenarios"
    return bundled if bundled.is_dir() else Path("scenarios")


def _file_slug(slug: str) -> str:
    return slug.replace(" - ", "-vs-").replace(" ", "_")


def make_gallery(out: str | os.PathLike[str] = "plots",
                 scenarios: str | os.PathLike[str] | None = None, *,
                 replications: int | None = None, seed: int | None = None,
                 entries: Sequence[GalleryEntry] = GALLERY, workers: int | None = None,
                 executor: str = "processes",
                 log: Callable[[str], None] | None = None) -> list[Path]:
    """Run the bundled scenarios and write their gallery pictures into `out`; returns
    the files written. `replications` overrides every entry's count (for quick looks)."""
    from .. import plotting
    from ..montecarlo import run_monte_carlo
    from ..scenario import load_scenario
    from .compare import StoredRun, compare_stored_runs
    from .run import replay_timelines, run_load_shed

    say = log or (lambda _text: None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    directory = Path(scenarios) if scenarios is not None else default_scenarios_dir()
    written: list[Path] = []
    index: list[tuple[str, str, str]] = []  # file name, title, caption

    scenario_name = ""

    def save(stem: str, item: FigureItem) -> None:
        path = out / f"{stem}-{_file_slug(item.slug)}.png"
        plotting.save_figure(item.figure, path)
        written.append(path)
        index.append((path.name, f"{scenario_name}: {item.title}", item.caption))
        say(f"wrote {path}")

    with tempfile.TemporaryDirectory(prefix="infrasim-gallery-") as scratch:
        for entry in entries:
            source = directory / entry.file
            stem = source.stem
            count = replications or entry.replications
            runs = []
            for variant in (None, *entry.variants):
                label = variant or "base"
                say(f"running {source} ({label}, {count:,} replications)")
                scenario = load_scenario(source, variant=variant)
                run_dir = Path(scratch) / stem / label
                result = run_monte_carlo(scenario, replications=count, seed=seed,
                                         executor=executor, workers=workers, out=run_dir)
                runs.append(StoredRun(label, result.outcomes, result.replications,
                                      result.manifest, run_dir))
            base = runs[0]
            scenario_name = (base.manifest.get("scenario") or {}).get("name") or stem
            wanted = set(entry.figures)
            shed = run_load_shed(base.manifest, base.replications) \
                if "load-shed" in wanted else None
            for item in run_figures(base.outcomes, base.manifest,
                                    hourly_shed_mw=shed[0] if shed else None,
                                    baseline_shed_mw=shed[1] if shed else None):
                if item.slug in wanted:
                    save(stem, item)
            if "timeline-worst" in wanted:
                for timeline in replay_timelines(base.path, base.outcomes, base.replications):
                    if timeline.role != "worst" or timeline.events is None:
                        continue
                    figure = timeline_figure(timeline.events, base.manifest,
                                             timeline.replication, timeline.why)
                    save(stem, FigureItem(
                        "timeline-worst", "Timeline of the worst case",
                        f"Replication {timeline.replication}, the worst of the run "
                        f"({timeline.why}): what each force, the dam and the warning "
                        "system did, hour by hour.", figure))
            if len(runs) > 1:
                differences = compare_stored_runs(runs)
                labelled = {f"{label} - base": rows for label, rows in differences.items()}
                for item in comparison_figures([r.label for r in runs],
                                               [r.outcomes for r in runs], labelled):
                    if item.slug in entry.comparison:
                        save(stem, item)
    _write_index(out, index, replications, seed)
    return written


def _write_index(out: Path, index: Sequence[tuple[str, str, str]], replications: int | None,
                 seed: int | None) -> None:
    lines = ["# Gallery", "",
             "Made by `infrasim gallery` from the bundled scenarios"
             + (f" ({replications:,} replications each" if replications else
                " (the replication counts in `simulator/report/gallery.py`")
             + (f", seed {seed})." if seed is not None else ", each scenario's own seed)."),
             "Do not edit: run the command again.", ""]
    for name, title, caption in index:
        lines += [f"## {title}", "", f"![{title}]({name})", "", caption, ""]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")
