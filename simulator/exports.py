"""A package's public names, each imported from its module the first time it is used.

PEP 562 lets a package define ``__getattr__`` and ``__dir__``: the package then names
its public functions and classes without importing the modules that hold them, so that
importing it stays cheap (``import simulator`` does not load pydantic, SimPy, scipy or
matplotlib; a run that imports `simulator.report` for its exhibits does not load
matplotlib), while `dir()`, `help()` and tab completion still list every name, and each
is the real object once used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["imported_on_first_use"]


def imported_on_first_use(
    namespace: dict[str, Any], public: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for the package whose globals are `namespace`:
    public name -> the module it comes from (`public`). A name is imported the first
    time it is asked for, then kept in `namespace` as an ordinary attribute."""

    def __getattr__(name: str) -> Any:
        if name not in public:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(import_module(public[name]), name)
        namespace[name] = value  # later uses find it without calling this function
        return value

    def __dir__() -> list[str]:
        """The package's attributes and its public names not imported yet (not the
        table of where they come from)."""
        return sorted({name for name, value in namespace.items() if value is not public}
                      | set(public))

    return __getattr__, __dir__
