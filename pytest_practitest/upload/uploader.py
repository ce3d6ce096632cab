"""Deliver spooled run records: resolve, batch, send, isolate rejects, never duplicate.

A post whose fate is unknown is never simply repeated: ``recovery`` first looks
for what the server stored, and only the records it did not store go again.
The spool notes every attempt before it is made, so a later
``practitest upload`` can look too.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import APIError, ConfigError, DeadlineExceeded, PractiTestError, ValidationError
from ..events import Event, EventSink, Kind, ignore_events
from ..model import RunRecord
from ..spool.journal import Attempt, SpoolMeta
from ..spool.merged import Journal
from .autocreate import AutoCreate
from .fields import CustomField, custom_fields, field_value
from .payload import FilePolicy, batches, build_item, encode_items, key_of
from .recovery import Recovery, Verification
from .report import UploadReport
from .targets import Resolver, SetChoice

if TYPE_CHECKING:  # the HTTP stack loads only where a Client is made
    from ..api.client import Client
    from ..settings import Settings

DEFAULT_SETTLE_SECONDS = 5.0
MAX_AMBIGUOUS_ROUNDS = 3
DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class UploadSettings:
    """What to upload where (the token lives in the client only)."""

    project_id: int
    test_set: SetChoice = field(default_factory=SetChoice)
    create_missing: bool = False
    author_id: int | None = None
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    #: wait this long after an unclear answer before looking for the runs it may
    #: have stored, so a request still being processed is not missed
    settle_seconds: float = DEFAULT_SETTLE_SECONDS

    @classmethod
    def from_settings(cls, settings: Settings, spooled: SpoolMeta | None = None) -> UploadSettings:
        """Where results go: as the settings say, or, resuming a spool, as it recorded.

        The author is the settings' when they give one, else the spool's.
        """
        where = settings if spooled is None else spooled
        author = settings.author_id
        if author is None and spooled is not None:
            author = spooled.author_id
        return cls(
            project_id=where.project_id or 0,
            test_set=SetChoice(where.set_id, where.set_name),
            create_missing=where.create_missing,
            author_id=author,
        )


class Uploader:
    """Sends a spool's pending records through one client."""

    def __init__(
        self,
        client: Client,
        settings: UploadSettings,
        spool: Journal,
        on_event: EventSink = ignore_events,
    ) -> None:
        self.client = client
        self.settings = settings
        self.spool = spool
        self.on_event = on_event
        self.policy = FilePolicy(settings.max_file_bytes, on_event)
        self.resolver = Resolver(
            client,
            settings.project_id,
            settings.test_set,
            settings.create_missing,
            settings.author_id,
            on_event=on_event,
        )
        self.recovery = Recovery(client, settings.project_id, spool, on_event)
        self.auto = AutoCreate(
            client,
            self.resolver,
            self.recovery,
            spool,
            self.policy,
            self._settled_look,
            self._reject,
            on_event,
        )
        self._field_ids: dict[str, CustomField] | None = None
        self._unknown_fields: set[str] = set()

    def _path(self, tail: str) -> str:
        return f"/projects/{self.settings.project_id}{tail}"

    # -- the whole upload ----------------------------------------------------

    def upload(self) -> UploadReport:
        """Send every pending record; stop cleanly on what cannot be fixed by waiting."""
        started = time.monotonic()
        calls_before = self.client.calls
        fatal = None
        try:
            self._check_earlier_attempts()
            self.send(self.spool.pending())
        except (PractiTestError, OSError) as error:
            fatal = str(error)
        return self.report(fatal, time.monotonic() - started, self.client.calls - calls_before)

    def verify(self) -> Verification:
        """Each of the spool's results in PractiTest once? (``practitest upload --verify``)."""
        created = datetime.fromisoformat(self.spool.meta.created).timestamp()
        records = list(self.spool.records.values())
        return self.recovery.verify(records, self.resolver.resolve_set(), created)

    def report(self, fatal: str | None, seconds: float, calls: int) -> UploadReport:
        """Where the spool stands now."""
        return UploadReport.of_spool(
            self.spool,
            recovered=self.recovery.recovered,
            moved=sum(1 for key in self.resolver.moved if key in self.spool.delivered),
            calls=calls,
            seconds=seconds,
            set_id=self.resolver.set_id,
            set_name=self.resolver.set_name,
            fatal=fatal,
        )

    def send(self, records: Sequence[RunRecord]) -> None:
        """Resolve and post ``records`` (already in the spool); raises on fatal errors."""
        if not records:
            return
        self.on_event(Event(Kind.QUEUED, f"{len(records)} runs to send", count=len(records)))
        found: dict[str, int] = {}
        ready = self._resolve(records, found)
        for batch in batches(ready, self.policy, self.settings.max_request_bytes):
            self._post(batch, found)

    def _resolve(self, records: Sequence[RunRecord], found: dict[str, int]) -> list[RunRecord]:
        """Reject what has nowhere to go; the records to post, their instances put in
        ``found`` (a new test's first result goes through ``auto_create`` here)."""
        more, failed, new = self.resolver.resolve(records)
        for record in records:
            if record.key in failed:
                self._reject(record, failed[record.key])
        found.update(more)
        return [r for r in records if r.key in more] + self._send_new(new, found)

    def _send_new(self, new: list[RunRecord], found: dict[str, int]) -> list[RunRecord]:
        """The first result of each new test through ``auto_create``; returns the records
        left to go by ``runs.json`` (their test's instance is known by then)."""
        ready: list[RunRecord] = []
        for index, record in enumerate(new):
            instance = self.resolver.index.lookup(record.target)
            if instance is None and self.resolver.refusal is not None:
                self._reject(record, self.resolver.why_missing(record.target))
                continue
            if instance is None and self.resolver.auto_create:
                instance = self.auto.send(record, self._fields(record), MAX_AMBIGUOUS_ROUNDS)
            if instance is None and not self.resolver.auto_create:
                # refused: this one and the rest take the explicit path (resolve, once more)
                return ready + self._resolve(new[index:], found)
            if instance is not None:
                found[record.key] = instance
                ready.append(record)
        return ready

    # -- posting -------------------------------------------------------------

    def _post(self, batch: list[RunRecord], instances: Mapping[str, int], round_: int = 0) -> None:
        body = encode_items(
            build_item(r, instances[r.key], self.policy, self._fields(r)) for r in batch
        )
        attempt = self.spool.mark_attempt([r.key for r in batch])
        try:
            data = self.client.post(self._path("/runs.json"), body)
        except ValidationError as error:
            del body
            self._isolate(batch, instances, error, attempt, round_)
            return
        except APIError as error:
            if not error.ambiguous:
                self.spool.mark_unsent([r.key for r in batch])
                raise
            del body
            self._resend_missing(batch, instances, attempt, error, round_)
            return
        del body
        runs = data.get("data") if isinstance(data, dict) else None
        if not isinstance(runs, list) or len(runs) != len(batch):
            unclear = APIError(
                "POST",
                self._path("/runs.json"),
                "the answer did not list one run per record",
                ambiguous=True,
            )
            self._resend_missing(batch, instances, attempt, unclear, round_)
            return
        self.spool.mark_delivered_many(_pairs(batch, runs))
        self.on_event(Event(Kind.BATCH_SENT, f"{len(batch)} runs delivered", count=len(batch)))

    def _reject(self, record: RunRecord, reason: str) -> None:
        text = f"{record.label or record.target.describe()}: {reason}"
        self.spool.mark_rejected(record.key, text)
        self.on_event(Event(Kind.REJECTED, text))

    def _isolate(
        self,
        batch: list[RunRecord],
        instances: Mapping[str, int],
        error: ValidationError,
        attempt: Attempt,
        round_: int,
    ) -> None:
        """Reject only the records the 422 is about; deliver the others.

        The reference does not say whether a refused bulk stored its good
        entries, so before posting them again the uploader looks (one call).
        """
        bad: dict[int, list[str]] = {}
        for item in error.errors:
            found = re.match(r"^/data/(\d+)(?:/|$)", item.pointer or "")
            if found and int(found.group(1)) < len(batch):
                bad.setdefault(int(found.group(1)), []).append(item.detail)
        if bad:
            for index, details in bad.items():
                self._reject(batch[index], "; ".join(details))
            rest = [r for i, r in enumerate(batch) if i not in bad]
        elif len(batch) == 1:
            self._reject(batch[0], error.reason)
            return
        else:
            rest = batch
        rest = self.recovery.find_stored(rest, instances, attempt) if rest else []
        if rest and not bad:
            # The server did not say which entry: split the batch until it does.
            middle = len(rest) // 2
            self._post(rest[:middle], instances, round_)
            rest = rest[middle:]
        if rest:
            self._post(rest, instances, round_)

    def _resend_missing(
        self,
        batch: list[RunRecord],
        instances: Mapping[str, int],
        attempt: Attempt,
        error: APIError,
        round_: int,
    ) -> None:
        self.on_event(
            Event(Kind.RETRY, f"{error}; checking which runs were stored before sending again")
        )
        left = batch

        def look() -> list[RunRecord]:
            nonlocal left
            left = self.recovery.find_stored(left, instances, attempt)
            return left

        missing = self._settled_look(error, look)
        if missing:
            if round_ + 1 >= MAX_AMBIGUOUS_ROUNDS:
                raise error
            self._post(missing, instances, round_ + 1)

    def _settled_look(
        self, error: APIError, look: Callable[[], list[RunRecord]]
    ) -> list[RunRecord]:
        """After an unclear answer: wait, ``look``, and look once more; what is still missing.

        A server may still be storing a post the client (or a gateway) gave up on: then
        wait at least as long as the client waited for it. Raises ``error`` when the
        deadline leaves no time for the looks.
        """
        settle = self.settings.settle_seconds
        first = max(settle, self.client.timeout[1]) if error.late else settle
        remaining = (
            None if self.client.deadline is None else self.client.deadline - time.monotonic()
        )
        if remaining is not None and remaining < first + settle:
            raise error
        time.sleep(first)
        missing = look()
        if missing:
            time.sleep(settle)
            missing = look()
        return missing

    def _check_earlier_attempts(self) -> None:
        """After a crash: find what an earlier session's unanswered posts stored."""
        unsure = [
            r
            for r in self.spool.pending()
            if r.key in self.spool.attempts and r.key not in self.spool.rejected
        ]
        if not unsure:
            return
        found = self.resolver.resolve(unsure).found
        groups: dict[Attempt, list[RunRecord]] = {}
        for record in unsure:
            if record.key in found:
                groups.setdefault(self.spool.attempts[record.key], []).append(record)
        for attempt, records in groups.items():
            self.recovery.find_stored(records, found, attempt)

    # -- custom fields ---------------------------------------------------------

    def _fields(self, record: RunRecord) -> dict[str, Any]:
        """Custom fields keyed ``---f-ID``, each value as its field takes it.

        Names and bare ids are translated; text for a multi-value field becomes a list.
        A name the project does not have, or a value its field does not allow, is left
        out of the runs with one warning (PractiTest would refuse every run carrying it).
        """
        result: dict[str, Any] = {}
        if not record.custom_fields:
            return result
        known = self._known_fields()
        for key, value in record.custom_fields.items():
            found = field_value(known, key, value, self.settings.project_id)
            if found.problem is None:
                result[found.key] = found.value
            elif found.field is None:
                self._warn_field(key, found.problem, record)
            else:
                self._warn_field(f"{found.key}={found.value!r}", found.problem, record)
        return result

    def _warn_field(self, seen: str, problem: str, record: RunRecord) -> None:
        if seen in self._unknown_fields:  # once, not once per run
            return
        self._unknown_fields.add(seen)
        self.on_event(
            Event(Kind.WARNING, f"{problem}; left out of the runs (first: {record.label})")
        )

    def _known_fields(self) -> dict[str, CustomField]:
        if self._field_ids is None:
            self._field_ids = custom_fields(self.client, self.settings.project_id)
        return self._field_ids


__all__ = ["ConfigError", "DeadlineExceeded", "UploadReport", "UploadSettings", "Uploader"]


def _pairs(batch: Sequence[RunRecord], runs: Sequence[Mapping[str, Any]]) -> list[tuple[str, int]]:
    """(record key, run id) for a bulk the server stored, tied by the keys in the runs' outputs.

    The reference does not say that a bulk's answer keeps the request's order. An
    answer that does not show the keys still lists one run per record, so all were
    stored: its ids are taken in order (only the id noted per record can then be off).
    """
    by_key = {
        key_of(run.get("attributes", {}).get("automated-execution-output")): run for run in runs
    }
    if all(record.key in by_key for record in batch):
        return [(record.key, int(by_key[record.key]["id"])) for record in batch]
    return [(record.key, int(run["id"])) for record, run in zip(batch, runs, strict=True)]
