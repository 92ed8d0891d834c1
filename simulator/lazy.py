"""Lazy package attributes, so importing a package (and ``infrasim --help``) does not
load pydantic, SimPy, scipy or matplotlib until a name that needs them is used."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(package: str, public: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``public[name]`` on first use of `name`."""

    def __getattr__(name: str) -> Any:
        if name in public:
            return getattr(importlib.import_module(public[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
