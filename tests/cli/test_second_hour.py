"""A user's second hour (issue 26): each rough edge they met, with the words they now read."""

from __future__ import annotations

import io
import socket
import time
from pathlib import Path

import pytest

from pytest_practitest.api.ratelimit import RateLimiter
from pytest_practitest.cli.progress import Progress
from pytest_practitest.errors import DeadlineExceeded
from pytest_practitest.events import Event, Kind, count, seconds_text
from pytest_practitest.simulator import Simulator
from pytest_practitest.upload.summary import UploadSummary
from tests.helpers import Run, run_cli, run_pytest

TOKEN = "second-hour-token-1a2b"


def dead_loopback_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_check_without_a_token_offers_no_flag_it_does_not_have() -> None:
    result = run_cli("check", "--project-id", "4500", "--set-id", "1")
    assert result.returncode == 2
    assert result.stderr == (
        "practitest check: error: reporting is on but PRACTITEST_TOKEN is empty: "
        "set it to your API token\n"
    )


def test_the_plugins_spelling_of_a_flag_gets_a_did_you_mean() -> None:
    result = run_cli("check", "--practitest-set-id", "20000")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "practitest check: error: unrecognized arguments: --practitest-set-id 20000 "
        "(--practitest-set-id: did you mean --set-id?)"
    )


def test_check_against_a_stopped_simulator_fails_at_once() -> None:
    started = time.monotonic()
    result = run_cli(
        "check",
        *("--url", dead_loopback_url(), "--project-id", "4500", "--set-id", "1"),
        PRACTITEST_TOKEN=TOKEN,
    )
    took = time.monotonic() - started
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == (
        "  error GET /projects/4500.json failed: could not connect (connection refused or host "
        "not found); check the URL and the network"
    )
    assert took < 3.0  # was 5.6 s: four retries of a refusal that could not change


@pytest.mark.parametrize("command", ["show", "check", "map"])
def test_commands_that_read_the_set_do_not_promise_to_create_it(command: str) -> None:
    result = run_cli(command, "--help")
    text = " ".join(result.stdout.split())
    assert "--set-name NAME the test set by exact name (looked up, never created)" in text
    assert "created if missing" not in text


