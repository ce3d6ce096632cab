"""Every test pytest reports ends as exactly one run, or is named in the summary.

Each case here once lost a result (or aborted the session) while the summary said
"N of N delivered". The count is checked against what the simulator stored.
"""

from __future__ import annotations

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import Run, attachments, output, runs_by_test

TEARDOWN_RAISES = """
import pytest

@pytest.fixture
def leaky():
    yield
    raise RuntimeError("teardown boom")

@pytest.mark.flaky(reruns=2)
def test_teardown_fails_every_time(leaky):
    pass

@pytest.mark.flaky(reruns=2)
def test_plain(n=[]):
    n.append(1)
    assert len(n) > 1

def test_other():
    pass
"""


def outputs(sim: Simulator) -> dict[str, list[tuple[str, str | None]]]:
    return {
        name.split("::")[-1]: [(r["status"], output(r)) for r in runs]
        for name, runs in runs_by_test(sim).items()
    }


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_rerun_test_whose_teardown_raises_is_recorded_once(
    pytester: pytest.Pytester, run: Run, sim: Simulator, workers: list[str]
) -> None:
    pytester.makepyfile(test_rerun=TEARDOWN_RAISES)
    result = run("-p", "rerunfailures", *workers)
    result.stdout.fnmatch_lines(["* 1 error, 3 rerun in *"])
    stored = outputs(sim)
    assert stored == {
        "test_teardown_fails_every_time": [
            (
                "FAILED",
                "error in teardown: RuntimeError: teardown boom (teardown_error on attempt 3 of 3)",
            )
        ],
        "test_plain": [("PASSED", "(passed on attempt 2 of 2)")],
        "test_other": [("PASSED", None)],
    }
    result.stdout.fnmatch_lines(["PractiTest: 3 of 3 runs delivered*"])
    result.stdout.no_fnmatch_line("*not in the count*")


