"""--help and usage errors: every default said plainly, each error from its own command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_practitest.options import OPTIONS
from tests.helpers import run_cli


def test_pytest_help_lists_each_variable_and_no_empty_default(pytester: pytest.Pytester) -> None:
    text = pytester.runpytest("--help").stdout.str()
    section = text.split("report results to PractiTest:", 1)[1]
    flat = re.sub(r"\s+", " ", section)
    assert "(default: None)" not in flat
    assert "(default: )" not in flat
    assert "(default: ())" not in flat
    for option in OPTIONS:
        assert option.env in flat, option.env
    assert "(default: PRACTITEST_SPOOL, else .practitest)" in flat
    assert "(default: PRACTITEST_MAP, else practitest.toml if present)" in flat


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["import-junit", "x.xml", "--set-idd", "3"],
            "practitest import-junit: error: unrecognized arguments: --set-idd 3 "
            "(--set-idd: did you mean --set-id?)",
        ),
        (
            ["check", "--projet-id=3"],
            "practitest check: error: unrecognized arguments: --projet-id=3 "
            "(--projet-id=3: did you mean --project-id?)",
        ),
        (["upload", "s.jsonl", "--zzz"], "practitest upload: error: unrecognized arguments: --zzz"),
    ],
)
def test_a_typo_is_reported_by_its_command_with_the_closest_flag(
    args: list[str], expected: str
) -> None:
    result = run_cli(*args, timeout=30)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"usage: practitest {args[0]} ")
    assert lines[-1] == expected


def test_the_run_version_flag_does_not_collide_with_the_programs_version(tmp_path: Path) -> None:
    assert run_cli("--version").stdout.startswith("practitest ")
    (tmp_path / "r.xml").write_text('<testsuite><testcase classname="c" name="t"/></testsuite>')
    result = run_cli(
        "import-junit",
        "r.xml",
        "--run-version",
        "1.2.3",
        "--dry-run",
        "--project-id",
        "1",
        "--set-id",
        "2",
        "--spool",
        str(tmp_path / "spool"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    spooled = next((tmp_path / "spool").glob("*.jsonl")).read_text()
    assert '"version":"1.2.3"' in spooled.replace(" ", "")
    assert "--run-version VERSION" in run_cli("import-junit", "--help").stdout
