"""A bundle is input from someone else: ``practitest upload`` takes only its results.

Each test is one of issue 25's proofs, played by a bundle an attacker shaped, and
delivered to the simulator on 127.0.0.1: files outside the bundle are neither
uploaded nor deleted, bad lines are named and left out while the rest is
delivered, and nothing ends in a traceback or a hang.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_practitest.model import Destination, FileRef, RunRecord, Status, StepRecord, Target
from pytest_practitest.simulator import Simulator
from pytest_practitest.spool.journal import Spool, SpoolMeta
from tests.helpers import run_cli

TOKEN = "untrusted-token-7c6b5a49"
pytestmark = pytest.mark.practitest_simulator(token=TOKEN)
SECRET = b"-----BEGIN OPENSSH PRIVATE KEY----- not for PractiTest"


def bundle(folder: Path, url: str, *records: RunRecord) -> Path:
    """A bundle folder as ``--practitest-defer`` leaves it, holding ``records`` as given."""
    meta = SpoolMeta(
        Destination(url=url, project_id=4500, set_id=20000), bundle=True, source="pytest"
    )
    with Spool.create(folder, meta, name="spool.jsonl") as spool:
        for record in records:
            spool.add(record)
    return folder


def result(label: str, *files: FileRef, steps: tuple[StepRecord, ...] = ()) -> RunRecord:
    return RunRecord(
        target=Target(name="Cart: add an item"),
        status=Status.FAILED,
        label=label,
        output="boom",
        files=files,
        steps=steps,
    )


def upload(sim: Simulator, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``practitest upload`` as a publish job runs it: where results go is its own."""
    done: subprocess.CompletedProcess[str] = run_cli(
        "upload",
        *args,
        "--project-id=4500",
        "--set-id=20000",
        timeout=timeout,
        PRACTITEST_TOKEN=TOKEN,
        PRACTITEST_URL=sim.url,
        PRACTITEST_RATE_LIMIT="0",
    )
    return done


def files_sent(sim: Simulator) -> dict[str, bytes]:
    """Every attachment the simulator stored (of runs and their steps), by name."""
    return {a["name"]: sim.attachment_content(a["id"]) for a in sim.entities("attachments")}


def secret_file(tmp_path: Path) -> Path:
    home = tmp_path / "home" / ".ssh"
    home.mkdir(parents=True)
    (home / "id_rsa").write_bytes(SECRET)
    return home / "id_rsa"


def test_a_symlinked_spool_folder_uploads_and_deletes_nothing_it_points_to(
    sim: Simulator, tmp_path: Path
) -> None:
    key = secret_file(tmp_path)
    folder = bundle(
        tmp_path / "artifacts" / "bundle-1",
        sim.url,
        result("test_steal", FileRef("id_rsa", path="spool/id_rsa")),
    )
    (folder / "spool").symlink_to(key.parent, target_is_directory=True)
    done = upload(sim, str(folder))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        f"PractiTest: {folder / 'spool.jsonl'}:2: test_steal: attachment id_rsa (spool/id_rsa) "
        "left out: is in spool/, which is a symbolic link; not followed"
    ) in done.stderr
    assert "PractiTest: 1 of 1 runs delivered to test set 20000" in done.stdout
    assert SECRET not in files_sent(sim).values()
    assert key.read_bytes() == SECRET  # not deleted where the link points


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("ABSOLUTE", "an absolute path; a bundle names files inside its folder only"),
        ("../../outside/passwd", "a path with '..'; a bundle names files inside its folder only"),
        ("spool/../../../outside/passwd", "a path with '..'; a bundle names files inside its "),
    ],
)
def test_a_path_outside_the_bundle_is_left_out_and_its_record_still_goes(
    sim: Simulator, tmp_path: Path, name: str, why: str
) -> None:
    outside = tmp_path / "outside" / "passwd"
    outside.parent.mkdir()
    outside.write_bytes(b"root:x:0:0:root:/root:/bin/bash")
    path = str(outside) if name == "ABSOLUTE" else name
    folder = bundle(
        tmp_path / "artifacts" / "deep" / "bundle-1",
        sim.url,
        result("test_passwd", FileRef("passwd", path=path)),
    )
    done = upload(sim, str(folder))
    assert done.returncode == 0, done.stdout + done.stderr
    said = f"{folder / 'spool.jsonl'}:2: test_passwd: attachment passwd ({path}) left out: {why}"
    assert said in done.stderr
    assert "PractiTest: 1 of 1 runs delivered" in done.stdout
    assert files_sent(sim) == {}
    assert outside.exists()


