"""Shared fixtures: a clean environment, a simulator on 127.0.0.1, and pytest --practitest."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import TOKEN, Api, Run

CI_VARIABLES = ("GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "BUILD_URL", "GITHUB_STEP_SUMMARY")


@pytest.fixture(autouse=True)
def _clean_practitest_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Tests see no PRACTITEST_* settings and no CI of their own, wherever they run, and a
    cache folder of their own (the shared rate budget and the key that proves a spool was
    made here live there)."""
    for name in list(os.environ):
        if name.startswith("PRACTITEST") or name in CI_VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def practitest_simulator_options() -> dict[str, Any]:
    """This suite's simulators: its token and the rate limit off (rate-limit tests set
    theirs with ``@pytest.mark.practitest_simulator(rate_limit=...)``)."""
    return {"token": TOKEN, "rate_limit": None}


@pytest.fixture
def sim(practitest_simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    """The package's ``practitest_simulator``, its token in this process's environment
    (subprocesses started by tests.helpers get only the settings they are given)."""
    monkeypatch.setenv("PRACTITEST_TOKEN", practitest_simulator.token)
    return practitest_simulator


@pytest.fixture
def api(sim: Simulator) -> Iterator[Api]:
    with Api(sim.url, sim.token, sim.info.project_id) as client:
        yield client


@pytest.fixture
def run(pytester: pytest.Pytester, sim: Simulator) -> Run:
    """Run pytest with reporting on, to the demo set, creating tests named after node ids."""

    def runner(*args: str, create: bool = True, subprocess: bool = False) -> pytest.RunResult:
        options = [
            "-p",
            "no:cacheprovider",
            "--practitest",
            f"--practitest-url={sim.url}",
            "--practitest-project-id=4500",
            "--practitest-deadline=20",
            "--practitest-rate-limit=0",
        ]
        if not any(
            arg.startswith(("--practitest-set-id", "--practitest-set-name")) for arg in args
        ):
            options.append("--practitest-set-id=20000")  # the test set is one choice
        if create:
            options += [
                "--practitest-create-missing",
                f"--practitest-author-id={sim.info.users['owner@example.com']}",
            ]
        if subprocess:
            return pytester.runpytest_subprocess(*options, *args)
        return pytester.runpytest(*options, *args)

    return runner
