"""Switches: answers the reference allows where it is silent, chosen per simulator.

Each switch is a field of the store (or the simulator's body limit), set in
process (``sim.switch(stale_bulk_status=404)``), over the control API
(``POST /_sim/switches`` with a JSON object) or from the command line
(``practitest sim --switch stale_bulk_status=404``). See docs/simulator.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import APIError
from .routing import Request, Route
from .store import Store


def _choice(*allowed: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if str(value) not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {value!r}")
        return str(value)

    return parse


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
        raise ValueError(f"expected true or false, got {value!r}")
    return text in ("1", "true", "yes", "on")


def _status(*allowed: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if int(value) not in allowed:
            raise ValueError(f"expected one of {', '.join(map(str, allowed))}, got {value!r}")
        return int(value)

    return parse


def _positive(value: Any) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"expected a positive number of bytes, got {value!r}")
    return number


def _seconds(value: Any) -> float:
    return float(value)


#: name -> how its value is read; each is a ``Store`` field but ``max_body_bytes``
SWITCHES: dict[str, Callable[[Any], Any]] = {
    "stale_bulk_status": _status(422, 404),
    "bulk_answer": _choice("list", "object", "empty"),
    "bulk_order": _choice("request", "reversed"),
    "permissions": _choice("full", "tester"),
    "single_test_ids": _flag,
    "strict": _flag,
    "auto_create_author": _flag,
    "unique_test_names": _flag,
    "clock_offset": _seconds,
    "max_body_bytes": _positive,
}


def parse(values: Mapping[str, Any]) -> dict[str, Any]:
    """The switches ``values`` name, read; ValueError names an unknown one or a bad value."""
    parsed = {}
    for name, value in values.items():
        if name not in SWITCHES:
            raise ValueError(f"unknown switch {name!r}; use one of {', '.join(SWITCHES)}")
        try:
            parsed[name] = SWITCHES[name](value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"switch {name}: {exc}") from None
    return parsed


def read(store: Store) -> dict[str, Any]:
    return {name: getattr(store, name) for name in SWITCHES if hasattr(store, name)}


def forbidden(request: Request, route: Route) -> None:
    """403 for what a tester's personal token may not do (``permissions`` = tester)."""
    if request.store.permissions != "tester":
        return
    template = route.template
    why = None
    if template.startswith("/projects/{project_id}/custom_fields"):
        why = "customize fields"
    elif request.method == "DELETE":
        why = "delete (Runs - Admin)"
    elif request.method == "POST" and template == "/projects/{project_id}/tests":
        why = "tests_editor"
    elif request.method == "POST" and template == "/projects/{project_id}/instances":
        why = "instances_editor"
    if why is not None:
        raise refused(why)


def refused(permission: str) -> APIError:
    return APIError(
        403, f"Your API token is not authorized for this operation (needs {permission})"
    )