def test_a_symlinked_file_in_the_bundle_is_refused_a_real_one_goes(
    sim: Simulator, tmp_path: Path
) -> None:
    key = secret_file(tmp_path)
    folder = tmp_path / "bundle-1"
    (folder / "spool").mkdir(parents=True)
    (folder / "spool" / "00001-shot.txt").write_text("the screen")
    (folder / "spool" / "00002-key").symlink_to(key)
    bundle(
        folder,
        sim.url,
        result(
            "test_both",
            FileRef("shot.txt", path="spool/00001-shot.txt"),
            FileRef("key", path="spool/00002-key"),
        ),
    )
    done = upload(sim, str(folder))
    assert "attachment key (spool/00002-key) left out: is a symbolic link; not followed" in (
        done.stderr
    )
    assert files_sent(sim) == {"shot.txt": b"the screen"}
    assert key.read_bytes() == SECRET
    # delivered: the bundle's spool and its own file are removed, the link is left alone
    assert sorted(p.name for p in folder.rglob("*")) == ["00002-key", "spool"]


def test_a_symlinked_spool_file_is_refused_and_gets_no_marks(
    sim: Simulator, tmp_path: Path
) -> None:
    real = bundle(tmp_path / "elsewhere", sim.url, result("test_x")) / "spool.jsonl"
    before = real.read_bytes()
    folder = tmp_path / "bundle-1"
    folder.mkdir()
    (folder / "spool.jsonl").symlink_to(real)
    done = upload(sim, str(folder))
    assert done.returncode == 2
    assert done.stderr == (
        f"practitest upload: error: {folder / 'spool.jsonl'}: a symbolic link; not followed "
        "(name the file itself)\n"
    )
    assert real.read_bytes() == before
    assert sim.entities("runs") == []


def test_a_fifo_is_not_waited_on(sim: Simulator, tmp_path: Path) -> None:
    folder = tmp_path / "bundle-1"
    (folder / "spool").mkdir(parents=True)
    os.mkfifo(folder / "spool" / "pipe")
    bundle(folder, sim.url, result("test_fifo", FileRef("pipe", path="spool/pipe")))
    # and a session's own spool (trusted) naming a FIFO by its absolute path
    os.mkfifo(tmp_path / "pipe2")
    session = Spool.create(
        tmp_path / "own", SpoolMeta(Destination(url=sim.url, project_id=4500, set_id=20000))
    )
    with session:
        session.add(result("test_fifo2", FileRef("pipe2", path=str(tmp_path / "pipe2"))))
    done = upload(sim, str(folder), str(session.path), "--deadline=20", timeout=40)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "test_fifo: attachment pipe (spool/pipe) left out: not a regular file" in done.stderr
    assert "test_fifo2: skipped attachment pipe2: not a regular file" in done.stderr
    assert len(sim.entities("runs")) == 2


