"""``practitest map``: match a suite to a test set by name and write the mapping file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pytest_practitest.cli.map import match, words
from pytest_practitest.mapping import MappingFile
from pytest_practitest.simulator import Simulator
from tests.helpers import run_cli, run_pytest

TOKEN = "map-token-1a2b3c"
pytestmark = pytest.mark.practitest_simulator(token=TOKEN)

SUITE = """
import pytest

def test_cart_add_an_item(): pass
def test_Cart_remove_an_item(): pass

class TestCheckout:
    def test_pay_by_card(self): pass

@pytest.mark.parametrize("currency", ["EUR"])
def test_price(currency): pass

def test_something_else(): pass
"""


def practitest_map(cwd: Path, sim: Simulator, *args: str) -> subprocess.CompletedProcess[str]:
    result: subprocess.CompletedProcess[str] = run_cli(
        "map",
        *args,
        cwd=cwd,
        timeout=60,
        PRACTITEST_TOKEN=TOKEN,
        PRACTITEST_URL=sim.url,
        PRACTITEST_PROJECT_ID="4500",
    )
    return result


def test_words() -> None:
    assert words("test_cart_add_an_item") == "cart add an item"
    assert words("Cart: add an item") == "cart add an item"
    assert words("test_Cart_remove_an_item") == "cart remove an item"


def test_map_writes_then_extends_the_file(tmp_path: Path, sim: Simulator) -> None:
    (tmp_path / "test_shop.py").write_text(SUITE)
    first = practitest_map(tmp_path, sim, "--set-id", "20000")
    assert first.returncode == 0, first.stderr
    out = first.stdout.splitlines()
    assert out[0] == "test set 20000 'Nightly regression': 8 instances; suite: 5 tests"
    assert "matched 2 tests to instances; written to practitest.toml" in out
    assert (
        "  test_shop.py::test_cart_add_an_item -> test 80000 'Cart: add an item' (instance 300000)"
        in out
    )
    assert (
        "  test_shop.py::test_Cart_remove_an_item -> test 80001 'Cart: remove an item' "
        "(instance 300001)" in out
    )
    assert "tests with no instance of that name (3):" in out
    assert "  test_shop.py::test_something_else" in out
    assert "instances no test matched (6):" in out
    mapping = MappingFile.load(tmp_path / "practitest.toml")
    # By test id: the file does not pin a test set.
    assert mapping.lookup("test_shop.py::test_cart_add_an_item").target.test_id == 80000  # type: ignore[union-attr]
    # A hand-written line is kept, and a second run adds only what is new.
    with (tmp_path / "practitest.toml").open("a") as handle:
        handle.write('"test_shop.py::test_something_else" = { test_id = 80004 }  # by hand\n')
    second = practitest_map(tmp_path, sim, "--set-name", "Nightly regression")
    assert second.returncode == 0, second.stderr
    assert "matched 0 tests to instances" in second.stdout
    assert (
        "already placed by a marker, the hook or practitest.toml: 3 tests (left as they are)"
        in second.stdout
    )
    assert "# by hand" in (tmp_path / "practitest.toml").read_text()


def test_pytest_arguments_after_double_dash_and_dry_run(tmp_path: Path, sim: Simulator) -> None:
    (tmp_path / "test_shop.py").write_text(SUITE)
    result = practitest_map(tmp_path, sim, "--set-id", "20000", "--dry-run", "--", "-k", "cart")
    assert "suite: 2 tests" in result.stdout
    assert "matched 2 tests to instances; dry run: practitest.toml not written" in result.stdout
    assert not (tmp_path / "practitest.toml").exists()


def test_ambiguity_is_reported_not_guessed() -> None:
    result = match(["t.py::test_login", "t.py::test_Login"], [(1, "Login"), (2, "login")], None)
    assert result.matched == {}
    assert set(result.ambiguous) == {"t.py::test_login", "t.py::test_Login"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--set-id", "99"],
            "practitest map: error: test set 99 does not exist in project 4500; check --set-id\n",
        ),
        (
            [],
            "practitest map: error: give the project and the test set: --project-id and --set-id or --set-name\n",
        ),
        (
            ["--set-name", "Nope"],
            "practitest map: error: no test set named 'Nope' in project 4500\n",
        ),
    ],
)
def test_errors_are_one_line(tmp_path: Path, sim: Simulator, args: list[str], message: str) -> None:
    (tmp_path / "test_shop.py").write_text(SUITE)
    result = practitest_map(tmp_path, sim, *args)
    assert result.returncode == 2
    assert result.stderr == message


CONFTEST_WITH_HOOKS = """
def pytest_practitest_add_artifacts(item, report):
    return []
