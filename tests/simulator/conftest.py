"""The simulator's own tests: a token of its making, as `practitest sim` gives one."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import Api


@pytest.fixture
def practitest_simulator_options() -> dict[str, Any]:
    return {"rate_limit": None}


@pytest.fixture
def instances(api: Api, sim: Simulator) -> list[int]:
    """The demo set's instance ids."""
    return [
        int(i["id"]) for i in api.data(api.p("/instances.json"), **{"set-ids": sim.info.set_id})
    ]
