"""Delivery from the plugin: xdist, reruns, outages, strict, dry run, and what it costs when off."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import TOKEN, Run, count_by, output, runs_by_test

SUITE = """
import pytest
from pytest_practitest import step

@pytest.mark.parametrize("n", range(12))
def test_many(n):
    with step(f"check {n}"):
        assert n % 5 != 4

def test_skip(): pytest.skip("later")
"""


def summary(sim: Simulator) -> dict[str, list[tuple[str, str]]]:
    return {
        name: sorted((r["status"], output(r) or "") for r in runs)
        for name, runs in runs_by_test(sim).items()
    }


def test_xdist_stores_the_same_runs_as_a_serial_run(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(test_suite=SUITE)
    run().assert_outcomes(passed=10, failed=2, skipped=1)
    serial = summary(sim)
    for entity in list(sim.store.table("runs")):
        sim.store.table("runs").pop(entity)
    result = run("-n", "2")
    result.assert_outcomes(passed=10, failed=2, skipped=1)
    assert summary(sim) == serial
    assert len(sim.entities("runs")) == 13
    result.stdout.fnmatch_lines(["*PractiTest: 13 of 13 runs delivered*"])
    assert not list(pytester.path.glob("*.lock"))


def test_rerun_gives_one_run_with_the_final_outcome(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        """
        import pytest
        ATTEMPTS = []

        @pytest.mark.flaky(reruns=2)
        def test_flaky():
            ATTEMPTS.append(1)
            assert len(ATTEMPTS) == 3
        """
    )
    result = run("-p", "rerunfailures")
    outcomes = result.parseoutcomes()  # warnings may come between them (run from elsewhere)
    assert (outcomes["passed"], outcomes["rerun"]) == (1, 2)
    [stored] = runs_by_test(sim)["test_rerun_gives_one_run_with_the_final_outcome.py::test_flaky"]
    assert stored["status"] == "PASSED"
    assert output(stored) == "(passed on attempt 3 of 3)"


def test_upload_runs_while_the_suite_runs(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        """
        import time, pathlib
        import pytest

        @pytest.mark.parametrize("n", range(50))
        def test_n(n):
            time.sleep(0.01)
            if n == 49:
                pathlib.Path("last_test_ended").write_text(repr(time.time()))
        """
    )
    for new_tests in (True, False):
        sim.clear_requests()
        run("--practitest-rate-limit=0").assert_outcomes(passed=50)
        last_test_ended = float(pytester.path.joinpath("last_test_ended").read_text())
        posts = [r for r in sim.requests if r.method == "POST" and "/runs" in r.path]
        # new tests with an account token's author are made the documented way (tests.json,
        # instances in bulks), not by auto_create, which takes no author; runs go 20 per post
        assert [r.path.endswith("/runs.json") for r in posts] == [True] * 3
        if new_tests:
            assert [r.method for r in sim.requests].count("POST") == 3 + 50 + 3
        first = next(r for r in sim.requests if r.method == "POST")
        assert first.started < last_test_ended  # the first went out while tests were running


def test_simulator_down_keeps_exit_code_and_spool_then_upload_delivers(
    pytester: pytest.Pytester, sim: Simulator
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    pytester.makepyfile(
        test_x="def test_ok(): pass\ndef test_bad(): assert 0\ndef test_ok2(): pass"
    )
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--practitest",
        f"--practitest-url=http://127.0.0.1:{dead_port}",
        "--practitest-project-id=4500",
        "--practitest-set-id=20000",
        "--practitest-deadline=5",
    )
    result.assert_outcomes(passed=2, failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # unchanged by the outage
    result.stdout.fnmatch_lines(
        [
            "*PractiTest: 0 of 3 runs delivered*",
            "*PractiTest: stopped: GET /projects/4500/sets/20000.json failed: could not connect*",
            "*PractiTest: 3 not delivered; kept in *; resume with: practitest upload * "
            "(to the same URL; add --url URL if that one was wrong)",
        ]
    )
    [spool] = pytester.path.joinpath(".practitest").glob("*.jsonl")
    # The spool was made here: it keeps its URL unless the command line re-targets it.
    env = {**os.environ, "PRACTITEST_TOKEN": TOKEN, "PRACTITEST_URL": "http://127.0.0.1:9"}
    env.pop("PRACTITEST_PROJECT_ID", None)
    # Nothing maps these tests: their names must exist in the set for the upload to find them.
    for name in ("test_x.py::test_ok", "test_x.py::test_bad", "test_x.py::test_ok2"):
        from pytest_practitest.simulator import entities

        test = entities.create_test(
            sim.store, 4500, {"name": name}, sim.info.users["owner@example.com"]
        )
        entities.create_instance(sim.store, sim.store.table("sets")[20000], test)
    upload = subprocess.run(
        [sys.executable, "-m", "pytest_practitest.cli", "upload", str(spool), "--url", sim.url],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert upload.returncode == 0, upload.stdout + upload.stderr
    assert f"PractiTest: everything is delivered; removed {spool}" in upload.stdout
    assert not spool.exists()
    assert max(count_by(sim.entities("runs"), "instance-id").values()) == 1
    assert len(sim.entities("runs")) == 3


def test_strict_turns_a_delivery_failure_into_a_failed_session(
    pytester: pytest.Pytester, run: Run
) -> None:
    pytester.makepyfile(test_s="def test_nowhere(): pass")
    result = run("--practitest-strict", create=False)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["*--practitest-strict: the session fails because not everything was delivered"]
    )
    assert run(create=False).ret == pytest.ExitCode.OK  # not strict: the run's own outcome stands


def test_dry_run_plans_and_sends_nothing(pytester: pytest.Pytester, sim: Simulator) -> None:
    pytester.makepyfile(test_d="def test_a(): pass\ndef test_b(): assert 0")
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--practitest",
        "--practitest-dry-run",
        "--practitest-project-id=4500",
        "--practitest-set-name=Nightly",
        f"--practitest-url={sim.url}",
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*PractiTest dry run: nothing is sent.",
            "*project 4500, test set 'Nightly' (by name, created if missing)",
            "*2 runs: 2 by test name",
            "*API calls: 3 (2 lookups + 1 run posts)",
            "*the 2 records are in *",
        ]
    )
    assert sim.requests == []


def test_collect_only_sends_and_writes_nothing(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(test_c="def test_a(): pass")
    run("--collect-only")
    assert sim.requests == []
    assert not pytester.path.joinpath(".practitest").exists()


def test_report_header_shows_settings_not_the_token(pytester: pytest.Pytester, run: Run) -> None:
    pytester.makepyfile(test_h="def test_a(): pass")
    result = run("--practitest-rate-limit=20")
    result.stdout.fnmatch_lines(
        ["practitest: http://127.0.0.1:*project 4500 set 20000, rate limit 20/60s*"]
    )
    assert TOKEN not in result.stdout.str() + result.stderr.str()


def test_github_step_summary(
    pytester: pytest.Pytester, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary_file = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    pytester.makepyfile(test_g="def test_a(): pass")
    run()
    text = summary_file.read_text()
    assert text.startswith(
        "### PractiTest\n\n- 1 of 1 runs delivered to test set 20000 'Nightly regression'"
    )


def test_token_appears_nowhere(pytester: pytest.Pytester, run: Run, sim: Simulator) -> None:
    sim.faults.add("status", "POST", "/runs$", status=503, calls={1})
    pytester.makepyfile(
        test_t="import logging, pytest\ndef test_a(): logging.getLogger('x').warning('hello')\n"
        "def test_b(): assert 0\ndef test_c(): print('out')\n"
        # Refused by the server, so the real spool is kept and searched too.
        "@pytest.mark.practitest(instance_id=1)\ndef test_d(): pass"
    )
    result = run("-v", "--log-level=DEBUG", "-rA")
    dry = pytester.runpytest(
        "--practitest",
        "--practitest-dry-run",
        "--practitest-project-id=1",
        "--practitest-set-id=2",
        "-p",
        "no:cacheprovider",
    )
    everything = result.stdout.str() + result.stderr.str() + dry.stdout.str() + dry.stderr.str()
    everything += "".join(
        p.read_text(errors="replace")
        for p in pytester.path.joinpath(".practitest").rglob("*")
        if p.is_file()
    )
    assert "PractiTest: 3 of 4 runs delivered" in everything
    assert len(list(pytester.path.joinpath(".practitest").glob("*.jsonl"))) == 2  # real, dry
    assert TOKEN not in everything


def test_plugin_off_imports_no_http_stack(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_off="""
        import sys
        def test_no_http():
            loaded = [m for m in ("requests", "urllib3", "pytest_practitest.api.client", "pytest_practitest.collect.reporter")
                      if m in sys.modules]
            assert loaded == []
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "delivering"])
def test_the_test_process_never_loads_the_http_stack_when_on(
    pytester: pytest.Pytester, run: Run, dry_run: bool
) -> None:
    # Delivery happens in the delivery process; a dry run plans without any HTTP library.
    pytester.makeconftest(
        """
        import sys
        def pytest_unconfigure(config):
            print("HTTP LOADED:", [m for m in ("requests", "urllib3") if m in sys.modules])
        """
    )
    pytester.makepyfile(test_on="def test_a(): pass")
    result = run("-s", *(["--practitest-dry-run"] if dry_run else []), subprocess=True)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["HTTP LOADED: []"])


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_dis="def test_a(): pass")
    result = pytester.runpytest("-p", "no:practitest", "--help")
    assert "--practitest-project-id" not in result.stdout.str()


