"""Every endpoint the uploader calls x every answer: nothing lost, nothing twice, no traceback."""

from __future__ import annotations

import pytest

from tests.answer_matrix import CELLS, RESULTS, Cell, may_keep, run_cell


@pytest.mark.parametrize("cell", CELLS, ids=[cell.name for cell in CELLS])
def test_every_result_has_an_answer_and_none_is_stored_twice(cell: Cell) -> None:
    outcome = run_cell(cell)  # an exception that is not one of ours fails here: a traceback
    assert outcome.delivered + outcome.rejected + outcome.kept == RESULTS
    assert outcome.kept == 0 or may_keep(cell), outcome  # rejected, not blocked
    assert outcome.duplicates == 0
    assert outcome.duplicates_after_resume == 0
    assert outcome.unknown_to_spool == 0
    assert outcome.kept_after_resume == 0, outcome
    assert outcome.fatal is None or "\n" not in outcome.fatal
