"""Spools a user can get rid of: list them with why, re-target them, discard them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pytest_practitest.events import count
from pytest_practitest.model import Destination, RunRecord, Status, Target
from pytest_practitest.simulator import Simulator
from pytest_practitest.spool.journal import Spool, SpoolMeta
from tests.helpers import TOKEN, Run, run_cli

SUITE = """
from pytest_practitest import attach

def test_a(): pass
def test_b(): pass
def test_c():
    attach(b"a log line", "log.txt")
    assert 0
"""


def rejected_session(pytester: pytest.Pytester, run: Run, *extra: str) -> Path:
    """A session whose three results have no instance (no create-missing): one spool kept."""
    pytester.makepyfile(test_shop=SUITE)
    result = run(*extra, create=False)
    result.stdout.fnmatch_lines(["PractiTest: 0 of 3 runs delivered*"])
    [spool] = (pytester.path / ".practitest").glob("practitest-*.jsonl")
    return spool


def practitest(sim: Simulator, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    result: subprocess.CompletedProcess[str] = run_cli(
        *args, stdin=stdin, timeout=60, PRACTITEST_TOKEN=TOKEN, PRACTITEST_RATE_LIMIT="0"
    )
    return result


def test_list_says_where_to_and_why_then_upload_re_targets_with_create_missing(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    spool = rejected_session(pytester, run)
    listed = practitest(sim, "spools", str(spool.parent))
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].startswith(f"{spool}  ")
    assert lines[0].endswith("  pytest  project 4500, test set 20000: 0 of 3 delivered")
    assert lines[1:4] == [
        "    3 rejected:",
        "      3 x the test has no instance in test set 20000 ('Nightly regression'); "
        "map it, or turn on create-missing (--create-missing; in pytest "
        "--practitest-create-missing)",
        "          test_shop.py::test_a, test_shop.py::test_b, test_shop.py::test_c",
    ]
    assert "1 spool; 3 results not delivered in 1" in lines
    # create-missing alone, as the reason says: an account token also needs an author, and
    # the line after says the one command that works (it repeated the advice just followed)
    alone = practitest(sim, "upload", str(spool), "--create-missing")
    assert alone.stdout.splitlines()[-1].endswith(
        f"send them with practitest upload {spool} --create-missing --author-id ID "
        "(ID: a user of the account)"
    )
    owner = str(sim.info.users["owner@example.com"])
    sent = practitest(sim, "upload", str(spool), "--create-missing", "--author-id", owner)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "PractiTest: 3 of 3 runs delivered to test set 20000" in sent.stdout
    assert not spool.exists()
    assert sorted(t["name"] for t in sim.entities("tests"))[-3:] == [
        "test_shop.py::test_a",
        "test_shop.py::test_b",
        "test_shop.py::test_c",
    ]


def test_the_sessions_author_is_kept_in_the_spool_for_the_resume(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    owner = str(sim.info.users["owner@example.com"])
    spool = rejected_session(pytester, run, f"--practitest-author-id={owner}")
    sent = practitest(sim, "upload", str(spool), "--create-missing")  # no author given here
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert {t["author-id"] for t in sim.entities("tests")[-3:]} == {int(owner)}


def test_upload_to_another_set_and_by_a_mapping_file(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    spool = rejected_session(pytester, run)
    mapping = pytester.path / "map.toml"
    mapping.write_text('[tests]\n"test_shop.py::*" = { name = "Cart: add an item" }\n')
    sent = practitest(sim, "upload", str(spool), "--map", str(mapping))
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert f"PractiTest: {spool}: 3 records re-targeted or completed as asked" in sent.stdout
    cart = next(t["id"] for t in sim.entities("tests") if t["name"] == "Cart: add an item")
    instances = {i["id"] for i in sim.entities("instances") if i["test-id"] == cart}
    assert [r["instance-id"] in instances for r in sim.entities("runs")] == [True] * 3


def test_discard_asks_first_and_removes_only_on_yes(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    spool = rejected_session(pytester, run)
    artifacts = [p for p in (spool.parent / "artifacts").rglob("*") if p.is_file()]
    assert artifacts  # the bytes test_c attached
    no = practitest(sim, "spools", str(spool.parent), "--discard", stdin="n\n")
    assert no.returncode == 1
    assert no.stdout.splitlines()[-2].endswith("They are not in PractiTest. [y/N] ")
    assert no.stdout.splitlines()[-1] == "nothing discarded"
    assert spool.exists()
    yes = practitest(sim, "spools", str(spool.parent), "--discard", stdin="y\n")
    assert yes.returncode == 0, yes.stdout
    assert yes.stdout.splitlines()[-1] == "discarded 1 spool"
    assert not spool.exists()
    assert not any(path.exists() for path in artifacts)


def test_the_earlier_spools_line_says_how_to_re_target_the_rejected_and_to_list_or_discard(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    spool = rejected_session(pytester, run)
    again = run(create=False)
    again.stdout.fnmatch_lines(
        [
            "PractiTest: an earlier spool holds 3 results not delivered, all rejected: refused "
            f"again by a plain upload; re-target them with practitest upload {spool} "
            "--create-missing (an account token also needs --author-id), --set-id/--set-name "
            "(another set) or --map FILE (other tests); see why, or discard them, with: "
            f"practitest spools {spool.parent}"
        ]
    )


def test_results_rejected_for_the_same_reason_are_one_group_with_a_few_tests(
    tmp_path: Path,
) -> None:
    spool = Spool.create(tmp_path, SpoolMeta(Destination(project_id=4500, set_id=20000)))
    nowhere = "has no instance in test set 20000 ('Nightly'); map it, or turn on create-missing"
    for index in range(500):
        label = f"test_cart.py::test_{index}"
        # the first two mapped by test id: the id is shown beside the node id
        target = Target(test_id=80000 + index) if index < 2 else Target(name=label)
        record = RunRecord(target=target, status=Status.PASSED, label=label)
        spool.add(record)
        spool.mark_rejected(record.key, f"{record.label}: {record.target.describe()} {nowhere}")
    spool.add(RunRecord(target=Target(instance_id=300042), status=Status.FAILED, key="k-1"))
    spool.mark_rejected("k-1", "instance 300042: instance-id 300042 does not exist in project 4500")
    spool.close()
    listed = run_cli("spools", str(tmp_path))
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1:] == [
        "    501 rejected:",
        f"      500 x the test {nowhere}",
        "          test_cart.py::test_0 (test id 80000), test_cart.py::test_1 (test id 80001), "
        "test_cart.py::test_2, and 497 more",
        "      1 x instance-id 300042 does not exist in project 4500",
        "          instance 300042",
        "1 spool; 501 results not delivered in 1",
        "send them with: practitest upload SPOOL... (--set-id, --create-missing, --author-id, "
        "--map to re-target); remove them with: practitest spools --discard",
    ]


def test_discard_yes_and_a_missing_folder(tmp_path: Path, sim: Simulator) -> None:
    missing = practitest(sim, "spools", str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        f"practitest spools: error: {tmp_path / 'nope'}: no such folder or file"
    )
    empty = run_cli("spools", str(tmp_path), "--discard", "--yes")
    assert empty.returncode == 0
    assert empty.stdout.strip() == "0 spools; nothing waits for delivery"


def test_a_folder_of_downloaded_artifacts_is_searched_as_upload_searches_it(
    tmp_path: Path, sim: Simulator
) -> None:
    artifacts = tmp_path / "artifacts"
    for shard in (1, 2):
        meta = SpoolMeta(Destination(project_id=4500), bundle=True, source="pytest")
        with Spool.create(artifacts / f"practitest-{shard}", meta, name="spool.jsonl") as spool:
            spool.add(RunRecord(target=Target(name=f"t{shard}"), status=Status.PASSED))
    for place in (artifacts, artifacts / "practitest-1", artifacts / "practitest-*"):
        listed = run_cli("spools", str(place))
        assert listed.returncode == 0, listed.stderr
        shards = 2 if place != artifacts / "practitest-1" else 1
        assert (
            f"{count(shards, 'spool')}; {count(shards, 'result')} not delivered in {shards}"
        ) in listed.stdout.splitlines()
        assert listed.stdout.splitlines()[0].startswith(
            f"{artifacts / 'practitest-1' / 'spool.jsonl'}  "
        )


def test_no_spool_folder_yet_is_nothing_to_send(tmp_path: Path) -> None:
    listed = run_cli("spools", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip() == "0 spools; nothing waits for delivery"
