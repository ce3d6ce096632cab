"""Never posting a run twice: after an unclear answer, find what the server stored.

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
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..events import Event, EventSink, Kind, ignore_events
from ..limits import PAGE_SIZE
from ..model import RunRecord, hhmmss
from ..spool.journal import Attempt, Spool
from .payload import cut_output, run_status

if TYPE_CHECKING:  # the HTTP stack loads only where a Client is made
    from ..api.client import Client

CLOCK_SKEW = 300.0


def _created_at(run: Mapping[str, Any]) -> float:
    text = str(run["attributes"].get("created-at") or "")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return math.inf  # unknown: do not rule it out on time


class Recovery:
    """Finds the runs an unclear post stored, so that they are claimed, not posted again."""

    def __init__(
        self, client: Client, project_id: int, spool: Spool, on_event: EventSink = ignore_events
    ) -> None:
        self.client = client
        self.project_id = project_id
        self.spool = spool
        self.on_event = on_event
        #: the highest run id this upload has seen (run ids only grow)
        self.max_run_id: int | None = max(spool.delivered.values(), default=None)
        #: runs found stored after an unclear answer
        self.recovered = 0
        self._claimed: set[int] = set(spool.delivered.values())

    def seen(self, run_ids: Iterable[int]) -> None:
        """Runs the server said it stored for us: never claim them for another record."""
        for run_id in run_ids:
            self._claimed.add(run_id)
            self.max_run_id = max(run_id, self.max_run_id or 0)

    def find_stored(
        self, batch: Sequence[RunRecord], instances: Mapping[str, int], attempt: Attempt
    ) -> list[RunRecord]:
        """Claim runs the server stored for ``batch``; return the records it did not store."""
        instance_ids = sorted({instances[r.key] for r in batch})
        hours = max(1, math.ceil((time.time() - attempt.at) / 3600) + 1)
        candidates: list[Mapping[str, Any]] = []
        path = f"/projects/{self.project_id}/runs.json"
        for start in range(0, len(instance_ids), PAGE_SIZE):
            params = {
                "instance-ids": ",".join(map(str, instance_ids[start : start + PAGE_SIZE])),
                "updated-hours-ago": hours,
            }
            candidates += list(self.client.paginate(path, params))
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
            want = _fingerprint(record, instances[record.key])
            match = next(
                (
                    run
                    for run in candidates
                    if _fingerprint_of(run) == want and int(run["id"]) not in self._claimed
                ),
                None,
            )
            if match is None:
                missing.append(record)
                continue
            self.spool.mark_delivered(record.key, int(match["id"]))
            self.seen([int(match["id"])])
            self.recovered += 1
            who = record.label or record.key
            self.on_event(Event(Kind.RECOVERED, f"{who}: found stored as run {match['id']}"))
        return missing


def _fingerprint(record: RunRecord, instance_id: int) -> tuple[Any, ...]:
    output = cut_output(record.output)[0] or None
    return (instance_id, run_status(record), hhmmss(record.duration), output, record.version)


def _fingerprint_of(run: Mapping[str, Any]) -> tuple[Any, ...]:
    a = run["attributes"]
    return (
        a.get("instance-id"),
        a.get("status"),
        a.get("run-duration"),
        a.get("automated-execution-output") or None,
        a.get("version"),
    )
