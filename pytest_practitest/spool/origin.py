"""Which spools this machine's own sessions made: the trust boundary of ``practitest upload``.

A spool made here (by ``pytest --practitest`` or ``import-junit``) keeps where its results
go; a bundle, or a spool from anywhere else, carries results only (docs/delivery.md,
"Security"). The proof is a key only this user can read: 32 random bytes in
``$XDG_CACHE_HOME/pytest-practitest/spool.key`` (else ``~/.cache/...``), 0600 in a 0700
folder, made on first use. A session writes into its spool's meta line an HMAC-SHA256,
under that key, of the meta line and the spool file's real path; a spool whose HMAC
verifies was made here, at that place. A copied, moved or edited spool, a bundle, or a
machine without the key reads as made elsewhere: it loses nothing but its destination.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from pathlib import Path
from typing import Any

from .private import private_dirs

log = logging.getLogger(__name__)

KEY_FILE = "spool.key"
FIELD = "origin"


def key_path() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "pytest-practitest" / KEY_FILE


def _key(create: bool) -> bytes | None:
    path = key_path()
    try:
        return _read(path)
    except FileNotFoundError:
        if not create:
            return None
    except OSError as error:
        log.debug("no spool key at %s: %s", path, error)
        return None
    try:
        private_dirs(path.parent)
        # Written aside, then linked into place: a racing session reads a whole key or none.
        aside = path.with_name(f".{KEY_FILE}.{os.getpid()}.{os.urandom(4).hex()}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(32))
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(aside)
        return _read(path)
    except OSError as error:
        log.debug("cannot make the spool key %s: %s", path, error)
        return None


def _read(path: Path) -> bytes | None:
    data = path.read_bytes()
    return data if len(data) >= 32 else None


def _digest(key: bytes, line: dict[str, Any], path: Path) -> str:
    fields = {k: v for k, v in line.items() if k != FIELD}
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    message = f"{os.path.realpath(path)}\n{text}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign(line: dict[str, Any], path: Path) -> dict[str, Any]:
    """The meta line of a spool made here, with its proof (unchanged if there is no key)."""
    key = _key(create=True)
    if key is None:
        return line
    return {**line, FIELD: _digest(key, line, path)}


def made_here(line: dict[str, Any], path: Path) -> bool:
    """Whether the meta line read from ``path`` was written there by a session of this user."""
    proof = line.get(FIELD)
    if not isinstance(proof, str) or line.get("bundle"):
        return False
    key = _key(create=False)
    return key is not None and hmac.compare_digest(proof, _digest(key, line, path))
