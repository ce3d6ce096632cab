"""Test outcomes → PractiTest statuses, and which status is worst: one home for both.

The pytest plugin and the JUnit importer both classify a result as one of
``OUTCOMES`` and look its status up in the same table (``--practitest-status-map``
overrides it), and both pick the worst status the same way when several results
make one run. Plain strings: the plugin reads this module even when it is off.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

OUTCOMES = ("passed", "failed", "error", "teardown_error", "skipped", "xfailed", "xpassed")
DEFAULT_STATUS_MAP = {
    "passed": "PASSED",
    "failed": "FAILED",
    "error": "BLOCKED",  # setup failed: the test could not run
    "teardown_error": "FAILED",
    "skipped": "NO RUN",
    "xfailed": "BLOCKED",  # a known defect keeps it from passing
    "xpassed": "PASSED",
}
#: PractiTest's step statuses (step_runs.md)
STATUSES = ("PASSED", "FAILED", "BLOCKED", "NO RUN", "N/A")
#: worse is higher: a run made of several results shows the worst
SEVERITY = {"FAILED": 4, "BLOCKED": 3, "NO RUN": 2, "N/A": 1, "PASSED": 0}

S = TypeVar("S", bound=str)


def worst(statuses: Iterable[S]) -> S:
    """The worst of ``statuses`` (FAILED > BLOCKED > NO RUN > N/A > PASSED)."""
    # getattr: model.Status members hash by name, not by value, so look up the value
    return max(statuses, key=lambda status: SEVERITY[str(getattr(status, "value", status))])
