"""Messages that must point at the setting to fix (issue: a user's first hour)."""

from __future__ import annotations

import re

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import Run


@pytest.mark.parametrize("set_option", ["--practitest-set-id=20000", "--practitest-set-name=CI"])
def test_a_wrong_project_id_names_the_project_not_the_set(
    pytester: pytest.Pytester, run: Run, sim: Simulator, set_option: str
) -> None:
    pytester.makepyfile("def test_one(): pass\n")
    result = run("--practitest-project-id=9999", set_option, subprocess=True)
    # Where results go cannot be had: the session stops before its first test.
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.stderr.lines if line.startswith("ERROR")] == [
        "ERROR: PractiTest: project 9999 does not exist, or this token cannot see it; "
        "check --practitest-project-id"
    ]
    assert "check PRACTITEST_SET_ID" not in result.stdout.str() + result.stderr.str()


def test_field_values_a_field_refuses_are_left_out_once_and_lists_are_sent_as_lists(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile("def test_one(): pass\ndef test_two(): pass\n")
    result = run("--practitest-field=Browser=Opera", "--practitest-field=Components=cart|login")
    result.stdout.fnmatch_lines(
        [
            "PractiTest: warning: 'Opera' is not a value of Browser; allowed: Chrome, Firefox, "
            "Safari; left out of the runs (first: *::test_one)",
            "PractiTest: 2 of 2 runs delivered*",
        ]
    )
    assert result.stdout.str().count("is not a value of Browser") == 1
    components = f"---f-{sim.info.custom_fields['Components']}"
    assert [run["custom-fields"] for run in sim.entities("runs")] == [
        {components: ["cart", "login"]}
    ] * 2


def test_help_works_when_the_ini_turns_reporting_on_without_a_token(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PRACTITEST_TOKEN", raising=False)
    pytester.makeini(
        "[pytest]\npractitest = true\npractitest_project_id = 4500\npractitest_set_id = 1\n"
    )
    result = pytester.runpytest("--help")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*--practitest-project-id=ID*"])


def test_without_a_token_the_tests_run_and_the_results_wait_in_the_spool(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fork's pull request gets no secrets: reporting must not break its test job."""
    monkeypatch.delenv("PRACTITEST_TOKEN", raising=False)
    pytester.makeini(
        "[pytest]\npractitest = true\npractitest_project_id = 4500\npractitest_set_id = 1\n"
    )
    pytester.makepyfile("def test_a(): pass\n\ndef test_b(): pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=2)
    out = result.stdout.str()
    assert "PRACTITEST_TOKEN is empty: results are kept, nothing is sent" in out
    [spool] = (pytester.path / ".practitest").glob("practitest-*.jsonl")
    result.stdout.fnmatch_lines(
        [
            "PractiTest: 0 of 2 runs delivered to test set 1 in *",
            "PractiTest: stopped: PRACTITEST_TOKEN is empty: nothing was sent",
            f"PractiTest: 2 not delivered; kept in {spool}; resume with: practitest upload {spool}",
        ]
    )
    from pytest_practitest.spool.journal import Spool

    with Spool.open(spool) as kept:
        assert kept.count == 2
        assert kept.trusted  # made here: a later upload with the token keeps its set


@pytest.mark.parametrize("mode", [["-q"], ["-n", "2"], []])
def test_the_wait_announcement_starts_a_line_of_its_own(
    pytester: pytest.Pytester, run: Run, sim: Simulator, mode: list[str]
) -> None:
    pytester.makepyfile(
        "import pytest\n\n@pytest.mark.parametrize('i', range(30))\ndef test_x(i): pass\n"
    )
    # 30 new tests, one call each at one call a second: delivery cannot be done before the
    # end, however long xdist takes to start (with nothing to create, 2 calls did it all)
    result = run(*mode, "--practitest-rate-limit=1/1", "--practitest-deadline=2", subprocess=True)
    lines = result.stdout.lines
    announced = r"PractiTest: sending the last \d+ of 30 results, creating any test they lack, "
    assert any(re.match(announced, line) for line in lines)  # the run fixture creates tests
    assert not [line for line in lines if "%]PractiTest" in line]
