"""What carries one request to the server and brings its answer back, swappable in tests.

``Client`` decides everything about a request (auth, rate limit, retries, what an
answer means); a transport only sends it. ``SessionTransport`` sends through the
client's pooled ``requests.Session``; ``MockTransport`` (as httpx's) hands each
request to a function that answers it, so tests inject any answer the reference
allows (a redirect, an empty 200, a 404 for one bulk) or raise a transport error
(``requests.ConnectionError``, ``requests.ReadTimeout``), without patching ``Client``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Protocol

import requests

from .body import Body


@dataclass(frozen=True)
class Sent:
    """One request as the client sends it (``url`` is absolute, ``data`` bytes or a Body)."""

    method: str
    url: str
    params: Mapping[str, Any] | None
    data: Any

    @property
    def path(self) -> str:
        """The path after ``/api/v2``, without the query (``/projects/1/runs.json``)."""
        return self.url.split("/api/v2", 1)[-1]

    def content(self) -> bytes:
        if isinstance(self.data, Body):
            self.data.rewind()
            return self.data.read()
        return b"" if self.data is None else bytes(self.data)

    def json(self) -> Any:
        return json.loads(self.content())


class Transport(Protocol):
    def send(
        self, session: requests.Session, sent: Sent, timeout: tuple[float, float]
    ) -> requests.Response:
        """The server's answer to ``sent``; raises ``requests.RequestException`` when none came."""


class SessionTransport:
    """Sends through the client's ``requests.Session`` (pooled, redirects never followed).

    It prepares each request from the session's own settings, as ``Session.request``
    does, without merging them again with per-request ones that are never given (the
    client's session ignores the environment: proxies and CA bundle are set on it once).
    That merging was a third of the client's CPU per call (5,000 results are 300 calls).
    """

    def send(
        self, session: requests.Session, sent: Sent, timeout: tuple[float, float]
    ) -> requests.Response:
        prepared = requests.PreparedRequest()
        prepared.prepare(
            method=sent.method,
            url=sent.url,
            headers=session.headers,
            data=sent.data,
            params=sent.params,
            auth=session.auth,
            cookies=session.cookies,
            hooks=session.hooks,
        )
        return session.send(
            prepared,
            timeout=timeout,
            allow_redirects=False,
            proxies=session.proxies,
            stream=session.stream,
            verify=session.verify,
            cert=session.cert,
        )


class MockTransport:
    """Answers every request with ``handler(sent)``; the handler may raise a requests error."""

    def __init__(self, handler: Callable[[Sent], requests.Response]) -> None:
        self.handler = handler
        self.sent: list[Sent] = []

    def send(
        self, session: requests.Session, sent: Sent, timeout: tuple[float, float]
    ) -> requests.Response:
        self.sent.append(sent)
        return self.handler(sent)


def answer(
    status: int = 200,
    json_body: Any = None,
    *,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> requests.Response:
    """A ``requests.Response`` as a server would send it (for ``MockTransport`` handlers)."""
    response = requests.Response()
    response.status_code = status
    if content is None:
        content = b"" if json_body is None else json.dumps(json_body).encode("utf-8")
    response._content = content
    response._content_consumed = True  # type: ignore[attr-defined]  # no socket to read
    response.headers.update(headers or {})
    if json_body is not None and "Content-Type" not in response.headers:
        response.headers["Content-Type"] = "application/json"
    phrases = {s.value: s.phrase for s in HTTPStatus}
    response.reason = phrases.get(status, "")
    return response
