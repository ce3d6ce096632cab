"""After delivery: a delivered spool goes with the files made for it; the rest is named."""

from __future__ import annotations

from pathlib import Path

from pytest_practitest.model import Destination, FileRef, RunRecord, Status, StepRecord, Target
from pytest_practitest.spool.cleanup import (
    leftover_line,
    leftovers,
    progress,
    remove_delivered,
    remove_sent,
)
from pytest_practitest.spool.inventory import contents_of
from pytest_practitest.spool.journal import Spool, SpoolMeta
from tests.helpers import sample_record


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
    spool = Spool.create(
        directory, SpoolMeta(Destination(project_id=4500, url="http://127.0.0.1:1"))
    )
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


def test_a_session_removes_its_sent_spool_as_cleanup_would_without_reading_it_back(
    tmp_path: Path,
) -> None:
    directory, user_file = tmp_path / ".practitest", tmp_path / "app.log"
    user_file.write_text("the user's own file")
    spool, _, made = spool_with_files(directory, user_file)
    spool.close()
    # What the writer knows: every file its records name, the run's and the steps'.
    assert spool.file_paths == {str(made), str(user_file)}
    assert remove_sent(spool.path, spool.file_paths) is True
    assert not spool.path.exists()
    assert not made.parent.exists()
    assert user_file.read_text() == "the user's own file"


def test_a_spool_with_a_rejected_record_is_kept(tmp_path: Path) -> None:
    spool, records, made = spool_with_files(tmp_path, tmp_path / "missing.log")
    spool.mark_delivered(records[0].key, 900001)
    spool.mark_rejected(records[1].key, "b: test 'b' has no instance in test set 20000")
    spool.close()
    assert remove_delivered(spool.path) is False
    assert spool.path.is_file()
    assert made.is_file()


def test_a_damaged_spool_is_kept_for_a_person_to_look_at(tmp_path: Path) -> None:
    spool = Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=4500, url="http://127.0.0.1:1"))
    )
    spool.add(sample_record(1))
    spool.close()
    with spool.path.open("a") as handle:
        handle.write('{"type":"delivered","key":')  # the process died mid-write
    assert remove_delivered(spool.path) is False
    assert spool.path.is_file()


def test_leftovers_are_earlier_undelivered_spools_no_one_has_open(tmp_path: Path) -> None:
    def spool_of(count: int, delivered: int = 0, **meta: object) -> Spool:
        spool = Spool.create(
            tmp_path,
            SpoolMeta(Destination(project_id=4500, url="http://x"), **meta),  # type: ignore[arg-type]
        )
        for index in range(count):
            item = sample_record(index)
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
        f"practitest upload {waiting.path}; see why, or discard them, with: "
        f"practitest spools {tmp_path}"
    )
    running.close()
    assert [p for p, _ in leftovers(tmp_path, own.path)] == sorted([waiting.path, running.path])
    assert leftover_line(tmp_path / "nothing-here") is None


def test_a_spool_whose_undelivered_were_all_rejected_is_named_with_what_re_targets_it(
    tmp_path: Path,
) -> None:
    def spool_of(*reasons: str | None) -> Spool:
        spool = Spool.create(tmp_path, SpoolMeta(Destination(project_id=4500, url="http://x")))
        for index, reason in enumerate(reasons):
            item = sample_record(index)
            spool.add(item)
            if reason is not None:
                spool.mark_rejected(item.key, f"test_{index}: {reason}")
        spool.close()
        return spool

    nowhere = "test id 80001 has no instance in test set 20000; map it, or turn on create-missing"
    rejected = spool_of(nowhere, nowhere)
    assert leftover_line(tmp_path) == (
        "PractiTest: an earlier spool holds 2 results not delivered, all rejected: refused "
        f"again by a plain upload; re-target them with practitest upload {rejected.path} "
        "--create-missing (an account token also needs --author-id), --set-id/--set-name "
        "(another set) or --map FILE (other tests); see why, or discard them, with: "
        f"practitest spools {tmp_path}"
    )
    unsent = spool_of(None, "exit-code must be an integer")  # one not sent yet: a plain upload
    too_long = spool_of("name is too long")
    both = " ".join(sorted(str(s.path) for s in (rejected, too_long)))
    assert leftover_line(tmp_path) == (
        "PractiTest: 3 earlier spools hold 5 results not delivered; send it with: "
        f"practitest upload {unsent.path}; the 3 rejected in the others are refused again by "
        f"a plain upload; re-target them with practitest upload {both} "
        "--create-missing (an account token also needs --author-id), "
        "--set-id/--set-name (another set) or --map FILE (other tests); see why, or discard "
        f"them, with: practitest spools {tmp_path}"
    )
    rejected.path.unlink()
    assert leftover_line(tmp_path) == (
        "PractiTest: 2 earlier spools hold 3 results not delivered; send it with: "
        f"practitest upload {unsent.path}; the 1 rejected in the other is refused again by "
        "a plain upload; fix what the rejection says, or re-target it with practitest upload "
        f"{too_long.path} --map FILE; see why, or discard them, with: "
        f"practitest spools {tmp_path}"
    )


def test_a_line_the_reader_refuses_is_left_out_by_the_journal_the_listing_and_cleanup(
    tmp_path: Path,
) -> None:
    spool = Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=4500, url="http://127.0.0.1:1"))
    )
    records = [sample_record(index) for index in range(3)]
    for item in records:
        spool.add(item)
    spool.mark_delivered(records[0].key, 900001)
    spool.close()
    with spool.path.open("a") as handle:  # a record PractiTest has no status for
        handle.write(
            '{"type":"record","record":{"key":"refused-1","target":{"name":"x"},'
            '"status":"MAYBE"}}\n'
        )
    why = (
        f"{spool.path}:6: left out: status 'MAYBE' is not one of "
        "PASSED, FAILED, BLOCKED, NO RUN, N/A"
    )
    with Spool.open(spool.path) as journal:
        assert (journal.count, len(journal.delivered)) == (3, 1)
        assert "refused-1" not in journal.records
        assert journal.warnings == [why]
    listed = contents_of(spool.path)
    assert (listed.total, listed.delivered, listed.left_out) == (3, 1, (why,))
    assert progress(spool.path) == (1, 3)
    assert leftovers(tmp_path) == [(spool.path, 2)]
    with Spool.open(spool.path) as journal:
        for item in records[1:]:
            journal.mark_delivered(item.key, 900002)
    assert progress(spool.path) == (3, 3)
    assert leftovers(tmp_path) == []
    assert remove_delivered(spool.path) is False  # the refused line stays for a person
    assert spool.path.is_file()
