"""Optional state file (sqlite3) so a standalone simulator survives restarts."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

_SCHEMA = "CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY, snapshot TEXT)"


def load(path: Path) -> dict[str, Any] | None:
    """The saved snapshot, or None when the file has none yet."""
    if not path.exists():
        return None
    with closing(sqlite3.connect(path)) as db:
        db.execute(_SCHEMA)
        row = db.execute("SELECT snapshot FROM state WHERE id = 1").fetchone()
    return None if row is None else dict(json.loads(row[0]))


def save(path: Path, snapshot: dict[str, Any]) -> None:
    """Replace the saved snapshot in one transaction."""
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(_SCHEMA)
        db.execute(
            "INSERT OR REPLACE INTO state (id, snapshot) VALUES (1, ?)", (json.dumps(snapshot),)
        )
