"""Deliver spooled run records, as one pipeline:

    resolve -> batch -> post -> classify the answer -> done | isolate | check by key

- *resolve* (``targets``): each record's instance; a record with nowhere to go is
  rejected; a new test's first result goes by ``runs/auto_create.json``.
- *batch* (``payload``): up to 20 runs under the request-size budget.
- *post*: through a ``posting.Way`` (bulk ``runs.json``, or ``autocreate``), the
  spool noting the attempt first, so a later ``practitest upload`` can look too.
- *classify* (``answers``): one table for every post: stop (keep everything),
  refused (isolate), unclear (check by key).
- *isolate*: the records a refusal points at are rejected with the service's
  words; without pointers the batch is split until each refusal is one record's;
  a single result refused as too big (413) goes without its largest files
  (``oversize``). A refused bulk may have stored its good runs: they are looked
  for by key before anything goes again.
- *check by key* (``recovery``): a post whose fate is unknown is never simply
  repeated; what the server stored is found by key, only the rest goes again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..errors import APIError, ConfigError, DeadlineExceeded, PractiTestError
from ..events import Event, EventSink, Kind, ignore_events
from ..limits import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_REQUEST_BYTES
from ..model import Destination, RunRecord
from ..spool.journal import Attempt
from ..spool.merged import Journal
from .answers import Verdict, pointed
from .autocreate import AutoCreate
from .earlier import Earlier, made
from .fields import RunFields
from .oversize import TooBig
from .payload import FilePolicy, batches
from .posting import BulkRuns, Items, Way
from .recovery import Recovery, Verification, settled_look
from .stale import StaleHints
from .summary import UploadSummary
from .targets import Resolver, SetChoice

if TYPE_CHECKING:  # the HTTP stack loads only where a Client is made
    from ..api.client import Client
    from ..settings import Settings

DEFAULT_SETTLE_SECONDS = 5.0
MAX_AMBIGUOUS_ROUNDS = 3


@dataclass(frozen=True)
class UploadSettings:
    """What to upload where (the token lives in the client only)."""

    destination: Destination
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    #: wait this long after an unclear answer before looking for the runs it may
    #: have stored, so a request still being processed is not missed
    settle_seconds: float = DEFAULT_SETTLE_SECONDS
    set_source: str | None = None  # what gave the set's id: named when it is not there
    project_source: str | None = None  # and the project's

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadSettings:
        """Where results go as the settings say (``practitest upload`` builds its own)."""
        where = cls(
            Destination.of(settings),
            set_source=settings.sources.get("set_id"),
            project_source=settings.sources.get("project_id"),
        )
        return where.sized(settings)

    def sized(self, settings: Settings) -> UploadSettings:
        """These, with the request and file limits the settings give."""
        return replace(
            self,
            max_request_bytes=settings.max_request_bytes,
            max_file_bytes=settings.max_file_bytes,
        )

    @property
    def project_id(self) -> int:
        return self.destination.project_id or 0

    @property
    def test_set(self) -> SetChoice:
        return SetChoice(self.destination.set_id, self.destination.set_name, True, self.set_source)

    @property
    def create_missing(self) -> bool:
        return self.destination.create_missing

    @property
    def author_id(self) -> int | None:
        return self.destination.author_id


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
        #: the calls (and waits) before this upload's (another may share the client): not counted
        self._calls_before, self._waited_before = client.calls, client.rate_waited
        self.settings = settings
        self.spool = spool
        self.created = 0  #: new tests made on the way (create-missing), said in the summary
        self.posted = 0  #: runs this upload posted (the spool may hold earlier deliveries)
        self._sending = True  # False while earlier tries' runs are looked for
        self.on_event = on_event = self._counted(on_event)
        self.policy = FilePolicy(settings.max_file_bytes, on_event)
        self.resolver = Resolver(
            client,
            settings.project_id,
            settings.test_set,
            settings.create_missing,
            settings.author_id,
            on_event=on_event,
            project_source=settings.project_source,
        )
        # auto_create does not take an author: with one set, new tests go the documented way
        self.resolver.auto_create = settings.author_id is None
        self.recovery = Recovery(client, settings.project_id, spool, on_event)
        self.earlier = Earlier(self.resolver, self.recovery, on_event)
        items = Items(self.policy, RunFields(client, settings.project_id, on_event))
        self.bulk = BulkRuns(client, settings.project_id, items, self.recovery)
        self.auto = AutoCreate(client, self.resolver, self.recovery, items, on_event)
        self.hints = StaleHints(client, settings.project_id, self.resolver)
        self.instances: dict[str, int] = {}  # the instance each record goes to, once resolved
        #: what 413 answers taught: the request size, the files left out (``oversize``)
        self.too_big = TooBig(self.policy, settings.max_request_bytes, spool, on_event)
        self._project_seen = False

    def _counted(self, sink: EventSink) -> EventSink:
        def seen(event: Event) -> None:
            self.created += event.data.get("tests", 0) if event.kind is Kind.CREATED else 0
            # posted now: sent, or found stored after this upload's own unclear answer
            now = event.kind is Kind.BATCH_SENT or (event.kind is Kind.RECOVERED and self._sending)
            self.posted += event.data.get("count", 0) if now else 0
            sink(event)

        return seen

    # -- the whole upload ----------------------------------------------------

    def upload(self) -> UploadSummary:
        """Send every pending record; stop cleanly on what cannot be fixed by waiting."""
        started = time.monotonic()
        fatal = None
        try:
            self._sending = False
            try:
                self.earlier.check(self.spool)
            finally:
                self._sending = True
            self.send(self.spool.pending())
        except (PractiTestError, OSError) as error:
            fatal = str(error)
        return self.summary(
            fatal, time.monotonic() - started, self.client.calls - self._calls_before
        )

    def verify(self) -> Verification:
        """Each of the spool's results in PractiTest once? (``practitest upload --verify``)."""
        records = list(self.spool.records.values())
        since = made(self.spool.meta.made_at(), trusted=not self.spool.elsewhere())
        return self.recovery.verify(records, self.resolver.resolve_set(), since)

    def summary(self, fatal: str | None, seconds: float, calls: int) -> UploadSummary:
        """Where the spool stands now."""
        return UploadSummary.of_spool(
            self.spool,
            recovered=self.recovery.recovered,
            earlier=self.earlier.claimed,
            moved=sum(1 for key in self.resolver.moved if key in self.spool.delivered),
            calls=calls,
            seconds=seconds,
            set_id=self.resolver.set_id,
            set_name=self.resolver.set_name,
            fatal=fatal,
            rate_waited=self.client.rate_waited - self._waited_before,
            created=self.created,
            posted=self.posted,
        )

    def send(self, records: Sequence[RunRecord]) -> None:
        """Resolve and post ``records`` (already in the spool); raises on fatal errors."""
        if not records:
            return
        self.on_event(Event(Kind.QUEUED, f"{len(records)} runs to send", count=len(records)))
        self._post_batches(self._resolve(records), 0)

    # -- resolve -> batch -> post ----------------------------------------------

    def _resolve(self, records: Sequence[RunRecord], *, create: bool = False) -> list[RunRecord]:
        """Reject what has nowhere to go; the records whose instance is known.

        Results for known tests go first: creating a new test takes a call or three, and
        a bundle with 200 new names must not hold the others' results past the deadline.
        """
        found, failed, new = self.resolver.resolve(records, create=create)
        for record in records:
            if record.key in failed:
                self._reject(record, failed[record.key])
        self.instances.update(found)
        known = [r for r in records if r.key in found]
        if new and known:
            self._post_batches(known, 0)
            known = []
        return known + self._new_tests(new)

    def _new_tests(self, new: list[RunRecord]) -> list[RunRecord]:
        """Each new test's first result by ``auto_create`` (tests known by name), the others
        the explicit way; the records that then have an instance, to go by ``runs.json``."""
        ready: list[RunRecord] = []
        for index, record in enumerate(new):
            by_name = self.resolver.auto_create and record.target.name is not None
            if self._instance_of(record) is None and self.resolver.refusal is not None:
                self._reject(record, self.resolver.why_missing(record.target))
                continue
            if self._instance_of(record) is None and by_name:
                self._post(self.auto, [record], 0)
                if not self._pending(record):  # delivered, or refused, just now
                    continue
            if self._instance_of(record) is not None:
                ready.append(record)
            elif not (self.resolver.auto_create and record.target.name is not None):
                # auto_create is off (or cannot name this test): the rest go the explicit way
                return ready + self._resolve(new[index:], create=True)
        return ready

    def _post_batches(
        self, records: list[RunRecord], round_: int, way: Way | None = None, cap: int = 0
    ) -> None:
        """Post ``records`` (each with an instance) in batches, each made under the request
        size known when it goes (a 413 lowers it for the rest of the upload), and ``cap``."""
        while records:
            limit = min(self.too_big.limit, cap or self.too_big.limit)
            batch = next(batches(records, self.policy, limit))
            self._post(way or self.bulk, batch, round_)
            records = records[len(batch) :]

    def _post(self, way: Way, batch: list[RunRecord], round_: int) -> None:
        """Post one batch one way, and act on the answer."""
        keys = [r.key for r in batch]
        attempt = self.spool.mark_attempt(keys)
        try:
            stored = way.post(batch, self.instances)
        except APIError as error:
            verdict = way.verdict(error)
            if verdict is Verdict.REFUSED and error.status == 404 and not self._project_seen:
                verdict = self._check_project(keys)
            if verdict is Verdict.STOP:
                self.spool.mark_unsent(keys)
                raise
            if verdict is Verdict.REFUSED:
                self._isolate(way, batch, error, attempt, round_)
            else:
                self._check_by_key(way, batch, error, attempt, round_)
            return
        self.spool.mark_delivered_many(stored)
        count = len(stored)
        self.on_event(
            Event(Kind.BATCH_SENT, f"{count} run{'s' if count != 1 else ''} delivered", count=count)
        )

    # -- isolate ---------------------------------------------------------------

    def _isolate(
        self, way: Way, batch: list[RunRecord], error: APIError, attempt: Attempt, round_: int
    ) -> None:
        """Reject only the records the refusal is about; deliver the others."""
        if error.status == 413:
            self.too_big.learn(batch)
        if len(batch) == 1:
            self._refused(way, batch[0], error, round_)
            return
        bad = pointed(error.errors, len(batch))
        reasons = {batch[i].key: "; ".join(details) for i, details in bad.items()}
        again = self._turned_away([batch[i] for i in bad], reasons, error)
        rest = [r for i, r in enumerate(batch) if i not in bad]
        # The reference does not say that a refused bulk stored nothing: look first.
        rest = (way.look_for(rest, self.instances, attempt) if rest else []) + again
        if len(rest) > 1 and error.status == 413:  # too big: in parts of at most half its size
            self._post_batches(rest, round_, way, self.too_big.size(rest) // 2)
            return
        if len(rest) > 1 and not bad:  # the server did not say which entry: split
            middle = len(rest) // 2
            self._post(way, rest[:middle], round_)
            rest = rest[middle:]
        if rest:
            self._post(way, rest, round_)

    def _refused(self, way: Way, record: RunRecord, error: APIError, round_: int) -> None:
        """One record refused: too big (its largest file left out), or rejected, or (the
        way cannot post it) left for another way."""
        if error.status == 413:
            smaller = self.too_big.smaller(record, error)
            if smaller is not None:
                self._post(way, [smaller], round_)
                return
        reason = way.refused(record, error)
        if reason is None:
            self.spool.mark_unsent([record.key])
        elif self._turned_away([record], {record.key: reason}, error):
            self._post(way, [record], round_)

    def _turned_away(
        self, records: list[RunRecord], reasons: dict[str, str], error: APIError
    ) -> list[RunRecord]:
        """Reject ``records`` for ``reasons`` (by key), but for those refused on the gone
        instance of a mapping file's hint that have one by their test id now: to post again."""
        stale = [r for r in records if self.hints.stale(r, error)]
        again = self.hints.retarget(stale, reasons, self.instances)
        for record in records:
            if record not in again:
                self._reject(record, reasons[record.key])
        return again

    def _reject(self, record: RunRecord, reason: str) -> None:
        text = f"{record.label or record.target.describe()}: {reason}"
        self.spool.mark_rejected(record.key, text)
        self.on_event(Event(Kind.REJECTED, text))

    def _check_project(self, keys: list[str]) -> Verdict:
        """After a 404 to a post: stop (keep everything) when it is the project that is gone."""
        try:
            self.resolver.project()
        except ConfigError:
            self.spool.mark_unsent(keys)
            raise
        self._project_seen = True
        return Verdict.REFUSED

    # -- check by key ----------------------------------------------------------

    def _check_by_key(
        self, way: Way, batch: list[RunRecord], error: APIError, attempt: Attempt, round_: int
    ) -> None:
        """After an unclear answer: what the post stored is claimed; only the rest goes again."""
        self.on_event(
            Event(Kind.RETRY, f"{error}; checking which runs were stored before sending again")
        )
        left = batch

        def look() -> list[RunRecord]:
            nonlocal left
            left = way.look_for(left, self.instances, attempt)
            return left

        missing = self._settled_look(error, look)
        if not missing:
            return
        if round_ + 1 >= MAX_AMBIGUOUS_ROUNDS:
            self.spool.mark_unsent([r.key for r in missing])
            raise error
        by_bulk = [r for r in missing if self._instance_of(r) is not None]
        for record in missing:
            if record not in by_bulk:
                self._post(way, [record], round_ + 1)
        self._post_batches(by_bulk, round_ + 1)

    def _settled_look(
        self, error: APIError, look: Callable[[], list[RunRecord]]
    ) -> list[RunRecord]:
        return settled_look(self.client, self.settings.settle_seconds, error, look)

    # -- small helpers ---------------------------------------------------------

    def _instance_of(self, record: RunRecord) -> int | None:
        if record.key not in self.instances:
            found = self.resolver.index.lookup(record.target)
            if found is None:
                return None
            self.instances[record.key] = found
        return self.instances[record.key]

    def _pending(self, record: RunRecord) -> bool:
        return record.key not in self.spool.delivered and record.key not in self.spool.rejected


__all__ = ["ConfigError", "DeadlineExceeded", "UploadSettings", "UploadSummary", "Uploader"]
