"""Validation of JSON:API request bodies.

Every problem names the member with a JSON pointer. A bulk request is checked
whole before anything is stored: one bad entry rejects the request, and the
error lists every bad entry, so nothing is half-written.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Collection
from typing import Any

from .errors import APIError, ErrorItem, bad_request
from .store import Entity, Principal, Store

DURATION = re.compile(r"^\d{2,}:[0-5]\d:[0-5]\d$")
MAX_NAME = 255


class Problems:
    """Collects 422 problems; raises them together."""

    def __init__(self) -> None:
        self.items: list[ErrorItem] = []

    def add(self, detail: str, pointer: str) -> None:
        self.items.append(ErrorItem(detail, pointer))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise APIError.many(422, self.items)


def body_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object with a data member")
    return body


def data_items(
    body: Any, json_type: str, *, bulk_max: int | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """``(pointer, item)`` for the request's ``data`` (one object, or a list)."""
    data = body_object(body).get("data")
    if isinstance(data, list):
        if bulk_max is None:
            raise APIError(422, "data must be a single object here", pointer="/data")
        if not data:
            raise APIError(422, "data must not be an empty list", pointer="/data")
        if len(data) > bulk_max:
            raise APIError(
                422,
                f"at most {bulk_max} entries per request, got {len(data)}",
                pointer="/data",
            )
        items = [(f"/data/{i}", item) for i, item in enumerate(data)]
    elif isinstance(data, dict):
        items = [("/data", data)]
    else:
        raise APIError(422, "data is required and must be an object", pointer="/data")
    problems = Problems()
    for pointer, item in items:
        if not isinstance(item, dict):
            problems.add("must be an object", pointer)
        elif item.get("type") != json_type:
            problems.add(f"type must be {json_type!r}, got {item.get('type')!r}", f"{pointer}/type")
        elif not isinstance(item.get("attributes", {}), dict):
            problems.add("attributes must be an object", f"{pointer}/attributes")
    problems.raise_if_any()
    return items


def check_members(
    obj: dict[str, Any], allowed: Collection[str], pointer: str, problems: Problems
) -> None:
    """Unknown members are rejected: a misspelt ``exit_code`` must not be ignored."""
    for key in obj:
        if key not in allowed:
            problems.add(f"unknown member {key!r}", f"{pointer}/{key}")


