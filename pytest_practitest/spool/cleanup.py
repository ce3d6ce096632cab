"""After delivery: remove what is delivered, and point at what is not.

Read at the end of every session, through the journal's reader (``reader.py``),
so a line is counted here exactly as ``practitest upload`` counts it. A spool
whose every record is delivered is removed with the files made for its records;
anything else stays (a line the reader refused too), and later sessions name it
with the command that sends it.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from . import reader, validate
from .files import Refused, inside, regular
from .lock import HAS_LOCKS, try_lock
from .resume import retarget

#: a bundle's spool, in a folder of its own (``bundle.py``)
BUNDLE_SPOOL = "spool.jsonl"


def owned_folders(path: Path) -> tuple[Path, Path]:
    """Where files made for a spool's records live: the plugin's, and the importer's."""
    return path.parent / "artifacts", path.with_suffix("")


def _absolute(path: str | Path) -> Path:
    """Absolute and without ``..``, so that folder membership is a plain prefix test."""
    return Path(os.path.normpath(Path(path).absolute()))


class _State(NamedTuple):
    total: int
    undelivered: int
    files: set[Path]  # the files the records name
    dry_run: bool
    #: lines the reader refused (left out, as the journal leaves them out)
    refused: int = 0
    #: why each undelivered record that PractiTest rejected was (the last reason)
    rejected: tuple[str, ...] = ()


def _delivery_state(path: Path, dry_run_too: bool = True) -> _State | None:
    """What a spool holds and how much of it is delivered, read with the journal's reader.

    A line the reader refuses is left out, as the journal and ``practitest spools``
    leave it out. None when the spool cannot be read, is not a spool, or its last
    line is cut short. A dry run's records are not read unless ``dry_run_too``.
    """
    try:
        with path.open("rb") as handle:
            first = handle.readline()
            try:
                meta = reader.meta(first)
            except validate.BadLine:
                return None  # not a spool (of this format), or empty
            if meta.dry_run and not dry_run_too:
                return _State(0, 0, set(), dry_run=True)  # a plan, never sent: not read
            data = first + handle.read()
    except OSError:
        return None
    if not data.endswith(b"\n"):
        return None  # a truncated last line: leave it to a person
    lines = data.splitlines()
    # A bundle's paths are relative to its folder; a session's as the session wrote them.
    base = path.parent if meta.bundle else Path()
    records: set[str] = set()
    delivered: set[str] = set()
    rejected: dict[str, str] = {}
    files: set[Path] = set()
    refused = 0
    # Most record lines name no file: their key is found without parsing them, and the line
    # is read only if that key is not delivered (cheap at the end of a long session).
    by_key: dict[str, bytes] = {}
    for text in lines[1:]:
        key = reader.written_key(text)
        if key is not None and b'"path":' not in text:
            by_key.setdefault(key, text)
            continue
        try:
            line = reader.line(text)
        except validate.BadLine:
            refused += 1
            continue
        if isinstance(line, reader.RecordLine):
            record = line.record
            records.add(record.key)
            for ref in record.all_files():
                if ref.path is not None:
                    files.add(_absolute(base / ref.path))
        elif isinstance(line, reader.DeliveredLine):
            delivered.add(line.key)
        elif isinstance(line, reader.RejectedLine):
            rejected[line.key] = line.reason
    for key, text in by_key.items():
        if key not in delivered:  # delivered: a reader took it when it was sent
            try:
                reader.line(text)
            except validate.BadLine:
                refused += 1
                continue
        records.add(key)
    reasons = tuple(why for key, why in rejected.items() if key in records - delivered)
    return _State(len(records), len(records - delivered), files, meta.dry_run, refused, reasons)


def progress(path: Path) -> tuple[int, int] | None:
    """(delivered, total) as the spool says now, read cheaply; None if it cannot be read."""
    state = _delivery_state(path)
    return None if state is None else (state.total - state.undelivered, state.total)


def remove_delivered(path: Path) -> bool:
    """Remove a spool whose every record was delivered, with the files made for it.

    Nothing is lost: PractiTest has every run. A spool with anything not
    delivered (or rejected) is kept for ``practitest upload``. Of the files its
    records name, only those made for them (in ``owned_folders``) are removed: a
    file of the user's own, attached by path, is never touched. Returns whether
    the spool was removed.
    """
    state = _delivery_state(path)
    if state is None or state.undelivered or state.refused:
        return False  # a refused line stays for a person to see (practitest spools)
    return _remove(path, state.files)


def remove_sent(path: Path, paths: Iterable[str]) -> bool:
    """Remove a session's own spool, as ``remove_delivered`` does, without reading it back:
    its delivery process read every record the session wrote and reported each delivered.
    ``paths``: the file paths its records name, as the session wrote them."""
    return _remove(path, {_absolute(p) for p in paths})


