"""The spool's journal: records on disk before sending, delivery state after, resumable."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from pytest_practitest.model import Destination, InstanceHint, RunRecord, Status, Target
from pytest_practitest.spool import reader
from pytest_practitest.spool.journal import Spool, SpoolError, SpoolMeta
from tests.helpers import sample_record, wait_for


def test_round_trip_and_pending(tmp_path: Path) -> None:
    meta = SpoolMeta(
        Destination(
            project_id=4500, url="http://127.0.0.1:1", set_name="Nightly", create_missing=True
        )
    )
    with Spool.create(tmp_path, meta) as spool:
        first, second, third = sample_record(1), sample_record(2), sample_record(3)
        for item in (first, second, third):
            spool.add(item)
        spool.mark_attempt([first.key, second.key])
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
    writer = Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=4500, url="http://127.0.0.1:1"))
    )
    follower = Spool.open(writer.path, keep_records=False)
    assert follower.read_new() == []
    first, second = sample_record(1), sample_record(2)
    writer.add(first)
    writer.add(second)
    assert follower.read_new() == [first, second]
    follower.mark_attempt([first.key, second.key])
    follower.mark_delivered_many([(first.key, 900001), (second.key, 900002)])
    third = sample_record(3)
    writer.add(third)
    assert follower.read_new() == [third]  # its own marks are read back and applied, not returned
    assert follower.count == 3
    assert follower.records == {}  # a follower keeps nothing in memory
    writer.close()
    follower.close()
    with Spool.open(writer.path) as everything:
        assert [r.key for r in everything.pending()] == [third.key]
        assert everything.delivered == {first.key: 900001, second.key: 900002}


def test_the_delivery_process_passes_over_its_own_marks_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=4500, url="http://127.0.0.1:1"))
    )
    follower = Spool.open(writer.path, keep_records=False)
    first, second = sample_record(1), sample_record(2)
    writer.add(first)
    assert follower.read_new(marks=False) == [first]
    follower.mark_attempt([first.key])
    follower.mark_delivered(first.key, 900001)
    writer.add(second)
    parsed: list[bytes | str] = []
    real_line = reader.line

    def counted(text: bytes | str, last: bool = False) -> reader.Line:
        parsed.append(text)
        return real_line(text, last)

    monkeypatch.setattr(reader, "line", counted)
    assert follower.read_new(marks=False) == [second]
    assert len(parsed) == 1  # the record; the attempt and delivered lines were not parsed
    assert follower.delivered == {first.key: 900001}  # as applied when it wrote them
    assert follower.count == 2


def test_a_follower_takes_a_line_only_once_it_is_complete(tmp_path: Path) -> None:
    writer = Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=4500, url="http://127.0.0.1:1"))
    )
    follower = Spool.open(writer.path, keep_records=False)
    one = sample_record(1)
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
    writer = Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=4500, url="http://127.0.0.1:1"))
    )
    writer.write_behind(0.2)
    follower = Spool.open(writer.path, keep_records=False)
    first, second = sample_record(1), sample_record(2)
    writer.add(first)
    writer.add(second)
    seen: list[RunRecord] = []

    def both_seen() -> bool:
        seen.extend(follower.read_new())
        return len(seen) == 2

    assert wait_for(both_seen, timeout=5)
    assert seen == [first, second]
    third, fourth = sample_record(3), sample_record(4)
    writer.add(third)
    writer.mark_attempt([first.key])  # never waits; takes pending lines along
    assert follower.read_new() == [third]
    assert set(follower.attempts) == {first.key}
    writer.add(fourth)
    writer.close()  # writes what is pending
    assert follower.read_new() == [fourth]
    follower.close()


def test_truncated_last_line_is_skipped_with_a_warning(tmp_path: Path) -> None:
    with Spool.create(tmp_path, SpoolMeta(Destination(project_id=1, url="us"))) as spool:
        spool.add(sample_record(1))
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
        ('{"type": "meta", "format": 1, "project_id": "1", "url": "us"}\n', "bad meta line"),
        ('{"type": "meta", "format": 1, "project_id": 1, "url": "us", "x": 1}\n', "bad meta"),
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


def test_unflushed_records_are_written_every_pending_limit_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import flushes once per file; a file of a million testcases must not sit in memory."""
    from pytest_practitest.spool import journal

    monkeypatch.setattr(journal, "PENDING_LIMIT", 4096)
    with Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=1, url="http://127.0.0.1:1"))
    ) as spool:
        spool.keep_records = False
        start = spool.path.stat().st_size
        sizes = []
        for number in range(200):
            spool.add(sample_record(number), flush=False)
            sizes.append(spool.path.stat().st_size - start)
        held = sizes[-1]
        spool.flush()
        written = spool.path.stat().st_size - start
    # Written in pieces along the way, each under the limit plus one line ...
    assert 0 < held < written
    steps = [b - a for a, b in pairwise(sizes) if b != a]
    assert len(steps) >= written // 4096 - 1
    assert max(steps) < 4096 + 1024
    # ... and every record is in the file once, in order.
    with Spool.open(spool.path) as again:
        assert len(again.records) == 200


def test_an_instance_hint_survives_the_spool(tmp_path: Path) -> None:
    hinted = Target(test_id=80000, hint=InstanceHint(20001, 300042))
    record = RunRecord(target=hinted, status=Status.PASSED, label="t")
    with Spool.create(tmp_path, SpoolMeta(Destination(project_id=4500, set_id=20001))) as spool:
        spool.add(record)
        path = spool.path
    with Spool.open(path) as again:
        read = again.records[record.key].target
    assert read == Target(test_id=80000)  # the hint is not part of equality
    assert read.hint == InstanceHint(20001, 300042)
    assert read.to_json() == {"test_id": 80000, "instance": {"set": 20001, "id": 300042}}
