"""The spool: every record on disk before it is sent, and its delivery state after.

One JSON-lines file per upload session. The first line describes the session
(project, test set, URL; never the token); then, appended as they happen:

- ``record``: a run record, written (and flushed) before any attempt to send it;
- ``attempt``: the keys of a batch about to be posted and the time, so that
  after a crash or an ambiguous failure the runs the server may have stored
  are found (by key, ``upload/recovery.py``) instead of posted twice;
- ``unsent``: an attempt that certainly stored nothing (no connection);
- ``delivered``: a record's run id;
- ``rejected``: the server's reason for refusing a record (it is sent again by
  ``practitest upload``, e.g. after the mapping was fixed).

Each line is written with one ``write`` call on a descriptor opened with
``O_APPEND`` (an xdist controller batches lines that come within 50 ms:
``write_behind``; an XML import up to ``PENDING_LIMIT`` bytes), so a crash loses
nothing, and two processes append to one spool without interleaving their lines
(on a local file system): the test process writes records, its delivery process
(``background.py``) reads them as they arrive and writes the delivery state.
It is fsynced before a batch is posted (at most once a second) and on close. A
truncated last line (the process died mid-write) is skipped when it is read again.
Once every record is delivered the spool is removed, with the files made for its
records (``cleanup.remove_delivered``); until then it stays, for ``practitest upload``.
A session holds a shared lock on its spool while it writes it (``lock.py``), and an
upload takes it exclusively: a spool is never resumed while its session delivers it.
Lines are read back by ``reader.py``, the one reader of this format (``validate.py``
checks their members); a spool from elsewhere (a bundle) is held to caps and names
files inside its folder only (``intake.py``).
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import PractiTestError
from ..model import RunRecord
from . import origin, reader, validate
from .intake import Intake
from .lock import try_lock
from .meta import SPOOL_FORMAT as SPOOL_FORMAT  # re-exported: one import for readers
from .meta import SpoolMeta as SpoolMeta
from .private import private_dirs

FSYNC_INTERVAL = 1.0
#: the most bytes of lines held for one write (``add(flush=False)``): any file size fits
PENDING_LIMIT = 1 << 20
# One encoder for every line (json.dumps builds one per call: most of a record's cost).
_encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
#: a string as ``_encode`` writes it (ASCII, escaped): the encoder's own function
_string = json.encoder.encode_basestring_ascii


def record_line(record: RunRecord) -> str:
    """A record's spool line: ``{"type":"record","record":RunRecord.to_json()}``, compact.

    A plain passing test's record (a key, a label, a target by name, a status, a finite
    duration, perhaps a version; nothing else) is written with one f-string instead: the
    same text (tests/collect/test_recorder.py checks it) for a fraction of the cost, as the
    test process writes one per test (bench P3).
    """
    target = record.target
    if (
        target.name is None
        or record.output
        or record.steps
        or record.files
        or record.custom_fields
        or record.tester_id is not None
        or not math.isfinite(record.duration)
    ):
        return _encode({"type": "record", "record": record.to_json()})
    duration = f',"duration":{record.duration!r}' if record.duration else ""
    version = "" if record.version is None else f',"version":{_string(record.version)}'
    return (
        f'{{"type":"record","record":{{"key":{_string(record.key)},'
        f'"label":{_string(record.label)},"target":{{"name":{_string(target.name)}}},'
        f'"status":{_string(record.status.value)}{duration}{version}}}}}'
    )


# Binary on Windows too, where os.open defaults to text mode and would write "\r\n".
_APPEND = os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0)


class SpoolError(PractiTestError):
    """The file is not a spool this version can read."""


@dataclass(frozen=True)
class Attempt:
    #: this machine's time of the attempt (recovery sends only the time elapsed since)
    at: float


class Spool:
    """A spool file, open for appending. Safe to share between threads."""

    def __init__(self, path: Path, meta: SpoolMeta, fd: int) -> None:
        self.path = path
        self.meta = meta
        self.records: dict[str, RunRecord] = {}
        #: every record written or read, kept in memory or not
        self.count = 0
        #: the file paths of the records this process wrote (for clean-up, ``cleanup.remove_sent``)
        self.file_paths: set[str] = set()
        #: False: records go to disk only (the plugin hands them to its sender itself)
        self.keep_records = True
        self.delivered: dict[str, int] = {}
        self.rejected: dict[str, str] = {}
        self.attempts: dict[str, Attempt] = {}
        self.warnings: list[str] = []
        #: made by this machine's own session (``origin``): it keeps its destination; else
        #: (a bundle, a spool from elsewhere) it carries results only
        self.trusted = False
        self._fd: int | None = fd
        self._pending: list[bytes] = []  # lines not on disk yet
        self._pending_bytes = 0
        self._behind = 0.0  # see write_behind()
        self._written = 0.0  # when pending lines last went to disk
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._synced = 0.0
        self._read_offset = 0  # how far read_new() has read
        self._partial = b""  # an incomplete last line seen by read_new()
        self._intake: Intake | None = None  # a spool from elsewhere: its caps and files

    # -- opening ---------------------------------------------------------

    @classmethod
    def create(cls, directory: Path, meta: SpoolMeta, name: str | None = None) -> Spool:
        """A new spool in ``directory``, named ``name`` or ``practitest-<time>-<pid>-<random>``."""
        private_dirs(directory)
        if name is None:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
            name = f"practitest-{stamp}-{os.getpid()}-{os.urandom(3).hex()}.jsonl"
        path = directory / name
        fd = os.open(path, _APPEND | os.O_CREAT | os.O_EXCL, 0o600)
        try_lock(fd, exclusive=False)  # "a session is writing this"; see open(exclusive=True)
        spool = cls(path, meta, fd)
        spool.trusted = not meta.bundle
        line = meta.line()
        spool._write(line if meta.bundle else origin.sign(line, path))
        return spool

    @classmethod
    def open(cls, path: Path, *, keep_records: bool = True, exclusive: bool = False) -> Spool:
        """Read a spool back (to resume it) and keep appending to it.

        ``exclusive`` (``practitest upload``): refuse a spool that a running session
        (its test process or delivery process) or another upload still has open,
        which would post the same records at the same time.
        """
        if os.path.islink(path):  # its marks would be appended wherever it points
            raise SpoolError(f"{path}: a symbolic link; not followed (name the file itself)")
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise SpoolError(f"{path}: no such spool file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SpoolError(f"{path}: cannot read it ({exc})") from None
        if not keep_records:  # only the meta line now; read_new() reads the rest as it comes
            lines = lines[:1]
        try:
            meta = reader.meta(lines[0] if lines else "")
        except validate.BadLine as bad:
            raise SpoolError(f"{path}: {bad}") from None
        try:
            fd = os.open(path, _APPEND | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            raise SpoolError(f"{path}: cannot open it ({exc.strerror or exc})") from None
        if not try_lock(fd, exclusive=exclusive):
            os.close(fd)
            raise SpoolError(
                f"{path}: a session that is still running writes and delivers it; "
                "run this once it has ended"
            )
        spool = cls(path, meta, fd)
        spool.trusted = origin.made_here(json.loads(lines[0]), path)
        spool.keep_records = keep_records
        if keep_records:
            if not spool.trusted:
                spool._intake = Intake(path, spool.warnings, sum(len(x) + 1 for x in lines))
            for number, line in enumerate(lines[1:], start=2):
                spool._read_line(line, number, last=number == len(lines))
        else:
            spool._read_offset = len(lines[0].encode("utf-8")) + 1
        return spool

    def _read_line(
        self, line: str | bytes, number: int = 0, last: bool = False
    ) -> RunRecord | None:
        """Apply one line read back; a bad one is named (file:line and why) and left out."""
        try:
            return self._apply(reader.line(line, last), number)
        except validate.BadLine as bad:
            truncated = isinstance(bad, reader.Truncated)
            why = "skipped a truncated last line" if truncated else f"left out: {bad}"
            self.warnings.append(f"{self.path}:{number or '?'}: {why}")
            return None

    def read_new(self, *, marks: bool = True) -> list[RunRecord]:
        """The records appended since the last call (by any process), their marks applied.

        For a spool opened with ``keep_records=False`` that another process is
        still writing: a line is taken only once its newline is there.
        ``marks=False``: every line that is not a record is this process's own mark,
        applied when it was written, and is passed over unread (the delivery process:
        the test process writes records only; 5,000 results are 5,000 marks).
        """
        with open(self.path, "rb") as handle:
            handle.seek(self._read_offset)
            chunk = handle.read()
        self._read_offset += len(chunk)
        *lines, self._partial = (self._partial + chunk).split(b"\n")
        records = []
        for line in lines:
            if not marks and reader.written_key(line) is None:
                continue
            if (record := self._read_line(line)) is not None:
                records.append(record)
        return records

    def _apply(self, line: reader.Line, number: int = 0) -> RunRecord | None:
        if isinstance(line, reader.RecordLine):
            record = line.record
            if not self.trusted:
                if self._intake is None:
                    self._intake = Intake(self.path, self.warnings)
                taken = self._intake.take(record, number)
                if taken is None:
                    return None
                record = taken
            if self.keep_records:
                self.records[record.key] = record
            self.count += 1
            return record
        if isinstance(line, reader.AttemptLine):
            for key in line.keys:
                self.attempts[key] = Attempt(line.at)
        elif isinstance(line, reader.UnsentLine):
            for key in line.keys:
                self.attempts.pop(key, None)
        elif isinstance(line, reader.DeliveredLine):
            self.delivered[line.key] = line.run_id
            self.rejected.pop(line.key, None)
        else:
            self.rejected[line.key] = line.reason
        return None

    # -- writing ---------------------------------------------------------

    def _write(self, *entries: dict[str, Any], sync: bool = False, flush: bool = True) -> None:
        self._append("".join([_encode(entry) + "\n" for entry in entries]).encode(), sync, flush)

    def _append(self, data: bytes, sync: bool = False, flush: bool = True) -> None:
        """Lines, encoded: written at once (one ``write``), or held as ``_write`` says."""
        with self._lock:
            if self._fd is None:
                # A sender abandoned at the deadline: its attempt line is on disk, so a
                # resume looks for what it stored; nothing is lost by dropping this line.
                return
            self._pending.append(data)
            self._pending_bytes += len(data)
            if not flush:
                if self._pending_bytes >= PENDING_LIMIT:  # memory stays bounded, any file size
                    self._flush_locked()
                return
            if self._behind and not sync:
                if not self._wake.is_set():
                    self._wake.set()  # the flusher writes it within `_behind` seconds
            else:
                self._flush_locked()
            now = time.monotonic()
            if sync and now - self._synced >= FSYNC_INTERVAL:
                os.fsync(self._fd)
                self._synced = now

    def write_behind(self, seconds: float) -> None:
        """Let a background thread write record lines, at most ``seconds`` after they come.

        For the xdist controller: one write per record cost it a GIL hand-over each
        (its network threads take the GIL while the write runs): 5,000 fast tests,
        0.5 s. Attempt lines are still written at once.
        """
        self._behind = seconds
        threading.Thread(target=self._flush_behind, name="practitest-spool", daemon=True).start()

    def _flush_behind(self) -> None:
        while True:
            self._wake.wait()
            with self._lock:
                if self._fd is None:
                    return
                wait = self._written + self._behind - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            with self._lock:
                self._wake.clear()
                self._flush_locked()

    def _flush_locked(self) -> None:
        """Write what is pending with one call (one O_APPEND write is never interleaved)."""
        self._written = time.monotonic()
        if not self._pending or self._fd is None:
            return
        data = b"".join(self._pending) if len(self._pending) > 1 else self._pending[0]
        self._pending.clear()
        self._pending_bytes = 0
        written = os.write(self._fd, data)
        if written < len(data):  # a short write happens only on a full disk or a signal
            view = memoryview(data)[written:]
            while view:
                view = view[os.write(self._fd, view) :]

    def add(self, record: RunRecord, *, flush: bool = True) -> None:
        """Write a record (before it is ever sent); ``flush=False``: in writes of ``PENDING_LIMIT``.

        That is for callers whose input is itself durable (an XML file on disk): they call
        ``flush`` once per file, not per record.
        """
        self._append((record_line(record) + "\n").encode(), flush=flush)
        self.count += 1
        if record.files or record.steps:
            self.file_paths.update(f.path for f in record.all_files() if f.path is not None)
        if self.keep_records:
            self.records[record.key] = record

    def mark_attempt(self, keys: list[str]) -> Attempt:
        """Before a post: its keys, so that a resume looks for what it stored."""
        attempt = Attempt(time.time())
        self._write(
            {"type": "attempt", "keys": keys, "at": attempt.at},
            sync=True,
        )
        for key in keys:
            self.attempts[key] = attempt
        return attempt

    def mark_unsent(self, keys: list[str]) -> None:
        """The attempt for ``keys`` certainly stored nothing (e.g. the connection was refused)."""
        self._write({"type": "unsent", "keys": keys})
        for key in keys:
            self.attempts.pop(key, None)

    def mark_delivered(self, key: str, run_id: int) -> None:
        self.mark_delivered_many([(key, run_id)])

    def mark_delivered_many(self, pairs: list[tuple[str, int]]) -> None:
        """Record several deliveries with one write."""
        self._write(*({"type": "delivered", "key": key, "run_id": run_id} for key, run_id in pairs))
        for key, run_id in pairs:
            self.delivered[key] = run_id
            self.rejected.pop(key, None)

    def mark_rejected(self, key: str, reason: str) -> None:
        self._write({"type": "rejected", "key": key, "reason": reason})
        self.rejected[key] = reason

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    @property
    def where(self) -> str:
        return str(self.path)

    def elsewhere(self) -> set[str]:
        """Keys another upload may have delivered, unmarked here: all, if not made here (a
        copy's), or from a JUnit import (an import of the same file has the same keys)."""
        return set(self.records) if not self.trusted or self.meta.source == "junit" else set()

    def pending(self) -> list[RunRecord]:
        """Records not delivered yet, rejected ones included, in the order written."""
        return [r for key, r in self.records.items() if key not in self.delivered]

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                self._flush_locked()
                os.fsync(self._fd)
                os.close(self._fd)
                self._fd = None
        self._wake.set()  # a write-behind flusher sees the spool closed and ends

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
