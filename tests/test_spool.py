"""The spool: records on disk before sending, delivery state after, resumable."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_practitest.model import FileRef, RunRecord, Status, StepRecord, Target
from pytest_practitest.spool import Spool, SpoolError, SpoolMeta


def record(index: int) -> RunRecord:
    return RunRecord(
        target=Target(name=f"test {index}"),
        status=Status.FAILED,
        label=f"t{index}",
        duration=1.5,
        output="boom",
        steps=(StepRecord("s", Status.BLOCKED, files=(FileRef("shot.png", data=b"\x89PNG"),)),),
        files=(FileRef("log.txt", path="/tmp/log.txt"),),
        custom_fields={"Browser": "Chrome"},
        version="1.0",
    )


def test_round_trip_and_pending(tmp_path: Path) -> None:
    meta = SpoolMeta(
        project_id=4500, url="http://127.0.0.1:1", set_name="Nightly", create_missing=True
    )
    with Spool.create(tmp_path, meta) as spool:
        first, second, third = record(1), record(2), record(3)
        for item in (first, second, third):
            spool.add(item)
        spool.mark_attempt([first.key, second.key], after_run_id=None)
        spool.mark_delivered(first.key, 900001)
        spool.mark_rejected(second.key, "t2: instance-id 1 does not exist")
        path = spool.path
    with Spool.open(path) as again:
        assert again.meta == meta
        assert again.records[first.key] == first
        assert [r.key for r in again.pending()] == [second.key, third.key]
        assert again.delivered == {first.key: 900001}
        assert again.rejected == {second.key: "t2: instance-id 1 does not exist"}
        assert set(again.attempts) == {first.key, second.key}
        # Appending after a resume keeps the file valid.
        again.mark_delivered(second.key, 900002)
    with Spool.open(path) as third_open:
        assert [r.key for r in third_open.pending()] == [third.key]
        assert third_open.rejected == {}


def test_truncated_last_line_is_skipped_with_a_warning(tmp_path: Path) -> None:
    with Spool.create(tmp_path, SpoolMeta(project_id=1, url="us")) as spool:
        spool.add(record(1))
        path = spool.path
    with path.open("a") as handle:
        handle.write('{"type": "record", "rec')
    with Spool.open(path) as again:
        assert len(again.records) == 1
        assert again.warnings == [f"{path}:3: skipped a truncated last line"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "not a pytest-practitest spool (no meta line)"),
        ('{"type": "record"}\n', "not a pytest-practitest spool (no meta line)"),
        ('{"type": "meta", "format": 99}\n', "spool format is not 1"),
        ('{"type": "meta", "format": 1, "url": "us"}\n', "bad meta line"),
        (
            '{"type": "meta", "format": 1, "project_id": 1, "url": "us"}\nnot json\n{}\n',
            ":2: not a spool line (bad JSON)",
        ),
    ],
)
def test_bad_spools_are_refused_with_file_and_reason(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(SpoolError) as info:
        Spool.open(path)
    assert str(info.value).startswith(str(path))
    assert message in str(info.value)


def test_missing_spool(tmp_path: Path) -> None:
    with pytest.raises(SpoolError, match="no such spool file"):
        Spool.open(tmp_path / "nope.jsonl")


def test_file_ref_needs_exactly_one_source() -> None:
    with pytest.raises(ValueError, match="exactly one of path or data"):
        FileRef("x")
    with pytest.raises(ValueError, match="exactly one of path or data"):
        FileRef("x", path="/a", data=b"b")


def test_target_needs_exactly_one_way() -> None:
    with pytest.raises(ValueError, match="exactly one of"):
        Target(instance_id=1, name="x")
