"""The fault matrix as a table: 300 results through each fault on the runs post, then a resume.

    python bench/bench_faults.py

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


if __name__ == "__main__":
    main()
