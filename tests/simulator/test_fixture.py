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
