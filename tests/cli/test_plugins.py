"""One hook module for pytest and for import-junit: the command's pluggy manager."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pluggy
import pytest

from pytest_practitest.cli.plugins import CommandPlugins, load
from pytest_practitest.simulator import Simulator
from tests.helpers import TOKEN, Run, run_cli, sim_env

BUILD_MODULE = """
import dataclasses
import pytest

@pytest.hookimpl(optionalhook=True)
def pytest_practitest_modify_record(record):
    return dataclasses.replace(record, version="build-77")
"""
REPORT = (
    '<testsuite name="shop"><testcase classname="Cart" name="adds PT-80004"/>'
    '<testcase classname="Cart" name="totals"><failure message="off by one"/></testcase>'
    "</testsuite>"
)


def importer(sim: Simulator, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result: subprocess.CompletedProcess[str] = run_cli(
        "import-junit", *args, cwd=cwd, settings=sim_env(sim, TOKEN, cwd / "spool")
    )
    return result


def test_the_commands_hook_manager_is_pluggys_with_the_plugins_specs() -> None:
    manager = load([])
    assert isinstance(manager, pluggy.PluginManager)
    assert isinstance(manager, CommandPlugins)
    assert manager.hook.pytest_practitest_map_testcase.spec is not None
    assert manager.hook.pytest_practitest_modify_record.spec is not None


def test_one_module_changes_the_version_through_import_junit_and_through_pytest(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    (pytester.path / "buildtag.py").write_text(BUILD_MODULE)
    (pytester.path / "report.xml").write_text(REPORT)
    imported = importer(sim, pytester.path, "-p", "buildtag", "report.xml")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert [r["version"] for r in sim.entities("runs")] == ["build-77", "build-77"]

    pytester.makepyfile(test_two="def test_a(): pass\ndef test_b(): pass\n")
    reported = run("-p", "buildtag", subprocess=True)
    reported.stdout.fnmatch_lines(["PractiTest: 2 of 2 runs delivered*"])
    assert [r["version"] for r in sim.entities("runs")] == ["build-77"] * 4


def test_map_testcase_hook_comes_first_and_a_raising_hook_is_one_warning(
    tmp_path: Path, sim: Simulator
) -> None:
    (tmp_path / "jira.py").write_text(
        "import re\nfrom pytest_practitest import Target\n\n"
        "def pytest_practitest_map_testcase(case, path):\n"  # unmarked: taken as pytest takes it
        "    found = re.search(r'PT-(\\d+)', case.name)\n"
        "    if found:\n"
        "        return Target(test_id=int(found.group(1)))\n"
        "    raise ValueError('no key in ' + case.name)\n"
    )
    (tmp_path / "report.xml").write_text(REPORT)
    result = importer(sim, tmp_path, "-p", "jira", "report.xml")
    assert result.returncode == 0, result.stdout + result.stderr
    tests = {t["id"]: t["name"] for t in sim.entities("tests")}
    instance_tests = {i["id"]: i["test-id"] for i in sim.entities("instances")}
    stored = sorted(tests[instance_tests[r["instance-id"]]] for r in sim.entities("runs"))
    assert stored == ["Cart.totals", "Catalog: search by name"]  # test 80004, by the hook
    assert (
        "PractiTest: warning: a pytest_practitest_map_testcase hook raised ValueError: no key "
        "in totals at jira.py:8; the testcase went by its properties, the mapping file or its "
        "name (for 1 test)"
    ) in result.stderr.splitlines()


def test_entry_point_plugins_load_and_no_name_blocks_them(tmp_path: Path, sim: Simulator) -> None:
    site = tmp_path / "site"
    (site / "buildtag_plugin").mkdir(parents=True)
    (site / "buildtag_plugin" / "__init__.py").write_text(BUILD_MODULE)
    dist = site / "buildtag_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: buildtag-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[practitest]\nbuildtag = buildtag_plugin\n")
    (tmp_path / "report.xml").write_text(REPORT)
    env = {"PYTHONPATH": str(site), **sim_env(sim, TOKEN, tmp_path / "spool")}
    for extra, version in (([], "build-77"), (["-p", "no:buildtag"], None)):
        done = run_cli("import-junit", *extra, "report.xml", cwd=tmp_path, timeout=60, settings=env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert {r["version"] for r in sim.entities("runs")[-2:]} == {version}


def test_a_module_that_cannot_be_imported_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "report.xml").write_text(REPORT)
    result = run_cli("import-junit", "-p", "nosuchmodule", "report.xml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "practitest import-junit: error: -p nosuchmodule: cannot import it "
        "(No module named 'nosuchmodule')"
    )
