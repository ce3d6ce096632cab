"""Request and response types, and the route table's matching rules."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from .errors import APIError, bad_request, not_found
from .response import Response
from .store import Entity, Principal, Store

#: Query parameters every endpoint accepts.
COMMON_PARAMS = frozenset({"api_token", "developer_email"})
PAGE_PARAMS = frozenset({"page[number]", "page[size]"})


@dataclass
class Request:
    """One API request as the handlers see it."""

    method: str
    path: str
    query: dict[str, str]
    query_pairs: list[tuple[str, str]]
    headers: Message
    body: bytes
    base_url: str
    store: Store
    principal: Principal
    path_params: dict[str, int] = field(default_factory=dict)
    project: Entity | None = None
    _json: Any = None

    @property
    def project_id(self) -> int:
        assert self.project is not None
        return int(self.project["id"])

    def json(self) -> Any:
        """The parsed body; 400 when the content type or the JSON is wrong."""
        if self._json is None:
            content_type = self.headers.get_content_type()
            if content_type != "application/json":
                raise bad_request(
                    f"Content-Type must be application/json, got {content_type or 'none'}"
                )
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise bad_request(f"request body is not UTF-8: {exc}") from exc
            except json.JSONDecodeError as exc:
                raise bad_request(
                    f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
                ) from exc
        return self._json

    def lookup(self, table: str, entity_id: int, what: str) -> Entity:
        """An entity of this request's project by id, or 404."""
        entity = self.store.get(table, entity_id)
        if entity is None or entity.get("project-id") != self.project_id:
            raise not_found(f"{what} {entity_id}")
        return entity


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    """``template`` uses ``{name}`` for integer path parts, relative to /api/v2."""

    method: str
    template: str
    handler: Handler
    params: frozenset[str] = frozenset()
    unsupported: frozenset[str] = frozenset()
    paginated: bool = False

    @property
    def regex(self) -> re.Pattern[str]:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        return re.compile(f"^{pattern}$")

    def check_query(self, query_pairs: list[tuple[str, str]]) -> None:
        allowed = COMMON_PARAMS | self.params | (PAGE_PARAMS if self.paginated else frozenset())
        for name, _ in query_pairs:
            if name in self.unsupported:
                raise bad_request(
                    f"query parameter {name} is not supported by the simulator",
                    parameter=name,
                )
            if name not in allowed:
                raise bad_request(
                    f"unknown query parameter {name}; this endpoint accepts "
                    + ", ".join(sorted(allowed - COMMON_PARAMS)),
                    parameter=name,
                )


class Router:
    def __init__(self, routes: list[Route]) -> None:
        self._routes = [(route, route.regex) for route in routes]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, int]]:
        """The route for ``path`` (relative to /api/v2); 404, 405 or 406 if none."""
        stem, dot, extension = path.rpartition(".")
        if dot and "/" not in extension:
            if extension != "json":
                raise APIError(406, f"format .{extension} is not available; use .json")
            path = stem
        allowed: list[str] = []
        for route, regex in self._routes:
            found = regex.match(path)
            if not found:
                continue
            if route.method != method:
                allowed.append(route.method)
                continue
            params: dict[str, int] = {}
            for name, value in found.groupdict().items():
                if not value.isdigit():
                    raise not_found(f"{name.replace('_', ' ')} {value!r}")
                params[name] = int(value)
            return route, params
        if allowed:
            raise APIError(
                405,
                f"{method} is not allowed on this resource",
                headers={"Allow": ", ".join(sorted(set(allowed)))},
            )
        raise not_found(f"resource /api/v2{path}")