"""


def test_map_collects_with_the_plugin_loaded_and_pytest_reads_the_file_it_wrote(
    tmp_path: Path, sim: Simulator
) -> None:
    """A conftest with our hooks and --strict-markers with our marker: both collected
    (an INTERNALERROR and a collection error with -p no:practitest); then pytest
    --practitest, given no --practitest-map, reports to the instances just mapped."""
    (tmp_path / "conftest.py").write_text(CONFTEST_WITH_HOOKS)
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers\n")
    (tmp_path / "test_shop.py").write_text(
        SUITE + "\n@pytest.mark.practitest(test_id=80004)\ndef test_marked(): pass\n"
    )
    mapped = practitest_map(tmp_path, sim, "--set-id", "20000")
    assert mapped.returncode == 0, mapped.stderr
    assert "suite: 6 tests" in mapped.stdout
    assert "matched 2 tests to instances; written to practitest.toml" in mapped.stdout
    assert mapped.stdout.splitlines()[-1] == (
        f"pytest --practitest reads {tmp_path / 'practitest.toml'} without an option "
        "(practitest.toml at the rootdir)"
    )
    assert not (tmp_path / ".practitest").exists()  # collecting sent and spooled nothing
    assert not sim.entities("runs")

    ran = run_pytest(
        "--practitest",
        "-k",
        "cart",
        cwd=tmp_path,
        env={
            "PRACTITEST_TOKEN": TOKEN,
            "PRACTITEST_URL": sim.url,
            "PRACTITEST_PROJECT_ID": "4500",
            "PRACTITEST_SET_ID": "20000",
            "PRACTITEST_RATE_LIMIT": "0",
        },
    )
    assert "PractiTest: 2 of 2 runs delivered" in ran.stdout, ran.stdout + ran.stderr
    assert sorted(run["instance-id"] for run in sim.entities("runs")) == [300000, 300001]


def test_a_file_that_fails_to_import_is_named_and_the_rest_can_be_mapped(
    tmp_path: Path, sim: Simulator
) -> None:
    (tmp_path / "test_shop.py").write_text(SUITE)
    (tmp_path / "test_broken.py").write_text("import nosuchmodule\n\ndef test_b(): pass\n")
    failed = practitest_map(tmp_path, sim, "--set-id", "20000")
    assert failed.returncode == 2
    assert failed.stderr == (
        "practitest map: error: collecting the tests failed: test_broken.py: "
        "ModuleNotFoundError: No module named 'nosuchmodule'; fix it, or map the rest with: "
        "practitest map -- --continue-on-collection-errors\n"
    )
    rest = practitest_map(
        tmp_path, sim, "--set-id", "20000", "--", "--continue-on-collection-errors"
    )
    assert rest.returncode == 0, rest.stderr
    assert rest.stderr == (
        "practitest map: warning: test_broken.py: ModuleNotFoundError: No module named "
        "'nosuchmodule'; its tests are not mapped\n"
    )
    assert "matched 2 tests to instances; written to practitest.toml" in rest.stdout


def test_a_map_that_matches_nothing_says_it_wrote_nothing_and_cuts_long_lists(
    tmp_path: Path, sim: Simulator
) -> None:
    (tmp_path / "test_many.py").write_text(
        "".join(f"def test_case_{i}(): pass\n" for i in range(45))
    )
    result = practitest_map(tmp_path, sim, "--set-id", "20000")
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[1] == (
        "matched 0 tests to instances; nothing to add to practitest.toml "
        "(practitest sync creates the tests and instances: docs/sync.md)"
    )
    assert out[2] == "tests with no instance of that name (45):"
    assert out[3:23] == [f"  test_many.py::test_case_{i}" for i in range(20)]
    assert out[23] == "  ... and 25 more"
    assert out[24] == "instances no test matched (8):"
    assert not (tmp_path / "practitest.toml").exists()


def test_map_against_one_set_run_into_another_by_name_and_show_lists_every_result(
    tmp_path: Path, sim: Simulator
) -> None:
    """The README's steps, then its CI recipe: ``--practitest-set-name "CI main"``."""
    (tmp_path / "test_shop.py").write_text(SUITE)
    mapped = practitest_map(tmp_path, sim, "--set-id", "20000")
    assert mapped.returncode == 0, mapped.stderr
    written = (tmp_path / "practitest.toml").read_text()
    assert "instance_id" not in written
    assert (
        '"test_shop.py::test_cart_add_an_item" = '
        "{ test_id = 80000, instance = { set = 20000, id = 300000 } }  # Cart: add an item"
    ) in written
    env = {
        "PRACTITEST_TOKEN": TOKEN,
        "PRACTITEST_URL": sim.url,
        "PRACTITEST_PROJECT_ID": "4500",
        "PRACTITEST_RATE_LIMIT": "0",
    }
    author = str(sim.info.users["owner@example.com"])
    ran = run_pytest(
        "--practitest",
        "--practitest-set-name",
        "CI main",
        "--practitest-create-missing",
        "--practitest-author-id",
        author,
        cwd=tmp_path,
        env=env,
    )
    ci_main = next(s for s in sim.entities("sets") if s["name"] == "CI main")
    assert (
        f"PractiTest: 5 of 5 runs delivered to test set {ci_main['id']} 'CI main'" in ran.stdout
    ), ran.stdout + ran.stderr
    in_nightly = [r for r in sim.entities("runs") if r["instance-id"] in (300000, 300001)]
    assert in_nightly == []
    shown = run_cli("show", "--set-name", "CI main", cwd=tmp_path, timeout=60, **env)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == f"test set {ci_main['id']} 'CI main' in project 4500"
    assert "totals: 5 PASSED" in lines
    for name in ("Cart: add an item", "Cart: remove an item", "test_shop.py::test_something_else"):
        assert any(line.endswith(f" {name}") and "PASSED" in line for line in lines), name


def test_a_mapping_file_of_instance_ids_still_reads_and_map_leaves_placed_tests_alone(
    tmp_path: Path, sim: Simulator
) -> None:
    (tmp_path / "test_shop.py").write_text(
        SUITE + "\n@pytest.mark.practitest(test_id=80004)\ndef test_login_locked_account(): pass\n"
    )
    # Yesterday's file: an instance id, for a parametrized-free function id.
    (tmp_path / "practitest.toml").write_text(
        '[tests]\n"test_shop.py::test_Cart_remove_an_item" = { instance_id = 300001 }\n'
    )
    mapped = practitest_map(tmp_path, sim, "--set-id", "20000")
    assert mapped.returncode == 0, mapped.stderr
    # the marked test and the one in the file are the plugin's already: not matched again
    assert (
        "already placed by a marker, the hook or practitest.toml: 2 tests (left as they are)"
        in mapped.stdout
    )
    assert "matched 1 test to instances; written to practitest.toml" in mapped.stdout
