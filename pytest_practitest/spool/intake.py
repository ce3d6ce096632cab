"""Records from a spool made elsewhere (a bundle): within caps, with files from its folder only.

A bundle is input from someone else (a CI job that may have run a fork's pull
request), read by a publisher that holds the token. So its records are taken
up to ``CAPS`` (records, file references, bytes), and each file a record names
must be a regular file inside the spool's folder (``files.inside``): a file
refused is left out of its record, which still goes, and the spool's warnings
name it and say why.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..model import FileRef, RunRecord
from .files import Refused, inside


@dataclass(frozen=True)
class Caps:
    """What one spool from elsewhere may hold; past a cap the rest is left out, and said.

    Bytes count the spool file and the size of each file reference (a file named
    twice counts twice).
    """

    records: int = 100_000
    files: int = 10_000
    bytes: int = 1 << 30


CAPS = Caps()


class Intake:
    """Takes one untrusted spool's records as they are read, keeping count for the caps."""

    def __init__(
        self, path: Path, warnings: list[str], size: int = 0, caps: Caps | None = None
    ) -> None:
        self.path = path
        self.folder = Path(os.path.realpath(path.parent))
        self.warnings = warnings
        self.caps = caps or CAPS
        self.records = 0
        self.files = 0
        self.bytes = size

    def take(self, record: RunRecord, number: int) -> RunRecord | None:
        """``record`` with only the files it may have; None past the records cap (said once)."""
        self.records += 1
        if self.records > self.caps.records:
            if self.records == self.caps.records + 1:
                self.warnings.append(
                    f"{self.path}:{number}: over the cap of {self.caps.records} records for a "
                    "spool from elsewhere; this record and the rest are left out"
                )
            return None
        owner = record.label or record.target.describe()
        return keep_files(record, lambda ref: self._file(ref, number, owner))

    def _file(self, ref: FileRef, number: int, owner: str) -> FileRef | None:
        if ref.path is None:
            return ref
        try:
            path = inside(self.folder, ref.path)
            self.files += 1
            if self.files > self.caps.files:
                raise Refused(f"over the cap of {self.caps.files} files for a spool from elsewhere")
            self.bytes += path.stat().st_size if path.exists() else 0
            if self.bytes > self.caps.bytes:
                raise Refused(f"over the cap of {self.caps.bytes} bytes for a spool from elsewhere")
        except Refused as refused:
            self.warnings.append(
                f"{self.path}:{number}: {owner}: attachment {ref.name} ({ref.path}) "
                f"left out: {refused}"
            )
            return None
        return replace(ref, path=str(path))


def keep_files(record: RunRecord, check: Callable[[FileRef], FileRef | None]) -> RunRecord:
    """The record with each file as ``check`` returns it, and without those it refuses (None)."""
    if not record.files and not any(step.files for step in record.steps):
        return record

    def kept(refs: tuple[FileRef, ...]) -> tuple[FileRef, ...]:
        return tuple(ref for ref in map(check, refs) if ref is not None)

    return replace(
        record,
        files=kept(record.files),
        steps=tuple(replace(s, files=kept(s.files)) if s.files else s for s in record.steps),
    )
