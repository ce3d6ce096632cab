"""--help and usage errors: every default said plainly, each error from its own command."""

from __future__ import annotations

import re
import subprocess
import sys
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


def test_a_command_imports_only_its_own_module_and_help_still_lists_all() -> None:
    probe = (
        "import sys; from pytest_practitest.cli.main import build_parser, COMMANDS; "
        "build_parser(sys.argv[1:]); "
        "print(sorted(m for m in sys.modules if m.startswith('pytest_practitest.simulator.')))"
    )

    def imported(*argv: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", probe, *argv],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout

    # import-junit has no use for the simulator (it cost each import ~30 ms, bench P5) ...
    assert imported("import-junit", "r.xml", "--dry-run") == "[]\n"
    # ... sim does, and without a command (--help, a typo) every command is there.
    assert "pytest_practitest.simulator.server" in imported("sim", "--port", "0")
    assert "pytest_practitest.simulator.server" in imported("--help")
    help_text = run_cli("--help").stdout
    for name in ("sim", "demo", "upload", "show", "spools", "check", "import-junit", "map"):
        assert name in help_text
    assert run_cli("import-junit", "--help").stdout.startswith("usage: practitest import-junit")
    typo = run_cli("imprt-junit", "r.xml")
    assert typo.returncode == 2
    assert "invalid choice: 'imprt-junit'" in typo.stderr
