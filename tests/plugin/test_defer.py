"""A CI matrix: shards that defer (no token, no network), one publisher that sends them all.

Each shard is its own pytest session in its own folder; its bundle is moved to a
publish folder (as a CI's artifacts would be) and the shard folder is deleted, so
nothing the bundle needs may still point there. Bounded: subprocesses with timeouts
against one simulator on 127.0.0.1.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import keys_stored, run_cli, run_pytest

TOKEN = "defer-token-5e4d3c2b"
pytestmark = pytest.mark.practitest_simulator(token=TOKEN)
SHARDS = 4
PER_SHARD = 10

SUITE = """
import pathlib
import pytest
from pytest_practitest import attach, step

@pytest.mark.parametrize("n", range({count}))
def test_n(n):
    if n == 3:
        shot = pathlib.Path("shot-{part}.txt")
        shot.write_text("screen of part {part}")
        attach(str(shot))  # a file by path, in the shard's own folder
    with step("check", expected="not seven"):
        assert n != 7, "seven fails"
"""


def write_part(folder: Path, part: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"test_part{part}.py").write_text(SUITE.format(count=PER_SHARD, part=part))


def run_shards(root: Path, publish: Path) -> list[str]:
    """Each shard defers in its own folder; its bundle moves to ``publish/shard-N``."""
    outputs = []
    for part in range(SHARDS):
        folder = root / f"job-{part}"
        write_part(folder, part)
        result = run_pytest("--practitest", "--practitest-defer", cwd=folder)
        assert result.returncode == 1, result.stdout + result.stderr  # one test fails per shard
        outputs.append(result.stdout)
        [bundle] = (folder / ".practitest").glob("bundle-*")
        shutil.move(bundle, publish / f"shard-{part}")
        shutil.rmtree(folder)  # the job's machine is gone
    return outputs


def publish_env(sim: Simulator) -> dict[str, str]:
    return {"PRACTITEST_TOKEN": TOKEN, "PRACTITEST_URL": sim.url, "PRACTITEST_RATE_LIMIT": "0"}


TESTER = "qa.engineer@example.com"


def where(sim: Simulator) -> list[str]:
    return [
        "--project-id",
        "4500",
        "--set-id",
        "20000",
        "--create-missing",
        "--author-id",
        str(sim.info.users["owner@example.com"]),
    ]


def runs_seen(sim: Simulator) -> list[tuple[Any, ...]]:
    """Each stored run as (test name, status, steps, attachment names), sorted."""
    tests = {t["id"]: t["name"] for t in sim.entities("tests")}
    steps = Counter(s["run-id"] for s in sim.entities("step_runs"))
    files: dict[int, list[str]] = {}
    for attachment in sim.store.table("attachments").values():
        if attachment["_entity"] == "run":
            files.setdefault(attachment["_entity-id"], []).append(attachment["name"])
    return sorted(
        (tests[r["test-id"]], r["status"], steps[r["id"]], tuple(sorted(files.get(r["id"], []))))
        for r in sim.entities("runs")
    )


def test_four_deferred_shards_published_once_equal_one_undivided_session(
    sim: Simulator, tmp_path: Path
) -> None:
    publish = tmp_path / "publish"
    publish.mkdir()
    outputs = run_shards(tmp_path / "jobs", publish)
    for output in outputs:
        assert f"PractiTest: deferred: {PER_SHARD} results in the bundle " in output
        assert "nothing was sent" in output
    assert sim.requests == []  # the jobs never touched the network (and had no token)

    result = run_cli("upload", str(publish), *where(sim), settings=publish_env(sim))
    assert result.returncode == 0, result.stdout + result.stderr
    total = SHARDS * PER_SHARD
    assert f"PractiTest: {total} of {total} records in {SHARDS} spools still to send" in (
        result.stdout
    )
    for part in range(SHARDS):
        assert f"shard-{part}/spool.jsonl: {PER_SHARD} of {PER_SHARD} delivered" in result.stdout
    assert max(keys_stored(sim).values()) == 1
    assert len(sim.entities("runs")) == total
    # every result's attachments travelled: the file by path, the failures' tracebacks
    published = runs_seen(sim)
    assert sum(1 for run in published if "shot-0.txt" in " ".join(run[3])) == 1
    assert not any(publish.iterdir())  # delivered: the bundles are removed
    first_calls = len(sim.requests)

    # The same suite as one session, into a fresh simulator: the same runs.
    with Simulator(token=TOKEN, rate_limit=None) as whole:
        folder = tmp_path / "whole"
        for part in range(SHARDS):
            write_part(folder, part)
        author = str(whole.info.users["owner@example.com"])
        undivided = run_pytest(
            "--practitest",
            "--practitest-create-missing",
            f"--practitest-author-id={author}",
            "--practitest-project-id=4500",
            "--practitest-set-id=20000",
            cwd=folder,
            env=publish_env(whole),
        )
        assert f"PractiTest: {total} of {total} runs delivered" in undivided.stdout
        assert runs_seen(whole) == published
        assert first_calls <= len(whole.requests)  # one publisher: no more calls than one job

    # Known tests now: the publisher's calls are the floor for the merged total.
    sim.clear_requests()
    run_shards(tmp_path / "again", publish)
    again = run_cli("upload", str(publish / "shard-*"), *where(sim), settings=publish_env(sim))
    assert again.returncode == 0, again.stdout + again.stderr
    posts = [r for r in sim.requests if r.method == "POST"]
    assert len(posts) == total // 20  # posts of 20 across the bundles, not 4 half-full ones
    # the set, its instances, one look for an earlier upload of these bundles, the posts
    assert len(sim.requests) == 1 + 1 + 1 + total // 20


def test_the_same_bundle_twice_or_copied_is_sent_once(sim: Simulator, tmp_path: Path) -> None:
    publish = tmp_path / "publish"
    publish.mkdir()
    folder = tmp_path / "job"
    write_part(folder, 0)
    run_pytest("--practitest", "--practitest-defer", cwd=folder)
    [bundle] = (folder / ".practitest").glob("bundle-*")
    shutil.copytree(bundle, publish / "artifact-attempt-1")
    shutil.copytree(bundle, publish / "artifact-attempt-2")
    result = run_cli(
        "upload",
        str(bundle),
        str(bundle),  # the same folder named twice
        str(publish),  # and two copies of it under other names
        *where(sim),
        settings=publish_env(sim),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"PractiTest: {PER_SHARD} of {PER_SHARD} records in 3 spools still to send " in (
        result.stdout
    )
    assert f"({2 * PER_SHARD} held twice: sent once)" in result.stdout
    assert len(sim.entities("runs")) == PER_SHARD
    assert max(keys_stored(sim).values()) == 1


def test_a_bundle_resumed_after_a_partial_publish_sends_only_the_rest(
    sim: Simulator, tmp_path: Path
) -> None:
    folder = tmp_path / "job"
    write_part(folder, 0)
    run_pytest("--practitest", "--practitest-defer", cwd=folder)
    [bundle] = (folder / ".practitest").glob("bundle-*")
    copy = tmp_path / "copy"
    shutil.copytree(bundle, copy)  # taken before the publish: it knows nothing of it
    sim.faults.add("status", "POST", "/auto_create$", status=401, calls={6})
    # a personal token: new tests go by auto_create, one call each (it takes no author)
    personal = {**publish_env(sim), "PRACTITEST_TOKEN": sim.info.personal_tokens[TESTER]}
    to = where(sim)[:-2]
    first = run_cli("upload", str(bundle), *to, settings=personal)
    assert first.returncode == 1
    delivered = len(sim.entities("runs"))
    assert 0 < delivered < PER_SHARD
    second = run_cli("upload", str(bundle), str(copy), *to, settings=personal)
    assert second.returncode == 0, second.stdout + second.stderr
    assert len(sim.entities("runs")) == PER_SHARD
    assert max(keys_stored(sim).values()) == 1


def stopped_publish(
    sim: Simulator, tmp_path: Path, *extra: str, copy: Path | None = None
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The shards' bundles in ``publish/`` (copied to ``copy`` first, as a re-run job
    downloads them), published until the second post of runs is refused for the token."""
    publish = tmp_path / "publish"
    publish.mkdir()
    run_shards(tmp_path / "jobs", publish)
    if copy is not None:
        shutil.copytree(publish, copy)
    sim.faults.add("status", "POST", r"/runs$", status=401, calls={2})
    first = run_cli("upload", str(publish), *where(sim), *extra, settings=publish_env(sim))
    assert first.returncode == 1, first.stdout + first.stderr
    return publish, first


