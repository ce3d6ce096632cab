"""Run records → PractiTest run items, and batches that respect the API's limits."""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..api.body import Body
from ..events import Event, EventSink, Kind, ignore_events
from ..limits import DEFAULT_MAX_FILE_BYTES, MAX_RUNS_PER_POST, MAX_TEXT
from ..model import FileRef, RunRecord, Status, StepRecord, hhmmss, run_status_of
from ..spool.files import Refused, read_regular

TRUNCATION_MARK = " […] full text in execution-output.txt"
OUTPUT_FILE = "execution-output.txt"
ITEM_OVERHEAD = 512  # JSON keys, ids and punctuation around one run


KEY_TAG = re.compile(r"\[pt ([0-9A-Za-z_-]{1,40})\]\s*$")


def key_tag(key: str) -> str:
    """What ends a run's execution output: the record's spool key, as recovery finds it."""
    return f"[pt {key}]"


def key_of(output: str | None) -> str | None:
    """The spool key a run's execution output ends with, or None."""
    found = KEY_TAG.search(output or "")
    return found.group(1) if found else None


def without_key(output: str | None) -> str:
    """A run's execution output as the test gave it, without the key at its end."""
    return KEY_TAG.sub("", output or "").rstrip("\n")


def room_for(record: RunRecord) -> int:
    """Characters of the 255 left for the record's own text, after its key."""
    return MAX_TEXT - len(key_tag(record.key)) - 1


def cut_output(text: str, limit: int = MAX_TEXT) -> tuple[str, bool]:
    """Execution output within ``limit`` characters, with a visible mark when cut."""
    if len(text) <= limit:
        return text, False
    return text[: limit - len(TRUNCATION_MARK)] + TRUNCATION_MARK, True


def tagged_output(record: RunRecord) -> tuple[str, bool]:
    """The run's ``automated-execution-output``: the record's text, then its key.

    The key (``[pt 3f9a...]``, 29 characters of the 255 and a line break) is how an upload finds,
    after an unclear answer, which runs the server stored, without relying on the
    server's clock, its run status rules or the order of its answer. Returns the
    output and whether the text was cut (the full text then goes as a file).
    """
    text, cut = cut_output(record.output, room_for(record))
    tag = key_tag(record.key)
    return (f"{text}\n{tag}" if text else tag), cut


