"""A local, stateful PractiTest API v2 simulator.

It behaves like the documented API (JSON:API bodies, strict validation, the
30-calls-per-minute account limit, pagination) and adds what tests need: a
request log, fault injection and direct access to the stored state. It
imports nothing from the pytest plugin. See docs/simulator.md.
"""

from __future__ import annotations

from .app import LoggedRequest
from .faults import Fault, FaultPlan
from .seeds import SeedInfo
from .server import Simulator

__all__ = ["Fault", "FaultPlan", "LoggedRequest", "SeedInfo", "Simulator"]
