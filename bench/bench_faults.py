"""The fault matrix and the answer matrix as tables.

    python bench/bench_faults.py

First, 300 results through each fault on the runs post, then a resume. Then the
answer matrix (``tests/answer_matrix.py``): each endpoint the uploader calls x
each status in the reference's errors table plus reset, timeout, unreadable,
wrong shape, empty and redirect; each cell should read delivered + rejected +
kept = 12, 0 duplicates, nothing stored that the spool does not know, and 12
answered after the resume.

Every row should read 300 delivered or spooled, 0 duplicates, and 300 / 0 after
the resume (``tests/upload/test_fault_matrix.py`` asserts it). The last row is
outside the documented window on purpose: a server that stores a post later than
the read timeout plus twice the settle time (here 1.0 + 2 x 0.2 s) gets it twice.
Prints numbers; asserts nothing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.answer_matrix import (  # noqa: E402
    CELLS,
    ENDPOINTS,
    may_keep,
    run_cell,
)
from tests.answer_matrix import RESULTS as CELL_RESULTS  # noqa: E402
from tests.fault_matrix import CASES, FAULTY_POSTS, RESULTS, Case, run_case  # noqa: E402

BEYOND = Case("stored 5 s late (outside the window)", {"kind": "slow", "delay": 5.0})


def main() -> None:
    print(
        f"Fault matrix: {RESULTS} results, the fault on posts {sorted(FAULTY_POSTS)} of 15, "
        "then `practitest upload` of the same spool (simulator on 127.0.0.1)"
    )
    print(
        f"  {'fault':<40} {'delivered':>9} {'spooled':>8} {'dupes':>6}"
        f" {'resumed':>8} {'dupes':>6} {'s':>5}"
    )
    for case in (*CASES, BEYOND):
        started = time.monotonic()
        outcome = run_case(case)
        print(
            f"  {case.name:<40} {outcome.delivered:>9} {outcome.spooled:>8} "
            f"{outcome.duplicates:>6} {outcome.delivered_after_resume:>8} "
            f"{outcome.duplicates_after_resume:>6} {time.monotonic() - started:>5.1f}",
            flush=True,
        )

    answer_matrix()


def answer_matrix() -> None:
    print(
        f"\nAnswer matrix: {len(ENDPOINTS)} endpoints x {len(CELLS) // len(ENDPOINTS)} answers, "
        f"{CELL_RESULTS} results each, the answer on the endpoint's first call, then a resume"
    )
    print(
        f"  {'endpoint / answer':<44} {'deliv':>5} {'rej':>4} {'kept':>4} {'dupes':>5}"
        f" {'unknown':>7} {'resumed d/r/k':>13} {'s':>5}"
    )
    started_all = time.monotonic()
    bad = 0
    for cell in CELLS:
        started = time.monotonic()
        o = run_cell(cell)
        after = f"{o.delivered_after_resume}/{o.rejected_after_resume}/{o.kept_after_resume}"
        ok = (
            o.delivered + o.rejected + o.kept == CELL_RESULTS
            and o.duplicates + o.duplicates_after_resume + o.unknown_to_spool == 0
            and o.kept_after_resume == 0
            and (o.kept == 0 or may_keep(cell))
        )
        bad += not ok
        print(
            f"  {cell.name:<44} {o.delivered:>5} {o.rejected:>4} {o.kept:>4} "
            f"{o.duplicates + o.duplicates_after_resume:>5} {o.unknown_to_spool:>7} "
            f"{after:>13} {time.monotonic() - started:>5.2f}{'' if ok else '  <-- !'}",
            flush=True,
        )
    print(f"  {len(CELLS)} cells, {bad} off, {time.monotonic() - started_all:.1f} s")


if __name__ == "__main__":
    main()
