"""``practitest sim`` from the command line."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from pytest_practitest.cli.main import main
from tests.helpers import wait_for


def test_check_prints_what_the_simulator_answered(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sim", "--seed", "demo", "--check", "--token", "tok"]) == 0
    out = capsys.readouterr().out
    assert "PractiTest API v2 simulator listening on http://127.0.0.1:" in out
    assert "PRACTITEST_TOKEN=tok   (the simulator's account token)" in out
    assert "PRACTITEST_PROJECT_ID=4500   (Webshop)" in out
    assert "PRACTITEST_SET_ID=20000   (Nightly regression)" in out
    assert "GET /api/v2/projects.json -> 200" in out
    assert "instances 300000 1:1 'Cart: add an item' NO RUN" in out
    assert out.rstrip().endswith("3 calls answered\nsimulator stopped")


def test_https_with_a_certificate(capsys: pytest.CaptureFixture[str]) -> None:
    certs = Path(__file__).parent.parent / "certs"
    tls = ["--tls-cert", str(certs / "server.pem"), "--tls-key", str(certs / "server.key")]
    assert main(["sim", "--check", "--token", "tok", *tls]) == 0
    out = capsys.readouterr().out
    assert "PractiTest API v2 simulator listening on https://127.0.0.1:" in out
    assert "PRACTITEST_URL=https://127.0.0.1:" in out
    assert "3 calls answered" in out
    assert main(["sim", "--check", *tls[:2]]) == 2
    assert capsys.readouterr().err == (
        "practitest sim: error: --tls-cert and --tls-key go together\n"
    )
    assert main(["sim", "--check", "--tls-cert", str(certs / "ca.pem"), *tls[2:]]) == 2
    assert capsys.readouterr().err.startswith(
        f"practitest sim: error: cannot use {certs / 'ca.pem'} and {certs / 'server.key'} for https:"
    )


def test_bad_rate_limit_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sim", "--rate-limit", "30 per minute"])
    assert exit_info.value.code == 2
    assert "expected CALLS/SECONDS such as 30/60, or 0 for no limit; got '30 per minute'" in (
        capsys.readouterr().err
    )


def test_bad_fault_file_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text('[{"kind": "explode"}]')
    assert main(["sim", "--faults", str(faults), "--check"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"practitest sim: error: cannot use fault file {faults}: unknown fault kind 'explode'; "
        "use one of status, reset, delay, slow, malformed, commit_then_status, commit_then_reset, "
        "redirect, empty, wrong_shape\n"
    )


def test_port_in_use_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["sim", "--port", str(port), "--check"]) == 2
    assert capsys.readouterr().err.startswith(
        f"practitest sim: error: cannot listen on 127.0.0.1:{port}:"
    )


def test_standalone_process_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    env_file = tmp_path / "sim.env"
    faults = tmp_path / "faults.json"
    faults.write_text(
        json.dumps([{"kind": "status", "method": "GET", "path": "/users", "status": 503}])
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest_practitest.cli",
            "sim",
            "--port",
            "0",
            "--token",
            "ci-token",
            "--rate-limit",
            "0",
            "--env-file",
            str(env_file),
            "--faults",
            str(faults),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for(env_file.exists, timeout=20)  # written whole, at once
        env = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        assert env["PRACTITEST_TOKEN"] == "ci-token"
        assert env["PRACTITEST_RATE_LIMIT"] == "0"  # the clients do not pace either
        url = env["PRACTITEST_URL"]
        projects = requests.get(
            f"{url}/api/v2/projects.json", headers={"PTToken": "ci-token"}, timeout=5
        )
        assert projects.status_code == 200
        assert (
            requests.get(
                f"{url}/api/v2/users.json", headers={"PTToken": "ci-token"}, timeout=5
            ).status_code
            == 503
        )
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Press Ctrl-C to stop." in out
    assert out.rstrip().endswith("simulator stopped")
    assert err == ""


def test_state_option_keeps_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state.sqlite3"
    assert main(["sim", "--state", str(state), "--token", "t", "--check"]) == 0
    assert state.exists()
    first = capsys.readouterr().out
    personal = next(
        line for line in first.splitlines() if "qa.engineer@example.com, personal" in line
    )
    assert "  user 5300 owner@example.com" in first.splitlines()
    assert (
        "  an account token creates tests with an author: --practitest-author-id 5300"
        in first.splitlines()
    )
    assert main(["sim", "--state", str(state), "--check"]) == 0
    second = capsys.readouterr().out
    assert "PRACTITEST_TOKEN=t " in second
    assert personal in second


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_stops_on_signal_even_when_started_with_sigint_ignored(
    tmp_path: Path, signum: signal.Signals
) -> None:
    # A shell's background job (`practitest sim &`) and xdist workers start children
    # with SIGINT ignored; Python then raises no KeyboardInterrupt on its own.
    env_file = tmp_path / "sim.env"
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_practitest.cli", "sim", "--env-file", str(env_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        assert wait_for(env_file.exists)
        process.send_signal(signum)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert out.rstrip().endswith("simulator stopped")


def test_a_reader_that_goes_away_gets_no_traceback() -> None:
    # `practitest sim --check | head -1`, at its worst: nobody reads from the first line.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest_practitest.cli", "sim", "--check"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=30,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert result.stderr == b""


@pytest.mark.parametrize(
    ("limit", "line", "value"),
    [
        (
            "0",
            "  rate limit: off  (the env file sets PRACTITEST_RATE_LIMIT=0, "
            "so clients do not pace either)",
            "0",
        ),
        (
            "5/2",
            "  rate limit: 5 calls / 2 s  (--rate-limit 0 turns it off for quick local loops)",
            "5/2",
        ),
    ],
)
def test_the_env_file_carries_the_rate_limit_and_is_private(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], limit: str, line: str, value: str
) -> None:
    env_file = tmp_path / "sim.env"
    env_file.write_text("old", encoding="utf-8")
    env_file.chmod(0o644)
    args = ["sim", "--token", "tok", "--rate-limit", limit, "--env-file", str(env_file)]
    assert main([*args, "--check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert line in out
    assert (
        f"  env file {env_file} (mode 0600): PRACTITEST_URL, PRACTITEST_TOKEN, "
        f"PRACTITEST_PROJECT_ID, PRACTITEST_SET_ID, PRACTITEST_RATE_LIMIT={value}"
    ) in out
    env = dict(row.split("=", 1) for row in env_file.read_text().splitlines())
    assert env["PRACTITEST_RATE_LIMIT"] == value
    assert env["PRACTITEST_TOKEN"] == "tok"
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["sim.env"]


def test_without_an_env_file_the_banner_says_to_turn_the_clients_limit_off(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sim", "--rate-limit", "0", "--check"]) == 0
    assert (
        "  rate limit: off  (set PRACTITEST_RATE_LIMIT=0 for clients too, "
        "or they pace at 30 calls / 60 s)"
    ) in capsys.readouterr().out.splitlines()


def test_switches_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sim", "--switch", "permissions=tester", "--switch", "strict=on", "--check"]) == 0
    assert main(["sim", "--switch", "bulk_answer=maybe", "--check"]) == 2
    assert capsys.readouterr().err == (
        "practitest sim: error: switch bulk_answer: expected one of list, object, empty, "
        "got 'maybe'\n"
    )
