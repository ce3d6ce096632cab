"""One configuration, one order, for every entry point: flags > environment > pytest's ini > default.

The precedence matrix: each source gives the right URL, project and test set while every
lower source gives wrong ones (a closed port, project 999, set 99), and each entry point
must reach the same set. Entry points run in-process (``cli.main``, ``pytester``) against
one simulator on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_practitest.cli.main import main
from pytest_practitest.model import Destination, RunRecord, Status, Target
from pytest_practitest.simulator import Simulator
from pytest_practitest.spool.journal import Spool, SpoolMeta

TOKEN = "config-token-9c8b7a6d"
pytestmark = pytest.mark.practitest_simulator(token=TOKEN)
SET_LINE = "test set 20000 'Nightly regression'"
WRONG = {"url": "http://127.0.0.1:9", "project-id": "999", "set-id": "99"}
INI_FILES = {
    "pyproject.toml": "[tool.pytest.ini_options]\n{lines}",
    "pytest.toml": "[pytest]\n{lines}",
    "pytest.ini": "[pytest]\n{lines}",
    "tox.ini": "[tox]\nskipsdist = true\n\n[pytest]\n{lines}",
    "setup.cfg": "[metadata]\nname = x\n\n[tool:pytest]\n{lines}",
}
SOURCES = ("cli", "env", *INI_FILES)
COMMANDS = ("pytest", "check", "show", "map", "import-junit", "upload")
SUITE = """
import pytest

@pytest.mark.practitest(instance_id=300000)
def test_cart():
    pass
"""
JUNIT = """<testsuite name="s" tests="1">
  <testcase classname="" name="Cart: add an item" time="0.1"/>
</testsuite>
"""


def write_ini(folder: Path, name: str, values: dict[str, str]) -> None:
    if name.endswith(".toml"):
        lines = "".join(f'practitest_{k.replace("-", "_")} = "{v}"\n' for k, v in values.items())
    else:
        lines = "".join(f"practitest_{k.replace('-', '_')} = {v}\n" for k, v in values.items())
    (folder / name).write_text(INI_FILES[name].format(lines=lines), encoding="utf-8")


def configure(
    source: str, right: dict[str, str], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """Give ``right`` in ``source`` and wrong values in every source below it; the flags."""
    flags: list[str] = []
    if source == "cli":
        flags = [f"--{stem}={value}" for stem, value in right.items()]
        source = "env"
        right = WRONG
    if source == "env":
        for stem, value in right.items():
            monkeypatch.setenv(f"PRACTITEST_{stem.upper().replace('-', '_')}", value)
        write_ini(folder, "pyproject.toml", WRONG)
    else:
        write_ini(folder, source, right)
    return flags


def publishable_bundle(folder: Path) -> Path:
    """A deferred session's bundle that names no destination: the publisher gives it."""
    bundle = folder / "bundle-1"
    meta = SpoolMeta(Destination(), bundle=True)
    with Spool.create(bundle, meta, name="spool.jsonl") as spool:
        spool.add(
            RunRecord(
                target=Target(name="Cart: add an item"), status=Status.PASSED, label="test_cart"
            )
        )
    return bundle


def run_command(
    command: str, flags: list[str], pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> str:
    folder = pytester.path
    if command == "pytest":
        pytester.makepyfile(test_cart=SUITE)
        options = [f"--practitest-{flag.removeprefix('--')}" for flag in flags]
        result = pytester.runpytest("-p", "no:cacheprovider", "--practitest", *options)
        return "\n".join(result.outlines)
    arguments = {
        "check": ["check"],
        "show": ["show"],
        "map": ["map", "--dry-run"],
        "import-junit": ["import-junit", "results.xml", "--name-template", "{name}"],
        "upload": ["upload", "bundle-1"],
    }[command]
    if command == "map":
        pytester.makepyfile(test_cart=SUITE)
    if command == "import-junit":
        (folder / "results.xml").write_text(JUNIT, encoding="utf-8")
    if command == "upload":
        publishable_bundle(folder)
    code = main([*arguments, *flags])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    return out


EXPECTED = {
    "pytest": "PractiTest: 1 of 1 runs delivered",
    "check": f"  ok    {SET_LINE}, 8 instances",
    "show": f"{SET_LINE} in project 4500",
    "map": f"{SET_LINE}: 8 instances; suite: 1 tests",
    "import-junit": f"PractiTest: 1 of 1 runs delivered to {SET_LINE}",
    "upload": f"PractiTest: 1 of 1 runs delivered to {SET_LINE}",
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("source", SOURCES)
def test_every_entry_point_takes_the_same_destination_from_the_same_order(
    sim: Simulator,
    pytester: pytest.Pytester,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    command: str,
) -> None:
    # The set by name in the right source, by id (99) in the wrong ones below it: the
    # test set is one choice, from the highest source that names it either way.
    right = {"url": sim.url, "project-id": "4500", "set-name": "Nightly regression"}
    flags = configure(source, right, pytester.path, monkeypatch)
    out = run_command(command, flags, pytester, capsys)
    assert EXPECTED[command] in out.splitlines() or any(
        line.startswith(EXPECTED[command]) for line in out.splitlines()
    ), out
    if command == "pytest":  # the set it names (targeting makes the summary name it too)
        assert f"practitest: {sim.url} project 4500 set 'Nightly regression', " in out
    if command == "upload":
        assert out.startswith(
            f"PractiTest: sending to {sim.url}, project 4500, test set 'Nightly regression'\n"
        )
    if command == "check":
        assert f"PractiTest check: {sim.url}, token from PRACTITEST_TOKEN" in out
        assert "  ok    project 4500 'Webshop' is visible" in out


def test_a_path_in_the_ini_is_relative_to_its_folder_wherever_the_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_ini(tmp_path, "pyproject.toml", {"spool": "out/spools"})
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    meta = SpoolMeta(Destination(project_id=4500, url="http://127.0.0.1:9", set_id=20000))
    with Spool.create(tmp_path / "out" / "spools", meta) as spool:
        spool.add(RunRecord(target=Target(instance_id=1), status=Status.PASSED, label="t"))
    monkeypatch.chdir(tmp_path / "sub" / "deeper")
    assert main(["spools"]) == 0
    out = capsys.readouterr().out
    assert "1 spool; 1 result not delivered in 1" in out
    assert str(spool.path) in out


def test_an_unreadable_ini_file_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    # the parser's own words after the file's name (they vary between tomllib versions)
    assert captured.err.startswith(
        f"practitest check: error: {tmp_path / 'pyproject.toml'}: cannot read it as pytest's "
        "ini file (Expected ']' at the end of a table declaration (at line 1, column "
    )
    assert captured.err.count("\n") == 1


def test_set_id_and_set_name_in_one_source_is_one_line_for_commands_and_pytest(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--project-id=1", "--set-id=1", "--set-name=CI main"]) == 2
    assert capsys.readouterr().err == (
        "practitest check: error: give --set-id or --set-name, not both "
        "(one test set, by id or name)\n"
    )
    pytester.makepyfile(test_one="def test_one(): pass")
    result = pytester.runpytest(
        "--practitest",
        "--practitest-project-id=1",
        "--practitest-set-id=1",
        "--practitest-set-name=CI main",
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.errlines == [
        "ERROR: PractiTest: give --practitest-set-id or --practitest-set-name, not both "
        "(one test set, by id or name)",
        "",
    ]
