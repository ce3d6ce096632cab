"""Run custom fields: given by name or by id, sent as the API takes them (``---f-ID``).

A list field takes one of its possible values; a multi-value field (``multilist``) takes
a list. From the command line, the environment or the ini file a value is text, so
several values for a multi-value field are written ``Components=cart|checkout``; a
mapping file or a marker may give a real list. A value a field does not allow is found
here, before any run carries it: PractiTest would refuse every such run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # the HTTP stack loads only where a Client is made
    from ..api.client import Client

FIELD_PREFIX = "---f-"
#: between the values of a multi-value field given as text
MULTI_SEPARATOR = "|"


class CustomField(NamedTuple):
    """One of the project's custom fields, as ``custom_fields.json`` lists it."""

    key: str  # ---f-ID
    name: str
    format: str  # text, list, multilist, ...
    values: tuple[str, ...] | None  # the possible values of a list field

    def fit(self, value: Any) -> Any:
        """``value`` as this field takes it: text for a multi-value field becomes a list."""
        if self.format == "multilist" and isinstance(value, str):
            return [part.strip() for part in value.split(MULTI_SEPARATOR) if part.strip()]
        return value

    def problem(self, value: Any) -> str | None:
        """Why PractiTest would refuse ``value`` for this field, or None."""
        if self.values is None:
            return None
        given: Sequence[Any] = value if isinstance(value, list) else [value]
        wrong = [item for item in given if str(item) not in self.values]
        if not wrong:
            return None
        allowed = ", ".join(self.values)
        return f"{wrong[0]!r} is not a value of {self.name}; allowed: {allowed}"


def field_key(key: str) -> str | None:
    """A custom-field key as the API takes it (``---f-ID``), or None for a name to look up."""
    if key.startswith(FIELD_PREFIX):
        return key
    if key.isdigit():
        return f"{FIELD_PREFIX}{key}"
    return None


def custom_fields(client: Client, project_id: int) -> dict[str, CustomField]:
    """The project's custom fields, by name and by key (``---f-ID``)."""
    found: dict[str, CustomField] = {}
    for item in client.paginate(f"/projects/{project_id}/custom_fields.json"):
        attributes = item["attributes"]
        values = attributes.get("possible-values")
        field = CustomField(
            f"{FIELD_PREFIX}{item['id']}",
            str(attributes["name"]),
            str(attributes.get("field-format") or "text"),
            tuple(str(v) for v in values) if isinstance(values, list) else None,
        )
        found[field.name] = found[field.key] = field
    return found


def custom_fields_by_name(client: Client, project_id: int) -> dict[str, str]:
    """The project's custom fields by name, keyed as the API takes them (``---f-ID``)."""
    return {
        name: field.key
        for name, field in custom_fields(client, project_id).items()
        if not name.startswith(FIELD_PREFIX)
    }
