"""``practitest sync``: PractiTest's tests and the set's instances made equal to the code."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest

from pytest_practitest.simulator import Simulator, entities
from tests.helpers import run_cli, run_pytest

TOKEN = "sync-token-4d5e6f"
pytestmark = pytest.mark.practitest_simulator(token=TOKEN)
ROOT = Path(__file__).resolve().parents[2]
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def env_of(sim: Simulator) -> dict[str, str]:
    return {
        "PRACTITEST_TOKEN": TOKEN,
        "PRACTITEST_URL": sim.url,
        "PRACTITEST_PROJECT_ID": str(sim.info.project_id),
        "PRACTITEST_AUTHOR_ID": str(sim.info.users["owner@example.com"]),
        "PRACTITEST_RATE_LIMIT": "0",
    }


def sync(cwd: Path, sim: Simulator, *args: str) -> subprocess.CompletedProcess[str]:
    sim.clear_requests()
    result: subprocess.CompletedProcess[str] = run_cli(
        "sync", *args, cwd=cwd, timeout=120, **env_of(sim)
    )
    return result


def writes(sim: Simulator) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in sim.requests if r.method in WRITES]


def test_webshop_first_sync_second_is_free_then_one_docstring_one_update(
    tmp_path: Path, sim: Simulator
) -> None:
    shop = tmp_path / "webshop"
    shutil.copytree(ROOT / "sample_projects" / "webshop", shop)
    set_id = str(sim.info.set_id)

    first = sync(shop, sim, "--set-id", set_id)
    assert first.returncode == 0, first.stdout + first.stderr
    out = first.stdout.splitlines()
    assert out[0] == (
        f"test set {set_id} 'Nightly regression': 8 instances; code: 14 tests, as 13 PractiTest tests"
    )
    assert "  new test: tests/test_login.py::test_logout" in out
    assert (
        "plan: 5 tests to create, 8 to update, 0 with steps to change, 0 with requirements to "
        "link, 5 instances to add: 14 write calls" in out
    )
    made = writes(sim)
    assert made.count(("POST", "/api/v2/projects/4500/tests.json")) == 5
    assert made.count(("POST", "/api/v2/projects/4500/instances.json")) == 1
    assert len(made) == 14
    assert "sync: 14/14 calls (100%)" in first.stderr
    assert (
        f"mapping file {shop / 'practitest.toml'}: 5 entries given their instance in test set "
        f"{set_id} (their results into that set need no listing of it)"
    ) in out
    mapping = (shop / "practitest.toml").read_text()
    assert (
        '"tests/test_login.py::test_logout" = '
        f"{{ test_id = 80012, instance = {{ set = {set_id}, id = 300012 }} }}"
    ) in mapping

    logout = sim.entities("tests")[-1]
    assert logout["name"] == "tests/test_login.py::test_logout"
    assert logout["automated-fields"] == {
        "script_path": "tests/test_login.py",
        "script_name": "tests/test_login.py::test_logout",
    }
    assert {i["test-id"] for i in sim.entities("instances")} >= {80008, 80012}

    second = sync(shop, sim, "--set-id", set_id)
    assert second.returncode == 0, second.stdout + second.stderr
    assert writes(sim) == []
    assert all(r.method == "GET" for r in sim.requests)
    assert "read PractiTest in 3 calls; 0 differences" in second.stdout
    assert "given their instance" not in second.stdout
    assert (shop / "practitest.toml").read_text() == mapping

    cart = shop / "tests" / "test_cart.py"
    cart.write_text(
        cart.read_text().replace(
            "def test_add_an_item(cart):", 'def test_add_an_item(cart):\n    """Adds one."""', 1
        )
    )
    check = sync(shop, sim, "--set-id", set_id, "--check")
    assert check.returncode == 1
    assert check.stdout.splitlines()[1:] == [
        "changed description: tests/test_cart.py::test_add_an_item (test 80000)",
        "1 difference: practitest sync applies it",
    ]
    assert writes(sim) == []
    third = sync(shop, sim, "--set-id", set_id)
    assert third.returncode == 0, third.stdout + third.stderr
    assert writes(sim) == [("PUT", "/api/v2/projects/4500/tests/80000.json")]
    assert sim.entities("tests")[0]["description"] == "Adds one."
    assert sync(shop, sim, "--set-id", set_id, "--check").returncode == 0


def generated_suite(count: int) -> str:
    lines = ["import pytest", ""]
    for index in range(count):
        if index % 3 == 0:
            lines.append("@pytest.mark.slow")
        lines.append(f"def test_{index:03d}():")
        lines.append(f'    """Checks case {index}."""')
        lines.append("")
    return "\n".join(lines)


def test_300_tests_sync_once_then_pytest_reports_without_creating(
    tmp_path: Path, sim: Simulator
) -> None:
    count = 300
    (tmp_path / "test_gen.py").write_text(generated_suite(count))
    owner = sim.info.users["owner@example.com"]
    test_set = entities.create_set(sim.store, sim.info.project_id, {"name": "Gen"}, owner)
    set_id = str(test_set["id"])

    dry = sync(tmp_path, sim, "--set-id", set_id, "--dry-run", "--rate-limit", "30")
    assert dry.returncode == 0, dry.stderr
    assert (
        "plan: 300 tests to create, 0 to update, 0 with steps to change, 0 with requirements "
        "to link, 300 instances to add: 315 write calls, about 10.0 min at 30 calls per 60 s"
    ) in dry.stdout.splitlines()
    assert writes(sim) == []
    assert not (tmp_path / "practitest.toml").exists()

    first = sync(tmp_path, sim, "--set-id", set_id)
    assert first.returncode == 0, first.stdout + first.stderr
    made = writes(sim)
    assert made.count(("POST", "/api/v2/projects/4500/tests.json")) == count
    assert made.count(("POST", "/api/v2/projects/4500/instances.json")) == count // 20
    assert len(made) == count + count // 20
    reads = [r for r in sim.requests if r.method == "GET"]
    assert len(reads) == 1 + 1 + 1  # the set, its (empty) instances, the project's tests
    tests = {t["name"]: t for t in sim.entities("tests")}
    assert tests["test_gen.py::test_003"]["tags"] == ["slow"]
    assert tests["test_gen.py::test_004"]["description"] == "Checks case 4."
    assert sum(i["set-id"] == test_set["id"] for i in sim.entities("instances")) == count

    second = sync(tmp_path, sim, "--set-id", set_id)
    assert second.returncode == 0, second.stdout + second.stderr
    assert writes(sim) == []
    # the set, its instances and their tests, 100 per page
    assert len(sim.requests) == 1 + 3 + 3

    sim.clear_requests()
    ran = run_pytest(
        "--practitest",
        "-q",
        cwd=tmp_path,
        env={**env_of(sim), "PRACTITEST_SET_ID": set_id},
    )
    assert f"PractiTest: {count} of {count} runs delivered" in ran.stdout, ran.stdout
    assert writes(sim) == [("POST", "/api/v2/projects/4500/runs.json")] * (count // 20)
    assert sum(t["name"].startswith("test_gen") for t in sim.entities("tests")) == count
    # the set, then the runs (20 per call): the mapping file names each test's instance
    # in the set, so it is not listed
    assert len(sim.requests) == 1 + math.ceil(count / 20) <= math.ceil(count / 20) + 3
    assert sum(i["set-id"] == test_set["id"] for i in sim.entities("instances")) == count
    runs = sim.entities("runs")
    assert len(runs) == count
    in_set = {i["id"] for i in sim.entities("instances") if i["set-id"] == test_set["id"]}
    assert {r["instance-id"] for r in runs} == in_set


SUITE = '''
import pytest

@pytest.mark.practitest(
    tags=["cart"], requirements=["REQ-1", "REQ-2", "REQ-99"],
    steps=["Open a product", {"name": "Add it", "expected": "one item"}],
)
def test_add():
    """Adds an item."""

def test_other():
    pass
'''


def test_requirements_and_steps_are_linked_and_kept_equal(tmp_path: Path, sim: Simulator) -> None:
    (tmp_path / "test_shop.py").write_text(SUITE)
    set_id = str(sim.info.set_id)
    first = sync(tmp_path, sim, "--set-id", set_id)
    assert first.returncode == 1, first.stdout + first.stderr  # a requirement is missing
    assert (
        "  test_shop.py::test_add: requirement 'REQ-99' does not exist in project 4500; not linked"
    ) in first.stdout.splitlines()
    assert (
        "  note: 8 instances of the set have no test in the code (manual tests, or tests the "
        "code no longer has; sync never removes them): 'Cart: add an item' (instance 300000), "
    ) in first.stdout
    test = next(t for t in sim.entities("tests") if t["name"] == "test_shop.py::test_add")
    assert test["tags"] == ["cart"]
    stored = sim.store.get("tests", test["id"])
    assert stored is not None
    assert stored["_requirement-ids"] == [60000, 60001]
    steps = [
        (s["name"], s["expected-results"])
        for s in sim.entities("steps")
        if s["test-id"] == test["id"]
    ]
    assert steps == [("Open a product", ""), ("Add it", "one item")]

    (tmp_path / "test_shop.py").write_text(
        SUITE.replace('"REQ-2", "REQ-99"', '"REQ-3"').replace('"Add it"', '"Add it twice"')
    )
    check = sync(tmp_path, sim, "--set-id", set_id, "--check")
    assert check.returncode == 1
    lines = check.stdout.splitlines()
    assert (
        f"changed steps: test_shop.py::test_add (test {test['id']}): 2 in PractiTest, 2 in the code, 1 changed"
        in lines
    )
    assert (
        f"changed requirements: test_shop.py::test_add (test {test['id']}): REQ-1, requirement "
        "id 60001 -> REQ-1, REQ-3"
    ) in lines
    again = sync(tmp_path, sim, "--set-id", set_id)
    assert again.returncode == 0, again.stdout + again.stderr
    assert sorted(writes(sim)) == [
        ("PATCH", f"/api/v2/projects/4500/tests/{test['id']}/relationships/requirements.json"),
        ("PUT", f"/api/v2/projects/4500/steps/{sim.entities('steps')[-1]['id']}.json"),
    ]
    linked = sim.store.get("tests", test["id"])
    assert linked is not None
    assert linked["_requirement-ids"] == [60000, 60002]


def test_an_interrupted_sync_goes_on_where_it_stopped(tmp_path: Path, sim: Simulator) -> None:
    (tmp_path / "test_gen.py").write_text(generated_suite(30))
    set_id = str(sim.info.set_id)
    # The 26th call fails: 25 tests exist, 20 of them in the set, all 25 in the mapping file.
    sim.faults.add("status", "POST", r"/tests$", status=500, calls={26})
    stopped = sync(tmp_path, sim, "--set-id", set_id)
    assert stopped.returncode == 1
    assert stopped.stderr.splitlines()[-1].startswith("practitest sync: error: ")
    assert (tmp_path / "practitest.toml").read_text().count("test_id =") == 25
    sim.faults.clear()
    resumed = sync(tmp_path, sim, "--set-id", set_id)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    made = writes(sim)
    assert made.count(("POST", "/api/v2/projects/4500/tests.json")) == 5
    names = [t["name"] for t in sim.entities("tests") if t["name"].startswith("test_gen")]
    assert len(names) == len(set(names)) == 30
    in_set = [i for i in sim.entities("instances") if i["name"].startswith("test_gen")]
    assert len(in_set) == 30


def test_errors_are_one_line(tmp_path: Path, sim: Simulator) -> None:
    (tmp_path / "test_shop.py").write_text(
        "import pytest\n@pytest.mark.practitest(steps=[3])\ndef test_a(): pass\n"
    )
    result = sync(tmp_path, sim, "--set-id", str(sim.info.set_id))
    assert result.returncode == 2
    assert result.stderr == (
        "practitest sync: error: test_shop.py::test_a: step 1 must be a name or "
        "{'name': ..., 'description': ..., 'expected': ...}\n"
    )
    missing = sync(tmp_path, sim)
    assert missing.stderr == (
        "practitest sync: error: give the project and the test set: --project-id and "
        "--set-id or --set-name\n"
    )


def test_a_named_set_that_does_not_exist_is_reported_by_check_and_made_by_sync(
    tmp_path: Path, sim: Simulator
) -> None:
    (tmp_path / "test_gen.py").write_text(generated_suite(2))
    check = sync(tmp_path, sim, "--set-name", "Sync CI", "--check")
    assert check.returncode == 1
    assert check.stdout.splitlines() == [
        "test set 'Sync CI' (does not exist yet): 0 instances; code: 2 tests, one PractiTest test each",
        "new test: test_gen.py::test_000",
        "new test: test_gen.py::test_001",
        "2 differences: practitest sync applies them",
    ]
    assert writes(sim) == []
    made = sync(tmp_path, sim, "--set-name", "Sync CI", "--map", "ci.toml")
    assert made.returncode == 0, made.stdout + made.stderr
    assert (tmp_path / "ci.toml").read_text().count("test_id =") == 2
    assert not (tmp_path / "practitest.toml").exists()
    assert writes(sim) == [
        ("POST", "/api/v2/projects/4500/sets.json"),
        ("POST", "/api/v2/projects/4500/tests.json"),
        ("POST", "/api/v2/projects/4500/tests.json"),
        ("POST", "/api/v2/projects/4500/instances.json"),
    ]
    assert (
        sync(tmp_path, sim, "--set-name", "Sync CI", "--map", "ci.toml", "--check").returncode == 0
    )


def test_check_passes_after_a_sync_when_the_set_also_plans_manual_tests(
    tmp_path: Path, sim: Simulator
) -> None:
    """The demo's set plans 8 tests the code does not have: --check failed forever after a
    sync, since sync never removes an instance."""
    (tmp_path / "test_gen.py").write_text(generated_suite(2))
    set_id = str(sim.info.set_id)
    synced = sync(tmp_path, sim, "--set-id", set_id)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    check = sync(tmp_path, sim, "--set-id", set_id, "--check")
    assert check.returncode == 0, check.stdout
    lines = check.stdout.splitlines()
    assert lines[1] == "PractiTest is equal to the code"
    assert lines[2].startswith(
        "note: 8 instances of the set have no test in the code (manual tests, or tests the "
        "code no longer has; sync never removes them): 'Cart: add an item' (instance 300000), "
    )
    assert lines[2].endswith(" and 3 more")
    assert len(lines) == 3


def test_a_secret_parameter_is_masked_in_the_tests_sync_creates(
    tmp_path: Path, sim: Simulator
) -> None:
    """The name PractiTest gets is the one reporting sends (``test_login[***]``)."""
    (tmp_path / "test_secret.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.parametrize('password', ['hunter2-secret'])\n"
        "def test_login(password):\n    pass\n"
    )
    sim.clear_requests()
    done = run_cli(
        "sync",
        "--set-id",
        str(sim.info.set_id),
        cwd=tmp_path,
        timeout=120,
        **env_of(sim),
        PRACTITEST_REDACT="hunter2-secret",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hunter2-secret" not in str(sim.entities("tests"))
    assert "test_secret.py::test_login[***]" in [t["name"] for t in sim.entities("tests")]
    assert "hunter2-secret" not in done.stdout + done.stderr
