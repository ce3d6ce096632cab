"""pytest-practitest: report pytest and JUnit XML results to PractiTest.

Public API: ``step`` and ``attach`` (usable from tests and fixtures),
``__version__``.
"""

from __future__ import annotations

from .collect.steps import attach, step

__version__ = "0.1.0"

__all__ = ["__version__", "attach", "step"]
