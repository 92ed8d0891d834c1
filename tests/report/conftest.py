"""Puts the report tests' helpers on sys.path and offers `fast_png`."""

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from report_helpers import TINY_PNG  # noqa: E402 - needs the path above


@pytest.fixture
def fast_png(monkeypatch):
    """Figures are built but not rasterised (the slow part); each embeds a tiny PNG."""
    from simulator import plotting

    monkeypatch.setattr(plotting, "png_bytes", lambda figure: TINY_PNG)
