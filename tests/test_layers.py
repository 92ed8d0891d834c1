"""The import graph keeps the layering of DESIGN.md: lower layers never import higher ones,
reports and plots only render (no engine, Monte Carlo runner or loader internals), and the
exercise uses the scenario package's public API. Imports are read with `ast`, so a lazy
import inside a function counts as much as one at the top of a module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simulator"

# layer -> the project modules it may import (a prefix allows its submodules too);
# its own modules are always allowed. Layers missing here (cli, workflows) may import
# anything below them.
# engine.rng is numpy alone: the named random streams of the reproducibility contract,
# which the Monte Carlo layer's knowledge design draws from too.
LEAVES = ("simulator.formatting", "simulator.atomicfile", "simulator.names", "simulator.exports",
          "simulator.cores", "simulator.engine.rng")
RENDERED_EVENTS = ("simulator.engine.record", "simulator.engine.timeline")
ALLOWED = {
    "simulator.formatting": (),
    "simulator.atomicfile": (),
    "simulator.names": (),
    "simulator.exports": (),
    "simulator.cores": (),
    "simulator.consequences": (),
    # the outcome catalogue is plain data (standard library only): a scenario's headline
    # outcomes are checked against it when the scenario loads
    "simulator.scenario": ("simulator.analysis.catalogue",),
    "simulator.analysis": LEAVES,
    "simulator.engine": ("simulator.scenario", "simulator.consequences", *LEAVES),
    "simulator.montecarlo": ("simulator.scenario", "simulator.analysis", "simulator.__version__",
                             *LEAVES),
    "simulator.plotting": ("simulator.analysis", *RENDERED_EVENTS, *LEAVES),
    "simulator.report": ("simulator.analysis", "simulator.plotting", "simulator.montecarlo.store",
                         "simulator.montecarlo.errors", *RENDERED_EVENTS, *LEAVES),
    "simulator.exercise": ("simulator.engine", "simulator.analysis", "simulator.plotting",
                           "simulator.report.html", "simulator.scenario.errors",
                           "simulator.scenario.schema", "simulator.scenario.decisions",
                           "simulator.scenario.Problem", "simulator.scenario.ScenarioDocument",
                           "simulator.scenario.ScenarioError", "simulator.scenario.read_document",
                           *LEAVES),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every project name `path` imports: ``simulator.x.y`` for a module, and
    ``simulator.x.name`` for each name taken from a package with ``from ... import``."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("simulator"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("simulator"):
                found.update(f"{target}.{a.name}" for a in node.names)
    return found


def _layer(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _allowed(module: str, imported: str) -> bool:
    layer = _layer(module)
    if _layer(imported) == layer or layer not in ALLOWED:
        return True
    return any(imported == prefix or imported.startswith(prefix + ".")
               for prefix in ALLOWED[layer])


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_module_imports_only_what_its_layer_may(path):
    module = _module_name(path)
    wrong = sorted(name for name in _imports(path) if not _allowed(module, name))
    assert not wrong, f"{module} imports {', '.join(wrong)}"


def test_the_check_sees_a_forbidden_import(tmp_path):
    """The rule is not vacuous: a report module importing the runner is caught."""
    assert not _allowed("simulator.report.run", "simulator.montecarlo.runner.run_monte_carlo")
    assert not _allowed("simulator.consequences.flood", "simulator.engine.world.World")
    assert _allowed("simulator.report.run", "simulator.engine.timeline.event_row")
    assert any(name.startswith("simulator.engine.record") for name in
               _imports(PACKAGE / "plotting.py"))


WEB_STACK = ("starlette", "uvicorn")


def _third_party(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_only_the_board_needs_the_web_stack(path):
    """The board's web server is an optional extra: nothing outside
    simulator.exercise.board imports Starlette or uvicorn, and only the command line
    imports the board (the terminal exercise works without the extra)."""
    module = _module_name(path)
    if module.startswith("simulator.exercise.board"):
        return
    assert not _third_party(path) & set(WEB_STACK), f"{module} imports the web stack"
    if not module.startswith("simulator.cli"):
        assert not any(name.startswith("simulator.exercise.board") for name in _imports(path))
