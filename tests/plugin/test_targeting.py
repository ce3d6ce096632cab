"""The set the user names is where every result lands; one that cannot be had stops the session."""

from __future__ import annotations

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import Run

# practitest map's output of today: instance ids of set 20000 'Nightly regression'
MAPPED = (
    "[tests]\n"
    '"test_cart.py::test_add" = { instance_id = 300000 }\n'
    '"test_cart.py::test_remove" = { instance_id = 300001 }\n'
)
SUITE = "def test_add(): pass\ndef test_remove(): pass\n"


def _runs_by_set(sim: Simulator) -> dict[int, int]:
    instances = {int(i["id"]): i for i in sim.entities("instances")}
    counts: dict[int, int] = {}
    for run in sim.entities("runs"):
        set_id = int(instances[int(run["instance-id"])]["set-id"])
        counts[set_id] = counts.get(set_id, 0) + 1
    return counts


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_instances_of_another_set_land_in_the_set_named(
    pytester: pytest.Pytester, sim: Simulator, run: Run, workers: list[str]
) -> None:
    pytester.makepyfile(test_cart=SUITE)
    pytester.path.joinpath("practitest.toml").write_text(MAPPED)
    result = run("--practitest-set-name=CI main", *workers, subprocess=True)
    result.assert_outcomes(passed=2)
    ci_main = next(s for s in sim.entities("sets") if s["name"] == "CI main")
    assert _runs_by_set(sim) == {int(ci_main["id"]): 2}
    result.stdout.fnmatch_lines(
        [
            f"PractiTest: 2 of 2 runs delivered to test set {ci_main['id']} 'CI main' in *",
            "PractiTest: 2 of them were mapped to an instance of another test set: delivered "
            f"to the same test's instance in test set {ci_main['id']} 'CI main'",
        ]
    )
    assert result.stdout.str().count("mapped to an instance of another test set") == 1


def test_without_create_missing_an_instance_of_another_set_is_rejected_naming_both(
    pytester: pytest.Pytester, sim: Simulator, run: Run
) -> None:
    pytester.makepyfile(test_cart=SUITE)
    pytester.path.joinpath("practitest.toml").write_text(MAPPED)
    result = run("--practitest-set-name=CI main", create=False, subprocess=True)
    result.assert_outcomes(passed=2)
    assert sim.entities("runs") == []
    ci_main = next(s for s in sim.entities("sets") if s["name"] == "CI main")
    result.stdout.fnmatch_lines(
        [
            f"PractiTest: 0 of 2 runs delivered to test set {ci_main['id']} 'CI main' in *",
            "PractiTest: rejected: test_cart.py::test_add: instance 300000 (of another set; "
            f"test id *) has no instance in test set {ci_main['id']} ('CI main'); map it, "
            "or turn on create-missing (--create-missing; in pytest "
            "--practitest-create-missing)",
        ]
    )


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_set_that_does_not_exist_stops_the_session_before_any_test(
    pytester: pytest.Pytester, sim: Simulator, run: Run, workers: list[str]
) -> None:
    pytester.makepyfile(test_cart=SUITE + "def test_marker(): open('ran', 'w').close()\n")
    pytester.path.joinpath("practitest.toml").write_text(MAPPED)
    result = run("--practitest-set-id=99", *workers, subprocess=True)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert not pytester.path.joinpath("ran").exists()
    errors = [line for line in result.stderr.lines if line.startswith("ERROR")]
    assert errors == [
        "ERROR: PractiTest: test set 99 does not exist in project 4500; check --practitest-set-id"
    ]
    assert sim.entities("runs") == []
    assert list(pytester.path.rglob("practitest-*.jsonl")) == []
    assert "delivered" not in result.stdout.str()


#: an id that is not there, what else the session needs, and the line's start
WRONG_IDS = {
    "set": (
        "set_id",
        "99",
        "--practitest-project-id=4500",
        "test set 99 does not exist in project 4500",
    ),
    "project": (
        "project_id",
        "9999",
        "--practitest-set-id=20000",
        "project 9999 does not exist, or this token cannot see it",
    ),
}


@pytest.mark.parametrize("what", ["set", "project"])
@pytest.mark.parametrize("given", ["flag", "env", "ini"])
def test_a_set_or_project_that_does_not_exist_names_the_source_that_gave_it(
    pytester: pytest.Pytester,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    given: str,
    what: str,
) -> None:
    """The project's line said PRACTITEST_PROJECT_ID whatever gave the id."""
    key, value, other, said = WRONG_IDS[what]
    pytester.makepyfile(test_cart=SUITE)
    options = ["-p", "no:cacheprovider", "--practitest", f"--practitest-url={sim.url}", other]
    source = {
        "flag": f"--practitest-{key.replace('_', '-')}",
        "env": f"PRACTITEST_{key.upper()}",
        "ini": f"ini practitest_{key}",
    }[given]
    if given == "flag":
        options.append(f"{source}={value}")
    elif given == "env":
        monkeypatch.setenv(source, value)
    else:
        pytester.makeini(f"[pytest]\npractitest_{key} = {value}\n")
    result = pytester.runpytest(*options)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.startswith("ERROR")]
    assert errors == [f"ERROR: PractiTest: {said}; check {source}"]


def test_select_and_reporting_name_the_same_test_on_a_mapping_error(
    pytester: pytest.Pytester, sim: Simulator, run: Run
) -> None:
    from pytest_practitest.simulator import entities

    store = sim.store
    with store.lock:  # the set plans the function's test, named after its id
        owner = sim.info.users["owner@example.com"]
        test = entities.create_test(store, 4500, {"name": "test_p.py::test_p"}, owner)
        entities.create_instance(store, store.table("sets")[20000], test)
    pytester.makepyfile(
        test_p="""
        import pytest
        @pytest.mark.practitest(instance_id=0)
        @pytest.mark.parametrize("n", [1, 2])
        def test_p(n): pass
        def test_unplanned(): pass
        """
    )
    result = run(
        "--practitest-set-id=20000",
        "--practitest-parametrized=function",
        "--practitest-select",
        create=False,
        subprocess=True,
    )
    result.assert_outcomes(passed=2, deselected=1)
    result.stdout.fnmatch_lines(
        [
            "PractiTest: warning: test_p.py::test_p[[]1[]]: marker: instance_id must be a "
            "positive integer, got 0",
            "PractiTest: 1 of 1 runs delivered to test set 20000 'Nightly regression' in *",
        ]
    )
    [stored] = sim.entities("runs")
    assert stored["instance-id"] == store.find("instances", {"test-id": test["id"]})[0]["id"]
