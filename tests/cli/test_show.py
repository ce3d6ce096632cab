"""``practitest show``: the user's own test set, as the demo shows its own."""

from __future__ import annotations

import pytest

from pytest_practitest.simulator import Simulator
from tests.conftest import TOKEN, Run
from tests.helpers import run_cli


def test_show_prints_the_set_with_last_runs_steps_and_files(
    pytester: pytest.Pytester, run: Run, psim: Simulator
) -> None:
    pytester.makepyfile(
        test_shop="""
from pytest_practitest import step

def test_pay():
    with step("open the cart"):
        pass
    with step("pay by card") as pay:
        pay.attach(b"declined", "gateway.txt")
        assert False, "card declined"
"""
    )
    run().stdout.fnmatch_lines(["PractiTest: 1 of 1 runs delivered*"])
    shown = run_cli(
        *("show", "--project-id", "4500", "--set-name", "Nightly regression", "--files"),
        PRACTITEST_TOKEN=TOKEN,
        PRACTITEST_URL=psim.url,
        PRACTITEST_RATE_LIMIT="0",
    )
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "test set 20000 'Nightly regression' in project 4500"
    assert "   1:1  NO RUN        Cart: add an item" in lines
    index = lines.index("   1:9  FAILED        test_shop.py::test_pay")
    assert lines[index + 1 : index + 4] == [
        " " * 21 + "output: AssertionError: card declined",
        " " * 21 + "step 1: PASSED  open the cart",
        " " * 21 + "step 2: FAILED  pay by card  [gateway.txt (8 B)]",
    ]
    assert lines[index + 4].startswith(" " * 21 + "files: traceback.txt (")
    assert "totals: 8 NO RUN, 1 FAILED" in lines
    assert TOKEN not in shown.stdout + shown.stderr


def test_show_of_a_set_that_is_not_there(psim: Simulator) -> None:
    shown = run_cli(
        "show",
        "--project-id",
        "4500",
        "--set-id",
        "99",
        PRACTITEST_TOKEN=TOKEN,
        PRACTITEST_URL=psim.url,
    )
    assert shown.returncode == 2
    assert shown.stderr.strip() == (
        "practitest show: error: test set 99 does not exist in project 4500; check PRACTITEST_SET_ID"
    )
