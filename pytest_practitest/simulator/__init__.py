"""A local, stateful PractiTest API v2 simulator.

It behaves like the documented API (JSON:API bodies, strict validation, the
30-calls-per-minute account limit, pagination) and adds what tests need: a
request log, fault injection and direct access to the stored state. It
imports nothing from the pytest plugin. See docs/simulator.md.

The names below are loaded on first use, so that the ``practitest_simulator``
fixture module (a pytest plugin) can live in this package without making
every pytest run import an HTTP server.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import LoggedRequest as LoggedRequest
    from .faults import Fault as Fault
    from .faults import FaultPlan as FaultPlan
    from .seeds import SeedInfo as SeedInfo
    from .server import Simulator as Simulator

_EXPORTS = {
    "Fault": ".faults",
    "FaultPlan": ".faults",
    "LoggedRequest": ".app",
    "SeedInfo": ".seeds",
    "Simulator": ".server",
}

__all__ = ["Fault", "FaultPlan", "LoggedRequest", "SeedInfo", "Simulator"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
