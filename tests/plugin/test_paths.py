"""Path options: relative to where they were given, and never moving pytest's rootdir."""

from __future__ import annotations

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import Run

TWO_TESTS = "def test_one():\n    pass\n\ndef test_two():\n    pass\n"


def project(pytester: pytest.Pytester) -> None:
    """A project whose ini the run must keep: it sets a marker --strict-markers needs."""
    pytester.makeini("[pytest]\nmarkers =\n    smoke: quick checks\ntestpaths = checks\n")
    pytester.mkdir("checks")
    (pytester.path / "checks" / "test_two.py").write_text(
        "import pytest\n\n@pytest.mark.smoke\n" + TWO_TESTS
    )


def test_space_form_outside_the_project_is_refused_with_the_fix(
    pytester: pytest.Pytester, run: Run, tmp_path_factory: pytest.TempPathFactory
) -> None:
    project(pytester)
    outside = tmp_path_factory.mktemp("spool-outside")
    result = run("--strict-markers", "--practitest-spool", str(outside))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            f"ERROR: PractiTest: --practitest-spool {outside}: pytest read {outside} as a test "
            f"path before the plugin loaded and chose its rootdir * instead of "
            f"{pytester.path}; write --practitest-spool={outside}"
        ]
    )


def test_equals_form_outside_the_project_keeps_the_rootdir_and_spools_there(
    pytester: pytest.Pytester,
    run: Run,
    sim: Simulator,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    project(pytester)
    outside = tmp_path_factory.mktemp("spool-outside")
    result = run("--strict-markers", f"--practitest-spool={outside}", "--practitest-dry-run")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines([f"rootdir: {pytester.path}*", "*2 passed*"])
    assert list(outside.glob("*.jsonl"))
    assert not (pytester.path / ".practitest").exists()


def test_space_form_that_leaves_the_rootdir_alone_is_accepted(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    project(pytester)
    inside = pytester.path / "out" / "spool"
    inside.mkdir(parents=True)
    result = run("--strict-markers", "--practitest-spool", "out/spool")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines([f"rootdir: {pytester.path}*", "PractiTest: 2 of 2 runs*"])
    assert not (pytester.path / ".practitest").exists()


def test_command_line_paths_are_relative_to_where_pytest_was_started(
    pytester: pytest.Pytester, run: Run, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(pytester)
    (pytester.path / "maps").mkdir()
    (pytester.path / "maps" / "x.toml").write_text(
        '[tests]\n"checks/test_two.py::*" = { name = "Two: from the map" }\n'
    )
    monkeypatch.chdir(pytester.path / "checks")
    result = run("--practitest-map", "../maps/x.toml", "--practitest-spool", "spool")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(["*mapping file maps/x.toml*", "PractiTest: 2 of 2 runs*"])
    assert (pytester.path / "checks" / "spool").is_dir()
    names = {test["name"] for test in sim.entities("tests")}
    assert "Two: from the map" in names


def test_ini_paths_are_relative_to_the_ini_file(
    pytester: pytest.Pytester, run: Run, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\ntestpaths = checks\npractitest_spool = build/pt\n")
    pytester.mkdir("checks")
    (pytester.path / "checks" / "test_two.py").write_text(TWO_TESTS)
    monkeypatch.chdir(pytester.path / "checks")
    result = run()
    assert result.ret == 0, result.stdout.str()
    assert (pytester.path / "build" / "pt").is_dir()


def test_practitest_toml_at_the_rootdir_is_read_without_an_option(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    project(pytester)
    (pytester.path / "practitest.toml").write_text(
        '[tests]\n"checks/test_two.py::test_one" = { name = "One: mapped by default" }\n'
    )
    result = run()
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["*mapping file practitest.toml*", "PractiTest: 2 of 2 runs*"])
    names = {test["name"] for test in sim.entities("tests")}
    assert "One: mapped by default" in names
    assert "checks/test_two.py::test_two" in names


def test_relative_paths_hold_on_xdist_workers_too(
    pytester: pytest.Pytester, run: Run, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(pytester)
    (pytester.path / "checks" / "test_attach.py").write_text(
        "from pytest_practitest import attach\n\n"
        "def test_attaches():\n    attach(b'log line', 'log.txt')\n    assert False\n"
    )
    monkeypatch.chdir(pytester.path / "checks")
    result = run("-n", "2", "--practitest-spool", "spool", subprocess=True)
    result.stdout.fnmatch_lines(["PractiTest: 3 of 3 runs*"])
    attached = {a["name"] for a in sim.entities("attachments")}
    assert {"log.txt", "traceback.txt"} <= attached
