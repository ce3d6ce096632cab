"""The per-account rate limit: N calls per window, 429 with Retry-After."""

from __future__ import annotations

import time

import pytest
import requests

from pytest_practitest.simulator import Simulator
from pytest_practitest.simulator.ratelimit import SlidingWindowLimiter, retry_after_header
from tests.helpers import Api, error_detail, errors_of


def test_limiter_is_a_sliding_window() -> None:
    now = [0.0]
    limiter = SlidingWindowLimiter(3, 60.0, clock=lambda: now[0])
    assert [limiter.try_acquire() for _ in range(3)] == [None, None, None]
    now[0] = 10.0
    assert limiter.try_acquire() == 50.0
    now[0] = 59.9
    assert limiter.try_acquire() is not None
    now[0] = 60.0
    assert limiter.try_acquire() is None  # the first call has left the window
    assert limiter.try_acquire() is None
    assert limiter.try_acquire() is None
    assert limiter.try_acquire() is not None  # rejected calls were not counted


def test_retry_after_is_whole_seconds_never_zero() -> None:
    assert retry_after_header(0.01) == "1"
    assert retry_after_header(1.2) == "2"
    assert retry_after_header(30.0) == "30"


def test_31st_call_in_a_minute_is_429() -> None:
    with (
        Simulator(rate_limit=(30, 60.0)) as sim,
        Api(sim.url, sim.token, sim.info.project_id) as api,
    ):
        statuses = [api.get("/projects.json").status_code for _ in range(30)]
        refused = api.get("/projects.json")
    assert statuses == [200] * 30
    assert refused.status_code == 429
    assert 55 <= int(refused.headers["Retry-After"]) <= 60
    assert error_detail(refused).startswith(
        "API rate limit exceeded: more than 30 calls in 60 seconds for this account; retry in"
    )
    assert refused.json()["meta"]["retry-after"] == int(refused.headers["Retry-After"])


def test_window_passes_and_calls_go_through_again() -> None:
    with Simulator(rate_limit=(5, 0.5)) as sim, Api(sim.url, sim.token, sim.info.project_id) as api:
        assert [api.get("/projects.json").status_code for _ in range(6)] == [200] * 5 + [429]
        time.sleep(0.55)
        assert api.get("/projects.json").status_code == 200
    assert [r.status for r in sim.requests] == [200] * 5 + [429, 200]


@pytest.mark.practitest_simulator(rate_limit=(4, 30.0))
def test_limit_is_per_account_across_tokens_and_styles(sim: Simulator) -> None:
    personal = sim.info.personal_tokens["qa.engineer@example.com"]
    url = f"{sim.url}/api/v2/projects.json"
    for token in (sim.token, personal, sim.token, personal):
        assert requests.get(url, headers={"PTToken": token}, timeout=5).status_code == 200
    assert requests.get(url, params={"api_token": personal}, timeout=5).status_code == 429


@pytest.mark.practitest_simulator(rate_limit=(2, 30.0))
def test_unauthenticated_calls_do_not_count(sim: Simulator) -> None:
    url = f"{sim.url}/api/v2/projects.json"
    for _ in range(5):
        assert requests.get(url, headers={"PTToken": "wrong"}, timeout=5).status_code == 401
    assert requests.get(url, headers={"PTToken": sim.token}, timeout=5).status_code == 200


def test_worst_case_without_retry_after() -> None:
    with (
        Simulator(rate_limit=(1, 30.0), retry_after=False) as sim,
        Api(sim.url, sim.token, sim.info.project_id) as api,
    ):
        api.get("/projects.json")
        refused = api.get("/projects.json")
    assert refused.status_code == 429
    assert "Retry-After" not in refused.headers
    assert "meta" not in refused.json()
    assert errors_of(refused)[0]["detail"] == (
        "API rate limit exceeded: more than 1 calls in 30 seconds for this account"
    )


def test_rate_limit_can_be_changed_and_turned_off(sim: Simulator, api: Api) -> None:
    sim.set_rate_limit((1, 30.0))
    assert [api.get("/projects.json").status_code for _ in range(2)] == [200, 429]
    sim.set_rate_limit(None)
    assert api.get("/projects.json").status_code == 200
