"""Show, update and delete: the same steps for every entity type."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from . import entities, payload
from .payload import Problems
from .response import Response
from .routing import Handler, Request, Route
from .store import Entity, resource

#: Documented filters of the test library and test sets that the simulator does not model.
UNMODELLED_FILTERS = frozenset(
    {"filter-id", "autofilter-value", "sub-autofilter-value", "filter-user-id"}
)

Check = Callable[[Request, dict[str, Any], str, Problems, Entity], None]
Render = Callable[[Request, Entity], dict[str, Any]]


def _plain(table: str) -> Render:
    return lambda request, entity: resource(table, entity)


def show(table: str, key: str, what: str, render: Render | None = None) -> Handler:
    draw = render or _plain(table)

    def handler(request: Request) -> Response:
        return Response(
            200, {"data": draw(request, request.lookup(table, request.path_params[key], what))}
        )

    return handler


def update(
    table: str,
    key: str,
    what: str,
    json_type: str,
    allowed: Collection[str],
    check: Check | None = None,
    render: Render | None = None,
    accepted_only: Collection[str] = (),
) -> Handler:
    """PUT: validate documented attributes, then apply them (``accepted_only``: not stored)."""
    draw = render or _plain(table)

    def handler(request: Request) -> Response:
        entity = request.lookup(table, request.path_params[key], what)
        [(pointer, item)] = payload.data_items(request.json(), json_type)
        problems = Problems()
        payload.check_members(item, ("type", "attributes"), pointer, problems)
        attributes: dict[str, Any] = item.get("attributes", {})
        at = f"{pointer}/attributes"
        payload.check_members(attributes, (*allowed, *accepted_only), at, problems)
        if check is not None:
            check(request, attributes, at, problems, entity)
        problems.raise_if_any()
        entity.update({k: v for k, v in attributes.items() if k not in accepted_only})
        entity["updated-at"] = request.store.now_iso()
        request.store.reindex(table, entity)
        return Response(200, {"data": draw(request, entity)})

    return handler


def delete(table: str, key: str, what: str) -> Handler:
    def handler(request: Request) -> Response:
        entity = request.lookup(table, request.path_params[key], what)
        entities.delete(request.store, table, entity["id"])
        return Response(200, {"data": resource(table, entity)})

    return handler


def routes(
    collection: str,
    key: str,
    *,
    listing: Handler,
    create: Handler,
    show_one: Handler,
    update_one: Handler,
    delete_one: Handler,
    list_params: frozenset[str] = frozenset(),
    show_params: frozenset[str] = frozenset(),
    unsupported: frozenset[str] = frozenset(),
) -> list[Route]:
    """The five routes of a project resource: list, create, show, update, delete."""
    base = f"/projects/{{project_id}}/{collection}"
    item = f"{base}/{{{key}}}"
    return [
        Route("GET", base, listing, params=list_params, unsupported=unsupported, paginated=True),
        Route("POST", base, create),
        Route("GET", item, show_one, params=show_params),
        Route("PUT", item, update_one),
        Route("DELETE", item, delete_one),
    ]