def id_value(value: Any) -> int | None:
    """An id given as an integer or a string of digits, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def reference(
    store: Store,
    project_id: int,
    table: str,
    value: Any,
    pointer: str,
    problems: Problems,
    what: str,
    *,
    required: bool = True,
) -> Entity | None:
    """The entity an attribute refers to, or a problem saying why not."""
    if value is None:
        if required:
            problems.add(f"{what} is required", pointer)
        return None
    entity_id = id_value(value)
    if entity_id is None:
        problems.add(f"{what} must be an integer id, got {value!r}", pointer)
        return None
    entity = store.get(table, entity_id)
    if entity is None or entity.get("project-id", project_id) != project_id:
        problems.add(f"{what} {entity_id} does not exist in project {project_id}", pointer)
        return None
    return entity


def text(
    obj: dict[str, Any],
    key: str,
    pointer: str,
    problems: Problems,
    *,
    required: bool = False,
    max_length: int | None = None,
) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            problems.add(f"{key} is required", f"{pointer}/{key}")
        return None
    if not isinstance(value, str):
        problems.add(f"{key} must be a string", f"{pointer}/{key}")
        return None
    if required and not value.strip():
        problems.add(f"{key} must not be blank", f"{pointer}/{key}")
    if max_length is not None and len(value) > max_length:
        problems.add(
            f"{key} is {len(value)} characters; at most {max_length} are allowed",
            f"{pointer}/{key}",
        )
    return value


def duration(obj: dict[str, Any], key: str, pointer: str, problems: Problems) -> None:
    value = obj.get(key)
    if value is not None and not (isinstance(value, str) and DURATION.match(value)):
        problems.add(f"{key} must be HH:MM:SS, got {value!r}", f"{pointer}/{key}")


def one_of(
    obj: dict[str, Any], key: str, options: Collection[str], pointer: str, problems: Problems
) -> None:
    value = obj.get(key)
    if value is not None and value not in options:
        problems.add(
            f"{key} must be one of {', '.join(options)}; got {value!r}", f"{pointer}/{key}"
        )


def files(container: Any, pointer: str, problems: Problems) -> list[tuple[str, bytes]]:
    """Decode ``{"data": [{"filename", "content_encoded"}]}``."""
    if container is None:
        return []
    if not isinstance(container, dict) or not isinstance(container.get("data"), list):
        problems.add("files must be an object with a data list", pointer)
        return []
    decoded: list[tuple[str, bytes]] = []
    for index, entry in enumerate(container["data"]):
        where = f"{pointer}/data/{index}"
        if not isinstance(entry, dict):
            problems.add("file must be an object", where)
            continue
        check_members(entry, ("filename", "content_encoded"), where, problems)
        name = text(entry, "filename", where, problems, required=True, max_length=MAX_NAME)
        encoded = entry.get("content_encoded")
        if not isinstance(encoded, str):
            problems.add("content_encoded is required (base64 text)", f"{where}/content_encoded")
            continue
        try:
            # `base64` wraps lines, and the reference's curl examples send that as is.
            content = base64.b64decode(re.sub(r"\s+", "", encoded), validate=True)
        except (binascii.Error, ValueError):
            problems.add("content_encoded is not valid base64", f"{where}/content_encoded")
            continue
        if name:
            decoded.append((name, content))
    return decoded


def custom_fields(
    store: Store, project_id: int, value: Any, pointer: str, problems: Problems
) -> None:
    """Keys must be ``---f-<id>`` of this project's fields; list values must be allowed."""
    if value is None:
        return
    if not isinstance(value, dict):
        problems.add("custom-fields must be an object", pointer)
        return
    for key, field_value in value.items():
        where = f"{pointer}/{key}"
        match = re.fullmatch(r"---f-(\d+)", key)
        field = store.get("custom_fields", int(match.group(1))) if match else None
        if field is None or field["project-id"] != project_id:
            problems.add(f"unknown custom field {key!r} in project {project_id}", where)
            continue
        allowed = field["possible-values"]
        values = field_value if isinstance(field_value, list) else [field_value]
        if field["field-format"] == "multilist" and not isinstance(field_value, list):
            problems.add(f"{key} ({field['name']}) takes a list of values", where)
        elif allowed is not None:
            for item in values:
                if item not in allowed:
                    problems.add(
                        f"{item!r} is not a value of {key} ({field['name']}); "
                        f"allowed: {', '.join(map(str, allowed))}",
                        where,
                    )


def author(
    store: Store,
    principal: Principal,
    project_id: int,
    attributes: dict[str, Any],
    pointer: str,
    problems: Problems,
    *,
    required: bool,
    key: str = "author-id",
) -> int | None:
    """Who is recorded as author: the PAT's owner, or ``author-id`` for account tokens.

    A personal token may name another author only with impersonation; without
    it ``author-id`` is ignored, as the reference describes.
    """
    if principal.is_personal and not (principal.token.impersonation and key in attributes):
        return principal.token.user_id
    if attributes.get(key) is None:
        if required:
            problems.add(f"{key} is required when using an account token", f"{pointer}/{key}")
        return None
    user = reference(
        store, project_id, "users", attributes[key], f"{pointer}/{key}", problems, "user"
    )
    if user is None:
        return None
    if project_id not in store.memberships.get(user["id"], set()):
        problems.add(
            f"user {user['id']} is not a member of project {project_id}", f"{pointer}/{key}"
        )
        return None
    return int(user["id"])
