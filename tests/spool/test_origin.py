"""Which spools this machine's sessions made: a key only this user reads, an HMAC per spool."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pytest_practitest.model import Destination
from pytest_practitest.spool import origin
from pytest_practitest.spool.journal import Spool, SpoolMeta

META = SpoolMeta(Destination(url="http://127.0.0.1:9", project_id=4500, set_id=20000))


def test_the_key_is_made_on_first_use_readable_by_its_owner_only(tmp_path: Path) -> None:
    key = origin.key_path()
    assert key.parent == Path(os.environ["XDG_CACHE_HOME"]) / "pytest-practitest"
    with Spool.create(tmp_path, META) as spool:
        assert spool.trusted
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert oct(key.parent.stat().st_mode & 0o777) == "0o700"
    assert len(key.read_bytes()) == 32
    with Spool.open(spool.path) as again:
        assert again.trusted
        assert again.meta.destination == META.destination


def test_moved_edited_or_bundled_spools_are_not_trusted(tmp_path: Path) -> None:
    with Spool.create(tmp_path / "a", META) as spool:
        pass
    moved = tmp_path / "b" / spool.path.name
    moved.parent.mkdir()
    shutil.copy(spool.path, moved)
    edited = tmp_path / "a" / "edited.jsonl"
    edited.write_text(spool.path.read_text().replace('"project_id":4500', '"project_id":4501'))
    bundle = tmp_path / "bundle"
    with Spool.create(bundle, SpoolMeta(META.destination, bundle=True), name="spool.jsonl"):
        pass
    for path in (moved, edited, bundle / "spool.jsonl"):
        with Spool.open(path) as other:
            assert not other.trusted, path


def test_without_a_key_spools_are_made_and_read_as_from_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    with Spool.create(tmp_path / "s", META) as spool:
        pass
    assert "origin" not in spool.path.read_text()
    with Spool.open(spool.path) as again:
        assert not again.trusted
