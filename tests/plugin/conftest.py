"""Plugin tests: pytester runs against a simulator on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from pytest_practitest.simulator import Simulator

TOKEN = "plugin-token-5e6f7a8b"

Run = Callable[..., pytest.RunResult]


@pytest.fixture
def psim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    monkeypatch.setenv("PRACTITEST_TOKEN", TOKEN)
    with Simulator(token=TOKEN, rate_limit=None) as simulator:
        yield simulator


@pytest.fixture
def run(pytester: pytest.Pytester, psim: Simulator) -> Run:
    """Run pytest with reporting on, to the demo set, creating tests named after node ids."""

    def runner(*args: str, create: bool = True, subprocess: bool = False) -> pytest.RunResult:
        options = [
            "-p",
            "no:cacheprovider",
            "--practitest",
            f"--practitest-url={psim.url}",
            "--practitest-project-id=4500",
            "--practitest-set-id=20000",
            "--practitest-deadline=20",
            "--practitest-rate-limit=0",
        ]
        if create:
            options += [
                "--practitest-create-missing",
                f"--practitest-author-id={psim.info.users['owner@example.com']}",
            ]
        if subprocess:
            return pytester.runpytest_subprocess(*options, *args)
        return pytester.runpytest(*options, *args)

    return runner
