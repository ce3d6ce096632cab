"""The simulator's own tests: a token of its making, as `practitest sim` gives one."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def practitest_simulator_options() -> dict[str, Any]:
    return {"rate_limit": None}