def test_a_publish_job_run_again_with_fresh_copies_posts_nothing_twice(
    sim: Simulator, tmp_path: Path
) -> None:
    """A CI's "re-run job": the artifacts are downloaded again, without the first run's marks."""
    rerun = tmp_path / "rerun"
    stopped_publish(sim, tmp_path, copy=rerun)
    delivered = len(sim.entities("runs"))
    assert delivered == 20
    sim.faults.clear()
    again = run_cli("upload", str(rerun), *where(sim), settings=publish_env(sim))
    assert again.returncode == 0, again.stdout + again.stderr
    total = SHARDS * PER_SHARD
    assert f"PractiTest: {total} of {total} runs delivered (20 now) to test set 20000" in (
        again.stdout
    )
    assert (
        "PractiTest: 20 of them were in PractiTest already, from an earlier upload of the same "
        "results (not posted twice)"
    ) in again.stdout
    assert len(sim.entities("runs")) == total
    assert max(keys_stored(sim).values()) == 1


def test_a_deferred_session_needs_no_token_project_or_set(tmp_path: Path) -> None:
    write_part(tmp_path, 0)
    result = run_pytest("--practitest", "--practitest-defer", cwd=tmp_path)
    assert result.returncode == 1  # the failing test's, not ours
    assert "PractiTest: deferred: 10 results in the bundle " in result.stdout
    assert "practitest: deferred: a bundle for practitest upload, nothing sent, " in result.stdout
    [bundle] = (tmp_path / ".practitest").glob("bundle-*")
    names = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
    assert names[0] == "spool.jsonl"
    assert all(name.startswith("spool/") for name in names[1:])
    assert oct(bundle.stat().st_mode & 0o777) == "0o700"
    assert {oct(p.stat().st_mode & 0o777) for p in bundle.rglob("*") if p.is_file()} == {"0o600"}
    assert list((tmp_path / ".practitest").glob("practitest-*.jsonl")) == []  # sealed, not both
    missing = run_cli("upload", str(bundle), settings={"PRACTITEST_TOKEN": TOKEN})
    assert missing.returncode == 2
    assert missing.stderr == (
        f"practitest upload: error: {bundle / 'spool.jsonl'}: no project is named: "
        "give --project-id or PRACTITEST_PROJECT_ID (and --set-id or --set-name)\n"
    )
    no_set = run_cli(
        "upload", str(bundle), "--project-id", "4500", settings={"PRACTITEST_TOKEN": TOKEN}
    )
    assert no_set.returncode == 2
    assert no_set.stderr.endswith(
        "no test set is named: give --set-id or --set-name (or PRACTITEST_SET_ID)\n"
    )
    assert (bundle / "spool.jsonl").is_file()  # kept, whole


