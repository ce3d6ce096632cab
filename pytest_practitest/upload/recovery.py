"""Never posting a run twice: after an unclear answer, find what the server stored, by key.

``POST /runs.json`` is not idempotent. When a post fails in a way that leaves
its fate unknown (a timeout or a dropped connection after the body was sent,
a 5xx, a 2xx whose body cannot be read), the uploader does not post again
blindly. Every run it posts ends its ``automated-execution-output`` with the
record's spool key (``[pt 3f9a...]``: ``payload.tagged_output``), so it lists
the runs of the batch's instances (``instance-ids``, limited with
``updated-hours-ago``) and claims, for each record, the run that carries its
key. Nothing else is compared: not the run's status (the reference does not
say what status a run whose steps are all NO RUN gets), not its times (the
server's clock may differ from ours), not the order of a bulk answer.

Before looking, the uploader waits: after a read timeout, or a 502 or 504 from
a gateway, at least the request's read timeout (the server may still be storing
a post the client gave up on); after any other unclear answer ``settle_seconds``.
It looks, and looks once more ``settle_seconds`` later before posting what is
still missing. The
same look (without the wait) comes before re-posting the good part of a bulk
refused with 422: the reference does not say that a refused bulk stored
nothing. The spool notes every attempt first, so ``practitest upload`` does the
same check after a crash.

Records held by a spool not made here (a bundle, downloaded again by a publish job run
again) are looked for the same way before they are sent (``earlier.py``): an earlier
upload of another copy left no mark in these files.

What is left: a server that stores a post later than the read timeout plus
twice ``settle_seconds`` after the client gave up (40 s with the defaults: 30 s
read timeout, 5 s settle), or later than twice ``settle_seconds`` after it
answered 500 or 503, would have that run posted again. A run whose key was cut
from its output (a server that shortens the output below 255 characters)
cannot be found, and is posted again.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from ..errors import APIError
from ..events import Event, EventSink, Kind, ignore_events
from ..limits import PAGE_SIZE
from ..model import RunRecord
from ..spool.journal import Attempt
from ..spool.merged import Journal
from .answers import AnsweredUnclearly
from .payload import key_of

if TYPE_CHECKING:  # the HTTP stack loads only where a Client is made
    from ..api.client import Client


class TooManyRuns(Exception):
    """A look at runs would read more pages than it may."""


class Verification(NamedTuple):
    """What ``practitest upload --verify`` found: results missing, results stored twice."""

    total: int
    missing: list[str]
    doubled: dict[str, list[int]]

    def lines(self) -> list[str]:
        if not self.missing and not self.doubled:
            return [f"PractiTest: verified: each of the {self.total} results is in PractiTest once"]
        missing, doubled = len(self.missing), len(self.doubled)
        lines = [
            f"PractiTest: verify: {missing} of {self.total} results {_are(missing)} not in "
            f"PractiTest, {doubled} {_are(doubled)} there more than once"
        ]
        lines += [f"PractiTest: missing: {label}" for label in self.missing[:10]]
        lines += [
            f"PractiTest: more than once: {label} (runs {', '.join(map(str, runs))}: one is "
            "the result, delete the others in PractiTest)"
            for label, runs in list(self.doubled.items())[:10]
        ]
        return lines


def _are(number: int) -> str:
    return "is" if number == 1 else "are"


class Recovery:
    """Finds the runs unclear posts stored, by their keys, so they are not posted again."""

    def __init__(
        self, client: Client, project_id: int, spool: Journal, on_event: EventSink = ignore_events
    ) -> None:
        self.client = client
        self.project_id = project_id
        self.spool = spool
        self.on_event = on_event
        #: runs found stored after an unclear answer
        self.recovered = 0

    def find_stored(
        self, batch: Sequence[RunRecord], instances: Mapping[str, int], attempt: Attempt
    ) -> list[RunRecord]:
        """Claim the runs the server stored for ``batch``; return the records it did not store."""
        ids = sorted({instances[r.key] for r in batch})
        stored = self.stored_runs(ids, attempt.at, expected=instances)
        missing, claimed = self.claim(batch, stored, "found stored as run")
        self.recovered += claimed
        return missing

    def claim(
        self, batch: Sequence[RunRecord], stored: Mapping[str, list[int]], found: str = ""
    ) -> tuple[list[RunRecord], int]:
        """Mark each record whose key ``stored`` holds as delivered (to its first run), each
        said as ``found`` (when given); the others, and how many were claimed."""
        missing = []
        for record in batch:
            run_ids = stored.get(record.key)
            if not run_ids:
                missing.append(record)
                continue
            self.spool.mark_delivered(record.key, min(run_ids))
            who = record.label or record.key
            if found:
                self.on_event(Event(Kind.RECOVERED, f"{who}: {found} {min(run_ids)}", count=1))
            if len(run_ids) > 1:
                self.on_event(
                    Event(
                        Kind.WARNING,
                        f"{who}: PractiTest holds {len(run_ids)} runs of it "
                        f"({', '.join(map(str, sorted(run_ids)))}); it was posted more than once",
                    )
                )
        return missing, len(batch) - len(missing)

    def verify(self, records: Sequence[RunRecord], set_id: int, since: float) -> Verification:
        """Whether each of ``records`` is in PractiTest once: by key, in the set's runs.

        Results mapped to an instance id outside the set are looked up by instance.
        """
        by_set = any(r.target.instance_id is None for r in records)
        found = self._stored({"set-ids": set_id}, since) if by_set else {}
        direct = sorted({r.target.instance_id for r in records if r.target.instance_id})
        for key, run_ids in self.stored_runs(direct, since).items():
            found[key] = sorted(set(found.get(key, [])) | set(run_ids))
        missing = [r.label or r.key for r in records if not found.get(r.key)]
        doubled = {
            r.label or r.key: sorted(found[r.key]) for r in records if len(found.get(r.key, ())) > 1
        }
        return Verification(len(records), missing, doubled)

    def stored_runs(
        self,
        instance_ids: Sequence[int],
        since: float,
        pages: int | None = None,
        expected: Mapping[str, int] | None = None,
    ) -> dict[str, list[int]]:
        """Run ids by spool key, of the runs on ``instance_ids`` updated since ``since``.

        ``since`` is this machine's time; only the time elapsed since then goes to
        the server (``updated-hours-ago``, which it applies to its own clock), plus an
        hour, so a server clock that differs from ours changes nothing. ``pages``: at
        most that many pages for each 100 instances, else TooManyRuns. ``expected``: the
        instance each key's run must be on (a run with the key on another is not its run).
        """
        found: dict[str, list[int]] = {}
        for start in range(0, len(instance_ids), PAGE_SIZE):
            chunk = ",".join(map(str, instance_ids[start : start + PAGE_SIZE]))
            params: dict[str, object] = {"instance-ids": chunk}
            for key, run_ids in self._stored(params, since, pages, expected).items():
                found.setdefault(key, []).extend(run_ids)
        return found

    def _stored(
        self,
        params: dict[str, object],
        since: float,
        pages: int | None = None,
        expected: Mapping[str, int] | None = None,
    ) -> dict[str, list[int]]:
        """Run ids by spool key, of the runs ``params`` select, updated since ``since``."""
        hours = max(1, math.ceil((time.time() - since) / 3600) + 1)
        found: dict[str, list[int]] = {}
        path = f"/projects/{self.project_id}/runs.json"
        listed = self.client.paginate(path, {**params, "updated-hours-ago": hours})
        for index, run in enumerate(listed):
            if pages is not None and index >= pages * PAGE_SIZE:
                raise TooManyRuns(f"more than {pages * PAGE_SIZE} runs updated in {hours} hours")
            attributes = run.get("attributes")
            output = (
                attributes.get("automated-execution-output")
                if isinstance(attributes, dict)
                else None
            )
            key = key_of(output if isinstance(output, str) else None)
            if key is None or not str(run.get("id", "")).isdigit():
                continue
            on = attributes.get("instance-id") if isinstance(attributes, dict) else None
            if expected is not None and key in expected and on is not None and on != expected[key]:
                continue  # the key on another instance: not this record's run
            found.setdefault(key, []).append(int(run["id"]))
        return found


def settled_look(
    client: Client, settle: float, error: APIError, look: Callable[[], list[RunRecord]]
) -> list[RunRecord]:
    """After an unclear answer: wait, ``look``, and look once more; what is still missing.

    A server may still be storing a post the client (or a gateway) gave up on: then
    wait at least as long as the client waited for it. A server that answered (2xx)
    is done: look at once. Raises ``error`` when the deadline leaves no time.
    """
    first = max(settle, client.timeout[1]) if error.late else settle
    if isinstance(error, AnsweredUnclearly):
        first = 0.0
    remaining = None if client.deadline is None else client.deadline - time.monotonic()
    if remaining is not None and remaining < first + settle:
        raise error
    time.sleep(first)
    missing = look()
    if missing:
        time.sleep(settle)
        missing = look()
    return missing
