"""The gallery: the pictures in plots/ that ``infrasim gallery`` regenerates.

`GALLERY` says which bundled scenarios the gallery shows (every one: a test checks),
how many replications each gets, and which of its report figures (and, for the
reference scenario, which comparisons with some of its variants) go in. `simulator.workflows.make_gallery` runs
them; `write_gallery` renders their stored runs as ``plots/<scenario>-<figure>.png`` and
``plots/README.md``, which lists every picture with its caption for the project README
to embed. The same runs give the same pictures.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..analysis.catalogue import Catalogue
from ..analysis.compare import MEAN
from .compare import StoredRun, compare_stored_runs, run_catalogue
from .drivers import driver_figures, risk_drivers
from .exhibits import Exhibits
from .figures import FigureItem, comparison_figures, run_figures, timeline_figure

__all__ = ["GALLERY", "GalleryEntry", "GalleryRuns", "default_scenarios_dir", "write_gallery"]


@dataclass(frozen=True)
class GalleryEntry:
    """Which pictures of one bundled scenario go into the gallery."""

    file: str  # scenario file name in the scenarios directory
    replications: int
    figures: tuple[str, ...]  # FigureItem slugs of the run, "timeline-worst" among them
    variants: tuple[str, ...] = ()  # compared with the base scenario
    comparison: tuple[str, ...] = ()  # slugs of the comparison figures


GALLERY = (
    GalleryEntry(
        "haditha_2014.yaml", 2000,
        ("map", "fn", "exceedance-fatalities", "river", "grid", "distribution-fatalities",
         "distribution-time_to_capture_h", "convergence-fatalities", "tornado-fatalities",
         "tornado-dam_captured", "prim-dam_captured", "timeline-worst"),
        variants=("reinforced_early", "no_reinforcement", "precise_warning"),
        comparison=("compare-fn", "compare-differences-reinforced_early - base"),
    ),
    GalleryEntry("mosul_2014.yaml", 1000, ("map", "fn", "river", "grid", "timeline-worst")),
    GalleryEntry("classroom.yaml", 1000, ("map", "fn", "river", "grid", "timeline-worst")),
)


@dataclass(frozen=True)
class GalleryRuns:
    """The stored runs of one gallery entry: the base scenario first, then its variants,
    and the base run's exhibits."""

    entry: GalleryEntry
    runs: Sequence[StoredRun]
    exhibits: Exhibits | None


def default_scenarios_dir() -> Path:
    """The repository's scenarios/ beside the package, else ./scenarios."""
    bundled = Path(__file__).resolve().parents[2] / "scenarios"
    return bundled if bundled.is_dir() else Path("scenarios")


def _file_slug(slug: str) -> str:
    return slug.replace(" - ", "-vs-").replace(" ", "_")


def _pictures(made: GalleryRuns) -> Iterator[FigureItem]:
    """The gallery's figures of one entry, in its order of kinds."""
    entry, base = made.entry, made.runs[0]
    wanted = set(entry.figures)
    exhibits = made.exhibits
    for item in run_figures(base.outcomes, base.manifest,
                            load_shed=exhibits.load_shed if exhibits else None,
                            routes=exhibits.routes if exhibits else None):
        if item.slug in wanted:
            yield item
    if any(slug.startswith("prim-") for slug in wanted):
        catalogue = Catalogue(base.manifest.get("resolved_scenario") or None)
        for item in driver_figures(risk_drivers(base.outcomes, catalogue)):
            if item.slug in wanted:
                yield item
    for timeline in made.exhibits.timelines if made.exhibits else ():
        item = timeline_figure(timeline, base.manifest)
        if item.slug in wanted:
            yield item
    if len(made.runs) > 1:
        differences = compare_stored_runs(made.runs)
        labelled = {f"{label} - {base.label}": [d for d in rows if d.measure == MEAN]
                    for label, rows in differences.items()}
        for item in comparison_figures([r.label for r in made.runs],
                                       [r.outcomes for r in made.runs], labelled,
                                       catalogue=run_catalogue(made.runs)):
            if item.slug in entry.comparison:
                yield item


def write_gallery(out: str | os.PathLike[str], made: Sequence[GalleryRuns], *,
                  replications: int | None = None, seed: int | None = None,
                  log: Callable[[str], None] | None = None) -> list[Path]:
    """Write the gallery pictures of the stored runs `made` and their index into `out`;
    returns the files written. `replications` and `seed` are what the runs were made
    with when not each entry's own (the index says so)."""
    from .. import plotting

    say = log or (lambda _text: None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    index: list[tuple[str, str, str]] = []  # file name, title, caption
    for entry_runs in made:
        stem = Path(entry_runs.entry.file).stem
        base = entry_runs.runs[0]
        name = (base.manifest.get("scenario") or {}).get("name") or stem
        for item in _pictures(entry_runs):
            path = plotting.save_figure(item.draw(), out / f"{stem}-{_file_slug(item.slug)}.png")
            written.append(path)
            index.append((path.name, f"{name}: {item.title}", item.caption))
            say(f"wrote {path}")
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