def test_a_missing_junit_file_is_named_without_a_line_number(tmp_path: Path) -> None:
    result = run_cli(
        "import-junit",
        "missing.xml",
        *("--dry-run", "--project-id", "4500", "--set-id", "20000"),
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "practitest import-junit: error: missing.xml: no such file" in result.stderr
    assert ":0:" not in result.stderr


def test_a_rejection_is_said_once(pytester: pytest.Pytester, sim: Simulator, run: Run) -> None:
    pytester.makepyfile(test_shop="def test_a(): pass\n")
    spooled = run(create=False)
    spooled.stdout.fnmatch_lines(["PractiTest: 0 of 1 runs delivered*"])
    [spool] = (pytester.path / ".practitest").glob("practitest-*.jsonl")
    sent = run_cli("upload", str(spool), PRACTITEST_TOKEN=sim.token, PRACTITEST_RATE_LIMIT="0")
    assert sent.returncode == 1
    said = (sent.stdout + sent.stderr).splitlines()
    rejected = [line for line in said if line.startswith("PractiTest: rejected: ")]
    assert len(rejected) == 1, said
    assert rejected[0] in sent.stdout.splitlines()


def test_a_delivered_bundle_without_files_leaves_no_folder(tmp_path: Path, sim: Simulator) -> None:
    (tmp_path / "test_a.py").write_text("def test_a(): pass\ndef test_b(): pass\n")
    deferred = run_pytest("--practitest", "--practitest-defer", cwd=tmp_path)
    assert deferred.returncode == 0, deferred.stdout + deferred.stderr
    [bundle] = (tmp_path / ".practitest").glob("bundle-*")
    sent = run_cli(
        "upload",
        str(bundle),
        *("--project-id", "4500", "--set-id", "20000", "--create-missing"),
        *("--author-id", str(sim.info.users["owner@example.com"])),
        PRACTITEST_TOKEN=sim.token,
        PRACTITEST_URL=sim.url,
        PRACTITEST_RATE_LIMIT="0",
    )
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "PractiTest: 2 of 2 runs delivered" in sent.stdout
    assert not bundle.exists()


def test_numbers_and_words() -> None:
    assert count(1, "API call") == "1 API call"
    assert count(2, "API call") == "2 API calls"
    assert count(0, "spool") == "0 spools"
    assert seconds_text(0.3) == "less than 1 s"
    assert seconds_text(0.0) == "0 s"
    assert seconds_text(45.2) == "45 s"
    assert seconds_text(300) == "5 min"


def test_a_report_the_delivery_process_could_not_give_counts_no_calls() -> None:
    interrupted = UploadSummary(total=186, delivered=20, set_id=20000, seconds=12.34)
    assert interrupted.lines()[0] == (
        "PractiTest: 20 of 186 runs delivered to test set 20000 in 12.3 s"
    )
    one = UploadSummary(total=1, delivered=1, set_id=20000, calls=1, seconds=0.2)
    assert (
        one.lines()[0] == "PractiTest: 1 of 1 runs delivered to test set 20000 in 1 API call, 0.2 s"
    )


def test_the_deadline_message_never_says_0_s() -> None:
    now = [0.0]
    limiter = RateLimiter(1, 10.0, clock=lambda: now[0], sleep=lambda s: None)
    limiter.acquire()
    with pytest.raises(DeadlineExceeded) as raised:
        limiter.acquire(deadline=9.7)
    assert str(raised.value) == (
        "the rate limit needs a wait of 10 s, less than 1 s more than the delivery deadline allows"
    )


def test_progress_never_says_0_s_left_and_counts_a_wait_it_was_told_of() -> None:
    now = [0.0]
    stream = io.StringIO()
    progress = Progress(100, stream=stream, tty=False, clock=lambda: now[0])
    now[0] = 0.1
    progress(Event(Kind.BATCH_SENT, "sent", count=20))  # 20 in 0.1 s: 0.4 s to go, it seems
    assert stream.getvalue().splitlines()[-1] == "PractiTest: 20 of 100 delivered (20%)"
    progress(Event(Kind.SERVER_429, "PractiTest said 429; waiting 45.0 s", seconds=45.0))
    progress(Event(Kind.BATCH_SENT, "sent", count=20))
    assert stream.getvalue().splitlines()[-1] == (
        "PractiTest: 40 of 100 delivered (40%), about 45 s left"
    )


def test_show_says_what_files_cost_and_with_files_says_it_first(
    pytester: pytest.Pytester, sim: Simulator, run: Run
) -> None:
    pytester.makepyfile(
        test_shop="""
from pytest_practitest import step

def test_pay():
    with step("pay by card") as pay:
        pay.attach(b"declined", "gateway.txt")
        assert False, "card declined"

def test_open():
    pass
"""
    )
    run().stdout.fnmatch_lines(["PractiTest: 2 of 2 runs delivered*"])
    where = ("--project-id", "4500", "--set-id", "20000")
    env = {"PRACTITEST_TOKEN": sim.token, "PRACTITEST_URL": sim.url}
    plain = run_cli("show", *where, settings=env)
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.splitlines()
    assert lines[-2] == (
        "files: not listed (the run listing does not name them); "
        "--files lists them with 3 more API calls"
    )
    assert lines[-1] == "(4 API calls in all)"
    listed = run_cli("show", *where, "--files", settings=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr == (
        "practitest show: listing the files: 3 API calls (one per last run and per step that "
        "did not pass), about 2 s at 30 calls / 60 s\n"
    )
    assert " " * 21 + "step 1: FAILED  pay by card  [gateway.txt (8 B)]" in listed.stdout
    assert listed.stdout.splitlines()[-1] == "(7 API calls in all)"  # the 3 among them
