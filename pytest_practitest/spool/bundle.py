"""Bundles: a spool that can travel (``--practitest-defer``), to be sent from elsewhere.

A deferred session spools as usual and sends nothing. At its end the spool is
sealed into a folder that holds everything it needs::

    bundle-20261203-104512-4242-a1b2c3/
        spool.jsonl     the records, keys unchanged; the meta line says "bundle"
        spool/          every file the records attach, copied in

File paths in ``spool.jsonl`` are relative to the folder, which can therefore be
moved, zipped as a CI artifact and unpacked on another machine, where
``practitest upload`` reads it (``Spool.open`` resolves the paths against the
folder it finds it in). The session's own spool and the files made for it are
removed once the bundle is complete; until then nothing is removed, so a crash
while sealing loses nothing. A file that is gone when the session ends stays
named by its old path: the upload skips it with a warning, as it would have.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..model import FileRef
from .cleanup import BUNDLE_SPOOL, discard, owned_folders
from .journal import Spool
from .private import private_dirs

BUNDLE_PREFIX = "bundle-"


def is_bundle(folder: Path) -> bool:
    """Whether ``folder`` is a bundle (it holds a ``spool.jsonl``)."""
    return (folder / BUNDLE_SPOOL).is_file()


def seal(spool_path: Path) -> Path:
    """Turn the closed session spool at ``spool_path`` into a bundle next to it; its folder.

    The records keep their keys, so a bundle given twice, or copied under two
    names, is still delivered once.
    """
    stem = spool_path.stem.removeprefix("practitest-")
    folder = spool_path.parent / f"{BUNDLE_PREFIX}{stem}"
    with Spool.open(spool_path, exclusive=True) as session:
        meta = replace(session.meta, bundle=True)
        files_dir = owned_folders(folder / BUNDLE_SPOOL)[1]
        private_dirs(files_dir)
        copied: dict[str, str] = {}

        def copy(ref: FileRef) -> FileRef:
            if ref.path is None:
                return ref
            if ref.path not in copied:
                source = Path(ref.path)
                if not source.is_file():
                    return ref  # gone already: the upload says so, as it would have
                name = f"{len(copied) + 1:05d}-{_safe(ref.name or source.name)}"
                target = files_dir / name
                shutil.copyfile(source, target)
                os.chmod(target, 0o600)
                copied[ref.path] = f"{files_dir.name}/{name}"
            return replace(ref, path=copied[ref.path])

        with Spool.create(folder, meta, name=BUNDLE_SPOOL) as bundle:
            for record in session.pending():
                bundle.add(record.with_files(copy), flush=False)
            bundle.flush()
    discard(spool_path)
    return folder


def _safe(name: str) -> str:
    """A file name that is one path part on every system."""
    return re.sub(r"[^\w.+-]", "_", name)[-100:] or "file"


class NoSpools(ValueError):
    """An argument names no spool or bundle."""


def find_spools(arguments: Sequence[Path]) -> list[Path]:
    """The spool files ``arguments`` name: spool files, bundle folders, folders holding
    bundles or spools (a CI's downloaded artifacts), or glob patterns; each once.

    Raises NoSpools for a pattern or folder that holds none (a path that does not
    exist is left to ``Spool.open``, which says so).
    """
    found: list[Path] = []
    for argument in arguments:
        candidates = [argument]
        if not argument.exists() and glob.has_magic(str(argument)):
            candidates = [Path(p) for p in sorted(glob.glob(str(argument)))]
            if not candidates:
                raise NoSpools(f"{argument}: no file or folder matches")
        for candidate in candidates:
            if not candidate.is_dir():
                found.append(candidate)
            elif is_bundle(candidate):
                found.append(candidate / BUNDLE_SPOOL)
            else:
                inside = sorted(candidate.rglob(BUNDLE_SPOOL)) + sorted(
                    candidate.rglob("practitest-*.jsonl")
                )
                if not inside:
                    raise NoSpools(f"{candidate}: no spool or bundle in this folder")
                found += inside
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(Path(os.path.realpath(path)), path)  # the same file named twice
    return list(unique.values())
