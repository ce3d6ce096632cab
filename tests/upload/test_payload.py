"""Run items: exit code or steps, the 255-character cut, files, batching."""

from __future__ import annotations

from pathlib import Path

from pytest_practitest.events import Event
from pytest_practitest.model import FileRef, RunRecord, Status, StepRecord, Target, hhmmss
from pytest_practitest.upload.payload import (
    FilePolicy,
    batches,
    build_item,
    cut_output,
    encoded_size,
    estimate_size,
    run_status,
)


def rec(status: Status = Status.PASSED, **options: object) -> RunRecord:
    return RunRecord(target=Target(instance_id=1), status=status, label="t", **options)  # type: ignore[arg-type]


def test_durations() -> None:
    assert hhmmss(0) == "00:00:00"
    assert hhmmss(65.4) == "00:01:05"
    assert hhmmss(3 * 3600 + 59) == "03:00:59"


def test_output_cut_to_255_with_a_visible_mark() -> None:
    assert cut_output("x" * 255) == ("x" * 255, False)
    text, cut = cut_output("y" * 1000)
    assert cut is True
    assert len(text) == 255
    assert text.endswith(" […] full text in execution-output.txt")


def test_passed_and_failed_without_steps_go_as_exit_codes() -> None:
    record = rec(Status.PASSED, duration=3)
    passed = build_item(record, 7, FilePolicy())
    assert passed == {
        "type": "instances",
        "attributes": {
            "instance-id": 7,
            "run-duration": "00:00:03",
            "automated-execution-output": f"[pt {record.key}]",
            "exit-code": 0,
        },
    }
    assert build_item(rec(Status.FAILED), 7, FilePolicy())["attributes"]["exit-code"] == 1


def test_other_statuses_ride_on_a_step() -> None:
    item = build_item(rec(Status.BLOCKED), 7, FilePolicy())
    assert "exit-code" not in item["attributes"]
    assert item["steps"]["data"] == [
        {"name": "Outcome: BLOCKED", "status": "BLOCKED", "description": "t"}
    ]
    assert run_status(rec(Status.NOT_APPLICABLE)) == "N/A"


def test_a_step_is_added_when_steps_alone_would_not_give_the_status() -> None:
    steps = (StepRecord("open", Status.PASSED), StepRecord("pay", Status.PASSED))
    failed_in_teardown = rec(Status.FAILED, steps=steps)
    item = build_item(failed_in_teardown, 7, FilePolicy())
    assert [s["status"] for s in item["steps"]["data"]] == ["PASSED", "PASSED", "FAILED"]
    assert run_status(failed_in_teardown) == "FAILED"
    consistent = rec(Status.FAILED, steps=(StepRecord("pay", Status.FAILED),))
    assert len(build_item(consistent, 7, FilePolicy())["steps"]["data"]) == 1


def test_long_output_is_attached_in_full() -> None:
    item = build_item(rec(output="z" * 600), 7, FilePolicy())
    assert len(item["attributes"]["automated-execution-output"]) == 255
    assert [f["filename"] for f in item["files"]["data"]] == ["execution-output.txt"]


def test_files_are_read_when_the_item_is_built(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    record = rec(files=(FileRef("log.txt", path=str(path)),))
    path.write_bytes(b"written after the record was made")
    item = build_item(record, 7, FilePolicy())
    assert item["files"]["data"] == [
        {"filename": "log.txt", "content_encoded": "d3JpdHRlbiBhZnRlciB0aGUgcmVjb3JkIHdhcyBtYWRl"}
    ]


def test_missing_and_oversized_files_are_skipped_with_warnings(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"0" * 2000)
    warnings: list[Event] = []
    policy = FilePolicy(max_file_bytes=1000, on_event=warnings.append)
    record = rec(
        files=(
            FileRef("big.bin", path=str(big)),
            FileRef("gone.txt", path=str(tmp_path / "gone.txt")),
            FileRef("ok.txt", data=b"fine"),
        )
    )
    item = build_item(record, 7, policy)
    assert [f["filename"] for f in item["files"]["data"]] == ["ok.txt"]
    assert [w.message for w in warnings] == [
        "t: skipped attachment big.bin: 1001 bytes is over the 1000-byte cap",
        "t: skipped attachment gone.txt: No such file or directory",
    ]
    assert estimate_size(record, policy) < 2000


def test_step_files_and_fields() -> None:
    step = StepRecord(
        "shot",
        Status.FAILED,
        description="d",
        expected="e",
        actual="a",
        files=(FileRef("s.png", data=b"png"),),
    )
    item = build_item(
        rec(Status.FAILED, steps=(step,), version="2.1"), 7, FilePolicy(), {"---f-1": "x"}
    )
    assert item["attributes"]["version"] == "2.1"
    assert item["attributes"]["custom-fields"] == {"---f-1": "x"}
    assert item["steps"]["data"][0] == {
        "name": "shot",
        "status": "FAILED",
        "description": "d",
        "expected-results": "e",
        "actual-results": "a",
        "files": {"data": [{"filename": "s.png", "content_encoded": "cG5n"}]},
    }


def test_batches_of_20_and_under_the_size_budget() -> None:
    small = [rec() for _ in range(45)]
    assert [len(b) for b in batches(small, FilePolicy(), 10**9)] == [20, 20, 5]
    megabyte = b"m" * (1024 * 1024)
    heavy = [rec(files=(FileRef("f", data=megabyte),)) for _ in range(5)]
    budget = 3 * encoded_size(len(megabyte))
    assert [
        len(b) for b in batches(heavy, FilePolicy(max_file_bytes=2 * len(megabyte)), budget)
    ] == [2, 2, 1]
    # A record bigger than the budget still goes, alone.
    assert [
        len(b) for b in batches(heavy[:2], FilePolicy(max_file_bytes=2 * len(megabyte)), 10)
    ] == [1, 1]


def test_encoded_size() -> None:
    assert [encoded_size(n) for n in (0, 1, 2, 3, 4)] == [0, 4, 4, 4, 8]


def test_body_reads_its_chunks_in_any_sizes_and_rewinds() -> None:
    import json

    from pytest_practitest.upload.payload import encode_items

    items = [
        {"type": "instances", "attributes": {"instance-id": i, "x": "é" * i}} for i in range(5)
    ]
    body = encode_items(iter(items))
    whole = b"".join(iter(body))
    assert json.loads(whole) == {"data": items}
    assert len(body) == len(whole)
    pieces = []
    while chunk := body.read(7):
        pieces.append(chunk)
    assert b"".join(pieces) == whole
    assert all(len(p) == 7 for p in pieces[:-1])
    body.rewind()
    assert body.read() == whole
    assert body.read(3) == b""
