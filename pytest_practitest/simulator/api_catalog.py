"""Projects, users, custom fields and project fields."""

from __future__ import annotations

from typing import Any

from .errors import bad_request, not_found
from .listing import paginate
from .response import Response
from .routing import Request, Route
from .store import Entity, resource


def list_projects(request: Request) -> Response:
    projects = [
        p for p in request.store.table("projects").values() if request.principal.can_see(p["id"])
    ]
    return paginate(request, "projects", projects)


def show_project(request: Request) -> Response:
    assert request.project is not None
    return Response(200, {"data": resource("projects", request.project)})


def _visible_users(request: Request) -> list[Entity]:
    users = list(request.store.table("users").values())
    if not request.principal.is_personal:
        return users
    projects = request.principal.visible_projects or set()
    return [u for u in users if request.store.memberships.get(u["id"], set()) & projects]


def list_users(request: Request) -> Response:
    users = _visible_users(request)
    email = request.query.get("email")
    if email is not None:
        users = [u for u in users if u["email"].lower() == email.lower()]
    active = request.query.get("active")
    if active not in (None, "true", "false"):
        raise bad_request(f"active must be true or false, got {active!r}", parameter="active")
    if active == "true":
        users = [u for u in users if request.store.memberships.get(u["id"])]
    return paginate(request, "users", users)


def show_user(request: Request) -> Response:
    user_id = request.path_params["user_id"]
    for user in _visible_users(request):
        if user["id"] == user_id:
            return Response(200, {"data": resource("users", user)})
    raise not_found(f"user {user_id}")


def list_custom_fields(request: Request) -> Response:
    fields = request.store.in_project("custom_fields", request.project_id)
    return paginate(request, "custom_fields", fields)


def show_custom_field(request: Request) -> Response:
    field = request.lookup("custom_fields", request.path_params["field_id"], "custom field")
    return Response(200, {"data": resource("custom_fields", field)})


SYSTEM_FIELDS: list[dict[str, Any]] = [
    {"id": 1, "name": "Status", "uniq_name": "status", "entities": ["Test", "TestSet"]},
    {"id": 2, "name": "Priority", "uniq_name": "priority", "entities": ["Test", "TestSet"]},
    {"id": 3, "name": "Version", "uniq_name": "version", "entities": ["Run", "TestSet"]},
]


def _field_json(field: Entity) -> dict[str, Any]:
    return {
        "id": field["id"],
        "type": "CustomField",
        "name": field["name"],
        "field_format": field["field-format"],
        "possible_values": field["possible-values"],
        "uniq_name": f"___f_{field['id']}",
        "entities": field["_entities"],
    }


def list_fields(request: Request) -> Response:
    system: list[dict[str, Any]] = [
        {"type": "SystemField", "field_format": "list", "possible_values": None, **f}
        for f in SYSTEM_FIELDS
    ]
    custom = request.store.in_project("custom_fields", request.project_id)
    rows = [{"id": f["id"], "_row": f} for f in system] + [
        {"id": f["id"], "_row": _field_json(f)} for f in custom
    ]
    return paginate(request, "custom_fields", rows, render=lambda row: row["_row"])


ROUTES = [
    Route("GET", "/projects", list_projects, paginated=True),
    Route("GET", "/projects/{project_id}", show_project),
    Route("GET", "/users", list_users, params=frozenset({"email", "active"}), paginated=True),
    Route("GET", "/users/{user_id}", show_user),
    Route("GET", "/projects/{project_id}/custom_fields", list_custom_fields, paginated=True),
    Route("GET", "/projects/{project_id}/custom_fields/{field_id}", show_custom_field),
    Route("GET", "/projects/{project_id}/fields", list_fields, paginated=True),
]
