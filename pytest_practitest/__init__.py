"""pytest-practitest: report pytest and JUnit XML results to PractiTest."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
