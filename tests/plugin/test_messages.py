"""Messages that must point at the setting to fix (issue: a user's first hour)."""

from __future__ import annotations

import pytest

from pytest_practitest.simulator import Simulator
from tests.conftest import Run


@pytest.mark.parametrize("set_option", ["--practitest-set-id=20000", "--practitest-set-name=CI"])
def test_a_wrong_project_id_names_the_project_not_the_set(
    pytester: pytest.Pytester, run: Run, psim: Simulator, set_option: str
) -> None:
    pytester.makepyfile("def test_one(): pass\n")
    result = run("--practitest-project-id=9999", set_option)
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "*project 9999 does not exist, or this token cannot see it; "
            "check PRACTITEST_PROJECT_ID*",
        ]
    )
    assert "check PRACTITEST_SET_ID" not in result.stdout.str()


def test_field_values_a_field_refuses_are_left_out_once_and_lists_are_sent_as_lists(
    pytester: pytest.Pytester, run: Run, psim: Simulator
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
    components = f"---f-{psim.info.custom_fields['Components']}"
    assert [run["custom-fields"] for run in psim.entities("runs")] == [
        {components: ["cart", "login"]}
    ] * 2
