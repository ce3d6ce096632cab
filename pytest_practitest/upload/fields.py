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

from ..errors import APIError, AuthError
from ..events import Event, EventSink, Kind
from ..model import RunRecord

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


class RunFields:
    """A record's custom fields as its runs carry them (``---f-ID``), for one upload.

    The listing (``custom_fields.json``) is an optional read: it is asked only when a
    field is given by name (ids go as given, and PractiTest decides), once per upload.
    A listing that cannot be had (a tester's token lacks "permissions to customize
    fields": 403; or a 5xx, a timeout) never holds results back: names are left out of
    the runs with one warning each, ids still go. Only a refused token (401) stops.
    """

    def __init__(self, client: Client, project_id: int, on_event: EventSink) -> None:
        self.client = client
        self.project_id = project_id
        self.on_event = on_event
        self._known: dict[str, CustomField] | None = None
        self._unreadable: str | None = None
        self._warned: set[str] = set()

    def of(self, record: RunRecord) -> dict[str, Any]:
        """Custom fields keyed ``---f-ID``, each value as its field takes it.

        A name the project does not have, or a value its field does not allow, is left
        out of the runs with one warning (PractiTest would refuse every run carrying it).
        """
        result: dict[str, Any] = {}
        if not record.custom_fields:
            return result
        given = record.custom_fields.items()
        if all(field_key(k) is not None and not _maybe_multi(v) for k, v in given):
            return {field_key(k) or k: v for k, v in given}  # ids: PractiTest decides
        known = self._listing()
        for key, value in record.custom_fields.items():
            found = field_value(known, key, value, self.project_id)
            if found.problem is None:
                result[found.key] = found.value
            elif self._unreadable is not None:
                self._warn(
                    key, f"field {key!r} could not be looked up ({self._unreadable})", record
                )
            elif found.field is None:
                self._warn(key, found.problem, record)
            else:
                self._warn(f"{found.key}={found.value!r}", found.problem, record)
        return result

    def _warn(self, seen: str, problem: str, record: RunRecord) -> None:
        if seen in self._warned:  # once, not once per run
            return
        self._warned.add(seen)
        self.on_event(
            Event(Kind.WARNING, f"{problem}; left out of the runs (first: {record.label})")
        )

    def _listing(self) -> dict[str, CustomField]:
        if self._known is None:
            try:
                self._known = custom_fields(self.client, self.project_id)
            except AuthError:
                raise
            except APIError as error:
                self._known = {}
                self._unreadable = str(error)
        return self._known


def _maybe_multi(value: Any) -> bool:
    """Text that a multi-value field would take as a list (``a|b``): the listing says."""
    return isinstance(value, str) and MULTI_SEPARATOR in value
