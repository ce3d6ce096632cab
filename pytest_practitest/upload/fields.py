"""Run custom fields: given by name or by id, sent as the API takes them (``---f-ID``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the HTTP stack loads only where a Client is made
    from ..api.client import Client

FIELD_PREFIX = "---f-"


def field_key(key: str) -> str | None:
    """A custom-field key as the API takes it (``---f-ID``), or None for a name to look up."""
    if key.startswith(FIELD_PREFIX):
        return key
    if key.isdigit():
        return f"{FIELD_PREFIX}{key}"
    return None


def custom_fields_by_name(client: Client, project_id: int) -> dict[str, str]:
    """The project's custom fields by name, keyed as the API takes them (``---f-ID``)."""
    return {
        str(f["attributes"]["name"]): f"{FIELD_PREFIX}{f['id']}"
        for f in client.paginate(f"/projects/{project_id}/custom_fields.json")
    }
