"""HTTP access to PractiTest API v2: auth, timeouts, rate limit, retries, pagination.

Why not urllib3's ``Retry``: every attempt must pass the one process-wide rate
limiter (PractiTest allows 30 calls a minute per *account*), waits must stop
at an overall deadline, a 429's wait must hold back every other request too,
and a POST that may have been stored must never be replayed blindly. A Retry
object sees none of that, so the loop lives here, in one place.

Retries (exponential backoff with jitter) apply to idempotent requests on 5xx,
transport errors and malformed bodies; to every request on 429 (the limit
stops calls before they reach the server) and on failures to connect (nothing
was sent), except a refusal on this machine's loopback address (a stopped
simulator), which fails at once. A POST that fails after its body was sent raises with
``ambiguous=True`` and the caller decides (see ``uploader``).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import requests

from ..errors import (
    APIError,
    ConfigError,
    FieldError,
    RateLimitError,
    TransportError,
    error_class,
)
from ..events import Event, EventSink, Kind, ignore_events
from ..limits import DEFAULT_RATE_LIMIT, PAGE_SIZE, resolve_base_url
from .body import Body
from .network import (
    certificate_refused,
    describe,
    network_environment,
    nothing_was_sent,
    refused_on_this_machine,
)
from .ratelimit import RateLimiter, parse_retry_after
from .shape import IDEMPOTENT, unexpected_shape
from .transport import Sent, SessionTransport, Transport

if TYPE_CHECKING:
    from ..settings import Settings

log = logging.getLogger(__name__)


def check_token(token: str | None) -> str:
    if not token:
        raise ConfigError("no API token: set PRACTITEST_TOKEN")
    if any(c.isspace() for c in token) or not token.isprintable():
        raise ConfigError("PRACTITEST_TOKEN contains spaces or control characters; check its value")
    return token


def account_limiter(
    url: str, token: str | None, limit: tuple[int, float] | None
) -> RateLimiter | None:
    """The limiter every process of this machine using ``url`` and ``token`` shares (None: off)."""
    if not limit:
        return None
    try:
        return RateLimiter.for_account(resolve_base_url(url), check_token(token), *limit)
    except ConfigError:
        return RateLimiter(*limit)  # Client() says what is wrong with the token


def _reason_and_errors(response: requests.Response) -> tuple[str, tuple[FieldError, ...]]:
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip().replace("\n", " ")
        return (text[:200] or response.reason or "no reason given"), ()
    errors: list[FieldError] = []
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        for item in body["errors"]:
            if isinstance(item, dict):
                source = item.get("source") or {}
                pointer = source.get("pointer") if isinstance(source, dict) else None
                title = item.get("title")
                errors.append(
                    FieldError(
                        str(item.get("detail") or title or item),
                        pointer,
                        None if title is None else str(title),
                    )
                )
            else:
                errors.append(FieldError(str(item)))
    reason = "; ".join(e.detail for e in errors[:5]) or response.reason or "no reason given"
    if len(errors) > 5:
        reason += f"; and {len(errors) - 5} more"
    return reason, tuple(errors)


class _Retry(Exception):
    """One try of a request failed; ``again``: another try is safe; ``held``: a 429 was obeyed."""

    def __init__(
        self,
        error: APIError,
        *,
        again: bool = False,
        held: bool = False,
        cause: BaseException | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.again = again
        self.held = held
        self.cause = cause


class Client:
    """One PractiTest account, one token, one pooled session."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        rate_limiter: RateLimiter | None = None,
        timeout: tuple[float, float] = (5.0, 30.0),
        max_retries: int = 4,
        backoff: float = 0.5,
        backoff_max: float = 30.0,
        deadline: float | None = None,
        on_event: EventSink = ignore_events,
        sleep: Callable[[float], None] = time.sleep,
        transport: Transport | None = None,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        self.rate_limiter = rate_limiter
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.deadline = deadline
        self.on_event = on_event
        self._sleep = sleep
        self.calls = 0
        #: seconds spent waiting for the rate limit (said in the summary)
        self.rate_waited = 0.0
        self.transport: Transport = transport or SessionTransport()
        self.session = requests.Session()
        self.session.headers.update(
            {
                "PTToken": check_token(token),
                "Content-Type": "application/json",
                "Accept": "application/json",
            }
        )
        self.session.trust_env = False  # no .netrc credentials beside the token ...
        # ... but the proxy and CA bundle a corporate network needs, read explicitly.
        self.session.proxies, self.session.verify = network_environment(self.base_url)

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> Client:
        """The client the settings describe: URL, token, rate limit and timeouts.

        Its limiter is the account's on this machine (``RateLimiter.for_account``), shared
        with every process that uses the same URL and token; ``rate_limiter`` in
        ``options`` replaces it.
        """
        token = settings.token()
        if "rate_limiter" not in options:
            options["rate_limiter"] = account_limiter(settings.url, token, settings.rate_limit)
        return cls(
            settings.url,
            token,
            timeout=(min(10.0, settings.timeout), settings.timeout),
            **options,
        )

    def close(self) -> None:
        self.session.close()

    # -- requests --------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        """POST ``body``: JSON-able data, or a ready ``payload.Body``."""
        return self.request("POST", path, body=body)

    def put(self, path: str, body: Any) -> Any:
        return self.request("PUT", path, body=body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        file: bool = False,
    ) -> Any:
        """Send one API call (``path`` relative to /api/v2) and return its parsed JSON.

        With ``file`` (a download endpoint, which answers with a redirect to file storage):
        the address redirected to (``str``, not followed here), or the bytes served."""
        data: Any = (
            body
            if isinstance(body, Body)
            else None
            if body is None
            else json.dumps(body).encode("utf-8")
        )
        attempt = 0
        while True:
            try:
                return self._once(method, path, params, data, file)
            except _Retry as retry:
                if retry.held:
                    continue  # a 429: the limiter now holds every request; not a retry
                if not retry.again or attempt >= self.max_retries:
                    raise retry.error from retry.cause
                attempt += 1
                self._backoff(attempt, retry.error)

    def _once(
        self, method: str, path: str, params: Mapping[str, Any] | None, data: Any, file: bool
    ) -> Any:
        """One try; raises ``_Retry`` saying whether another try is safe."""
        idempotent = method in IDEMPOTENT
        slot = self._wait_for_slot()
        self.calls += 1
        if isinstance(data, Body):
            data.rewind()
        try:
            sent = Sent(method, f"{self.base_url}/api/v2{path}", params, data)
            response = self.transport.send(self.session, sent, self.timeout)
        except requests.RequestException as exc:
            self._settle(slot)
            # A certificate that is not trusted will not be trusted on a retry either.
            safe = (idempotent or nothing_was_sent(exc)) and not certificate_refused(exc)
            # Nothing listens on this machine's port (a stopped simulator): fail now.
            safe = safe and not refused_on_this_machine(exc, self.base_url)
            error = TransportError(
                method,
                path,
                describe(exc, self.timeout),
                ambiguous=not nothing_was_sent(exc),
                late=isinstance(exc, requests.ReadTimeout),
            )
            raise _Retry(error, again=safe, cause=exc) from None
        self._settle(slot)
        with response:
            status = response.status_code
            if status == 429:
                raise _Retry(self._hold_for_429(method, path, response), held=True)
            if status >= 400:
                failure = self._error(method, path, response)
                raise _Retry(failure, again=status >= 500 and idempotent)
            if file and 300 <= status < 400 and response.headers.get("Location"):
                return urljoin(response.url or sent.url, response.headers["Location"])
            if file and 200 <= status < 300:
                return response.content
            if not 200 <= status < 300:
                where = response.headers.get("Location")
                error = TransportError(
                    method,
                    path,
                    "the API does not redirect; not followed"
                    + (f" (to {where[:120]})" if where else ""),
                    status=status,
                    hint="check the URL: it should be PractiTest's API address",
                    ambiguous=not idempotent,
                )
                raise _Retry(error)
            if not response.content:
                if method == "DELETE" or status == 204:
                    return None
                error = TransportError(
                    method, path, f"the answer ({status}) was empty", ambiguous=not idempotent
                )
                raise _Retry(error, again=idempotent)
            try:
                return response.json()
            except ValueError:
                error = TransportError(
                    method,
                    path,
                    f"the answer ({status}) is not valid JSON",
                    ambiguous=not idempotent,
                )
                raise _Retry(error, again=idempotent) from None

    def paginate(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a list endpoint, 100 per call, following ``meta``."""
        page = 1
        while True:
            body = self.get(path, {**(params or {}), "page[number]": page, "page[size]": PAGE_SIZE})
            items = body.get("data") if isinstance(body, dict) else None
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise unexpected_shape("GET", path, "a list of items under data")
            yield from items
            meta = body.get("meta") or {}
            next_page = meta.get("next-page") if isinstance(meta, dict) else None
            links = body.get("links")
            if next_page is None and isinstance(links, dict) and links.get("next") and items:
                next_page = page + 1
            if next_page is None or not str(next_page).isdigit() or int(next_page) <= page:
                return
            page = int(next_page)

    # -- waiting ---------------------------------------------------------

    def _remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def _wait_for_slot(self) -> list[float] | None:
        if self.rate_limiter is None:
            return None

        def announce(seconds: float) -> None:
            said = f"waiting {seconds:.1f} s for the rate limit"
            self.on_event(Event(Kind.RATE_LIMIT_WAIT, said, seconds=seconds))

        started = time.monotonic()
        try:
            return self.rate_limiter.acquire(lambda: self.deadline, announce)
        finally:
            self.rate_waited += time.monotonic() - started

    def _settle(self, slot: list[float] | None) -> None:
        if slot is not None and self.rate_limiter is not None:
            self.rate_limiter.settle(slot)

    def _sleep_bounded(self, seconds: float, error: APIError) -> None:
        remaining = self._remaining()
        if remaining is not None and seconds > remaining:
            raise error
        self._sleep(seconds)

    def _backoff(self, attempt: int, error: APIError) -> None:
        delay = min(self.backoff_max, self.backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
        self.on_event(
            Event(Kind.RETRY, f"{error}; retry {attempt} in {delay:.1f} s", seconds=delay)
        )
        log.debug("retrying after %s", error)
        self._sleep_bounded(delay, error)

    def _hold_for_429(self, method: str, path: str, response: requests.Response) -> RateLimitError:
        """Obey a 429 (raise it if the wait passes the deadline); the error, for the record."""
        wait = parse_retry_after(response)
        if wait is None:
            wait = (
                self.rate_limiter.window if self.rate_limiter is not None else DEFAULT_RATE_LIMIT[1]
            )
        reason, _ = _reason_and_errors(response)
        error = RateLimitError(method, path, reason, retry_after=wait)
        self.on_event(
            Event(Kind.SERVER_429, f"PractiTest said 429; waiting {wait:.1f} s", seconds=wait)
        )
        remaining = self._remaining()
        if remaining is not None and wait > remaining:
            raise error
        if self.rate_limiter is not None:
            self.rate_limiter.hold_until(time.monotonic() + wait)
        else:
            self._sleep(wait)
        return error

    def _error(self, method: str, path: str, response: requests.Response) -> APIError:
        reason, errors = _reason_and_errors(response)
        status = response.status_code
        cls = error_class(status)
        hint = None
        if status == 403 and "/projects/" in path:
            project = path.split("/")[2]
            hint = (
                f"project {project} is not visible to this token, or the token lacks the permission"
            )
        return cls(
            method,
            path,
            reason,
            status=status,
            hint=hint,
            errors=errors,
            ambiguous=status >= 500 and method not in IDEMPOTENT,
            late=status in (502, 504),  # a gateway gave up; the server behind it may go on
        )
