"""--practitest-select: run what the test set plans, by pytest's own deselection."""

from __future__ import annotations

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import Run

SUITE = """
import pytest

@pytest.mark.practitest(name="Cart: add an item")
def test_add():
    assert FAIL is False

def test_remove():  # mapped to instance 300001 by map.toml
    pass

def test_unplanned():
    pass
"""
MAP = '[tests]\n"test_shop.py::test_remove" = { instance_id = 300001 }\n'


def suite(pytester: pytest.Pytester, fail: bool = True) -> None:
    pytester.makepyfile(test_shop=f"FAIL = {fail}\n" + SUITE)
    (pytester.path / "practitest.toml").write_text(MAP)


def instances_run(sim: Simulator) -> list[int]:
    return sorted(run["instance-id"] for run in sim.entities("runs"))


@pytest.mark.parametrize("parallel", [[], ["-n", "2"]])
def test_only_the_sets_instances_run_and_the_rest_is_deselected(
    pytester: pytest.Pytester, run: Run, sim: Simulator, parallel: list[str]
) -> None:
    suite(pytester)
    result = run("-v", "--practitest-select", *parallel, create=False, subprocess=True)
    result.stdout.fnmatch_lines(
        [
            "PractiTest: 2 of 2 runs delivered*",
            "PractiTest: selected the tests planned in 8 of the 8 instances of test set 20000 "
            "'Nightly regression' (*API calls); 2 of the 8 have a test here",
            "PractiTest: 6 planned instances have no test here:",
            "  Catalog: search by name",
            # xdist's workers deselect: its controller counts only what they kept
            "*1 failed, 1 passed in*" if parallel else "*1 failed, 1 passed, 1 deselected*",
        ]
    )
    if parallel:
        result.stdout.fnmatch_lines(["2 workers [2 items]"])
    assert "test_unplanned PASSED" not in result.stdout.str()
    assert instances_run(sim) == [300000, 300001]


@pytest.mark.parametrize("parallel", [[], ["-n", "2"]])
def test_statuses_keep_only_what_failed_last_time(
    pytester: pytest.Pytester, run: Run, sim: Simulator, parallel: list[str]
) -> None:
    suite(pytester)
    first = run("--practitest-select", *parallel, create=False, subprocess=True)
    first.stdout.fnmatch_lines(["PractiTest: 2 of 2 runs delivered*"])
    again = run("--practitest-select=failed,blocked", *parallel, create=False, subprocess=True)
    again.stdout.fnmatch_lines(
        [
            "PractiTest: selected the tests planned in 1 of the 8 instances of test set 20000 "
            "'Nightly regression' whose last run is BLOCKED, FAILED (*",
            # xdist's workers deselect: its controller counts only what they kept
            "*1 failed in*" if parallel else "*1 failed, 2 deselected*",
        ]
    )
    if parallel:
        again.stdout.fnmatch_lines(["2 workers [1 item]"])
    assert "no test here" not in again.stdout.str()
    assert instances_run(sim) == [300000, 300000, 300001]


