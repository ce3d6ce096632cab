"""Exactly once through every fault: nothing lost, nothing posted twice (by key, in the simulator)."""

from __future__ import annotations

import pytest

from tests.fault_matrix import CASES, RESULTS, Case, run_case


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_result_once_through_a_fault_and_a_resume(case: Case) -> None:
    outcome = run_case(case)
    assert outcome.delivered + outcome.spooled == RESULTS
    assert outcome.duplicates == 0
    assert outcome.delivered_after_resume == RESULTS
    assert outcome.duplicates_after_resume == 0
