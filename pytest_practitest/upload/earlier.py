"""Before anything is sent: what earlier tries stored already, so nothing goes twice.

- Posts whose answer was never read (a crash, a deadline): the spool noted each attempt
  first, so their runs are looked for by key, per attempt (``Recovery.find_stored``).
- An earlier upload of the same records from another spool: a publish job run again with
  fresh copies of its bundles (a CI's "re-run job") has files that hold no mark of what
  the first run delivered, and an import of a JUnit file imported the same way before has
  the same keys (``junit/convert.file_keys``). Records held by a spool not made here, or
  by an import's, are looked for by key in the runs of their instances, updated since the
  spool was made (an import's: since its files were written). Another spool made here
  holds every mark of its own uploads: it is not looked for.

The look at an earlier upload is two-step, so a first publish costs little: the runs of
a sample's instances (all of them up to 100 records; else the first and the last 20 and
60 spread between: an upload posts the results of known tests first and new tests' last,
in the spool's order), at most ``PROBE_PAGES`` pages. None of the sample there: nothing
is claimed. Some there: the runs of every record's instance are read, 100 instances at a
time, each hundred's records claimed as soon as its runs are read. A sample whose runs
since then fill more than ``PROBE_PAGES`` pages (a busy set, an old bundle) is not read
further: a warning says the results are sent unchecked.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from ..errors import APIError, PractiTestError
from ..events import Event, EventSink, Kind
from ..limits import PAGE_SIZE
from ..model import RunRecord
from ..spool.journal import Attempt
from ..spool.merged import Journal
from .recovery import Recovery, TooManyRuns
from .targets import Resolver

#: the oldest a spool from elsewhere is taken to be, and its age when its creation time
#: (its job's word) cannot be read or is ahead of this machine's clock by more than a skew
OLDEST = 30 * 24 * 3600.0
#: a spool's creation time this far ahead of our clock is a clock's skew, not nonsense
SKEW = 600.0
#: the sample: the first and the last this many records (and others spread between)
PROBE_ENDS = 20
#: the most pages of runs the sample's look reads before it gives up (and warns)
PROBE_PAGES = 5


def made(created: float | None, *, trusted: bool = False) -> float:
    """When a spool was made, to look for runs from then on (this machine's clock).

    A spool made here: its own time (now if it cannot be read). A spool from elsewhere:
    no earlier than ``OLDEST`` ago, and that long ago when its time cannot be read or
    lies ahead by more than ``SKEW`` (a job's clock, or an edited line); a small skew
    counts as now.
    """
    now = time.time()
    if trusted:
        return now if created is None else min(now, created)
    if created is None or created > now + SKEW:
        return now - OLDEST
    return min(now, max(created, now - OLDEST))


class Earlier:
    """Claims, as delivered, the pending records that earlier tries stored."""

    def __init__(self, resolver: Resolver, recovery: Recovery, on_event: EventSink) -> None:
        self.resolver = resolver
        self.recovery = recovery
        self.on_event = on_event
        #: records found stored by an earlier upload of the same records
        self.claimed = 0

    def check(self, spool: Journal) -> None:
        copied = spool.elsewhere()
        fresh = [r for r in spool.pending() if r.key in copied]
        if fresh:
            found = self.resolver.resolve(fresh, create=False).found  # no run without its test
            self.upload(fresh, found, made(spool.meta.made_at()))
        self.attempts(spool)

    def attempts(self, spool: Journal) -> None:
        """After a crash: what an earlier session's unanswered posts stored."""
        unsure = [
            r for r in spool.pending() if r.key in spool.attempts and r.key not in spool.rejected
        ]
        if not unsure:
            return
        found = self.resolver.resolve(unsure).found
        groups: dict[Attempt, list[RunRecord]] = {}
        for record in unsure:
            if record.key in found:
                groups.setdefault(spool.attempts[record.key], []).append(record)
        for attempt, records in groups.items():
            self.recovery.find_stored(records, found, attempt)

    def upload(
        self, records: Sequence[RunRecord], instances: Mapping[str, int], since: float
    ) -> None:
        """Claim what an earlier upload of the same ``records`` stored."""
        keyed = [r for r in records if r.key in instances]
        if not keyed:
            return
        sample = _sample(keyed)
        try:
            self._look(keyed, sample, instances, since)
        except TooManyRuns as many:
            self.on_event(
                Event(
                    Kind.WARNING,
                    "could not check whether an earlier upload delivered these results "
                    f"(their tests hold {many}); sending them (practitest upload --verify "
                    "names any result sent twice)",
                )
            )
            return
        except APIError as error:
            raise PractiTestError(
                f"could not look for an earlier upload of these results: {error}"
            ) from None

    def _look(
        self,
        keyed: list[RunRecord],
        sample: list[RunRecord],
        instances: Mapping[str, int],
        since: float,
    ) -> None:
        def look(records: list[RunRecord], pages: int | None = None) -> dict[str, list[int]]:
            ids = sorted({instances[r.key] for r in records})
            return self.recovery.stored_runs(ids, since, pages, expected=instances)

        stored = look(sample, PROBE_PAGES)
        if not any(r.key in stored for r in sample):
            return
        before = self.claimed
        for start in range(0, len(keyed), PAGE_SIZE):
            chunk = keyed[start : start + PAGE_SIZE]
            stored = look(chunk)
            self.claimed += self.recovery.claim(chunk, stored)[1]
        if claimed := self.claimed - before:
            self.on_event(
                Event(
                    Kind.RECOVERED,
                    f"{claimed} of these results are in PractiTest already, from an earlier "
                    "upload of the same results: not sent again",
                    count=claimed,
                )
            )


def _sample(records: list[RunRecord]) -> list[RunRecord]:
    """All of up to 100 records; else the first and the last ``PROBE_ENDS`` and others
    spread between them, 100 in all."""
    if len(records) <= PAGE_SIZE:
        return records
    middle = records[PROBE_ENDS:-PROBE_ENDS]
    between = PAGE_SIZE - 2 * PROBE_ENDS
    step = len(middle) / between
    spread = [middle[int(index * step)] for index in range(between)]
    return records[:PROBE_ENDS] + spread + records[-PROBE_ENDS:]