def test_a_modify_record_hook_that_raises_leaves_the_record_unmodified(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makeconftest(
        """
        import dataclasses

        def pytest_practitest_modify_record(record):
            if record.label.endswith("test_b"):
                raise ValueError("no build number")
            return dataclasses.replace(record, version="7.1")
        """
    )
    pytester.makepyfile("def test_a(): pass\ndef test_b(): pass\ndef test_c(): assert 0")
    result = run()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    versions = {
        name.split("::")[-1]: runs[0]["version"] for name, runs in runs_by_test(sim).items()
    }
    assert versions == {"test_a": "7.1", "test_b": None, "test_c": "7.1"}
    result.stdout.fnmatch_lines(
        [
            "PractiTest: warning: a pytest_practitest_modify_record hook raised ValueError: "
            "no build number at conftest.py:5; the record went unmodified (for 1 test)",
            "PractiTest: 3 of 3 runs delivered*",
        ]
    )


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_map_item_hook_that_raises_does_not_abort_the_session(
    pytester: pytest.Pytester, run: Run, sim: Simulator, workers: list[str]
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.hookimpl(optionalhook=True)
        def pytest_practitest_map_item(item):
            raise KeyError(item.name)
        """
    )
    pytester.makepyfile(
        test_map_item="import pytest\n"
        "@pytest.mark.practitest(name='Named by marker')\n"
        "def test_a(): pass\n"
        "def test_b(): pass\n"
    )
    result = run(*workers)
    assert result.ret == pytest.ExitCode.OK
    assert sorted(runs_by_test(sim)) == ["Named by marker", "test_map_item.py::test_b"]
    result.stdout.fnmatch_lines(
        [
            "PractiTest: warning: a pytest_practitest_map_item hook raised KeyError: * at "
            "conftest.py:5; markers and the mapping file decided instead (for 1 test)",
        ]
    )
    result.stdout.fnmatch_lines(["PractiTest: 2 of 2 runs delivered*"])


def test_an_add_artifacts_hook_that_raises_keeps_the_result_and_the_other_files(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makeconftest(
        """
        def pytest_practitest_add_artifacts(item, report):
            if report.when == "call":
                raise OSError("no screen")
        """
    )
    pytester.makepyfile("def test_a(): assert 0")
    result = run()
    result.assert_outcomes(failed=1)
    [stored] = runs_by_test(sim)[
        "test_an_add_artifacts_hook_that_raises_keeps_the_result_and_the_other_files.py::test_a"
    ]
    assert stored["status"] == "FAILED"
    assert "traceback.txt" in attachments(sim, "run", stored["id"])
    result.stdout.fnmatch_lines(
        ["PractiTest: warning: a pytest_practitest_add_artifacts hook raised OSError: no screen*"]
    )


def test_a_crashed_xdist_worker_still_gives_its_test_a_failed_run(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        test_crash="import os\ndef test_a(): pass\ndef test_crash(): os._exit(1)\ndef test_c(): pass"
    )
    result = run("-n", "2")
    result.assert_outcomes(passed=2, failed=1)
    stored = outputs(sim)
    assert stored["test_crash"] == [
        ("FAILED", "worker 'gw0' crashed while running 'test_crash.py::test_crash'")
    ] or stored["test_crash"] == [
        ("FAILED", "worker 'gw1' crashed while running 'test_crash.py::test_crash'")
    ]
    assert len(sim.entities("runs")) == 3
    result.stdout.fnmatch_lines(
        ["PractiTest: warning: 1 test never reported a teardown*test_crash.py::test_crash"]
    )


def test_a_record_that_cannot_be_spooled_is_named_not_hidden(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makeconftest(
        """
        from pytest_practitest.upload.session import SessionOutbox

        original = SessionOutbox.add

        def add(self, record):
            if record.label.endswith("test_b"):
                raise OSError(28, "No space left on device")
            original(self, record)

        SessionOutbox.add = add
        """
    )
    pytester.makepyfile("def test_a(): pass\ndef test_b(): pass\ndef test_c(): pass")
    result = run("--practitest-strict")
    result.stdout.fnmatch_lines(
        [
            "PractiTest: 2 of 2 runs delivered*",
            "PractiTest: 1 test that pytest reported is not in the count above: "
            "test_a_record_that_cannot_be_spooled_is_named_not_hidden.py::test_b "
            "(could not be recorded: OSError: [[]Errno 28[]] No space left on device)",
            "*--practitest-strict: the session fails*",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_unittest_subtests_that_fail_make_the_run_fail_and_are_named(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        test_sub="""
        import unittest

        class T(unittest.TestCase):
            def test_numbers(self):
                for i in range(4):
                    with self.subTest(i=i):
                        self.assertLess(i, 2)

        def test_fixture(subtests):
            for i in range(3):
                with subtests.test(msg="case", i=i):
                    assert i != 1
        """
    )
    result = run()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    stored = outputs(sim)
    assert stored == {
        "test_numbers": [
            (
                "FAILED",
                "2 subtests failed: (i=2): AssertionError: 2 not less than 2; "
                "(i=3): AssertionError: 3 not less than 2",
            )
        ],
        "test_fixture": [("FAILED", "1 subtest failed: [case] (i=1): assert 1 != 1")],
    }
    run_id = runs_by_test(sim)["test_sub.py::T::test_numbers"][0]["id"]
    traceback = attachments(sim, "run", run_id)["traceback.txt"].decode()
    assert "--- subtest (i=2) ---" in traceback
    assert "--- subtest (i=3) ---" in traceback


def test_the_users_junitxml_holds_nothing_of_ours(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        "from pytest_practitest import attach, step\n"
        "def test_a():\n"
        "    with step('open'):\n"
        "        attach(b'x', 'x.txt')\n"
        "def test_b(record_property):\n"
        "    record_property('ticket', 'PT-1')\n"
    )
    with_plugin = run(f"--junitxml={pytester.path / 'with.xml'}", "-o", "junit_family=xunit1")
    with_plugin.assert_outcomes(passed=2)
    text = (pytester.path / "with.xml").read_text()
    assert "practitest" not in text
    assert '<property name="ticket" value="PT-1"' in text
    assert len(sim.entities("runs")) == 2
    assert len(sim.entities("step_runs")) == 1


def test_captured_output_is_attached_once_per_phase(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def fx():
            print("in setup")
            yield
            print("in teardown")

        def test_c(fx):
            print("in call")
            assert 0
        """
    )
    run().assert_outcomes(failed=1)
    [stored] = runs_by_test(sim)["test_captured_output_is_attached_once_per_phase.py::test_c"]
    stdout = attachments(sim, "run", stored["id"])["stdout.txt"].decode()
    assert stdout == (
        "--- Captured stdout setup ---\nin setup\n\n"
        "--- Captured stdout call ---\nin call\n\n"
        "--- Captured stdout teardown ---\nin teardown\n"
    )


def test_a_file_that_cannot_be_collected_is_named_in_the_summary(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        test_fine="def test_a(): pass", test_broken="import no_such_module\ndef test_b(): pass"
    )
    result = run("--continue-on-collection-errors")
    result.stdout.fnmatch_lines(
        [
            "PractiTest: 1 of 1 runs delivered*",
            "PractiTest: 1 file could not be collected (test_broken.py): its tests did not run "
            "and are not in the count above",
        ]
    )


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_test_pytest_counts_twice_is_named_as_one_run(
    pytester: pytest.Pytester, run: Run, sim: Simulator, workers: list[str]
) -> None:
    """The demo's '14 of 14 runs delivered' sat next to 15 outcomes in pytest's line."""
    pytester.makepyfile(
        test_logout="""
        import pytest

        @pytest.fixture
        def session():
            yield
            raise RuntimeError("logout left a session open")

        def test_logout(session):
            pass

        def test_login():
            pass
        """
    )
    result = run(*workers)
    result.assert_outcomes(passed=2, errors=1)  # three outcomes for two tests
    result.stdout.fnmatch_lines(
        [
            "PractiTest: 2 of 2 runs delivered*",
            "PractiTest: 1 test pytest counts twice (an outcome, then an error in teardown) "
            "is one run each above: test_logout.py::test_logout",
        ]
    )
    assert sorted(r["status"] for r in sim.entities("runs")) == ["FAILED", "PASSED"]
