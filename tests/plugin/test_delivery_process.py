"""The delivery process: it uploads while tests run, outlives a crash, and ignores Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_practitest.model import Destination
from pytest_practitest.settings import resolve
from pytest_practitest.simulator import Simulator
from pytest_practitest.upload import background as delivery
from tests.helpers import Run, runs_by_test, wait_for


def test_results_spooled_before_the_test_process_dies_are_still_delivered(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        test_die="""
        import os
        def test_a(): pass
        def test_b(): assert 0
        def test_c(): os._exit(3)  # a segfault, an OOM kill: no session end, no summary
        """
    )
    result = run(subprocess=True)
    assert result.ret == 3
    # The delivery process saw its input end without the end message: it sends what the
    # spool holds within the configured deadline, then exits.
    assert wait_for(lambda: len(sim.entities("runs")) == 2, timeout=20)
    stored = runs_by_test(sim)
    assert [r["status"] for r in stored["test_die.py::test_a"]] == ["PASSED"]
    assert [r["status"] for r in stored["test_die.py::test_b"]] == ["FAILED"]
    assert "test_die.py::test_c" not in stored


def test_ctrl_c_in_a_terminal_stops_the_tests_but_not_delivery(
    pytester: pytest.Pytester, sim: Simulator
) -> None:
    # A terminal sends SIGINT to the whole process group: pytest and its delivery process.
    pytester.makepyfile(
        test_int="""
        import pathlib, time
        import pytest
        @pytest.mark.parametrize("n", range(30))
        def test_quick(n): pass
        def test_long():
            pathlib.Path("ready").touch()
            time.sleep(60)
        """
    )
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--practitest"),
            *(f"--practitest-url={sim.url}", "--practitest-project-id=4500"),
            *("--practitest-set-id=20000", "--practitest-rate-limit=0"),
            "--practitest-create-missing",
            f"--practitest-author-id={sim.info.users['owner@example.com']}",
        ],
        cwd=pytester.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as in a terminal
    )
    try:
        assert wait_for(lambda: (pytester.path / "ready").exists(), timeout=30)
        os.killpg(process.pid, signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == pytest.ExitCode.INTERRUPTED, out
    assert "PractiTest: 30 of 30 runs delivered to test set 20000" in out
    assert len(sim.entities("runs")) == 30


def test_a_delivery_process_that_fails_is_reported_and_nothing_is_lost(
    pytester: pytest.Pytester, run: Run, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        delivery,
        "command",
        lambda path: [sys.executable, "-c", "import sys; sys.exit('broken interpreter')"],
    )
    pytester.makepyfile(test_f="def test_a(): pass\ndef test_b(): pass")
    result = run()
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "*PractiTest: 0 of 2 runs delivered to test set 20000*",
            "*PractiTest: stopped: the delivery process failed (exit code 1): broken interpreter",
            "*PractiTest: 2 not delivered; kept in *; resume with: practitest upload *",
        ]
    )
    assert sim.entities("runs") == []


def test_finish_kills_a_delivery_process_that_does_not_answer_in_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        delivery, "command", lambda path: [sys.executable, "-c", "import time; time.sleep(60)"]
    )
    monkeypatch.setattr(delivery, "GRACE_SECONDS", 0.5)
    settings = resolve({}, lambda name: None, {})
    started = time.monotonic()
    report, warnings, problem = delivery.DeliveryProcess(tmp_path / "s.jsonl", settings).finish(0.5)
    assert time.monotonic() - started < 5
    assert (report, warnings) == (None, [])
    assert problem == "delivery did not finish within 0.5 s"


def test_the_delivery_process_runs_below_the_tests_in_priority(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_practitest.spool.journal import Spool, SpoolMeta

    monkeypatch.setenv("PRACTITEST_TOKEN", "not-used")  # nothing is spooled: nothing is sent
    spool = Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=4500, url="http://127.0.0.1:9"))
    )
    process = delivery.DeliveryProcess(spool.path, resolve({}, lambda name: None, {}))
    pid = process._process.pid
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    try:
        assert wait_for(
            lambda: os.getpriority(os.PRIO_PROCESS, pid) == min(mine + delivery.NICENESS, 19)
        )
    finally:
        spool.close()
        report, _, problem = process.finish(5)
    assert problem is None
    assert report is not None
    assert (report.total, report.delivered) == (0, 0)


WAITING_SUITE = """
import pytest
@pytest.mark.practitest(instance_id=300000)
@pytest.mark.parametrize("n", range({count}))
def test_many(n): pass
"""


def test_a_long_final_wait_says_how_far_delivery_has_got(
    pytester: pytest.Pytester, run: Run, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "PROGRESS_SECONDS", 0.3)
    pytester.makepyfile(test_w=WAITING_SUITE.format(count=100))
    # Three calls a second: the five posts take a while after the last test.
    result = run("--practitest-rate-limit=3/1", create=False)
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "PractiTest: sending the last * of 100 results (waiting at most 20 s; "
            "Ctrl-C stops the wait, nothing is lost)",
            "PractiTest: * of 100 delivered after * s",
            "*PractiTest: 100 of 100 runs delivered to test set 20000 'Nightly regression' "
            "in 7 API calls*",
        ]
    )
    assert len(sim.entities("runs")) == 100


def test_ctrl_c_during_the_final_wait_stops_it_and_keeps_the_rest(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(test_w=WAITING_SUITE.format(count=200))
    pytester.makeconftest(
        """
        import os, signal, threading
        import pytest
        @pytest.hookimpl(tryfirst=True)
        def pytest_sessionfinish(session):
            # The user presses Ctrl-C one second into the wait for delivery.
            threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
        """
    )
    started = time.monotonic()
    # One call a second: the ten posts would take ten seconds.
    result = run("--practitest-rate-limit=1/1", create=False, subprocess=True)
    assert time.monotonic() - started < 8
    assert result.ret == 0  # the tests passed; stopping the wait does not change that
    result.stdout.fnmatch_lines(
        [
            "PractiTest: stopped: delivery was interrupted (Ctrl-C)",
            "PractiTest: * not delivered; kept in *; resume with: practitest upload *",
        ]
    )
    output = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in output
    assert "KeyboardInterrupt" not in output
    assert len(sim.entities("runs")) < 200
