"""One test per outcome kind: the status, steps and files PractiTest stored."""

from __future__ import annotations

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import Run, attachments, runs_by_test, step_runs
from tests.helpers import output as stored_output

OUTCOMES = {
    "test_pass": ("def test_pass(): pass", "PASSED", ""),
    "test_fail": ("def test_fail(): assert 1 == 2", "FAILED", "assert 1 == 2"),
    "test_setup_error": (
        "@pytest.fixture\ndef broken(): raise RuntimeError('db down')\n"
        "def test_setup_error(broken): pass",
        "BLOCKED",
        "error in setup: RuntimeError: db down",
    ),
    "test_teardown_error_after_pass": (
        "@pytest.fixture\ndef leaky():\n    yield\n    raise OSError('cleanup failed')\n"
        "def test_teardown_error_after_pass(leaky): pass",
        "FAILED",
        "error in teardown: OSError: cleanup failed",
    ),
    "test_teardown_error_after_fail": (
        "@pytest.fixture\ndef leaky2():\n    yield\n    raise OSError('cleanup failed')\n"
        "def test_teardown_error_after_fail(leaky2): assert 0, 'boom'",
        "FAILED",
        "AssertionError: boom",
    ),
    "test_skip_marker": (
        "@pytest.mark.skip(reason='not today')\ndef test_skip_marker(): pass",
        "NO RUN",
        "skipped: not today",
    ),
    "test_skip_imperative": (
        "def test_skip_imperative(): pytest.skip('no network')",
        "NO RUN",
        "skipped: no network",
    ),
    "test_skip_in_setup": (
        "@pytest.fixture\ndef needs_db(): pytest.skip('no database')\ndef test_skip_in_setup(needs_db): pass",
        "NO RUN",
        "skipped: no database",
    ),
    "test_xfail": (
        "@pytest.mark.xfail(reason='bug 123')\ndef test_xfail(): assert 0",
        "BLOCKED",
        "xfail: bug 123",
    ),
    "test_xpass": (
        "@pytest.mark.xfail(reason='bug 9')\ndef test_xpass(): pass",
        "PASSED",
        "xpass: bug 9",
    ),
    "test_xpass_strict": (
        "@pytest.mark.xfail(reason='bug 7', strict=True)\ndef test_xpass_strict(): pass",
        "FAILED",
        "[XPASS(strict)] bug 7",
    ),
}


@pytest.fixture
def outcome_run(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> dict[str, list[dict[str, object]]]:
    pytester.makepyfile(
        test_outcomes="import pytest\n\n" + "\n\n".join(code for code, _, _ in OUTCOMES.values())
    )
    result = run()
    result.assert_outcomes(passed=2, failed=3, errors=3, skipped=3, xfailed=1, xpassed=1)
    return runs_by_test(sim)


@pytest.mark.parametrize("name", list(OUTCOMES))
def test_outcome_becomes_the_documented_status(
    outcome_run: dict[str, list[dict[str, object]]], name: str
) -> None:
    _, status, output = OUTCOMES[name]
    [stored] = outcome_run[f"test_outcomes.py::{name}"]
    assert stored["status"] == status
    assert str(stored_output(stored) or "").startswith(output)


def test_failure_carries_traceback_and_captured_output(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        """
        import logging
        def test_fail():
            print("to stdout")
            logging.getLogger("shop").warning("to the log")
            assert {"a": 1} == {"a": 2}
        """
    )
    run().assert_outcomes(failed=1)
    [stored] = runs_by_test(sim)["test_failure_carries_traceback_and_captured_output.py::test_fail"]
    files = attachments(sim, "run", stored["id"])
    # (a long crash message, as pytest prints under CI=true, also brings execution-output.txt)
    assert (
        {"traceback.txt", "stdout.txt", "log.txt"}
        <= set(files)
        <= {
            "traceback.txt",
            "stdout.txt",
            "log.txt",
            "execution-output.txt",
        }
    )
    assert b"assert {'a': 1} == {'a': 2}" in files["traceback.txt"]
    assert b"to stdout" in files["stdout.txt"]
    assert b"to the log" in files["log.txt"]


def test_steps_nested_attached_and_failing(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        """
        from pytest_practitest import attach, step

        @step("log in", expected="dashboard")
        def login():
            pass

        def test_checkout():
            login()
            with step("pay", description="by card") as pay:
                with step("enter card"):
                    pay.attach(b"PNG", "card.png")
                attach(b"receipt", "receipt.txt")
                with step("confirm"):
                    assert False, "declined"
        """
    )
    run().assert_outcomes(failed=1)
    [stored] = runs_by_test(sim)["test_steps_nested_attached_and_failing.py::test_checkout"]
    assert stored["status"] == "FAILED"
    assert step_runs(sim, stored["id"]) == [
        ("log in", "PASSED"),
        ("pay", "FAILED"),
        ("pay > enter card", "PASSED"),
        ("pay > confirm", "FAILED"),
    ]
    pay_step = next(s for s in sim.entities("step_runs") if s["name"] == "pay")
    assert attachments(sim, "step-run", pay_step["id"]) == {"card.png": b"PNG"}
    assert attachments(sim, "run", stored["id"])["receipt.txt"] == b"receipt"
    confirm = next(s for s in sim.entities("step_runs") if s["name"] == "pay > confirm")
    assert confirm["actual-results"].startswith("AssertionError: declined")


def test_artifact_hook_adds_a_screenshot_on_failure(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def page():
            return type("Page", (), {"screenshot": lambda self: b"\\x89PNG screenshot"})()

        def pytest_practitest_add_artifacts(item, report):
            if report.when == "call" and report.failed and "page" in item.funcargs:
                return [("screenshot.png", item.funcargs["page"].screenshot())]
        """
    )
    pytester.makepyfile("def test_ui(page): assert False\ndef test_ok(page): pass")
    run().assert_outcomes(failed=1, passed=1)
    grouped = runs_by_test(sim)
    failed = grouped["test_artifact_hook_adds_a_screenshot_on_failure.py::test_ui"][0]
    passed = grouped["test_artifact_hook_adds_a_screenshot_on_failure.py::test_ok"][0]
    assert attachments(sim, "run", failed["id"])["screenshot.png"] == b"\x89PNG screenshot"
    assert attachments(sim, "run", passed["id"]) == {}


def test_duration_version_and_fields(pytester: pytest.Pytester, run: Run, sim: Simulator) -> None:
    pytester.makepyfile("import time\ndef test_slow(): time.sleep(1.2)")
    run(
        "--practitest-version=2.4.1",
        "--practitest-field=Browser=Firefox",
        "--practitest-field=Build=b77",
    )
    [stored] = runs_by_test(sim)["test_duration_version_and_fields.py::test_slow"]
    assert stored["run-duration"] == "00:00:01"
    assert stored["version"] == "2.4.1"
    browser, build = sim.info.custom_fields["Browser"], sim.info.custom_fields["Build"]
    assert stored["custom-fields"] == {f"---f-{browser}": "Firefox", f"---f-{build}": "b77"}


def test_status_map_override(pytester: pytest.Pytester, run: Run, sim: Simulator) -> None:
    pytester.makepyfile("import pytest\ndef test_skipped(): pytest.skip('n/a here')")
    run("--practitest-status-map=skipped=N/A")
    [stored] = runs_by_test(sim)["test_status_map_override.py::test_skipped"]
    assert stored["status"] == "N/A"
