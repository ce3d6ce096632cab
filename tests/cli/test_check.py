"""``practitest check``: is everything in place to report? One line per thing, exit 0/1/2."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import run_cli

TOKEN = "check-token-1a2b3c4d"
pytestmark = pytest.mark.practitest_simulator(token=TOKEN)


def check(sim: Simulator, *args: str, **env: str) -> Any:
    settings: dict[str, Any] = {"PRACTITEST_TOKEN": TOKEN, "PRACTITEST_URL": sim.url, **env}
    return run_cli("check", *args, **settings)


def test_ready_to_report(sim: Simulator) -> None:
    owner = sim.info.users["owner@example.com"]
    browser = sim.info.custom_fields["Browser"]
    result = check(
        sim,
        *("--project-id", "4500", "--set-id", "20000", "--author-id", str(owner)),
        *("--field", "Browser=Firefox", "--field=---f-1=x"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"PractiTest check: {sim.url}, token from PRACTITEST_TOKEN",
        "  ok    project 4500 'Webshop' is visible",
        "  ok    test set 20000 'Nightly regression', 8 instances",
        f"  ok    author {owner} is owner@example.com <owner@example.com>",
        f"  ok    run field 'Browser' is custom field {browser}, list: 'Firefox'",
        "  note  run field '---f-1' is not listed in project 4500; sent as given",
        "  5 API calls; ready to report.",
    ]
    assert TOKEN not in result.stdout + result.stderr


def test_field_values_are_checked_and_multi_value_fields_take_a_list(sim: Simulator) -> None:
    """'Opera' passed as ready to report, then every run was refused."""
    components = sim.info.custom_fields["Components"]
    result = check(
        sim,
        *("--project-id", "4500", "--set-id", "20000"),
        *("--field", "Browser=Opera", "--field", "Components=cart|checkout"),
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert (
        "  error run field 'Browser': 'Opera' is not a value of Browser; allowed: Chrome, "
        "Firefox, Safari (--field)"
    ) in lines
    assert (
        f"  ok    run field 'Components' is custom field {components}, multilist: cart | checkout"
    ) in lines
    assert lines[-1] == "  4 API calls; not ready."


def test_a_set_by_name_that_is_not_there_yet_is_a_note(sim: Simulator) -> None:
    result = check(sim, PRACTITEST_PROJECT_ID="4500", PRACTITEST_SET_NAME="CI build 77")
    assert result.returncode == 0, result.stdout
    assert (
        "  note  no test set named 'CI build 77' in project 4500; the first upload creates it"
        in result.stdout.splitlines()
    )
    assert sim.entities("sets")[-1]["name"] != "CI build 77"  # a check creates nothing


@pytest.mark.parametrize(
    ("args", "env", "line"),
    [
        (
            ["--set-id", "99"],
            {},
            "  error test set 99 does not exist in project 4500; check --set-id",
        ),
        (
            [],
            {"PRACTITEST_SET_ID": "99"},
            "  error test set 99 does not exist in project 4500; check PRACTITEST_SET_ID",
        ),
        (
            ["--set-id", "20000", "--author-id", "1"],
            {},
            "  error author 1 is not a user of this account (--author-id)",
        ),
        (
            ["--set-id", "20000"],
            {"PRACTITEST_AUTHOR_ID": "1"},
            "  error author 1 is not a user of this account (PRACTITEST_AUTHOR_ID)",
        ),
        (
            [],
            {"PRACTITEST_TOKEN": "not-the-token"},
            "  error GET /projects/4500.json failed: 401 Unauthorized: *",
        ),
        (
            ["--project-id", "9999"],
            {},
            "  error project 9999 does not exist, or this token cannot see it; check --project-id",
        ),
        (
            [],
            {"PRACTITEST_PROJECT_ID": "9999"},
            "  error project 9999 does not exist, or this token cannot see it; "
            "check PRACTITEST_PROJECT_ID",
        ),
        (
            [],
            {"PRACTITEST_FIELDS": "Colour=red"},
            "  error no custom field named 'Colour' in project 4500 (PRACTITEST_FIELDS)",
        ),
    ],
)
def test_what_is_not_in_place_is_one_line_and_exit_1(
    sim: Simulator, args: list[str], env: dict[str, str], line: str
) -> None:
    result = check(
        sim, *args, **{"PRACTITEST_PROJECT_ID": "4500", "PRACTITEST_SET_ID": "20000", **env}
    )
    assert result.returncode == 1
    errors = [text for text in result.stdout.splitlines() if text.startswith("  error")]
    assert len(errors) == 1
    assert errors[0] == line or (line.endswith("*") and errors[0].startswith(line[:-1]))
    assert result.stderr == ""


def test_unreachable_and_usage_errors(sim: Simulator) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    down = check(sim, "--project-id", "4500", "--set-id", "1", "--url", dead, "--timeout", "2")
    assert down.returncode == 1
    assert "  error GET /projects/4500.json failed: could not connect" in down.stdout
    missing = check(sim, "--set-id", "20000")
    assert missing.returncode == 2
    assert missing.stderr == (
        "practitest check: error: reporting is on but no project: set --project-id or "
        "PRACTITEST_PROJECT_ID\n"
    )
    no_set = check(sim, "--project-id", "4500")
    assert no_set.returncode == 2
    assert no_set.stderr.startswith("practitest check: error: reporting is on but no test set")
    no_token = run_cli("check", "--project-id", "4500", "--set-id", "1", PRACTITEST_URL=sim.url)
    assert no_token.returncode == 2
    assert no_token.stderr.startswith("practitest check: error: reporting is on but ")


def test_a_dead_url_says_what_to_check_and_mentions_no_spool() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_cli(
        "check",
        *("--url", f"http://127.0.0.1:{port}", "--project-id", "4500", "--set-id", "1"),
        PRACTITEST_TOKEN=TOKEN,
        PRACTITEST_TIMEOUT="2",
    )
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == (
        "  error GET /projects/4500.json failed: could not connect (connection refused or host "
        "not found); check the URL and the network"
    )
    assert "spool" not in result.stdout + result.stderr
