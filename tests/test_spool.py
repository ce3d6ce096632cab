"""The spool: records on disk before sending, delivery state after, resumable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_practitest.model import FileRef, RunRecord, Status, StepRecord, Target
from pytest_practitest.spool.cleanup import leftover_line, leftovers, remove_delivered
from pytest_practitest.spool.journal import Spool, SpoolError, SpoolMeta
from tests.helpers import wait_for


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


def test_a_follower_reads_records_as_they_are_appended_and_writes_marks_alongside(
    tmp_path: Path,
) -> None:
    # The plugin's test process writes records; its delivery process follows the same
    # file and appends the delivery state. Each line is one O_APPEND write: no interleaving.
    writer = Spool.create(tmp_path, SpoolMeta(project_id=4500, url="http://127.0.0.1:1"))
    follower = Spool.open(writer.path, keep_records=False)
    assert follower.read_new() == []
    first, second = record(1), record(2)
    writer.add(first)
    writer.add(second)
    assert follower.read_new() == [first, second]
    follower.mark_attempt([first.key, second.key], after_run_id=None)
    follower.mark_delivered_many([(first.key, 900001), (second.key, 900002)])
    third = record(3)
    writer.add(third)
    assert follower.read_new() == [third]  # its own marks are read back and applied, not returned
    assert follower.count == 3
    assert follower.records == {}  # a follower keeps nothing in memory
    writer.close()
    follower.close()
    with Spool.open(writer.path) as everything:
        assert [r.key for r in everything.pending()] == [third.key]
        assert everything.delivered == {first.key: 900001, second.key: 900002}


def test_a_follower_takes_a_line_only_once_it_is_complete(tmp_path: Path) -> None:
    writer = Spool.create(tmp_path, SpoolMeta(project_id=4500, url="http://127.0.0.1:1"))
    follower = Spool.open(writer.path, keep_records=False)
    one = record(1)
    line = ('{"type":"record","record":' + json.dumps(one.to_json()) + "}\n").encode()
    with writer.path.open("ab") as raw:
        raw.write(line[:25])
        raw.flush()
        assert follower.read_new() == []
        raw.write(line[25:])
    assert follower.read_new() == [one]
    writer.close()
    follower.close()


def test_write_behind_batches_records_and_close_writes_the_rest(tmp_path: Path) -> None:
    writer = Spool.create(tmp_path, SpoolMeta(project_id=4500, url="http://127.0.0.1:1"))
    writer.write_behind(0.2)
    follower = Spool.open(writer.path, keep_records=False)
    first, second = record(1), record(2)
    writer.add(first)
    writer.add(second)
    seen: list[RunRecord] = []

    def both_seen() -> bool:
        seen.extend(follower.read_new())
        return len(seen) == 2

    assert wait_for(both_seen, timeout=5)
    assert seen == [first, second]
    third, fourth = record(3), record(4)
    writer.add(third)
    writer.mark_attempt([first.key], after_run_id=None)  # never waits; takes pending lines along
    assert follower.read_new() == [third]
    assert set(follower.attempts) == {first.key}
    writer.add(fourth)
    writer.close()  # writes what is pending
    assert follower.read_new() == [fourth]
    follower.close()


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


def spool_with_files(directory: Path, user_file: Path) -> tuple[Spool, list[RunRecord], Path]:
    """A spool whose records name a file made for them (under artifacts/) and the user's own."""
    made = directory / "artifacts" / "4242" / "0a1b-screenshot.png"
    made.parent.mkdir(parents=True)
    made.write_bytes(b"\x89PNG")
    records = [
        RunRecord(
            target=Target(name="a"),
            status=Status.FAILED,
            files=(FileRef("screenshot.png", path=str(made)), FileRef("log", path=str(user_file))),
        ),
        RunRecord(
            target=Target(name="b"),
            status=Status.PASSED,
            steps=(StepRecord("s", Status.PASSED, files=(FileRef("x", path=str(made)),)),),
        ),
    ]
    spool = Spool.create(directory, SpoolMeta(project_id=4500, url="http://127.0.0.1:1"))
    for item in records:
        spool.add(item)
    return spool, records, made


def test_a_delivered_spool_goes_with_the_files_made_for_it_and_nothing_else(
    tmp_path: Path,
) -> None:
    directory, user_file = tmp_path / ".practitest", tmp_path / "app.log"
    user_file.write_text("the user's own file")
    spool, records, made = spool_with_files(directory, user_file)
    other_session = directory / "artifacts" / "777" / "theirs.png"
    other_session.parent.mkdir()
    other_session.write_bytes(b"another session's file")
    spool.mark_delivered(records[0].key, 900001)
    spool.close()
    assert remove_delivered(spool.path) is False  # one record is not delivered: kept
    assert spool.path.is_file()
    assert made.is_file()
    with Spool.open(spool.path) as again:
        again.mark_delivered(records[1].key, 900002)
    assert remove_delivered(spool.path) is True
    assert not spool.path.exists()
    assert not made.parent.exists()  # its folder was left empty
    assert other_session.read_bytes() == b"another session's file"
    assert user_file.read_text() == "the user's own file"
    assert remove_delivered(spool.path) is False  # gone already: nothing to do


def test_a_spool_with_a_rejected_record_is_kept(tmp_path: Path) -> None:
    spool, records, made = spool_with_files(tmp_path, tmp_path / "missing.log")
    spool.mark_delivered(records[0].key, 900001)
    spool.mark_rejected(records[1].key, "b: test 'b' has no instance in test set 20000")
    spool.close()
    assert remove_delivered(spool.path) is False
    assert spool.path.is_file()
    assert made.is_file()


def test_a_damaged_spool_is_kept_for_a_person_to_look_at(tmp_path: Path) -> None:
    spool = Spool.create(tmp_path, SpoolMeta(project_id=4500, url="http://127.0.0.1:1"))
    spool.add(record(1))
    spool.close()
    with spool.path.open("a") as handle:
        handle.write('{"type":"delivered","key":')  # the process died mid-write
    assert remove_delivered(spool.path) is False
    assert spool.path.is_file()


def test_leftovers_are_earlier_undelivered_spools_no_one_has_open(tmp_path: Path) -> None:
    def spool_of(count: int, delivered: int = 0, **meta: object) -> Spool:
        spool = Spool.create(tmp_path, SpoolMeta(project_id=4500, url="http://x", **meta))  # type: ignore[arg-type]
        for index in range(count):
            item = record(index)
            spool.add(item)
            if index < delivered:
                spool.mark_delivered(item.key, 900000 + index)
        return spool

    waiting = spool_of(3, delivered=1)
    waiting.close()
    done = spool_of(2, delivered=2)  # an older version did not remove delivered spools
    done.close()
    spool_of(2, dry_run=True).close()
    running = spool_of(2)  # still open: a session that is running
    own = spool_of(1)
    own.close()
    assert leftovers(tmp_path, own.path) == [(waiting.path, 2)]
    assert leftover_line(tmp_path, own.path) == (
        f"PractiTest: an earlier spool holds 2 results not delivered; send it with: "
        f"practitest upload {waiting.path}"
    )
    running.close()
    assert [p for p, _ in leftovers(tmp_path, own.path)] == sorted([waiting.path, running.path])
    assert leftover_line(tmp_path / "nothing-here") is None
