"""One API call, start to end, without sockets: auth, rate limit, faults, dispatch.

Order of checks for ``/api/v2`` paths: authentication (401), the account's
rate limit (429), fault injection, routing (404/405/406), query parameters
(400), the project's visibility (404/403), then the handler (400/422/...).
Every authenticated call counts against the rate limit, whatever its answer.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

from . import (
    api_attachments,
    api_catalog,
    api_requirements,
    api_runs,
    api_sets,
    api_tests,
    persist,
    seeds,
    switches,
)
from .errors import APIError
from .faults import Fault, FaultPlan
from .ratelimit import SlidingWindowLimiter, retry_after_header
from .response import Response
from .routing import Request, Router
from .store import Principal, Store

log = logging.getLogger(__name__)

ROUTER = Router(
    api_catalog.ROUTES
    + api_tests.ROUTES
    + api_sets.ROUTES
    + api_runs.ROUTES
    + api_attachments.ROUTES
    + api_requirements.ROUTES
)
API_PREFIX = "/api/v2"
MALFORMED_BODY = b'{"data": [{"id": "1", "type": "runs", "attributes": {"status": "PAS'
WRONG_SHAPE = {"data": "not what this endpoint gives", "meta": []}


@dataclass(frozen=True)
class LoggedRequest:
    """One entry of the simulator's request log (never holds the token)."""

    method: str
    path: str
    query: str
    status: int | None
    request_bytes: int
    response_bytes: int
    started: float
    duration: float
    auth: str | None = None
    fault: str | None = None


@dataclass
class Outcome:
    """What to send back: a response, or nothing (drop the connection)."""

    response: Response | None
    auth: str | None = None
    fault: str | None = None


def extract_token(
    headers: Message, query_pairs: list[tuple[str, str]]
) -> tuple[str | None, str | None]:
    """The token and how it came: ``header`` (PTToken), ``basic`` or ``query``."""
    header = headers.get("PTToken")
    if header is not None:
        return header.strip(), "header"
    authorization = headers.get("Authorization", "")
    if authorization[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "", "basic"
        return decoded.partition(":")[2], "basic"
    for name, value in query_pairs:
        if name == "api_token":
            return value, "query"
    return None, None


@dataclass
class App:
    """The simulated account: its state, rate limit, faults and request log."""

    store: Store
    info: seeds.SeedInfo
    limiter: SlidingWindowLimiter | None = None
    retry_after: bool = True
    state_file: Path | None = None
    faults: FaultPlan = field(default_factory=FaultPlan)

    def handle(
        self,
        method: str,
        path: str,
        query_pairs: list[tuple[str, str]],
        headers: Message,
        body: bytes,
        base_url: str,
    ) -> Outcome:
        if not path.startswith(API_PREFIX + "/"):
            return Outcome(
                APIError(404, f"no resource at {path}; the API lives under {API_PREFIX}").response()
            )
        token, style = extract_token(headers, query_pairs)
        principal = self.store.principal_for(token) if token else None
        if principal is None:
            detail = (
                "invalid API token (Your API key is wrong)"
                if token
                else "API token missing: send it in the PTToken header, basic auth "
                "(any:TOKEN) or the api_token parameter"
            )
            return Outcome(APIError(401, detail).response(), auth=style)
        limited = self._rate_limited()
        if limited is not None:
            return Outcome(limited, auth=style)
        fault = self.faults.decide(method, path.removesuffix(".json"))
        if fault is not None and not fault.processed_first:
            return Outcome(_fault_response(fault), auth=style, fault=fault.kind)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        query = dict(query_pairs)
        request = Request(
            method=method,
            path=path[len(API_PREFIX) :],
            query=query,
            query_pairs=query_pairs,
            headers=headers,
            body=body,
            base_url=base_url,
            store=self.store,
            principal=principal,
        )
        response = self._dispatch(request)
        if fault is None:
            return Outcome(response, auth=style)
        if fault.kind in ("delay", "slow"):
            if fault.kind == "delay":
                time.sleep(fault.delay)
            return Outcome(response, auth=style, fault=fault.kind)
        if fault.kind == "malformed":
            return Outcome(Response(200, raw=MALFORMED_BODY), auth=style, fault=fault.kind)
        if fault.kind == "empty":
            return Outcome(Response(200, raw=b""), auth=style, fault=fault.kind)
        if fault.kind == "wrong_shape":
            return Outcome(Response(200, WRONG_SHAPE), auth=style, fault=fault.kind)
        return Outcome(_fault_response(fault), auth=style, fault=fault.kind)

    def save(self) -> None:
        """Write the whole state to the state file, when there is one."""
        if self.state_file is not None:
            persist.save(
                self.state_file, {"store": self.store.snapshot(), "info": self.info.to_dict()}
            )

    def _rate_limited(self) -> Response | None:
        if self.limiter is None:
            return None
        wait = self.limiter.try_acquire()
        if wait is None:
            return None
        seconds = retry_after_header(wait)
        detail = (
            f"API rate limit exceeded: more than {self.limiter.calls} calls in "
            f"{self.limiter.window:g} seconds for this account"
        )
        if not self.retry_after:
            return APIError(429, detail).response()
        return APIError(
            429,
            f"{detail}; retry in {seconds} seconds",
            headers={"Retry-After": seconds},
            meta={"retry-after": int(seconds)},
        ).response()

    def _dispatch(self, request: Request) -> Response:
        try:
            with self.store.lock:
                route, params = ROUTER.match(request.method, request.path)
                route.check_query(request.query_pairs)
                request.path_params = params
                if "project_id" in params:
                    request.project = _visible_project(
                        self.store, request.principal, params["project_id"]
                    )
                switches.forbidden(request, route)
                response = route.handler(request)
                if request.method != "GET" and response.status < 300:
                    self.save()
                return response
        except APIError as error:
            return error.response()
        except Exception:  # a simulator bug must still answer like a server would
            log.exception("simulator error on %s %s", request.method, request.path)
            return APIError(500, "internal simulator error").response()


def _visible_project(store: Store, principal: Principal, project_id: int) -> dict[str, object]:
    project = store.get("projects", project_id)
    if project is None:
        raise APIError(404, f"project {project_id} not found; check the project id")
    if not principal.can_see(project_id):
        raise APIError(403, f"project {project_id} is not visible to this token")
    return project


def _fault_response(fault: Fault) -> Response | None:
    if fault.kind in ("reset", "commit_then_reset"):
        return None
    if fault.kind == "redirect":
        return Response(302, raw=b"", headers={"Location": "https://login.example/sso"})
    headers = {}
    if fault.status == 429 and fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    return APIError(
        fault.status, f"injected fault ({fault.kind} {fault.status})", headers=headers
    ).response()