def test_the_publisher_gives_the_version_and_fields_the_jobs_did_not(
    sim: Simulator, tmp_path: Path
) -> None:
    write_part(tmp_path, 0)
    run_pytest("--practitest", "--practitest-defer", cwd=tmp_path)
    [bundle] = (tmp_path / ".practitest").glob("bundle-*")
    result = run_cli(
        "upload",
        str(bundle),
        *where(sim),
        "--run-version",
        "2.4.0",
        "--field",
        "Browser=Chrome",
        settings=publish_env(sim),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{PER_SHARD} records re-targeted or completed as asked" in result.stdout
    browser = f"---f-{sim.info.custom_fields['Browser']}"
    runs = sim.entities("runs")
    assert {r["version"] for r in runs} == {"2.4.0"}
    assert {r["custom-fields"][browser] for r in runs} == {"Chrome"}


def test_practitest_spools_lists_a_bundle_and_discards_it_whole(tmp_path: Path) -> None:
    write_part(tmp_path, 0)
    run_pytest("--practitest", "--practitest-defer", cwd=tmp_path)
    [bundle] = (tmp_path / ".practitest").glob("bundle-*")
    listed = run_cli("spools", str(tmp_path / ".practitest"))
    assert listed.returncode == 0, listed.stderr
    assert f"{bundle / 'spool.jsonl'}" in listed.stdout
    assert "pytest (a bundle)  no project yet (practitest upload --project-id)" in listed.stdout
    gone = run_cli("spools", str(tmp_path / ".practitest"), "--discard", "--yes")
    assert gone.returncode == 0, gone.stderr
    assert not bundle.exists()  # its files, its spool and its folder


def test_a_publisher_that_cannot_create_every_new_test_in_time_says_so_first(
    sim: Simulator, tmp_path: Path
) -> None:
    (tmp_path / "test_many.py").write_text(
        "import pytest\n@pytest.mark.parametrize('n', range(200))\ndef test_n(n): pass\n"
    )
    run_pytest("--practitest", "--practitest-defer", cwd=tmp_path)
    [bundle] = (tmp_path / ".practitest").glob("bundle-*")
    env = {**publish_env(sim), "PRACTITEST_RATE_LIMIT": "30/60"}
    result = run_cli("upload", str(bundle), *where(sim), "--deadline", "3", settings=env)
    assert result.returncode == 1  # not all delivered: the rest stays in the bundle
    first = result.stderr.splitlines()[0]
    # what is left of the 3 s once the test set is had (looked at before anything is sent)
    assert re.match(
        r"PractiTest: warning: at least 192 of the 200 tests in these results have no instance "
        r"in test set 20000 yet: creating them is 576 calls, about 19.0 min at 30 calls / 60 s, "
        r"beyond the [23] s this command may take \(--deadline\);",
        first,
    ), result.stderr
    assert first.endswith("run again, it goes on where it stopped")
    assert bundle.is_dir()


def test_a_bundle_published_with_the_destination_only_in_the_environment_is_delivered(
    sim: Simulator, tmp_path: Path
) -> None:
    """The README's publish job, without repeating the project and set as flags."""
    write_part(tmp_path / "job", 0)
    shard = run_pytest("--practitest", "--practitest-defer", cwd=tmp_path / "job")
    assert shard.returncode == 1, shard.stdout + shard.stderr
    [bundle] = (tmp_path / "job" / ".practitest").glob("bundle-*")
    env = {
        **publish_env(sim),
        "PRACTITEST_PROJECT_ID": "4500",
        "PRACTITEST_SET_ID": "20000",
        "PRACTITEST_CREATE_MISSING": "1",
        "PRACTITEST_AUTHOR_ID": str(sim.info.users["owner@example.com"]),
    }
    result = run_cli("upload", str(bundle), settings=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(
        f"PractiTest: sending to {sim.url}, project 4500, test set 20000\n"
    )
    assert (
        f"PractiTest: {PER_SHARD} of {PER_SHARD} runs delivered to test set 20000 "
        "'Nightly regression'" in result.stdout
    )
    assert len(sim.entities("runs")) == PER_SHARD


def test_the_resume_line_after_a_stopped_publish_repeats_its_flags_and_works(
    sim: Simulator, tmp_path: Path
) -> None:
    extra = ["--field", "Build=7", "--run-version", "1.2", "--redact", "not-in-any-result"]
    publish, first = stopped_publish(sim, tmp_path, *extra)
    author = sim.info.users["owner@example.com"]
    [resume] = [line for line in first.stdout.splitlines() if "resume with: " in line]
    # shards 0 and 1 went whole in the first post of 20: removed, and not named
    assert resume.endswith(
        f"resume with: practitest upload {publish / 'shard-2' / 'spool.jsonl'} "
        f"{publish / 'shard-3' / 'spool.jsonl'} --url {sim.url} --project-id 4500 "
        f"--set-id 20000 --create-missing --author-id {author} --field Build=7 "
        "--run-version 1.2 (with the same --redact values)"
    )
    assert "not-in-any-result" not in first.stdout + first.stderr
    assert not (publish / "shard-0").exists()
    assert (
        f"PractiTest: every result in these was delivered; removed "
        f"{publish / 'shard-0' / 'spool.jsonl'}, {publish / 'shard-1' / 'spool.jsonl'}"
    ) in first.stdout
    sim.faults.clear()
    # The line as printed, in an environment that names no destination of its own: a
    # bundle names none, so the line names all of it, wherever the first took it from.
    printed = resume.split("resume with: practitest ", 1)[1]
    command = shlex.split(printed.removesuffix(" (with the same --redact values)"))
    env = {"PRACTITEST_TOKEN": TOKEN, "PRACTITEST_RATE_LIMIT": "0"}
    again = run_cli(*command, settings=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(sim.entities("runs")) == SHARDS * PER_SHARD
    assert max(keys_stored(sim).values()) == 1
    # the resumed results carry what the first publish gave them
    build = f"---f-{sim.info.custom_fields['Build']}"
    assert {run["custom-fields"].get(build) for run in sim.entities("runs")} == {"7"}
    assert {run["version"] for run in sim.entities("runs")} == {"1.2"}
