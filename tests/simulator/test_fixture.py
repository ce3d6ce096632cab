"""The practitest_simulator fixture that users get from the package."""

from __future__ import annotations

import pytest


def test_fixture_starts_and_stops_a_simulator(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        import requests

        def test_default(practitest_simulator):
            sim = practitest_simulator
            assert sim.url.startswith("http://127.0.0.1:")
            r = requests.get(sim.url + "/api/v2/projects.json", headers={"PTToken": sim.token}, timeout=5)
            assert r.status_code == 200
            assert sim.app.limiter.calls == 30

        @pytest.mark.practitest_simulator(seed="empty", rate_limit=None, token="abc")
        def test_marker_options(practitest_simulator):
            assert practitest_simulator.token == "abc"
            assert practitest_simulator.app.limiter is None
            assert practitest_simulator.info.seed == "empty"
        """
    )
    result = pytester.runpytest("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_markers_combine_and_a_conftest_sets_a_folders_defaults(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def practitest_simulator_options():
            return {"token": "folder", "rate_limit": None}
        """
    )
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.practitest_simulator(seed="empty", token="module")

        def test_module_marker_over_the_folder(practitest_simulator):
            assert practitest_simulator.token == "module"
            assert practitest_simulator.info.seed == "empty"
            assert practitest_simulator.app.limiter is None

        @pytest.mark.practitest_simulator(rate_limit=(5, 0.5))
        def test_the_nearest_wins_per_option(practitest_simulator):
            assert practitest_simulator.token == "module"
            assert practitest_simulator.app.limiter.calls == 5
        """
    )
    result = pytester.runpytest("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
