"""Records, targets and the one outcome table both entry points use."""

from __future__ import annotations

import pytest

import pytest_practitest
from pytest_practitest.model import FileRef, Status, Target, status_table
from pytest_practitest.outcomes import DEFAULT_STATUS_MAP, OUTCOMES, STATUSES, worst


def test_file_ref_needs_exactly_one_source() -> None:
    with pytest.raises(ValueError, match="exactly one of path or data"):
        FileRef("x")
    with pytest.raises(ValueError, match="exactly one of path or data"):
        FileRef("x", path="/a", data=b"b")


def test_target_needs_exactly_one_way() -> None:
    with pytest.raises(ValueError, match="exactly one of"):
        Target(instance_id=1, name="x")


def test_target_is_importable_from_the_package() -> None:
    assert pytest_practitest.Target is Target
    from pytest_practitest import Target as Public

    assert Public(test_id=7) == Target(test_id=7)


def test_every_outcome_has_a_status_and_every_status_is_the_enum() -> None:
    assert set(DEFAULT_STATUS_MAP) == set(OUTCOMES)
    assert tuple(status.value for status in Status) == STATUSES
    assert status_table(DEFAULT_STATUS_MAP)["skipped"] is Status.NO_RUN


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([Status.PASSED, Status.NO_RUN, Status.NOT_APPLICABLE], Status.NO_RUN),
        ([Status.BLOCKED, Status.FAILED, Status.PASSED], Status.FAILED),
        ([Status.NOT_APPLICABLE, Status.PASSED], Status.NOT_APPLICABLE),
        (["PASSED", "BLOCKED"], "BLOCKED"),
    ],
)
def test_the_worst_status_wins(statuses: list[str], expected: str) -> None:
    assert worst(statuses) == expected
