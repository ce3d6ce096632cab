"""Before anything is sent: what earlier tries stored already, so nothing goes twice.

- Posts whose answer was never read (a crash, a deadline): the spool noted each attempt
  first, so their runs are looked for by key, per attempt (``Recovery.find_stored``).
- An earlier upload of another copy of the same records: a publish job run again with
  fresh copies of its bundles (a CI's "re-run job") has files that hold no mark of what
  the first run delivered. Records held by a spool not made here are looked for in the
  runs of their instances since that spool was made (``Recovery.earlier_upload``). A
  spool made here holds every mark of its own uploads: it is not looked for.
"""

from __future__ import annotations

import time
from datetime import datetime

from ..model import RunRecord
from ..spool.journal import Attempt
from ..spool.merged import Journal
from .recovery import Recovery
from .targets import Resolver

#: the oldest a spool from elsewhere is taken to be (its creation time is its job's word):
#: an earlier upload is looked for in at most this many seconds of runs
OLDEST = 30 * 24 * 3600.0


def check_earlier(spool: Journal, resolver: Resolver, recovery: Recovery) -> None:
    """Claim, as delivered, the pending records that earlier tries stored."""
    copied = spool.elsewhere()
    fresh = [r for r in spool.pending() if r.key in copied]
    if fresh:
        found = resolver.resolve(fresh, create=False).found  # no run without its test
        recovery.earlier_upload(fresh, found, made(spool.meta.created))
    unsure = [r for r in spool.pending() if r.key in spool.attempts and r.key not in spool.rejected]
    if not unsure:
        return
    found = resolver.resolve(unsure).found
    groups: dict[Attempt, list[RunRecord]] = {}
    for record in unsure:
        if record.key in found:
            groups.setdefault(spool.attempts[record.key], []).append(record)
    for attempt, records in groups.items():
        recovery.find_stored(records, found, attempt)


def made(created: str) -> float:
    """A spool's creation time (this machine's clock), from its meta line's ``created``: no
    later than now, no earlier than ``OLDEST`` ago, and that long ago if it cannot be read."""
    now = time.time()
    try:
        moment = datetime.fromisoformat(created).timestamp()
    except (ValueError, TypeError, OverflowError, OSError):
        return now - OLDEST
    return min(now, max(moment, now - OLDEST))
