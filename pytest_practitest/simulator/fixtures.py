"""The ``practitest_simulator`` pytest fixture (registered as a pytest11 plugin).

This module imports only pytest: the simulator is imported when the fixture
is first used, so merely having the package installed costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .server import Simulator


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "practitest_simulator(**options): options for the practitest_simulator fixture "
        "(seed, token, rate_limit, retry_after, max_body_bytes)",
    )


@pytest.fixture
def practitest_simulator_options() -> dict[str, Any]:
    """Default options for every ``practitest_simulator`` in scope: none.

    Override this fixture in a ``conftest.py`` to change the defaults of a folder
    of tests (e.g. ``{"rate_limit": None}``); a test's marker still wins.
    """
    return {}


@pytest.fixture
def practitest_simulator(
    request: pytest.FixtureRequest, practitest_simulator_options: dict[str, Any]
) -> Iterator[Simulator]:
    """A PractiTest API v2 simulator on 127.0.0.1 and a free port, stopped afterwards.

    Defaults: the ``demo`` seed and the real limit of 30 calls per 60 s.
    Override with ``@pytest.mark.practitest_simulator(seed="empty",
    rate_limit=None)`` on a test, class or module (the nearest marker wins for
    each option), or for a whole folder with the ``practitest_simulator_options``
    fixture.
    """
    from .server import Simulator

    options: dict[str, Any] = dict(practitest_simulator_options)
    markers = list(request.node.iter_markers("practitest_simulator"))
    for marker in reversed(markers):  # farthest first, so the nearest is applied last
        options.update(marker.kwargs)
    with Simulator(host="127.0.0.1", port=0, **options) as simulator:
        yield simulator
