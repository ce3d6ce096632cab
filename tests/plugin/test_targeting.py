"""The set the user names is where every result lands; one that cannot be had stops the session."""

from __future__ import annotations

import pytest

from pytest_practitest.simulator import Simulator

# practitest map's output of today: instance ids of set 20000 'Nightly regression'
MAPPED = (
    "[tests]\n"
    '"test_cart.py::test_add" = { instance_id = 300000 }\n'
    '"test_cart.py::test_remove" = { instance_id = 300001 }\n'
)
SUITE = "def test_add(): pass\ndef test_remove(): pass\n"


def _run(
    pytester: pytest.Pytester, psim: Simulator, *args: str, create: bool = True
) -> pytest.RunResult:
    """pytest --practitest into the set ``args`` name (the ``run`` fixture names set 20000)."""
    options = [
        "-p",
        "no:cacheprovider",
        "--practitest",
        f"--practitest-url={psim.url}",
        "--practitest-project-id=4500",
        "--practitest-deadline=20",
        "--practitest-rate-limit=0",
    ]
    if create:
        options += [
            "--practitest-create-missing",
            f"--practitest-author-id={psim.info.users['owner@example.com']}",
        ]
    return pytester.runpytest_subprocess(*options, *args)


def _runs_by_set(psim: Simulator) -> dict[int, int]:
    instances = {int(i["id"]): i for i in psim.entities("instances")}
    counts: dict[int, int] = {}
    for run in psim.entities("runs"):
        set_id = int(instances[int(run["instance-id"])]["set-id"])
        counts[set_id] = counts.get(set_id, 0) + 1
    return counts


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_instances_of_another_set_land_in_the_set_named(
    pytester: pytest.Pytester, psim: Simulator, workers: list[str]
) -> None:
    pytester.makepyfile(test_cart=SUITE)
    pytester.path.joinpath("practitest.toml").write_text(MAPPED)
    result = _run(pytester, psim, "--practitest-set-name=CI main", *workers)
    result.assert_outcomes(passed=2)
    ci_main = next(s for s in psim.entities("sets") if s["name"] == "CI main")
    assert _runs_by_set(psim) == {int(ci_main["id"]): 2}
    result.stdout.fnmatch_lines(
        [
            f"PractiTest: 2 of 2 runs delivered to test set {ci_main['id']} 'CI main' in *",
            "PractiTest: 2 of them were mapped to an instance of another test set: delivered "
            f"to the same test's instance in test set {ci_main['id']} 'CI main'",
        ]
    )
    assert result.stdout.str().count("mapped to an instance of another test set") == 1


def test_without_create_missing_an_instance_of_another_set_is_rejected_naming_both(
    pytester: pytest.Pytester, psim: Simulator
) -> None:
    pytester.makepyfile(test_cart=SUITE)
    pytester.path.joinpath("practitest.toml").write_text(MAPPED)
    result = _run(pytester, psim, "--practitest-set-name=CI main", create=False)
    result.assert_outcomes(passed=2)
    assert psim.entities("runs") == []
    ci_main = next(s for s in psim.entities("sets") if s["name"] == "CI main")
    result.stdout.fnmatch_lines(
        [
            f"PractiTest: 0 of 2 runs delivered to test set {ci_main['id']} 'CI main' in *",
            "PractiTest: rejected: test_cart.py::test_add: instance 300000 (of another set; "
            f"test id *) has no instance in test set {ci_main['id']} ('CI main'); map it, "
            "or turn on create-missing",
        ]
    )


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_set_that_does_not_exist_stops_the_session_before_any_test(
    pytester: pytest.Pytester, psim: Simulator, workers: list[str]
) -> None:
    pytester.makepyfile(test_cart=SUITE + "def test_marker(): open('ran', 'w').close()\n")
    pytester.path.joinpath("practitest.toml").write_text(MAPPED)
    result = _run(pytester, psim, "--practitest-set-id=99", *workers)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert not pytester.path.joinpath("ran").exists()
    errors = [line for line in result.stderr.lines if line.startswith("ERROR")]
    assert errors == [
        "ERROR: PractiTest: test set 99 does not exist in project 4500; check PRACTITEST_SET_ID"
    ]
    assert psim.entities("runs") == []
    assert list(pytester.path.rglob("practitest-*.jsonl")) == []
    assert "delivered" not in result.stdout.str()
