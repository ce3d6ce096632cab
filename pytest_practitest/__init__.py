"""pytest-practitest: report pytest and JUnit XML results to PractiTest.

Public API: ``step`` and ``attach`` (usable from tests and fixtures), ``Target``
(what the mapping hooks return), ``__version__``.

The names load on first use (PEP 562): pytest imports this package whenever the
plugin is installed, reporting on or off, and that must cost next to nothing
(P4 in bench/).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .collect.steps import attach, step
    from .model import Target

__version__ = "0.1.0"

__all__ = ["Target", "__version__", "attach", "step"]

_LAZY = {"attach": ".collect.steps", "step": ".collect.steps", "Target": ".model"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        # Not cached in this module: the loaded module is the one that holds the running
        # test's capture (pytester's in-process runs unload and reload it between runs).
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
