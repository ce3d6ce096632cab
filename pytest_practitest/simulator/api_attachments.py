"""Attachments: list by entity, download (via redirect), create, delete."""

from __future__ import annotations

from . import entities, payload
from .errors import APIError, bad_request, not_found
from .listing import paginate
from .payload import Problems
from .response import Response
from .routing import Request, Route
from .store import Entity, resource

CREATABLE = ("requirement", "test", "testset", "instance", "step", "step-run", "issue")


def _target(request: Request, entity: object, entity_id: object, *, body: bool) -> tuple[str, int]:
    """Validate an (entity, entity-id) pair; 400 for query params, 422 for a body."""

    def fail(detail: str, name: str) -> APIError:
        if body:
            return APIError(422, detail, pointer=f"/{name}")
        return bad_request(detail, parameter=name)

    allowed = CREATABLE if body else tuple(entities.ATTACHMENT_ENTITIES)
    if entity not in allowed:
        raise fail(f"entity must be one of {', '.join(allowed)}; got {entity!r}", "entity")
    assert isinstance(entity, str)
    table = entities.ATTACHMENT_ENTITIES[entity]
    if table is None:
        raise fail(f"entity {entity!r} is not supported by the simulator", "entity")
    target_id = payload.id_value(entity_id)
    if target_id is None:
        raise fail(f"entity-id must be an integer id, got {entity_id!r}", "entity-id")
    target = request.store.get(table, target_id)
    if target is None or target["project-id"] != request.project_id:
        if body:
            raise fail(
                f"{entity} {target_id} does not exist in project {request.project_id}", "entity-id"
            )
        raise not_found(f"{entity} {target_id}")
    return entity, target_id


def list_attachments(request: Request) -> Response:
    for name in ("entity", "entity-id"):
        if name not in request.query:
            raise bad_request(f"{name} is required", parameter=name)
    entity, target_id = _target(
        request, request.query["entity"], request.query["entity-id"], body=False
    )
    found = [
        a
        for a in request.store.in_project("attachments", request.project_id)
        if a["_entity"] == entity and a["_entity-id"] == target_id
    ]
    return paginate(request, "attachments", found)


def download_attachment(request: Request) -> Response:
    attachment = request.lookup("attachments", request.path_params["attachment_id"], "attachment")
    # PractiTest answers with a redirect to file storage (hence curl -L in the reference).
    signature = request.store.blob_signature(attachment["id"])
    location = f"{request.base_url}/_sim/blobs/{attachment['id']}?signature={signature}"
    return Response(302, headers={"Location": location})


def create_attachments(request: Request) -> Response:
    body = payload.body_object(request.json())
    entity, target_id = _target(request, body.get("entity"), body.get("entity-id"), body=True)
    data = body.get("data")
    if not isinstance(data, dict) or data.get("type") != "attachments":
        raise APIError(422, "data must be an object of type 'attachments'", pointer="/data/type")
    problems = Problems()
    payload.check_members(data, ("type", "files"), "/data", problems)
    files = payload.files(data.get("files"), "/data/files", problems)
    if not files and not problems:
        problems.add("at least one file is required", "/data/files/data")
    problems.raise_if_any()
    created: list[Entity] = [
        entities.create_attachment(
            request.store, request.project_id, entity, target_id, name, content
        )
        for name, content in files
    ]
    return Response(200, {"data": [resource("attachments", a) for a in created]})


def delete_attachment(request: Request) -> Response:
    attachment = request.lookup("attachments", request.path_params["attachment_id"], "attachment")
    request.store.table("attachments").pop(attachment["id"])
    return Response(200, {"data": resource("attachments", attachment)})


ROUTES = [
    Route(
        "GET",
        "/projects/{project_id}/attachments",
        list_attachments,
        paginated=True,
        params=frozenset({"entity", "entity-id"}),
    ),
    Route("POST", "/projects/{project_id}/attachments", create_attachments),
    Route("GET", "/projects/{project_id}/attachments/{attachment_id}", download_attachment),
    Route("DELETE", "/projects/{project_id}/attachments/{attachment_id}", delete_attachment),
]
