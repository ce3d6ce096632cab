"""Progress events: what the client and uploader tell a progress bar or a summary."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """Something happened during delivery.

    Kinds: ``queued``, ``batch_sent``, ``delivered``, ``rejected``, ``retry``,
    ``rate_limit_wait``, ``server_429``, ``recovered`` (runs found after an
    ambiguous failure), ``warning``.
    """

    kind: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)

    def __init__(self, kind: str, message: str, **data: Any) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "data", data)


EventSink = Callable[[Event], None]


def ignore_events(event: Event) -> None:
    """The default sink."""


def notice(event: Event) -> str | None:
    """The line a command prints for an event that needs one of its own, else None."""
    if event.kind not in ("warning", "rejected", "recovered", "server_429", "retry"):
        return None
    prefix = {"warning": "warning: ", "rejected": "rejected: "}.get(event.kind, "")
    return f"PractiTest: {prefix}{event.message}"


WARNINGS_SHOWN = 20


def capped(lines: Iterable[str], limit: int = WARNINGS_SHOWN) -> list[str]:
    """The distinct lines, at most ``limit`` of them, then one that counts the rest.

    10,000 testcases with a missing screenshot are not 10,000 lines in a CI log.
    """
    unique = list(dict.fromkeys(lines))
    if len(unique) <= limit:
        return unique
    return [*unique[:limit], f"... and {len(unique) - limit} more (the first {limit} are above)"]
