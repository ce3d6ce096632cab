"""One suite, reported by the plugin and imported from pytest's --junitxml: the same
tests (node ids), the same mapping-file entries and the same statuses."""

from __future__ import annotations

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import TOKEN, Run, output, run_cli, runs_by_test, sim_env

SUITE = """
import pytest

@pytest.fixture
def broken_teardown():
    yield
    raise OSError("cleanup")

@pytest.fixture
def broken_setup():
    raise ConnectionError("down")

def test_pass(): pass
def test_fail(): assert 1 == 2
def test_fail_then_teardown_error(broken_teardown): assert 1 == 2
def test_pass_then_teardown_error(broken_teardown): pass
def test_setup_error(broken_setup): pass
def test_skip(): pytest.skip("not today")

@pytest.mark.xfail(reason="bug 1")
def test_xfail(): assert 0

@pytest.mark.xfail(reason="bug 2")
def test_xpass(): pass

@pytest.mark.parametrize("currency", ["EUR", "USD"])
def test_price(currency): pass

class TestGroup:
    def test_in_class(self): pass

def test_mapped(): pass
"""
MAPPED = "Checkout: mapped by node id"


def import_report(pytester: pytest.Pytester, other: Simulator, count: int) -> None:
    """``practitest import-junit report.xml`` into ``other``: every testcase delivered."""
    imported = run_cli(
        "import-junit",
        "report.xml",
        cwd=pytester.path,
        settings=sim_env(other, TOKEN, pytester.path / "junit-spool"),
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert f"PractiTest: {count} of {count} runs delivered" in imported.stdout


def statuses(sim: Simulator) -> dict[str, str]:
    return {name: runs[-1]["status"] for name, runs in runs_by_test(sim).items()}


@pytest.mark.parametrize("family", ["xunit2", "xunit1"])
def test_plugin_and_import_junit_name_map_and_classify_alike(
    pytester: pytest.Pytester, run: Run, sim: Simulator, family: str
) -> None:
    pytester.makeini(f"[pytest]\njunit_family = {family}\n")
    pytester.mkdir("checks")
    (pytester.path / "checks" / "test_both.py").write_text(SUITE)
    (pytester.path / "practitest.toml").write_text(
        f'[tests]\n"checks/test_both.py::test_mapped" = {{ name = "{MAPPED}" }}\n'
    )
    reported = run("--junitxml=report.xml", subprocess=True)
    reported.stdout.fnmatch_lines(["PractiTest: 12 of 12 runs delivered*"])
    by_plugin = statuses(sim)

    with Simulator(token=TOKEN, rate_limit=None) as other:
        import_report(pytester, other, 12)
        by_import = statuses(other)
        teardown = runs_by_test(other)["checks/test_both.py::test_pass_then_teardown_error"]
        assert output(teardown[-1]) == "error in teardown: OSError: cleanup"

    assert by_import == by_plugin
    assert by_plugin == {
        "checks/test_both.py::test_pass": "PASSED",
        "checks/test_both.py::test_fail": "FAILED",
        "checks/test_both.py::test_fail_then_teardown_error": "FAILED",
        "checks/test_both.py::test_pass_then_teardown_error": "FAILED",
        "checks/test_both.py::test_setup_error": "BLOCKED",
        "checks/test_both.py::test_skip": "NO RUN",
        "checks/test_both.py::test_xfail": "BLOCKED",
        "checks/test_both.py::test_xpass": "PASSED",
        "checks/test_both.py::test_price[EUR]": "PASSED",
        "checks/test_both.py::test_price[USD]": "PASSED",
        "checks/test_both.py::TestGroup::test_in_class": "PASSED",
        MAPPED: "PASSED",
    }


def test_import_junit_of_pytests_junitxml_lands_on_the_markers_test(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        test_marked="""
        import pytest

        @pytest.mark.practitest(test_id=80003)
        def test_by_test_id(): pass

        @pytest.mark.practitest(name="Catalog: search by name")
        def test_by_name(): pass

        @pytest.mark.practitest(display_id=1)
        def test_by_display_id(): pass
        """
    )
    reported = run("--junitxml=report.xml", create=False)
    reported.stdout.fnmatch_lines(["PractiTest: 3 of 3 runs delivered*"])
    by_plugin = sorted(runs_by_test(sim))
    assert 'name="practitest_test_id" value="80003"' in (pytester.path / "report.xml").read_text()

    with Simulator(token=TOKEN, rate_limit=None) as other:
        import_report(pytester, other, 3)
        assert sorted(runs_by_test(other)) == by_plugin
    assert by_plugin == ["Cart: add an item", "Catalog: search by name", "Checkout: pay by invoice"]
