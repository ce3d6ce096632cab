"""The mapping file's instance hints (``practitest sync`` writes them): a run into the
hinted set posts without listing it; a hint for another set is ignored; a hinted
instance deleted since is rejected with the advice to sync again."""

from __future__ import annotations

import pytest

from pytest_practitest.simulator import Simulator, entities
from tests.helpers import Run

SUITE = "def test_add(): pass\ndef test_remove(): pass\n"
LISTING = "/api/v2/projects/4500/instances.json"


def _mapping(pytester: pytest.Pytester, set_id: int, add: int, remove: int) -> None:
    pytester.path.joinpath("practitest.toml").write_text(
        "[tests]\n"
        f'"test_cart.py::test_add" = {{ test_id = 80000, instance = {{ set = {set_id}, '
        f"id = {add} }} }}\n"
        f'"test_cart.py::test_remove" = {{ test_id = 80001, instance = {{ set = {set_id}, '
        f"id = {remove} }} }}\n"
    )


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_hints_for_the_set_post_without_listing_it(
    pytester: pytest.Pytester, sim: Simulator, run: Run, workers: list[str]
) -> None:
    pytester.makepyfile(test_cart=SUITE)
    _mapping(pytester, 20000, 300000, 300001)
    sim.clear_requests()
    result = run("--practitest-set-id=20000", *workers, create=False, subprocess=True)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["PractiTest: 2 of 2 runs delivered to test set 20000 *"])
    assert sorted(r["instance-id"] for r in sim.entities("runs")) == [300000, 300001]
    calls = [(r.method, r.path) for r in sim.requests]
    assert calls[0] == ("GET", "/api/v2/projects/4500/sets/20000.json")
    # one post, or one per result when the workers' results come apart
    assert set(calls[1:]) == {("POST", "/api/v2/projects/4500/runs.json")}
    assert len(calls) <= 3


def test_a_hint_for_another_set_is_ignored_the_test_id_decides(
    pytester: pytest.Pytester, sim: Simulator, run: Run
) -> None:
    owner = sim.info.users["owner@example.com"]
    ci_main = entities.create_set(sim.store, 4500, {"name": "CI main"}, owner)
    here = []
    for test_id in (80000, 80001):
        test = sim.store.get("tests", test_id)
        assert test is not None
        here.append(int(entities.create_instance(sim.store, ci_main, test)["id"]))
    pytester.makepyfile(test_cart=SUITE)
    _mapping(pytester, 20000, 300000, 300001)  # synced into 'Nightly regression'
    sim.clear_requests()
    result = run(f"--practitest-set-id={ci_main['id']}", create=False, subprocess=True)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [f"PractiTest: 2 of 2 runs delivered to test set {ci_main['id']} 'CI main' in *"]
    )
    assert sorted(r["instance-id"] for r in sim.entities("runs")) == here
    assert ("GET", LISTING) in [(r.method, r.path) for r in sim.requests]
    assert "another test set" not in result.stdout.str()


@pytest.mark.parametrize("status", [422, 404])
def test_a_hinted_instance_deleted_since_falls_back_to_the_test_id(
    pytester: pytest.Pytester, sim: Simulator, run: Run, status: int
) -> None:
    sim.switch(stale_bulk_status=status)
    entities.delete(sim.store, "instances", 300001)
    test = sim.store.get("tests", 80001)
    assert test is not None
    nightly = sim.store.get("sets", 20000)
    assert nightly is not None
    again = int(entities.create_instance(sim.store, nightly, test)["id"])
    pytester.makepyfile(test_cart=SUITE)
    _mapping(pytester, 20000, 300000, 300001)
    sim.clear_requests()
    result = run("--practitest-set-id=20000", create=False, subprocess=True)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["PractiTest: 2 of 2 runs delivered to test set 20000 *"])
    assert "rejected" not in result.stdout.str()
    assert sorted(r["instance-id"] for r in sim.entities("runs")) == [300000, again]
    listings = [r.query for r in sim.requests if (r.method, r.path) == ("GET", LISTING)]
    assert len(listings) == 1  # the one extra call; the set is not listed
    assert "test-ids=80001" in listings[0]


def test_a_hinted_instance_deleted_since_with_no_instance_of_its_test_is_rejected(
    pytester: pytest.Pytester, sim: Simulator, run: Run
) -> None:
    entities.delete(sim.store, "instances", 300001)
    pytester.makepyfile(test_cart=SUITE)
    _mapping(pytester, 20000, 300000, 300001)
    sim.clear_requests()
    result = run("--practitest-set-id=20000", create=False, subprocess=True)
    result.assert_outcomes(passed=2)
    assert [r["instance-id"] for r in sim.entities("runs")] == [300000]
    result.stdout.fnmatch_lines(
        [
            "PractiTest: 1 of 2 runs delivered to test set 20000 *",
            "PractiTest: rejected: test_cart.py::test_remove: instance-id 300001 does not exist "
            "in project 4500 (instance 300001 of test 80001, from the mapping file: deleted since "
            "`practitest sync`?), and test id 80001 has no instance in test set 20000 "
            "('Nightly regression'); map it, or turn on create-missing "
            "(--create-missing; in pytest --practitest-create-missing)",
        ]
    )
    assert ("GET", LISTING) in [(r.method, r.path) for r in sim.requests]


def test_a_hinted_instance_deleted_since_is_made_again_with_create_missing(
    pytester: pytest.Pytester, sim: Simulator, run: Run
) -> None:
    entities.delete(sim.store, "instances", 300001)
    pytester.makepyfile(test_cart=SUITE)
    _mapping(pytester, 20000, 300000, 300001)
    result = run("--practitest-set-id=20000", subprocess=True)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["PractiTest: 2 of 2 runs delivered to test set 20000 *"])
    made = [i for i in sim.entities("instances") if i["test-id"] == 80001 and i["set-id"] == 20000]
    assert len(made) == 1
    assert sorted(r["instance-id"] for r in sim.entities("runs")) == [300000, int(made[0]["id"])]
