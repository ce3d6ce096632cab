"""Files a spool from elsewhere may name: only regular files inside its own folder.

A bundle (or any spool not made by this machine's session) is input from
someone else: a CI job that ran a fork's pull request, say. Its records may
name files, and the publisher reads and uploads them, then deletes those in
the spool's folders. So a path it names is taken only when it is relative, has
no ``..``, crosses no symbolic link on the way (a symlinked ``spool/`` folder
would lead anywhere) and ends at a regular file (a FIFO would hang the read,
a device would never end). ``inside`` is the one check, for reading and for
clean-up alike.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath


class Refused(ValueError):
    """A path a spool names that is not taken; its text says why."""


def inside(folder: Path, name: str | os.PathLike[str]) -> Path:
    """``folder / name`` when that is a regular file inside ``folder`` reached without a
    symbolic link; else Refused saying why. ``folder`` itself is taken as given.

    A file that does not exist is returned too (the upload says it is missing, as for
    any file): what could be made there later is opened with ``O_NOFOLLOW`` (``open_regular``).
    """
    text = os.fspath(name)
    parts = PurePosixPath(text.replace("\\", "/")).parts
    if not text or PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute():
        raise Refused("an absolute path; a bundle names files inside its folder only")
    if PureWindowsPath(text).drive:
        raise Refused("a path with a drive; a bundle names files inside its folder only")
    if ".." in parts:
        raise Refused("a path with '..'; a bundle names files inside its folder only")
    path = folder
    for index, part in enumerate(parts):
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return folder.joinpath(*parts)
        except OSError as exc:
            raise Refused(f"cannot be read ({exc.strerror or exc})") from None
        if stat.S_ISLNK(mode):
            what = "is" if index == len(parts) - 1 else f"is in {part}/, which is"
            raise Refused(f"{what} a symbolic link; not followed")
        last = index == len(parts) - 1
        if not last and not stat.S_ISDIR(mode):
            return folder.joinpath(*parts)  # "not found" when it is read
        if last and not stat.S_ISREG(mode):
            raise Refused("not a regular file")
    return path


def regular(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a regular file itself (not a symbolic link to one)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


#: never follow a final symbolic link, never wait on a FIFO's writer
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_OPEN_FLAGS |= getattr(os, "O_BINARY", 0)


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """Up to ``limit`` bytes of the regular file at ``path``; OSError or Refused if it is not one.

    Opened without waiting (a FIFO would block ``open`` until a writer came, past any
    deadline) and checked on the open descriptor; a symbolic link as the last part is
    not followed (the plugin and the importer name files by their resolved path).
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        if os.path.islink(path):
            raise Refused("is a symbolic link; not followed") from None
        raise
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Refused("not a regular file")
        return handle.read(limit)
