"""``practitest show``: the user's own test set, as the demo shows its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import TOKEN, Run, run_cli


def test_show_prints_the_set_with_last_runs_steps_and_files(
    pytester: pytest.Pytester, run: Run, sim: Simulator
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

def test_refund():
    import pytest
    pytest.skip("no refunds yet")
"""
    )
    run().stdout.fnmatch_lines(["PractiTest: 2 of 2 runs delivered*"])
    shown = run_cli(
        *("show", "--project-id", "4500", "--set-name", "Nightly regression", "--files"),
        PRACTITEST_TOKEN=TOKEN,
        PRACTITEST_URL=sim.url,
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
    assert "  1:10  NO RUN        test_shop.py::test_refund" in lines
    # The skipped test's run is NO RUN, as are the instances never run: counted apart.
    assert "totals: 8 never run, 1 FAILED, 1 NO RUN" in lines
    assert TOKEN not in shown.stdout + shown.stderr


def test_show_of_a_set_that_is_not_there(sim: Simulator) -> None:
    shown = run_cli(
        "show",
        "--project-id",
        "4500",
        "--set-id",
        "99",
        PRACTITEST_TOKEN=TOKEN,
        PRACTITEST_URL=sim.url,
    )
    assert shown.returncode == 2
    assert shown.stderr.strip() == (
        "practitest show: error: test set 99 does not exist in project 4500; check --set-id"
    )


def test_the_last_run_is_the_latest_created_whatever_the_ids_and_listing_order() -> None:
    """The reference lists runs with falling ids and promises no order: time decides."""
    from typing import Any

    from pytest_practitest.cli.show import view

    instance = {"id": "7", "attributes": {"display-id": "1:1", "name": "t", "run-status": "FAILED"}}
    runs = [
        {
            "id": "5",
            "attributes": {
                "instance-id": 7,
                "created-at": "2026-12-03T10:00:05+00:00",
                "automated-execution-output": "newer",
            },
        },
        {
            "id": "9",
            "attributes": {
                "instance-id": 7,
                "created-at": "2026-12-03T10:00:01Z",
                "automated-execution-output": "older",
            },
        },
    ]

    class Listing:
        def paginate(self, path: str, params: Any = None) -> list[Any]:
            if path.endswith("/instances.json"):
                return [instance]
            return runs if path.endswith("/runs.json") else []

    for order in (runs, runs[::-1]):
        runs[:] = order
        lines = view(Listing(), 4500, 20000)  # type: ignore[arg-type]
        assert " " * 21 + "output: newer" in lines


def test_show_download_saves_the_files_saying_the_calls_first(
    pytester: pytest.Pytester, run: Run, sim: Simulator, tmp_path: Path
) -> None:
    pytester.makepyfile(
        test_shop="""
from pytest_practitest import attach, step

def test_pay():
    attach(b"receipt 42", "receipt.txt")
    with step("pay by card") as pay:
        pay.attach(b"declined", "../gateway.txt")
        assert False, "card declined"
"""
    )
    run().stdout.fnmatch_lines(["PractiTest: 1 of 1 runs delivered*"])
    before = len(sim.requests)
    folder = tmp_path / "files"
    shown = run_cli(
        *("show", "--project-id", "4500", "--set-id", "20000", "--download", str(folder)),
        PRACTITEST_TOKEN=TOKEN,
        PRACTITEST_URL=sim.url,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stderr.splitlines() == [
        "practitest show: listing the files: 2 API calls (one per last run and per step that "
        "did not pass), about 1 s at 30 calls / 60 s",
        f"practitest show: downloading the files to {folder}: 3 API calls (one per file), "
        "about 2 s at 30 calls / 60 s",
    ]
    run_id = next(int(r["id"]) for r in sim.entities("runs"))
    saved = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert saved == [
        f"run-{run_id}/receipt.txt",
        f"run-{run_id}/step-1/gateway.txt",
        f"run-{run_id}/traceback.txt",
    ]
    assert (folder / f"run-{run_id}" / "receipt.txt").read_bytes() == b"receipt 42"
    assert (folder / f"run-{run_id}" / "step-1" / "gateway.txt").read_bytes() == b"declined"
    lines = shown.stdout.splitlines()
    assert lines[-2].startswith("files: 3 files (")
    assert lines[-2].endswith(f" bytes) saved in {folder}")
    assert lines[-1] == "(9 API calls in all)"
    downloads = [r for r in sim.requests[before:] if "/attachments/" in r.path]
    assert [(r.method, r.status) for r in downloads] == [("GET", 302)] * 3
    assert TOKEN not in shown.stdout + shown.stderr
