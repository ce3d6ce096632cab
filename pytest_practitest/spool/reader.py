"""The one reader of the spool format: each line read back into what it says.

The journal (``journal.py``, and through it ``practitest spools``' ``inventory.py``)
and the clean-up after a session (``cleanup.py``) read spools through here, so a
line one of them refuses is refused by all, and a change to the format is made in
one place. The members of each line are checked by ``validate.py``; a line that
fails is ``validate.BadLine``, whose text says why.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from ..model import RunRecord
from . import validate
from .meta import META_TYPES, SPOOL_FORMAT, SpoolMeta


class RecordLine(NamedTuple):
    """A run record, written before any attempt to send it."""

    record: RunRecord


class AttemptLine(NamedTuple):
    """The keys of a batch about to be posted, and when."""

    keys: list[str]
    at: float


class UnsentLine(NamedTuple):
    """An attempt that certainly stored nothing."""

    keys: list[str]


class DeliveredLine(NamedTuple):
    key: str
    run_id: int


class RejectedLine(NamedTuple):
    key: str
    reason: str


Line = RecordLine | AttemptLine | UnsentLine | DeliveredLine | RejectedLine


#: how ``Spool`` writes a record line: its key first (``RunRecord.to_json``)
_RECORD_START = b'{"type":"record","record":{"key":"'


def written_key(text: bytes) -> str | None:
    """The key of a record line as ``Spool`` writes it, found without parsing the line;
    None for any other line. Only a shortcut: the line itself is still to be read with
    ``line`` before it counts (the clean-up skips that for a key marked delivered, which
    a reader took when it was sent)."""
    if not text.startswith(_RECORD_START):
        return None
    end = text.find(b'"', len(_RECORD_START))
    return text[len(_RECORD_START) : end].decode("utf-8", "replace") if end > 0 else None


class Truncated(validate.BadLine):
    """The last line, cut short: the process that wrote it died mid-write."""


def meta(text: str | bytes) -> SpoolMeta:
    """A spool's first line; BadLine (why) when it is not one this version reads."""
    try:
        return SpoolMeta.read(validate.meta(text, META_TYPES, SPOOL_FORMAT))
    except TypeError as missing:  # a member is missing
        raise validate.BadLine(f"bad meta line ({missing})") from None


def line(text: str | bytes, last: bool = False) -> Line:
    """One line after the first; BadLine (Truncated for an incomplete ``last`` line)."""
    try:
        entry = json.loads(text)
    except json.JSONDecodeError:
        raise (Truncated("truncated") if last else validate.BadLine("not JSON")) from None
    return entry_line(entry)


def entry_line(entry: Any) -> Line:
    """What a line's decoded JSON says, every member checked."""
    if not isinstance(entry, dict):
        raise validate.BadLine("not a spool line (not an object)")
    kind = entry.get("type")
    if kind == "record":
        return RecordLine(validate.record(entry.get("record")))
    if kind == "attempt":
        at = validate.moment(entry.get("at"))
        return AttemptLine(validate.keys(entry.get("keys")), at)
    if kind == "unsent":
        return UnsentLine(validate.keys(entry.get("keys")))
    if kind == "delivered":
        return DeliveredLine(validate.key(entry.get("key")), validate.run_id(entry.get("run_id")))
    if kind == "rejected":
        return RejectedLine(validate.key(entry.get("key")), validate.reason(entry.get("reason")))
    raise validate.BadLine(f"unknown line type {kind!r}")