def test_collect_only_lists_the_selection_and_delivers_nothing(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    suite(pytester)
    result = run("--co", "-q", "--practitest-select", create=False)
    result.stdout.fnmatch_lines(
        [
            "test_shop.py::test_add",
            "test_shop.py::test_remove",
            "2/3 tests collected (1 deselected)*",
        ]
    )
    assert "test_unplanned" not in result.stdout.str()
    assert sim.entities("runs") == []


def test_a_bad_status_and_an_unreadable_set_stop_with_one_line(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    suite(pytester)
    bad = run("--practitest-select", "tests/", create=False)
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(
        [
            "ERROR: PractiTest: --practitest-select took 'tests/' for its statuses: put a bare "
            "--practitest-select after the test paths (pytest tests/ --practitest-select), "
            "or give statuses with = (--practitest-select=failed)"
        ]
    )
    misspelt = run("--practitest-select=faild", create=False)
    assert misspelt.ret == pytest.ExitCode.USAGE_ERROR
    misspelt.stderr.fnmatch_lines(
        [
            "ERROR: PractiTest: --practitest-select: expected all, or statuses among passed, "
            "failed, blocked, no-run, not-completed, n/a (e.g. --practitest-select=failed,"
            "blocked); got 'faild'"
        ]
    )
    missing = run("--practitest-select", "--practitest-set-id=99", create=False)
    assert missing.ret == pytest.ExitCode.USAGE_ERROR
    missing.stderr.fnmatch_lines(
        [
            "ERROR: PractiTest: --practitest-select: test set 99 does not exist in project 4500; "
            "check --practitest-set-id"
        ]
    )


def test_with_k_and_a_dry_run_the_selection_narrows_and_nothing_is_sent(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    suite(pytester)
    result = run("-k", "not add", "--practitest-dry-run", "--practitest-select", create=False)
    result.stdout.fnmatch_lines(
        [
            "PractiTest: selected the tests planned in 8 of the 8 instances*",
            "PractiTest: 7 planned instances have no test here:",
            "*1 passed, 2 deselected*",
        ]
    )
    assert sim.entities("runs") == []


def test_select_without_reporting_on_says_so(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_one="def test_one(): pass\n")
    result = pytester.runpytest("--practitest-select")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: PractiTest: --practitest-select needs --practitest: it selects from the "
            "test set results go to"
        ]
    )


def test_a_big_set_is_read_100_instances_a_call(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    from tests.helpers import seed_set

    set_id, _, names = seed_set(sim, 250, "Big plan")
    pytester.makepyfile(
        test_big="import pytest\n"
        f"@pytest.mark.practitest(name={names[7]!r})\ndef test_planned(): pass\n"
        "def test_not_planned(): pass\n"
    )
    result = run("--practitest-select", f"--practitest-set-id={set_id}", create=False)
    result.stdout.fnmatch_lines(
        [
            "PractiTest: 1 of 1 runs delivered*",
            f"PractiTest: selected the tests planned in 250 of the 250 instances of test set "
            f"{set_id} 'Big plan' (4 API calls); 1 of the 250 have a test here",  # 1 + 3 pages
            "PractiTest: 249 planned instances have no test here:",
            "  ... and 229 more (the first 20 are above)",
            "*1 passed, 1 deselected*",
        ]
    )
    pages = [r for r in sim.requests if r.path.endswith("/instances.json")]
    assert all("page%5Bsize%5D=100" in r.query for r in pages)


def _ci_main(sim: Simulator, statuses: dict[int, str] | None = None) -> int:
    """A set 'CI main' with an instance of the tests of instances 300000 and 300001 of set
    20000 'Nightly regression'; ``statuses``: a last run status per instance of 20000."""
    from pytest_practitest.simulator import entities

    store = sim.store
    with store.lock:
        owner = sim.info.users["owner@example.com"]
        ci_main = entities.create_set(store, 4500, {"name": "CI main"}, owner)
        for instance_id in (300000, 300001):
            nightly = store.table("instances")[instance_id]
            test = store.table("tests")[nightly["test-id"]]
            ours = entities.create_instance(store, ci_main, test)
            ours["run-status"] = (statuses or {}).get(instance_id, "NO RUN")
    return int(ci_main["id"])


def _runs_in(sim: Simulator, set_id: int) -> int:
    instances = {int(i["id"]): int(i["set-id"]) for i in sim.entities("instances")}
    return sum(1 for run in sim.entities("runs") if instances[int(run["instance-id"])] == set_id)


@pytest.mark.parametrize("parallel", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_mapping_to_another_sets_instances_selects_by_the_same_tests_in_the_set_named(
    pytester: pytest.Pytester, run: Run, sim: Simulator, parallel: list[str]
) -> None:
    ci_main = _ci_main(sim)
    pytester.makepyfile(
        test_cart="def test_add(): pass\ndef test_remove(): pass\ndef test_search(): pass\n"
    )
    (pytester.path / "practitest.toml").write_text(
        "[tests]\n"
        '"test_cart.py::test_add" = { instance_id = 300000 }\n'
        '"test_cart.py::test_remove" = { instance_id = 300001 }\n'
        '"test_cart.py::test_search" = { instance_id = 300002 }\n'  # not in CI main
    )
    result = run(
        "-v", "--practitest-select", "--practitest-set-name=CI main", *parallel,
        create=False, subprocess=True,
    )  # fmt: skip
    result.stdout.fnmatch_lines(
        [
            f"PractiTest: 2 of 2 runs delivered to test set {ci_main} 'CI main' in *",
            "PractiTest: 2 of them were mapped to an instance of another test set: delivered "
            f"to the same test's instance in test set {ci_main} 'CI main'",
            # the set by name, its listing; instance 300000, then its set's listing
            f"PractiTest: selected the tests planned in 2 of the 2 instances of test set "
            f"{ci_main} 'CI main' (4 API calls)",
        ]
    )
    result.assert_outcomes(passed=2, deselected=0 if parallel else 1)
    assert "test_search PASSED" not in result.stdout.str()
    # once for the selection (by the xdist controller: its workers ask nothing), once for
    # the delivery
    reads = [r.path for r in sim.requests if r.path.endswith("/instances/300000.json")]
    assert len(reads) == 2
    assert _runs_in(sim, ci_main) == 2
    assert _runs_in(sim, 20000) == 0


def test_a_marker_on_another_sets_instance_selects_by_the_last_status_in_the_set_named(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    ci_main = _ci_main(sim, {300000: "FAILED", 300001: "PASSED"})
    with sim.store.lock:  # in 'Nightly regression' it is the other way round
        sim.store.table("instances")[300001]["run-status"] = "FAILED"
    pytester.makepyfile(
        test_cart="""
        import pytest
        @pytest.mark.practitest(instance_id=300000)
        def test_add(): pass
        @pytest.mark.practitest(instance_id=300001)
        def test_remove(): pass
        """
    )
    result = run("--practitest-select=failed", "--practitest-set-name=CI main", create=False)
    result.assert_outcomes(passed=1, deselected=1)
    result.stdout.fnmatch_lines(
        [
            f"PractiTest: 1 of 1 runs delivered to test set {ci_main} 'CI main' in *",
            f"PractiTest: selected the tests planned in 1 of the 2 instances of test set "
            f"{ci_main} 'CI main' whose last run is FAILED (2 API calls)",
        ]
    )
    [stored] = sim.entities("runs")
    assert stored["instance-id"] in {
        i["id"] for i in sim.store.find("instances", {"set-id": ci_main})
    }
    nightly = sim.store.table("instances")[300000]
    assert sim.store.table("instances")[stored["instance-id"]]["test-id"] == nightly["test-id"]


@pytest.mark.parametrize("parallel", [[], ["-n", "2"]])
def test_a_test_named_with_a_masked_secret_is_selected(
    pytester: pytest.Pytester, run: Run, sim: Simulator, parallel: list[str]
) -> None:
    """Its instance is ``test_login[***]`` in PractiTest: select names it the same way."""
    pytester.makepyfile(
        test_secret="import pytest\n\n"
        "@pytest.mark.parametrize('password', ['hunter2-secret'])\n"
        "def test_login(password):\n    pass\n"
    )
    first = run("--practitest-redact=hunter2-secret")
    first.stdout.fnmatch_lines(["PractiTest: 1 of 1 runs delivered*"])
    [test] = [t for t in sim.entities("tests") if t["name"].startswith("test_secret")]
    assert test["name"] == "test_secret.py::test_login[***]"
    again = run(
        "--practitest-redact=hunter2-secret", "--practitest-select", *parallel, subprocess=True
    )
    again.stdout.fnmatch_lines(["PractiTest: 1 of 1 runs delivered*", "*1 passed*"])
    assert len(sim.entities("runs")) == 2
