"""Deliver spooled run records: resolve, batch, send, isolate rejects, never duplicate.

Never posting a run twice
-------------------------
``POST /runs.json`` is not idempotent. When a post fails in a way that leaves
its fate unknown (a timeout or a dropped connection after the body was sent,
a 5xx, a 2xx whose body cannot be read), the uploader does not post again.
It lists the runs of the batch's instances (``instance-ids``, limited with
``updated-hours-ago``) and claims, for each record, a run that

- is on the record's instance,
- is newer than the attempt: its id is above the highest run id this upload
  had seen before the attempt (run ids only grow), or, before any run was
  seen, its ``created-at`` is no earlier than the attempt minus 5 minutes of
  allowed clock skew,
- has the status, duration, execution output and version the record's run
  would have, and
- was not claimed already.

Before looking, it waits ``settle_seconds`` (5 s by default), so that a post
the server is still processing after the client gave up has landed. Only the
records left unclaimed are posted again. The same look (without the wait)
comes before re-posting the good part of a bulk refused with 422: the
reference does not say that a refused bulk stored nothing. The spool notes every
attempt first, so ``practitest upload`` does the same check after a crash.
Limits: a post still being processed after the settle time can be missed and
then posted again; another job that posts an identical run (same instance, status,
duration, output and version) in the same minutes could be taken for ours,
and that record would then not be posted; the reverse (a duplicate) cannot
happen through this path.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import APIError, ConfigError, DeadlineExceeded, PractiTestError, ValidationError
from ..events import Event, EventSink, ignore_events
from ..limits import PAGE_SIZE
from ..model import RunRecord, hhmmss
from ..spool.journal import Attempt, Spool
from .payload import FilePolicy, batches, build_item, cut_output, encode_items, run_status
from .report import UploadReport
from .targets import Resolver, SetChoice, custom_fields_by_name, field_key

if TYPE_CHECKING:  # the HTTP stack loads only where a Client is made
    from ..api.client import Client
    from ..settings import Settings

CLOCK_SKEW = 300.0
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
    def from_settings(cls, settings: Settings) -> UploadSettings:
        """Where the resolved settings say results go."""
        return cls(
            project_id=settings.project_id or 0,
            test_set=SetChoice(settings.set_id, settings.set_name),
            create_missing=settings.create_missing,
            author_id=settings.author_id,
        )


def _created_at(run: Mapping[str, Any]) -> float:
    text = str(run["attributes"].get("created-at") or "")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return math.inf  # unknown: do not rule it out on time


class Uploader:
    """Sends a spool's pending records through one client."""

    def __init__(
        self,
        client: Client,
        settings: UploadSettings,
        spool: Spool,
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
        self.max_run_id: int | None = max(spool.delivered.values(), default=None)
        self.recovered = 0
        self._claimed: set[int] = set(spool.delivered.values())
        self._field_ids: dict[str, str] | None = None
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

    def report(self, fatal: str | None, seconds: float, calls: int) -> UploadReport:
        """Where the spool stands now."""
        return UploadReport.of_spool(
            self.spool,
            recovered=self.recovered,
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
        self.on_event(Event("queued", f"{len(records)} runs to send", count=len(records)))
        found, failed = self.resolver.resolve(records)
        for record in records:
            if record.key in failed:
                self._reject(record, failed[record.key])
        ready = [r for r in records if r.key in found]
        for batch in batches(ready, self.policy, self.settings.max_request_bytes):
            self._post(batch, found)

    # -- posting -------------------------------------------------------------

    def _post(self, batch: list[RunRecord], instances: Mapping[str, int], round_: int = 0) -> None:
        body = encode_items(
            build_item(r, instances[r.key], self.policy, self._fields(r)) for r in batch
        )
        attempt = self.spool.mark_attempt([r.key for r in batch], self.max_run_id)
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
        pairs = [(record.key, int(run["id"])) for record, run in zip(batch, runs, strict=True)]
        self.spool.mark_delivered_many(pairs)
        for _, run_id in pairs:
            self._claimed.add(run_id)
            self.max_run_id = max(run_id, self.max_run_id or 0)
        self.on_event(Event("batch_sent", f"{len(batch)} runs delivered", count=len(batch)))

    def _delivered(self, record: RunRecord, run_id: int) -> None:
        self.spool.mark_delivered(record.key, run_id)
        self._claimed.add(run_id)
        self.max_run_id = max(run_id, self.max_run_id or 0)

    def _reject(self, record: RunRecord, reason: str) -> None:
        text = f"{record.label or record.target.describe()}: {reason}"
        self.spool.mark_rejected(record.key, text)
        self.on_event(Event("rejected", text))

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
        rest = self._recover(rest, instances, attempt) if rest else []
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
            Event("retry", f"{error}; checking which runs were stored before sending again")
        )
        remaining = (
            None if self.client.deadline is None else self.client.deadline - time.monotonic()
        )
        if remaining is not None and remaining < self.settings.settle_seconds:
            raise error
        time.sleep(self.settings.settle_seconds)
        missing = self._recover(batch, instances, attempt)
        if missing:
            if round_ + 1 >= MAX_AMBIGUOUS_ROUNDS:
                raise error
            self._post(missing, instances, round_ + 1)

    def _recover(
        self, batch: Sequence[RunRecord], instances: Mapping[str, int], attempt: Attempt
    ) -> list[RunRecord]:
        """Claim runs the server stored for ``batch``; return the records it did not store."""
        instance_ids = sorted({instances[r.key] for r in batch})
        hours = max(1, math.ceil((time.time() - attempt.at) / 3600) + 1)
        candidates: list[Mapping[str, Any]] = []
        for start in range(0, len(instance_ids), PAGE_SIZE):
            params = {
                "instance-ids": ",".join(map(str, instance_ids[start : start + PAGE_SIZE])),
                "updated-hours-ago": hours,
            }
            candidates += list(self.client.paginate(self._path("/runs.json"), params))
        candidates = [
            run
            for run in candidates
            if int(run["id"]) not in self._claimed
            and (
                int(run["id"]) > attempt.after_run_id
                if attempt.after_run_id is not None
                else _created_at(run) >= attempt.at - CLOCK_SKEW
            )
        ]
        missing = []
        for record in batch:
            want = self._fingerprint(record, instances[record.key])
            match = next(
                (
                    run
                    for run in candidates
                    if self._fingerprint_of(run) == want and int(run["id"]) not in self._claimed
                ),
                None,
            )
            if match is None:
                missing.append(record)
                continue
            self._delivered(record, int(match["id"]))
            self.recovered += 1
            self.on_event(
                Event(
                    "recovered", f"{record.label or record.key}: found stored as run {match['id']}"
                )
            )
        return missing

    def _fingerprint(self, record: RunRecord, instance_id: int) -> tuple[Any, ...]:
        output = cut_output(record.output)[0] or None
        return (instance_id, run_status(record), hhmmss(record.duration), output, record.version)

    @staticmethod
    def _fingerprint_of(run: Mapping[str, Any]) -> tuple[Any, ...]:
        a = run["attributes"]
        return (
            a.get("instance-id"),
            a.get("status"),
            a.get("run-duration"),
            a.get("automated-execution-output") or None,
            a.get("version"),
        )

    def _check_earlier_attempts(self) -> None:
        """After a crash: find what an earlier session's unanswered posts stored."""
        unsure = [
            r
            for r in self.spool.pending()
            if r.key in self.spool.attempts and r.key not in self.spool.rejected
        ]
        if not unsure:
            return
        found, _ = self.resolver.resolve(unsure)
        groups: dict[Attempt, list[RunRecord]] = {}
        for record in unsure:
            if record.key in found:
                groups.setdefault(self.spool.attempts[record.key], []).append(record)
        for attempt, records in groups.items():
            self._recover(records, found, attempt)

    # -- custom fields ---------------------------------------------------------

    def _fields(self, record: RunRecord) -> dict[str, Any]:
        """Custom fields keyed ``---f-ID``; names and bare ids are translated."""
        result: dict[str, Any] = {}
        for key, value in record.custom_fields.items():
            field_id = field_key(key) or self._field_ids_by_name().get(key)
            if field_id is not None:
                result[field_id] = value
            elif key not in self._unknown_fields:  # once, not once per run
                self._unknown_fields.add(key)
                self.on_event(
                    Event(
                        "warning",
                        f"no custom field named {key!r} in project "
                        f"{self.settings.project_id}; left out of the runs "
                        f"(first: {record.label})",
                    )
                )
        return result

    def _field_ids_by_name(self) -> dict[str, str]:
        if self._field_ids is None:
            self._field_ids = custom_fields_by_name(self.client, self.settings.project_id)
        return self._field_ids


__all__ = ["ConfigError", "DeadlineExceeded", "UploadReport", "UploadSettings", "Uploader"]
