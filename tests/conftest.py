"""Shared fixtures: a clean environment and a simulator on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import Api


@pytest.fixture(autouse=True)
def _clean_practitest_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PRACTITEST"):
            monkeypatch.delenv(name)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """The demo seed with the rate limit off (rate-limit tests turn it on)."""
    with Simulator(seed="demo", rate_limit=None) as simulator:
        yield simulator


@pytest.fixture
def api(sim: Simulator) -> Iterator[Api]:
    with Api(sim.url, sim.token, sim.info.project_id) as client:
        yield client
