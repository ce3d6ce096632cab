"""Progress events: what the client and uploader tell a progress bar or a summary."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Kind(str, Enum):
    """What an Event reports."""

    QUEUED = "queued"  #: records handed to the uploader (``count``)
    BATCH_SENT = "batch_sent"  #: a post's runs were stored (``count``)
    REJECTED = "rejected"  #: PractiTest refused a record; it stays in the spool
    RETRY = "retry"  #: a call failed and is tried again, or its fate is being checked
    RATE_LIMIT_WAIT = "rate_limit_wait"  #: waiting for our own limiter (``seconds``)
    SERVER_429 = "server_429"  #: PractiTest said 429 (``seconds`` to wait)
    RECOVERED = "recovered"  #: runs found stored (an unclear answer, an earlier upload): count
    CREATED = "created"  #: a test set, test or instances were created
    WARNING = "warning"  #: something was left out; the summary shows it


@dataclass(frozen=True)
class Event:
    """Something happened during delivery: what the client and uploader tell a listener."""

    kind: Kind
    message: str
    data: dict[str, Any] = field(default_factory=dict)

    def __init__(self, kind: Kind, message: str, **data: Any) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "data", data)


EventSink = Callable[[Event], None]


def ignore_events(event: Event) -> None:
    """The default sink."""


#: Rejections are not among them: the summary names each (printing both doubled them).
NOTICED = frozenset({Kind.WARNING, Kind.RECOVERED, Kind.SERVER_429, Kind.RETRY})


def notice(event: Event) -> str | None:
    """The line a command prints for an event that needs one of its own, else None."""
    if event.kind not in NOTICED:
        return None
    prefix = {Kind.WARNING: "warning: ", Kind.REJECTED: "rejected: "}.get(event.kind, "")
    return visible(f"PractiTest: {prefix}{event.message}")


#: what a terminal or a CI log would act on: C0 and C1 controls (ESC, CR, LF...), and
#: the Unicode line and paragraph separators
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 256 else f"\\u{ord(char):04x}")


def visible(text: str) -> str:
    """``text`` as one printable line: control characters as escapes (``\\x1b``, ``\\n``).

    Labels and reasons come from test names, JUnit files and bundles made elsewhere: raw,
    a newline would forge a line of our own (``PractiTest: 500 of 500 runs delivered``)
    or a CI command (``::add-mask::`` at a line's start), an ESC would drive the terminal.
    """
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


WARNINGS_SHOWN = 20


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 API call``, ``2 API calls``: the number with its noun, singular or plural."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def first_few(names: Sequence[str], shown: int = 5) -> str:
    """``a, b, c, d, e and 7 more``: the first names of a list, and how many are left."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def seconds_text(seconds: float) -> str:
    """A wait as people read it: ``42 s``, ``3 min``; never ``0 s`` for a wait that is there."""
    if seconds < 1:
        return "less than 1 s" if seconds > 0 else "0 s"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def capped(lines: Iterable[str], limit: int = WARNINGS_SHOWN) -> list[str]:
    """The distinct lines, at most ``limit`` of them, then one that counts the rest.

    10,000 testcases with a missing screenshot are not 10,000 lines in a CI log.
    """
    unique = list(dict.fromkeys(visible(line) for line in lines))
    if len(unique) <= limit:
        return unique
    return [*unique[:limit], f"... and {len(unique) - limit} more (the first {limit} are above)"]