def encoded_size(size: int) -> int:
    """Bytes of base64 for ``size`` bytes: a third more, rounded up to 4."""
    return 4 * ((size + 2) // 3)


def run_status(record: RunRecord) -> str:
    """The status PractiTest will show for the item ``build_item`` makes."""
    steps = _steps_for(record)
    return run_status_of(s.status for s in steps) if steps else record.status.value


def _steps_for(record: RunRecord) -> list[StepRecord]:
    """The record's steps, plus one that carries its status when the steps alone would not.

    PASSED and FAILED without steps go as an exit code, so they need none. The
    extra step is added only when it makes the run show the record's status (a
    failed step cannot be outweighed, so a "passed" record with one stays FAILED).
    """
    steps = list(record.steps)
    if not steps and record.status in (Status.PASSED, Status.FAILED):
        return []
    if steps and run_status_of(s.status for s in steps) == record.status.value:
        return steps
    outcome = StepRecord(
        name=f"Outcome: {record.status.value}",
        status=record.status,
        description=record.label or None,
    )
    with_outcome = [*steps, outcome]
    if steps and run_status_of(s.status for s in with_outcome) != record.status.value:
        return steps
    return with_outcome


@dataclass
class FilePolicy:
    """Which files go: a size cap per file; missing and oversized files are skipped."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    on_event: EventSink = ignore_events

    def size(self, ref: FileRef) -> int | None:
        """Bytes of the file, or None when it will be skipped."""
        if ref.data is not None:
            size = len(ref.data)
        else:
            assert ref.path is not None
            try:
                size = os.stat(ref.path).st_size
            except OSError:
                return None
        return size if size <= self.max_file_bytes else None

    def encode(self, ref: FileRef, owner: str) -> dict[str, str] | None:
        """``{filename, content_encoded}``, reading the file now; None (with a warning): skip."""
        if ref.data is not None:
            content = ref.data
        else:
            assert ref.path is not None
            try:  # a FIFO or a device is refused, never waited on
                content = read_regular(ref.path, self.max_file_bytes + 1)
            except (OSError, Refused) as exc:
                why = str(exc) if isinstance(exc, Refused) else exc.strerror or str(exc)
                self.on_event(Event(Kind.WARNING, f"{owner}: skipped attachment {ref.name}: {why}"))
                return None
        if len(content) > self.max_file_bytes:
            self.on_event(
                Event(
                    Kind.WARNING,
                    f"{owner}: skipped attachment {ref.name}: {len(content)} bytes is over the "
                    f"{self.max_file_bytes}-byte cap",
                )
            )
            return None
        return {"filename": ref.name, "content_encoded": base64.b64encode(content).decode("ascii")}


def _all_files(record: RunRecord) -> Iterator[FileRef]:
    yield from record.files
    for step in record.steps:
        yield from step.files


def estimate_size(record: RunRecord, policy: FilePolicy) -> int:
    """Request bytes the record will take, without reading its files."""
    if not record.steps and not record.files and len(record.output) <= MAX_TEXT - 64:
        return ITEM_OVERHEAD + len(record.output) * 2  # most results: no files, a short text
    text = len(record.output) * 2 + sum(
        len(s.name) + len(s.description or "") + len(s.expected or "") + len(s.actual or "")
        for s in record.steps
    )
    files = sum(
        encoded_size(size) + 64 for f in _all_files(record) if (size := policy.size(f)) is not None
    )
    if len(record.output) > room_for(record):
        files += encoded_size(len(record.output.encode("utf-8")))
    return ITEM_OVERHEAD + text + files


def build_item(
    record: RunRecord,
    instance_id: int | None,
    policy: FilePolicy,
    custom_fields: Mapping[str, Any] | None = None,
    *,
    set_id: int | None = None,
) -> dict[str, Any]:
    """The run item for ``POST /runs.json`` (on ``instance_id``), or for
    ``runs/auto_create.json`` (``instance_id`` None, in ``set_id``); files are read here."""
    where = {"instance-id": instance_id} if instance_id is not None else {"set-id": set_id}
    attributes: dict[str, Any] = {**where, "run-duration": hhmmss(record.duration)}
    output, truncated = tagged_output(record)
    attributes["automated-execution-output"] = output
    if record.version is not None:
        attributes["version"] = record.version
    fields = dict(custom_fields if custom_fields is not None else record.custom_fields)
    if fields:
        attributes["custom-fields"] = fields
    # No tester-id: the reference lists it for ManualRun only, and these are AutomatedRuns
    # (a personal token's runs are its user's).
    steps = _steps_for(record)
    if not steps:
        attributes["exit-code"] = 0 if record.status is Status.PASSED else 1
    item: dict[str, Any] = {"type": "instances", "attributes": attributes}
    owner = record.label or record.target.describe()
    run_files = _RunFiles(policy)
    if steps:
        item["steps"] = {"data": [_step_item(step, run_files, owner) for step in steps]}
    files = run_files.encode(record.files, owner)
    if truncated:
        full = FileRef(OUTPUT_FILE, data=record.output.encode("utf-8"))
        if (encoded_output := policy.encode(full, owner)) is not None:
            files.append(encoded_output)
    if files:
        item["files"] = {"data": files}
    return item


#: the most bytes of attachments one run takes (its item is built in memory, then encoded)
MAX_RUN_FILE_BYTES = 32 * 1024 * 1024


class _RunFiles:
    """One run's attachments as they are encoded: the same name and path named twice on
    the run (or on one step) is sent once, and at most ``MAX_RUN_FILE_BYTES`` in all go,
    so a record naming one big file a hundred times holds no hundred copies of it."""

    def __init__(self, policy: FilePolicy) -> None:
        self.policy = policy
        self.room = MAX_RUN_FILE_BYTES

    def encode(self, refs: Sequence[FileRef], owner: str) -> list[dict[str, str]]:
        encoded: list[dict[str, str]] = []
        seen: set[tuple[str, str]] = set()
        for ref in refs:
            if ref.path is not None:
                if (ref.name, ref.path) in seen:
                    continue
                seen.add((ref.name, ref.path))
            size = self.policy.size(ref)
            if size is not None and encoded_size(size) > self.room:
                self.policy.on_event(
                    Event(
                        Kind.WARNING,
                        f"{owner}: skipped attachment {ref.name}: over the "
                        f"{MAX_RUN_FILE_BYTES}-byte cap for one run's files",
                    )
                )
                continue
            if (item := self.policy.encode(ref, owner)) is not None:
                encoded.append(item)
                self.room -= len(item["content_encoded"])
        return encoded


def _step_item(step: StepRecord, run_files: _RunFiles, owner: str) -> dict[str, Any]:
    data: dict[str, Any] = {"name": step.name[:MAX_TEXT], "status": step.status.value}
    if step.description is not None:
        data["description"] = step.description
    if step.expected is not None:
        data["expected-results"] = step.expected
    if step.actual is not None:
        data["actual-results"] = step.actual
    files = run_files.encode(step.files, f"{owner} / {step.name}")
    if files:
        data["files"] = {"data": files}
    return data


def batch_is_full(
    count: int, used: int, need: int, max_request_bytes: int, size: int = MAX_RUNS_PER_POST
) -> bool:
    """Whether a batch of ``count`` records (``used`` bytes) must close before one of ``need``.

    A record bigger than the budget on its own still goes, alone.
    """
    return count > 0 and (count >= size or used + need > max_request_bytes)


def batches(
    records: Sequence[RunRecord],
    policy: FilePolicy,
    max_request_bytes: int,
    size: int = MAX_RUNS_PER_POST,
) -> Iterator[list[RunRecord]]:
    """Consecutive groups of at most ``size`` records under the request budget."""
    current: list[RunRecord] = []
    used = 0
    for record in records:
        need = estimate_size(record, policy)
        if batch_is_full(len(current), used, need, max_request_bytes, size):
            yield current
            current, used = [], 0
        current.append(record)
        used += need
    if current:
        yield current


def encode_items(items: Iterable[dict[str, Any]]) -> Body:
    """``{"data": [items]}`` as a Body, encoding each item as soon as it is made."""
    chunks = [b'{"data":[']
    for index, item in enumerate(items):
        chunks.append(
            (b"," if index else b"") + json.dumps(item, separators=(",", ":")).encode("utf-8")
        )
    chunks.append(b"]}")
    return Body(chunks)