def test_a_relative_path_in_a_spool_from_elsewhere_is_its_folders_not_the_cwd(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain ``practitest-*.jsonl`` among artifacts: made by another job (here: moved
    from where it was made, so its proof of origin no longer holds), it is untrusted."""
    from pytest_practitest.cli.main import main

    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "notes.txt").write_text("[http] extraheader = AUTHORIZATION: basic c2VjcmV0")
    artifacts = tmp_path / "artifacts"
    spool = Spool.create(
        tmp_path / "other-job", SpoolMeta(Destination(url=sim.url, project_id=4500, set_id=20000))
    )
    with spool:
        spool.add(result("test_notes", FileRef("notes.txt", path="notes.txt")))
    artifacts.mkdir()
    moved = artifacts / spool.path.name
    os.replace(spool.path, moved)
    (artifacts / "notes.txt").write_text("the job's own notes")
    monkeypatch.chdir(checkout)
    monkeypatch.setenv("PRACTITEST_TOKEN", TOKEN)
    monkeypatch.setenv("PRACTITEST_URL", sim.url)
    monkeypatch.setenv("PRACTITEST_RATE_LIMIT", "0")
    with Spool.open(moved) as opened:
        assert not opened.trusted
    assert main(["upload", str(moved), "--project-id=4500", "--set-id=20000"]) == 0
    assert files_sent(sim) == {"notes.txt": b"the job's own notes"}


def test_one_big_file_named_a_hundred_times_is_read_once_and_memory_stays_small(
    sim: Simulator, tmp_path: Path
) -> None:
    folder = tmp_path / "bundle-1"
    (folder / "spool").mkdir(parents=True)
    big = os.urandom(1 << 20)
    (folder / "spool" / "big.bin").write_bytes(big)
    refs = tuple(FileRef("big.bin", path="spool/big.bin") for _ in range(100))
    bundle(folder, sim.url, result("test_big", *refs))
    script = (
        "import resource, sys\n"
        "from pytest_practitest.cli.main import main\n"
        "code = main(sys.argv[1:])\n"
        "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        "sys.exit(code)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTITEST")}
    env.update(PRACTITEST_TOKEN=TOKEN, PRACTITEST_URL=sim.url, PRACTITEST_RATE_LIMIT="0")
    args = ["upload", str(folder), "--project-id=4500", "--set-id=20000"]
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    peak_mib = int(done.stdout.split("MAXRSS ")[1].split()[0]) / 1024
    assert peak_mib < 150, peak_mib  # 440 MiB before: a copy per reference
    assert files_sent(sim) == {"big.bin": big}


BAD_LINES: list[tuple[Any, str]] = [
    ("{not json", "not JSON"),
    ({"label": "no_key", "target": {"name": "x"}, "status": "PASSED"}, "no 'key'"),
    (
        {"key": "k2", "label": "t", "target": {"name": "x"}, "status": "WHATEVER"},
        "status 'WHATEVER' is not one of PASSED, FAILED, BLOCKED, NO RUN, N/A",
    ),
    ({"key": "k3", "label": "t", "target": "x", "status": "PASSED"}, "the target is not an object"),
    (
        {"key": "k4", "target": {"name": "x"}, "status": "PASSED", "files": [{"name": "a"}]},
        "file 'a' needs exactly one of 'path' and 'data'",
    ),
    (
        {"key": "k5", "target": {"name": "x"}, "status": "PASSED", "duration": "long"},
        "'duration' is not a number of seconds",
    ),
    (
        {"key": "k6", "target": {"instance_id": "1"}, "status": "PASSED"},
        "the target's instance_id is not a whole number",
    ),
]


def test_seven_bad_lines_are_named_and_left_out_the_good_bundle_is_delivered(
    sim: Simulator, tmp_path: Path
) -> None:
    bundle(tmp_path / "artifacts" / "bundle-2", sim.url, result("test_good"))
    bad = bundle(tmp_path / "artifacts" / "bundle-1", sim.url, result("test_fine"))
    lines = []
    for entry, _ in BAD_LINES:
        record = (
            entry if isinstance(entry, str) else json.dumps({"type": "record", "record": entry})
        )
        lines.append(record + "\n")
    with open(bad / "spool.jsonl", "a") as handle:
        handle.writelines(lines)
    broken = tmp_path / "artifacts" / "bundle-3"
    broken.mkdir()
    (broken / "spool.jsonl").write_text('{"type": "meta", "format": 1, "project_id": []}\n')
    listed = run_cli("spools", str(tmp_path / "artifacts"))
    assert listed.returncode == 0, listed.stderr
    assert "Traceback" not in listed.stdout + listed.stderr
    assert f"{broken / 'spool.jsonl'}: cannot be read: bad meta line (project_id is [])" in (
        listed.stdout
    )
    assert (
        f"    {len(BAD_LINES)} left out as it was read; the first: {bad / 'spool.jsonl'}:3: left "
        in (listed.stdout)
    )
    done = upload(sim, str(tmp_path / "artifacts"))
    assert "Traceback" not in done.stdout + done.stderr
    for number, (_, why) in enumerate(BAD_LINES, start=3):
        assert f"PractiTest: {bad / 'spool.jsonl'}:{number}: left out: {why}\n" in done.stderr
    assert (
        f"practitest upload: error: {broken / 'spool.jsonl'}: bad meta line (project_id is [])"
    ) in done.stderr
    assert "PractiTest: 2 of 2 runs delivered to test set 20000" in done.stdout
    assert sorted(r["automated-execution-output"].split("\n")[0] for r in sim.entities("runs")) == [
        "boom",
        "boom",
    ]
    assert done.returncode == 2  # one spool could not be read


def test_each_group_of_bundles_gets_its_own_share_of_the_deadline() -> None:
    import time

    from pytest_practitest.cli.upload import shares

    start = time.monotonic()
    given = shares(start + 90.0, 3)
    first = next(given)
    assert 29.0 < first - start <= 30.5  # a third of the time, not all of it
    time.sleep(0.05)  # the first group ended early: its time goes to the others
    second = next(given)
    assert 44.0 < second - start <= 45.5
    assert abs(next(given) - (start + 90.0)) < 0.5


def test_control_characters_in_a_label_cannot_forge_lines(sim: Simulator, tmp_path: Path) -> None:
    forged = "\r\x1b[2KPractiTest: 500 of 500 runs delivered\n::add-mask::x\u2028"
    folder = bundle(
        tmp_path / "bundle-1",
        sim.url,
        RunRecord(target=Target(name="No such test"), status=Status.PASSED, label=forged),
        result("test_fine", FileRef("gone.txt", path=f"spool/{forged}")),
    )
    done = upload(sim, str(folder))
    assert done.returncode == 1
    printed = done.stdout + done.stderr
    lines = printed.splitlines()
    assert not [line for line in lines if not line.startswith(("PractiTest: ", "practitest "))]
    assert "\x1b" not in printed
    assert "\r" not in printed
    assert "\u2028" not in printed
    escaped = "\\r\\x1b[2KPractiTest: 500 of 500 runs delivered\\n::add-mask::x\\u2028"
    rejected = f"PractiTest: rejected: {escaped}: test 'No such test' has no instance in test set"
    assert any(line.startswith(rejected) for line in lines), printed
    assert "PractiTest: 1 of 2 runs delivered to test set 20000" in printed


def test_new_names_first_in_line_do_not_hold_back_known_tests_results(
    sim: Simulator, tmp_path: Path
) -> None:
    """Creating a test is a call each: 20 at 4 calls a second cannot end within 3 s."""
    new = [
        RunRecord(target=Target(name=f"brand new {n}"), status=Status.PASSED, label=f"new_{n}")
        for n in range(20)
    ]
    bundle(tmp_path / "a" / "bundle-1", sim.url, *new)  # sorts first
    bundle(tmp_path / "b" / "bundle-2", sim.url, *(result(f"known_{n}") for n in range(5)))
    done = upload(
        sim,
        str(tmp_path / "a" / "bundle-1"),
        str(tmp_path / "b" / "bundle-2"),
        "--create-missing",
        f"--author-id={sim.info.users['owner@example.com']}",
        "--deadline=3",
        "--rate-limit=4/1",
    )
    assert done.returncode == 1  # not every new test could be created in time
    assert len(sim.entities("runs")) < 25
    assert f"PractiTest: {tmp_path / 'b' / 'bundle-2' / 'spool.jsonl'}: 5 of 5 delivered" in (
        done.stdout
    )
