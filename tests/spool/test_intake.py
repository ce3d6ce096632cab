"""A spool from elsewhere: its files only from inside its folder, and its size capped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pytest_practitest.model import Destination, FileRef, RunRecord, Status, Target
from pytest_practitest.spool import intake
from pytest_practitest.spool.files import Refused, inside, read_regular
from pytest_practitest.spool.journal import Spool, SpoolMeta


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("/etc/passwd", "an absolute path; a bundle names files inside its folder only"),
        ("C:\\Windows\\win.ini", "an absolute path; a bundle names files inside its folder only"),
        ("C:win.ini", "a path with a drive; a bundle names files inside its folder only"),
        ("a/../../b", "a path with '..'; a bundle names files inside its folder only"),
        ("..\\b", "a path with '..'; a bundle names files inside its folder only"),
        ("", "an absolute path; a bundle names files inside its folder only"),
        ("link/f", "is in link/, which is a symbolic link; not followed"),
        ("spool/link-to-file", "is a symbolic link; not followed"),
        ("spool/pipe", "not a regular file"),
        ("spool", "not a regular file"),
    ],
)
def test_inside_refuses_what_is_not_a_regular_file_in_the_folder(
    tmp_path: Path, name: str, why: str
) -> None:
    (tmp_path / "spool").mkdir()
    (tmp_path / "spool" / "ok.txt").write_text("ok")
    (tmp_path / "link").symlink_to(tmp_path / "spool", target_is_directory=True)
    (tmp_path / "spool" / "link-to-file").symlink_to(tmp_path / "spool" / "ok.txt")
    os.mkfifo(tmp_path / "spool" / "pipe")
    with pytest.raises(Refused) as refused:
        inside(tmp_path, name)
    assert str(refused.value) == why
    assert inside(tmp_path, "spool/ok.txt") == tmp_path / "spool" / "ok.txt"
    assert inside(tmp_path, "spool/gone.txt") == tmp_path / "spool" / "gone.txt"


def test_read_regular_never_waits_on_a_fifo_or_follows_a_link(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "f").write_bytes(b"12345")
    (tmp_path / "l").symlink_to(tmp_path / "f")
    with pytest.raises(Refused, match="not a regular file"):
        read_regular(tmp_path / "pipe", 10)
    with pytest.raises(Refused, match="is a symbolic link; not followed"):
        read_regular(tmp_path / "l", 10)
    assert read_regular(tmp_path / "f", 3) == b"123"


def test_caps_leave_out_the_rest_and_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake, "CAPS", intake.Caps(records=3, files=2, bytes=10_000))
    (tmp_path / "spool").mkdir()
    (tmp_path / "spool" / "a").write_bytes(b"a" * 100)
    (tmp_path / "spool" / "big").write_bytes(b"b" * 20_000)
    meta = SpoolMeta(Destination(url="us", project_id=1, set_id=2), bundle=True)
    with Spool.create(tmp_path, meta, name="spool.jsonl") as spool:
        for index in range(5):
            files = (FileRef("a", path="spool/a"),) if index < 2 else ()
            if index == 2:
                files = (FileRef("big", path="spool/big"),)
            spool.add(RunRecord(Target(name="t"), Status.PASSED, label=f"t{index}", files=files))
    with Spool.open(tmp_path / "spool.jsonl") as again:
        assert again.count == 3
        records = list(again.records.values())
        warnings = again.warnings
    assert [len(r.files) for r in records] == [1, 1, 0]
    path = tmp_path / "spool.jsonl"
    assert warnings == [
        f"{path}:4: t2: attachment big (spool/big) left out: over the cap of 2 files for a "
        "spool from elsewhere",
        f"{path}:5: over the cap of 3 records for a spool from elsewhere; this record and the "
        "rest are left out",
    ]


def test_the_bytes_cap_counts_the_spool_and_each_reference(tmp_path: Path) -> None:
    (tmp_path / "spool").mkdir()
    (tmp_path / "spool" / "f").write_bytes(b"x" * 4_000)
    warnings: list[str] = []
    taker = intake.Intake(
        tmp_path / "spool.jsonl", warnings, size=1_000, caps=intake.Caps(bytes=10_000)
    )
    record = RunRecord(
        Target(name="t"), Status.PASSED, label="t", files=(FileRef("f", path="spool/f"),) * 3
    )
    taken = taker.take(record, 2)
    assert taken is not None
    assert len(taken.files) == 2  # 1,000 + 4,000 + 4,000; the third would pass 10,000
    assert warnings == [
        f"{tmp_path / 'spool.jsonl'}:2: t: attachment f (spool/f) left out: over the cap of "
        "10000 bytes for a spool from elsewhere"
    ]