def test_an_interrupted_session_does_not_wait_for_delivery(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    import time

    sim.faults.add("slow", "POST", "/runs(/auto_create)?$", delay=30)
    pytester.makepyfile(
        test_i="import pytest\ndef test_a(): pass\ndef test_b(): pytest.exit('stop, please')\ndef test_c(): pass"
    )
    started = time.monotonic()
    result = run("--practitest-timeout=60")
    assert time.monotonic() - started < 15  # not the 20 s deadline, nor the 30 s server delay
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*resume with: practitest upload *"])


def test_a_delivered_session_leaves_no_spool_behind(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        test_f="from pytest_practitest import attach\n"
        "def test_shot(): attach(b'PNG', 'shot.png'); assert 0\n"
        "def test_fine(): attach(b'log', 'log.txt')"
    )
    folder = pytester.path / ".practitest"
    result = run()
    result.stdout.fnmatch_lines(["PractiTest: 2 of 2 runs delivered*"])
    assert sorted(attachments_named(sim)) == ["log.txt", "shot.png", "traceback.txt"]
    assert [p for p in folder.rglob("*") if p.is_file()] == []  # spool and artifacts: gone
    pytester.makepyfile(test_g="def test_nowhere(): pass")
    kept = run(create=False)  # test_nowhere has no instance: not delivered, so all is kept
    kept.stdout.fnmatch_lines(["PractiTest: 2 of 3 runs delivered*"])
    [kept_spool] = folder.glob("*.jsonl")
    kept_files = list(folder.glob("artifacts/*/*"))
    assert len(kept_files) == 2
    # What a test printed may hold secrets: only the owner can read any of it.
    assert {oct(p.stat().st_mode & 0o777) for p in [kept_spool, *kept_files]} == {"0o600"}
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    # The next sessions say that it is there and how to send it (a dry run's is not meant).
    pytester.path.joinpath("test_g.py").unlink()
    assert run("--practitest-dry-run").ret == pytest.ExitCode.TESTS_FAILED
    later = run()
    later.stdout.fnmatch_lines(
        [
            "PractiTest: 2 of 2 runs delivered*",
            "PractiTest: an earlier spool holds 1 result not delivered, rejected: refused "
            f"again by a plain upload; re-target it with practitest upload {kept_spool} "
            "--create-missing (an account token also needs --author-id), --set-id/--set-name "
            "(another set) or --map FILE (other tests); see why, or discard them, with: "
            f"practitest spools {kept_spool.parent}",
        ]
    )


def attachments_named(sim: Simulator) -> list[str]:
    return [a["name"] for a in sim.entities("attachments")]


def test_creating_more_tests_than_the_deadline_allows_is_said_before_they_run(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        test_many="import pytest\n@pytest.mark.parametrize('n', range(80))\ndef test_n(n): pass"
    )
    result = run("--practitest-rate-limit=30/60", "--practitest-deadline=1")
    result.assert_outcomes(passed=80)
    lines = result.stdout.lines
    warned, summary = [  # when the tests start, and again in the summary
        i
        for i, line in enumerate(lines)
        if line.startswith(
            # the demo set holds 8 instances: at least 72 of the 80 are new, made with their
            # author (an account token): three calls each
            "PractiTest: warning: at least 72 of the 80 tests collected have no instance in "
            "test set 20000 yet: creating them is 216 calls, about 420 s at 30 calls / 60 s, "
            "beyond the 1 s delivery waits after the last test;"
        )
    ]
    assert warned < next(i for i, line in enumerate(lines) if line.startswith("test_many.py"))
    assert summary > warned
    result.stdout.fnmatch_lines(["*ways out: --practitest-parametrized function*"])


def test_the_forecast_counts_one_result_per_function_when_parameter_sets_share_one(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    functions = "".join(
        f"@pytest.mark.parametrize('n', range(10))\ndef test_f{i}(n): pass\n" for i in range(80)
    )
    pytester.makepyfile(test_fn="import pytest\n" + functions)
    result = run(
        "--practitest-rate-limit=30/60",
        "--practitest-deadline=1",
        "--practitest-parametrized=function",
    )
    result.assert_outcomes(passed=800)
    # 80 results (one per function), 72 of them new, three calls each with an author:
    # 216 + 1 post + 2 lookups = 219 calls, 420 s (800 results would overstate the wait)
    result.stdout.fnmatch_lines(
        [
            "PractiTest: warning: at least 72 of the 80 tests collected have no instance in "
            "test set 20000 yet: creating them is 216 calls, about 420 s at 30 calls / 60 s*"
        ]
    )


@pytest.mark.parametrize(
    ("suite", "args"),
    [
        ("", []),
        ("def test_a(): pass\ndef test_b(): pass\n", ["-k", "nothing_matches"]),
        ("", ["-n", "2"]),
    ],
    ids=["nothing-collected", "all-deselected", "xdist"],
)
def test_a_session_with_no_test_says_there_is_nothing_to_send_in_one_line(
    pytester: pytest.Pytester, sim: Simulator, run: Run, suite: str, args: list[str]
) -> None:
    pytester.makepyfile(test_empty=suite)
    result = run(*args, create=False, subprocess=bool(args and args[0] == "-n"))
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    lines = [line for line in result.stdout.lines if line.startswith("PractiTest")]
    assert lines == [
        "PractiTest: no test ran: nothing to send to test set 20000 'Nightly regression'"
    ]
    assert list(pytester.path.rglob("practitest-*.jsonl")) == []
    # Only the look at the set the session began with, to stop early if it is not there.
    assert [(r.method, r.path) for r in sim.requests] == [
        ("GET", "/api/v2/projects/4500/sets/20000.json")
    ]


def test_collect_only_makes_no_call(pytester: pytest.Pytester, sim: Simulator, run: Run) -> None:
    pytester.makepyfile(test_two="def test_a(): pass\ndef test_b(): pass\n")
    result = run("--co", create=False)
    assert result.ret == pytest.ExitCode.OK
    assert "PractiTest" not in result.stdout.str()
    assert sim.requests == []
    assert list(pytester.path.rglob("practitest-*.jsonl")) == []
