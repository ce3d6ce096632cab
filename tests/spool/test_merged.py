"""SpoolSet: several spools as one, its merged state kept in step with every mark."""

from __future__ import annotations

from pathlib import Path

from pytest_practitest.model import Destination, RunRecord, Status, Target
from pytest_practitest.spool.journal import Spool, SpoolMeta
from pytest_practitest.spool.merged import SpoolSet


def spool_with(folder: Path, records: list[RunRecord]) -> Spool:
    spool = Spool.create(folder, SpoolMeta(Destination(project_id=1, url="us", set_id=2)))
    for record in records:
        spool.add(record)
    return spool


def test_each_mark_reaches_every_copy_and_the_merged_state(tmp_path: Path) -> None:
    shared = [RunRecord(target=Target(name=f"t{i}"), status=Status.PASSED) for i in range(3)]
    own = RunRecord(target=Target(name="own"), status=Status.FAILED)
    first = spool_with(tmp_path / "a", [*shared, own])
    copy = spool_with(tmp_path / "b", shared)
    first.mark_delivered(shared[0].key, 900)  # delivered through one copy earlier
    merged = SpoolSet([first, copy])
    assert copy.delivered == {shared[0].key: 900}  # said in the other copy at once
    assert merged.count == 4
    assert [r.key for r in merged.pending()] == [shared[1].key, shared[2].key, own.key]

    attempt = merged.mark_attempt([shared[1].key, own.key])
    assert merged.attempts == {shared[1].key: attempt, own.key: attempt}
    assert set(copy.attempts) == {shared[1].key}
    merged.mark_unsent([own.key])
    assert set(merged.attempts) == {shared[1].key}
    merged.mark_rejected(shared[2].key, "no instance")
    assert merged.rejected == {shared[2].key: "no instance"}
    assert copy.rejected == first.rejected == merged.rejected
    merged.mark_delivered_many([(shared[1].key, 901), (shared[2].key, 902)])
    assert merged.rejected == {}
    assert (
        merged.delivered
        == copy.delivered
        == {
            shared[0].key: 900,
            shared[1].key: 901,
            shared[2].key: 902,
        }
    )
    assert [r.key for r in merged.pending()] == [own.key]
    merged.close()
