"""Shared fixtures: a clean environment and a simulator on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import Api

CI_VARIABLES = ("GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "BUILD_URL", "GITHUB_STEP_SUMMARY")


@pytest.fixture(autouse=True)
def _clean_practitest_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see no PRACTITEST_* settings and no CI of their own, wherever they run."""
    for name in list(os.environ):
        if name.startswith("PRACTITEST") or name in CI_VARIABLES:
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
