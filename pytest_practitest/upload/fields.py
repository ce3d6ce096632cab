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


class FieldValue(NamedTuple):
    """A run field as it would be sent, or why it cannot be."""

    key: str  # ---f-ID, or the name as given when the project has no such field
    value: Any
    field: CustomField | None  # None: not in the listing
    problem: str | None  # set: leave this field out of the runs


def field_value(known: dict[str, CustomField], key: str, value: Any, project_id: int) -> FieldValue:
    """``key=value`` as the API takes it, checked against the project's fields (``known``).

    One rule for the uploader and ``practitest check``: a name must exist and a value must
    be allowed; an id the listing does not show is sent as given (PractiTest decides).
    """
    given = field_key(key)
    field = known.get(given or key)
    if field is None:
        missing = None if given else f"no custom field named {key!r} in project {project_id}"
        return FieldValue(given or key, value, None, missing)
    fitted = field.fit(value)
    return FieldValue(field.key, fitted, field, field.problem(fitted))
