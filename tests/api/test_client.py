"""The API client against the simulator: URLs, errors, retries, rate limit, pagination."""

from __future__ import annotations

import socket
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest
import requests

from pytest_practitest.api.client import Client
from pytest_practitest.api.ratelimit import RateLimiter, parse_retry_after
from pytest_practitest.errors import (
    AuthError,
    ConfigError,
    DeadlineExceeded,
    ForbiddenError,
    MethodNotAllowedError,
    NotAcceptableError,
    NotFoundError,
    ServerError,
    TransportError,
    ValidationError,
)
from pytest_practitest.limits import resolve_base_url
from pytest_practitest.simulator import Simulator

TOKEN = "tok-3c1f9a8e-do-not-print"
pytestmark = pytest.mark.practitest_simulator(token=TOKEN)


def make_client(sim: Simulator, **options: Any) -> Client:
    options.setdefault("backoff", 0.01)
    options.setdefault("timeout", (2.0, 2.0))
    return Client(sim.url, TOKEN, **options)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("us", "https://api.practitest.com"),
        ("EU", "https://eu1-prod-api.practitest.app"),
        ("https://api.example.test/", "https://api.example.test"),
        ("https://api.example.test/api/v2", "https://api.example.test"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:1", "http://localhost:1"),
        ("http://[::1]:9", "http://[::1]:9"),
    ],
)
def test_base_urls(value: str, expected: str) -> None:
    assert resolve_base_url(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "http://api.practitest.com",
            "refusing to send the API token over plain http to api.practitest.com; use https "
            "(plain http is allowed only to 127.0.0.1/localhost, where the simulator runs)",
        ),
        (
            "ftp://x",
            "the PractiTest URL must be us, eu, or a URL such as https://api.practitest.com",
        ),
        (
            "https://me:secret@api.example.test",
            "the PractiTest URL must not carry credentials or a query string",
        ),
        (
            "https://api.example.test/?api_token=abc",
            "the PractiTest URL must not carry credentials or a query string",
        ),
    ],
)
def test_bad_base_urls(value: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_base_url(value)
    assert str(info.value) == message
    assert "secret" not in str(info.value)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "no API token: set PRACTITEST_TOKEN"),
        ("", "no API token: set PRACTITEST_TOKEN"),
        ("abc\ndef", "PRACTITEST_TOKEN contains spaces or control characters; check its value"),
    ],
)
def test_bad_tokens(token: str | None, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Client("us", token)


def test_limiter_waits_and_respects_the_deadline() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(2, 10.0, clock=lambda: now[0], sleep=sleep)
    limiter.acquire()
    limiter.acquire()
    limiter.acquire()
    assert sum(slept) == 10.0
    assert max(slept) == 0.25  # short slices, so a deadline set meanwhile is seen
    limiter.hold_until(now[0] + 5)
    assert limiter.delay() == 5.0
    with pytest.raises(DeadlineExceeded):
        limiter.acquire(deadline=now[0] + 1)


def _response(status: int, headers: dict[str, str], body: bytes = b"") -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    response._content = body
    return response


def test_retry_after_forms() -> None:
    assert parse_retry_after(_response(429, {"Retry-After": "12"})) == 12.0
    moment = datetime(2030, 1, 1, tzinfo=timezone.utc)
    header = format_datetime(moment, usegmt=True)
    wait = parse_retry_after(
        _response(429, {"Retry-After": header}), now=(moment - timedelta(seconds=30)).timestamp()
    )
    assert wait == 30.0
    assert parse_retry_after(_response(429, {}, b'{"meta": {"retry-after": 7}}')) == 7.0
    assert (
        parse_retry_after(_response(429, {}, b'{"errors": [{"detail": "retry in 4 seconds"}]}'))
        == 4.0
    )
    assert parse_retry_after(_response(429, {}, b"slow down")) is None


def test_pagination_follows_meta_100_per_call(sim: Simulator) -> None:
    from tests.helpers import seed_set

    set_id, instances, _ = seed_set(sim, 250)
    client = make_client(sim)
    got = list(client.paginate("/projects/4500/instances.json", {"set-ids": set_id}))
    assert [int(i["id"]) for i in got] == instances
    assert client.calls == 3
    assert [r.query.count("page%5Bsize%5D=100") for r in sim.requests] == [1, 1, 1]


def test_typed_errors_name_method_path_and_what_to_do(sim: Simulator) -> None:
    client = make_client(sim)
    with pytest.raises(NotFoundError) as not_found:
        client.get("/projects/4500/tests/1.json")
    assert str(not_found.value) == (
        "GET /projects/4500/tests/1.json failed: 404 Not Found: test 1 not found; "
        "check PRACTITEST_PROJECT_ID and the ids in your mapping"
    )
    with pytest.raises(ValidationError) as invalid:
        client.post(
            "/projects/4500/runs.json",
            {"data": [{"type": "instances", "attributes": {"instance-id": 9}}]},
        )
    assert invalid.value.errors[0].pointer == "/data/0/attributes/instance-id"
    assert invalid.value.ambiguous is False
    with pytest.raises(MethodNotAllowedError):
        client.request("PATCH", "/projects/4500/runs.json", body={})
    with pytest.raises(NotAcceptableError):
        client.get("/projects/4500/runs.xml")
    assert client.calls == 4  # none of these is retried


def test_forbidden_project_says_so(sim: Simulator) -> None:
    client = Client(sim.url, sim.info.personal_tokens["qa.engineer@example.com"], backoff=0.01)
    with pytest.raises(ForbiddenError) as info:
        client.get("/projects/4501/runs.json")
    assert str(info.value).endswith(
        "project 4501 is not visible to this token, or the token lacks the permission"
    )
    assert client.calls == 1


def test_bad_token_fails_fast_without_echoing(sim: Simulator) -> None:
    client = Client(sim.url, "wrong-token-value", backoff=0.01)
    with pytest.raises(AuthError) as info:
        client.get("/projects.json")
    assert str(info.value) == (
        "GET /projects.json failed: 401 Unauthorized: invalid API token (Your API key is wrong); "
        "check PRACTITEST_TOKEN: PractiTest refused it"
    )
    assert "wrong-token-value" not in str(info.value)
    assert client.calls == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_idempotent_requests_retry_5xx(sim: Simulator, status: int) -> None:
    sim.faults.add("status", "GET", "/projects$", status=status, calls={1, 2})
    client = make_client(sim)
    assert client.get("/projects.json")["data"]
    assert client.calls == 3


def test_retries_are_bounded(sim: Simulator) -> None:
    sim.faults.add("status", "GET", "/projects$", status=503)
    client = make_client(sim, max_retries=2)
    with pytest.raises(ServerError) as info:
        client.get("/projects.json")
    assert client.calls == 3
    assert str(info.value).startswith(
        "GET /projects.json failed: 503 Service Unavailable: injected fault"
    )


def test_post_5xx_is_ambiguous_and_not_replayed(sim: Simulator) -> None:
    sim.faults.add("commit_then_status", "POST", "/runs$", status=500, calls={1})
    client = make_client(sim)
    with pytest.raises(ServerError) as info:
        client.post(
            "/projects/4500/runs.json",
            {
                "data": [
                    {"type": "instances", "attributes": {"instance-id": 300000, "exit-code": 0}}
                ]
            },
        )
    assert info.value.ambiguous is True
    assert client.calls == 1
    assert len(sim.entities("runs")) == 1


def test_reset_is_retried_for_get_and_ambiguous_for_post(sim: Simulator) -> None:
    sim.faults.add("reset", "GET", "/projects$", calls={1})
    client = make_client(sim)
    assert client.get("/projects.json")["data"]
    assert client.calls == 2
    sim.faults.add("reset", "POST", "/runs$", calls={1})
    with pytest.raises(TransportError) as info:
        client.post("/projects/4500/runs.json", {"data": []})
    assert info.value.ambiguous is True
    assert str(info.value).startswith(
        "POST /projects/4500/runs.json failed: the connection was closed before an answer came"
    )


def test_read_timeout_is_retried_for_get(sim: Simulator) -> None:
    sim.faults.add("delay", "GET", "/projects$", delay=0.5, calls={1})
    client = make_client(sim, timeout=(2.0, 0.2))
    assert client.get("/projects.json")["data"]
    assert client.calls == 2


def test_malformed_body_is_retried_for_get_and_ambiguous_for_post(sim: Simulator) -> None:
    sim.faults.add("malformed", "GET", "/projects$", calls={1})
    client = make_client(sim)
    assert client.get("/projects.json")["data"]
    sim.faults.add("malformed", "POST", "/runs$", calls={1})
    with pytest.raises(TransportError) as info:
        client.post(
            "/projects/4500/runs.json",
            {
                "data": [
                    {"type": "instances", "attributes": {"instance-id": 300000, "exit-code": 0}}
                ]
            },
        )
    assert info.value.ambiguous is True
    assert str(info.value).startswith(
        "POST /projects/4500/runs.json failed: the answer (200) is not valid JSON"
    )


def test_a_refused_connection_is_retried_then_reported_unambiguous(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # A proxy that refuses: nothing was sent (and no name is looked up: the proxy would).
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
    client = Client("https://practitest.invalid", TOKEN, backoff=0.01, max_retries=2)
    with pytest.raises(TransportError) as info:
        client.post("/projects/1/runs.json", {"data": []})
    assert client.calls == 3  # nothing was sent, so even a POST may be retried
    assert info.value.ambiguous is False
    assert str(info.value) == (
        "POST /projects/1/runs.json failed: could not connect through the proxy (HTTPS_PROXY; "
        "NO_PROXY bypasses it); check the URL and the network"
    )


def test_a_refusal_on_this_machine_fails_at_once() -> None:
    """Nothing listens on a loopback port (a stopped simulator): retrying cannot help."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = Client(f"http://127.0.0.1:{port}", TOKEN, backoff=1.0, max_retries=4)
    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        client.post("/projects/1/runs.json", {"data": []})
    assert time.monotonic() - started < 1.0
    assert client.calls == 1
    assert info.value.ambiguous is False
    assert str(info.value) == (
        "POST /projects/1/runs.json failed: could not connect (connection refused or host not found); "
        "check the URL and the network"
    )


def test_429_with_retry_after_holds_every_request(sim: Simulator) -> None:
    sim.faults.add("status", "GET", "/projects$", status=429, calls={1}, retry_after=1)
    limiter = RateLimiter(1000, 1.0)
    client = make_client(sim, rate_limiter=limiter)
    started = time.monotonic()
    assert client.get("/projects.json")["data"]
    assert time.monotonic() - started >= 0.95
    assert client.calls == 2


def test_429_without_any_hint_waits_for_the_window(sim: Simulator) -> None:
    sim.faults.add("status", "GET", "/projects$", status=429, calls={1})
    client = make_client(sim, rate_limiter=RateLimiter(1000, 0.3))
    started = time.monotonic()
    assert client.get("/projects.json")["data"]
    assert time.monotonic() - started >= 0.28


@pytest.mark.practitest_simulator(rate_limit=(5, 0.5))
def test_client_limiter_keeps_under_the_server_limit(sim: Simulator) -> None:
    client = Client(sim.url, TOKEN, rate_limiter=RateLimiter(5, 0.5), backoff=0.01)
    for _ in range(12):
        client.get("/projects.json")
    assert [r.status for r in sim.requests] == [200] * 12


def test_deadline_stops_waiting(sim: Simulator) -> None:
    sim.faults.add("status", "GET", "/projects$", status=429, retry_after=30)
    client = make_client(sim, rate_limiter=RateLimiter(1000, 60.0), deadline=time.monotonic() + 2)
    with pytest.raises(Exception, match="429 Too Many Requests"):
        client.get("/projects.json")
    assert client.calls == 1


@pytest.mark.practitest_simulator(rate_limit=(6, 0.4))
def test_one_limiter_shared_by_threads_keeps_under_the_server_limit(sim: Simulator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    limiter = RateLimiter(6, 0.4)
    clients = [Client(sim.url, TOKEN, rate_limiter=limiter, backoff=0.01) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda c: [c.get("/projects.json") for _ in range(6)], clients))
    assert len(sim.requests) == 24
    assert {r.status for r in sim.requests} == {200}
