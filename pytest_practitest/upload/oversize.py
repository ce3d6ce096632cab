"""A result too big for one request goes without its largest files, and says so.

PractiTest's reference states no request-size limit; a server (or a proxy before it)
may still answer 413. A request of several results is split first; a result that
alone is too big loses its largest file, then the next, until the server takes it.
The run then carries a last step, "Files left out", naming each file and where it is
kept (its path on this machine, or the spool that holds its bytes), and its output
begins with the same news, so nobody takes the run for the whole story.

What a 413 teaches is kept for the rest of the upload (``TooBig``, one per uploader: the
delivery process's whole session): later batches are made under the size of the
smallest request refused, so each costs one request, not one refused and two halves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..errors import APIError
from ..events import Event, EventSink, Kind
from ..model import FileRef, RunRecord, StepRecord
from .payload import FilePolicy, estimate_size

if TYPE_CHECKING:
    from ..spool.merged import Journal

LEFT_OUT_STEP = "Files left out"


class TooBig:
    """The request size an upload keeps under, and the files it left out, by 413 answers."""

    def __init__(
        self, policy: FilePolicy, max_request_bytes: int, spool: Journal, on_event: EventSink
    ) -> None:
        self.policy = policy
        #: batches are made under this (``payload.batches``): the setting, or less once learnt
        self.limit = max_request_bytes
        self.spool = spool
        self.on_event = on_event
        self._left_out: dict[str, list[FileRef]] = {}

    def size(self, batch: Sequence[RunRecord]) -> int:
        """The request bytes ``batch`` takes, as batches are made (``payload.estimate_size``)."""
        return sum(estimate_size(record, self.policy) for record in batch)

    def learn(self, batch: Sequence[RunRecord]) -> None:
        """A request of ``batch`` was refused as too big: later ones stay below its size."""
        self.limit = max(1, min(self.limit, self.size(batch) - 1))

    def smaller(self, record: RunRecord, error: APIError) -> RunRecord | None:
        """``record`` without its largest file (the ones left out before stay out); None
        when it carries none."""
        biggest = largest_file(record, self.policy)
        if biggest is None:
            return None
        original = self.spool.records.get(record.key, record)
        left = self._left_out.setdefault(record.key, [])
        left.append(biggest)
        where = where_kept(biggest, self.spool.where)
        self.on_event(
            Event(
                Kind.WARNING,
                f"{record.label or record.key}: too big for one request ({error.reason}); "
                f"sent without {biggest.name} (kept at {where})",
            )
        )
        return without_files(original, left, self.spool.where, self.policy)


def largest_file(record: RunRecord, policy: FilePolicy) -> FileRef | None:
    """The biggest file the record's run would carry, or None when it carries none."""
    sized = [(size, ref) for ref in record.all_files() if (size := policy.size(ref)) is not None]
    return max(sized, key=lambda pair: pair[0])[1] if sized else None


def where_kept(ref: FileRef, spool: str) -> str:
    return ref.path if ref.path is not None else f"the spool {spool}"


def without_files(
    record: RunRecord, left_out: Sequence[FileRef], spool: str, policy: FilePolicy
) -> RunRecord:
    """``record`` without ``left_out``, with a last step and a first output line naming them."""
    gone = {id(ref) for ref in left_out}

    def keep(files: tuple[FileRef, ...]) -> tuple[FileRef, ...]:
        return tuple(f for f in files if id(f) not in gone)

    listed = "; ".join(
        f"{ref.name} ({_size(policy.size(ref))}, kept at {where_kept(ref, spool)})"
        for ref in left_out
    )
    note = StepRecord(
        name=LEFT_OUT_STEP,
        status=record.status,
        description=f"Too big for one request to PractiTest, not attached: {listed}",
    )
    steps = tuple(replace(step, files=keep(step.files)) for step in record.steps)
    names = ", ".join(ref.name for ref in left_out)
    output = f"Files left out (too big to send): {names}; see the last step\n{record.output}"
    return replace(record, files=keep(record.files), steps=(*steps, note), output=output)


def _size(size: int | None) -> str:
    if size is None:
        return "size unknown"
    return f"{size / (1024 * 1024):.1f} MiB" if size >= 1024 * 1024 else f"{size} bytes"