def discard(path: Path) -> bool:
    """Remove a spool whatever it holds, with the files made for it (``practitest spools
    --discard``, after the user said yes). Not one a running session still has open."""
    if in_use(path):
        return False
    state = _delivery_state(path)
    return _remove(path, state.files if state is not None else set())


def _remove(path: Path, files: set[Path]) -> bool:
    """Remove the spool, and of ``files`` those in its ``owned_folders``."""
    path = _absolute(path)
    try:
        path.unlink()
    except OSError:  # still open elsewhere (Windows), or gone: leave it all as it is
        return False
    owned = owned_folders(path)
    folders = set()
    for file in files:
        if any(file.is_relative_to(folder) for folder in owned):
            try:  # a regular file reached without a symbolic link: a bundle may hold links
                file = inside(path.parent, file.relative_to(path.parent))
            except Refused:
                continue
            if regular(file):
                with contextlib.suppress(OSError):
                    file.unlink()
            folders.add(file.parent)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        while folder not in (path.parent, *(o.parent for o in owned)):
            try:
                folder.rmdir()  # only when empty: another session's files stay
            except OSError:
                break
            folder = folder.parent
    if path.name == BUNDLE_SPOOL:  # a bundle's folder holds nothing else
        with contextlib.suppress(OSError):
            owned[1].rmdir()  # its files' folder, empty when no record attached a file
        with contextlib.suppress(OSError):
            path.parent.rmdir()
    return True


LEFTOVERS_CHECKED = 100
IN_USE_SECONDS = 600.0


def leftovers(directory: Path, own: Path | None = None) -> list[tuple[Path, int]]:
    """Earlier spools in ``directory`` that still hold undelivered records, with how many.

    Not ``own``, not a dry run's, and not one a running session still has open
    (see ``lock.try_lock``). At most the newest 100 are read.
    """
    return [(path, state.undelivered) for path, state in _leftover_states(directory, own)]


def _leftover_states(directory: Path, own: Path | None) -> list[tuple[Path, _State]]:
    found = []
    for path in sorted(directory.glob("practitest-*.jsonl"), reverse=True)[:LEFTOVERS_CHECKED]:
        if (own is not None and path.name == own.name) or in_use(path):
            continue
        state = _delivery_state(path, dry_run_too=False)
        if state is not None and state.undelivered and not state.dry_run:
            found.append((path, state))
    return sorted(found, key=lambda pair: pair[0])


def in_use(path: Path) -> bool:
    """Whether a running session (or an upload) has the spool open."""
    if not HAS_LOCKS:  # no advisory locks: a spool changed in the last ten minutes may be
        try:
            return time.time() - path.stat().st_mtime < IN_USE_SECONDS
        except OSError:
            return True
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return True
    try:
        return not try_lock(fd, exclusive=True)
    finally:
        os.close(fd)  # releases the lock taken to ask


def leftover_line(directory: Path, own: Path | None = None) -> str | None:
    """One line about earlier spools still holding results, with the command that sends
    them; for spools whose every undelivered result was rejected (a plain upload is refused
    again), what re-targets them instead."""
    found = _leftover_states(directory, own)
    if not found:
        return None
    count = sum(state.undelivered for _, state in found)
    spools = "an earlier spool holds" if len(found) == 1 else f"{len(found)} earlier spools hold"
    line = f"PractiTest: {spools} {count} result{'s' if count != 1 else ''} not delivered"
    sendable = [p for p, state in found if len(state.rejected) < state.undelivered]
    refused = [(p, state) for p, state in found if len(state.rejected) == state.undelivered]
    if sendable:
        it = "it" if len(sendable) == 1 else "them"
        line += f"; send {it} with: practitest upload {_listed(sendable, directory)}"
    if refused:
        rejected = sum(state.undelivered for _, state in refused)
        them = "it" if rejected == 1 else "them"
        if sendable:
            others = "the other" if len(refused) == 1 else "the others"
            line += f"; the {rejected} rejected in {others} {'is' if rejected == 1 else 'are'}"
        else:
            line += f", {'rejected' if rejected == 1 else 'all rejected'}:"
        line += " refused again by a plain upload; " + retarget(
            them,
            _listed([p for p, _ in refused], directory),
            [why for _, state in refused for why in state.rejected],
        )
    return line + f"; see why, or discard them, with: practitest spools {directory}"


def _listed(paths: list[Path], directory: Path) -> str:
    """The first five paths (a command line to copy), and how many more."""
    more = f" (and {len(paths) - 5} more in {directory})" if len(paths) > 5 else ""
    return " ".join(str(p) for p in paths[:5]) + more
