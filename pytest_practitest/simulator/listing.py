"""Filters and pagination for list endpoints."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from .errors import bad_request
from .response import Response
from .routing import Request
from .store import Entity, resource

MAX_PAGE_SIZE = 100


def ids_param(request: Request, name: str) -> set[int] | None:
    """A comma-separated list of integer ids, or None when absent."""
    raw = request.query.get(name)
    if raw is None:
        return None
    values = [part.strip() for part in raw.split(",") if part.strip()]
    if not values or not all(v.isdigit() for v in values):
        raise bad_request(
            f"{name} must be comma-separated integer ids, got {raw!r}", parameter=name
        )
    return {int(v) for v in values}


def name_filters(request: Request, items: Iterable[Entity], key: str = "name") -> list[Entity]:
    """Apply ``name_exact`` (case-sensitive) and ``name_like`` (case-insensitive)."""
    result = list(items)
    exact = request.query.get("name_exact")
    if exact is not None:
        result = [e for e in result if e.get(key) == exact]
    like = request.query.get("name_like")
    if like is not None:
        needle = like.lower()
        result = [e for e in result if needle in str(e.get(key) or "").lower()]
    return result


def filter_in(items: Iterable[Entity], key: str, wanted: set[Any] | None) -> list[Entity]:
    if wanted is None:
        return list(items)
    return [e for e in items if e.get(key) in wanted]


def _page_int(request: Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise bad_request(f"{name} must be a positive integer, got {raw!r}", parameter=name)
    return int(raw)


def paginate(
    request: Request,
    table: str,
    items: list[Entity],
    render: Callable[[Entity], dict[str, Any]] | None = None,
) -> Response:
    """One page of ``items`` with JSON:API ``links`` and ``meta``.

    ``page[size]`` above 100 is served as 100 (the documented maximum). Links
    repeat the request's query string, as PractiTest's do, with the page
    number replaced.
    """
    number = _page_int(request, "page[number]", 1)
    size = min(_page_int(request, "page[size]", MAX_PAGE_SIZE), MAX_PAGE_SIZE)
    total = len(items)
    pages = math.ceil(total / size)
    start = (number - 1) * size
    chunk = items[start : start + size]
    to_json = render or (lambda entity: resource(table, entity))

    def link(page: int) -> str:
        pairs = [(k, v) for k, v in request.query_pairs if not k.startswith("page[")]
        pairs += [("page[number]", str(page)), ("page[size]", str(size))]
        path = request.path.removesuffix(".json")
        return f"{request.base_url}/api/v2{path}.json?{urlencode(pairs)}"

    links: dict[str, str] = {}
    if pages > 1 or number > 1:
        links["self"] = link(number)
        if number < pages:
            links["next"] = link(number + 1)
        if 1 < number <= pages + 1:
            links["prev"] = link(number - 1)
        links["last"] = link(max(pages, 1))
    meta = {
        "current-page": number,
        "next-page": number + 1 if number < pages else None,
        "prev-page": number - 1 if 1 < number <= pages + 1 else None,
        "total-pages": pages,
        "total-count": total,
    }
    return Response(200, {"data": [to_json(e) for e in chunk], "links": links, "meta": meta})
