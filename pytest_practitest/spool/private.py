"""Files only their owner can read: spool folders and the attachments written into them.

Captured output, logs and screenshots can hold what a test printed — credentials
included — so what we write is 0600 in folders we create 0700, as the spool is.
Folders that already exist keep their mode: they are the user's choice.
"""

from __future__ import annotations

import os
from pathlib import Path


def private_dirs(path: Path) -> None:
    """Create ``path`` and any missing parents, each readable by its owner only."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)  # another process may make it meanwhile


def write_private(path: Path, data: bytes) -> None:
    """Write a new file that only its owner can read (it must not exist yet)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    with os.fdopen(os.open(path, flags, 0o600), "wb") as handle:
        handle.write(data)
