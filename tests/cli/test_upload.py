"""``practitest upload SPOOL``: resume, exit codes, and no token anywhere."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_practitest.model import Destination, FileRef, InstanceHint, RunRecord, Status, Target
from pytest_practitest.simulator import Simulator
from pytest_practitest.spool.journal import Spool, SpoolMeta
from tests.helpers import run_cli

TOKEN = "grep-me-4f1d2c9b8a7e6d5c"
pytestmark = pytest.mark.practitest_simulator(token=TOKEN)


def write_spool(directory: Path, url: str, count: int = 8, **meta: object) -> Path:
    spool = Spool.create(
        directory,
        SpoolMeta(Destination(project_id=4500, url=url, set_id=20000), **meta),  # type: ignore[arg-type]
    )
    names = ["Cart: add an item", "Login: locked account", "No such test"]
    for i in range(count):
        spool.add(
            RunRecord(
                target=Target(name=names[i % 3]),
                status=Status.FAILED if i % 2 else Status.PASSED,
                label=f"test_{i}",
                output="E " + "x" * 300,
            )
        )
    spool.close()
    return spool.path


def practitest(
    *args: str, token: str | None = TOKEN, **env: str
) -> subprocess.CompletedProcess[str]:
    if token is not None:
        env["PRACTITEST_TOKEN"] = token
    result: subprocess.CompletedProcess[str] = run_cli(*args, timeout=60, **env)
    return result


def test_upload_resumes_and_reports(sim: Simulator, tmp_path: Path) -> None:
    path = write_spool(tmp_path, sim.url, count=9)
    first = practitest("upload", str(path))
    assert first.returncode == 1  # three records name a test that is not in the set
    assert "PractiTest: 9 of 9 records in" in first.stdout
    assert (
        "PractiTest: 6 of 9 runs delivered to test set 20000 'Nightly regression'" in first.stdout
    )
    assert (
        f"PractiTest: 3 not delivered; kept in {path}; the 3 rejected are refused again by a "
        f"plain resume: re-target them with practitest upload {path} --create-missing (an "
        "account token also needs --author-id), --set-id/--set-name (another set) or --map "
        "FILE (other tests)"
    ) in first.stdout.splitlines()
    # Said once, in the summary (not also as a progress line on stderr).
    assert "rejected: 3 results (test_2 (test 'No such test'), " in first.stdout
    assert "): the test has no instance in test set 20000" in first.stdout
    assert "rejected:" not in first.stderr
    again = practitest("upload", str(path))
    assert again.returncode == 1
    assert "PractiTest: 3 of 9 records in" in again.stdout
    assert len(sim.entities("runs")) == 6
    # The line's command, as printed: the three go (their tests are created in the set).
    author = str(sim.info.users["owner@example.com"])
    resumed = practitest("upload", str(path), "--create-missing", "--author-id", author)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert len(sim.entities("runs")) == 9


def test_upload_all_delivered_is_exit_0(sim: Simulator, tmp_path: Path) -> None:
    spool = Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=4500, url=sim.url, set_id=20000))
    )
    spool.add(RunRecord(target=Target(instance_id=300000), status=Status.PASSED, label="t"))
    spool.close()
    result = practitest("upload", str(spool.path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        f"PractiTest: sending to {sim.url}, project 4500, test set 20000\n"
        "PractiTest: 1 of 1 records"
    )
    assert result.stdout.endswith(f"PractiTest: everything is delivered; removed {spool.path}\n")
    again = practitest("upload", str(spool.path))
    assert again.returncode == 2
    assert again.stderr == f"practitest upload: error: {spool.path}: no such spool file\n"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["upload", "missing.jsonl"],
            {},
            "practitest upload: error: missing.jsonl: no such spool file\n",
        ),
        (
            ["upload", "SPOOL", "--rate-limit", "fast"],
            {},
            "practitest upload: error: --rate-limit must be calls per minute (e.g. 30), CALLS/SECONDS (e.g. 30/60) "
            "or 0 for none; got 'fast'\n",
        ),
        (
            ["upload", "SPOOL"],
            {"PRACTITEST_URL": "http://example.com"},
            "practitest upload: error: refusing to send the API token over plain http to example.com; use https "
            "(plain http is allowed only to 127.0.0.1/localhost, where the simulator runs)\n",
        ),
        (
            ["upload", "SPOOL"],
            {"PRACTITEST_AUTHOR_ID": "me"},
            "practitest upload: error: PRACTITEST_AUTHOR_ID: expected a positive whole number; "
            "got 'me'\n",
        ),
        (  # the plugin's settings apply: the same variables, checked the same way
            ["upload", "SPOOL"],
            {"PRACTITEST_TIMEOUT": "soon"},
            "practitest upload: error: PRACTITEST_TIMEOUT: expected a number of seconds; "
            "got 'soon'\n",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    path = write_spool(tmp_path, "http://127.0.0.1:9")
    result = practitest(*[str(path) if a == "SPOOL" else a for a in args], **env)
    assert result.returncode == 2
    assert result.stderr == message
    assert result.stdout == ""


def test_upload_with_nothing_named_says_where_spools_are_listed() -> None:
    result = practitest("upload")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "practitest upload: error: name the spools or bundles to send (files, folders or glob "
        "patterns); practitest spools lists those in "
    )
    assert result.stderr.rstrip().endswith(".practitest")
    assert len(result.stderr.splitlines()) == 1


def test_missing_token_is_exit_2(tmp_path: Path) -> None:
    result = practitest("upload", str(write_spool(tmp_path, "http://127.0.0.1:9")), token=None)
    assert result.returncode == 2
    assert result.stderr == "practitest upload: error: no API token: set PRACTITEST_TOKEN\n"


def test_bad_token_is_exit_1_and_keeps_the_spool(sim: Simulator, tmp_path: Path) -> None:
    path = write_spool(tmp_path, sim.url)
    result = practitest("upload", str(path), token="wrong-token-zzz")
    assert result.returncode == 1
    assert "stopped: GET /projects/4500/sets/20000.json failed: 401 Unauthorized" in result.stdout
    assert "wrong-token-zzz" not in result.stdout + result.stderr
    with Spool.open(path) as spool:
        assert len(spool.pending()) == 8


def test_dry_run_sends_nothing(sim: Simulator, tmp_path: Path) -> None:
    path = write_spool(tmp_path, sim.url)
    result = practitest("upload", str(path), "--dry-run", "--rate-limit", "5/60")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "PractiTest dry run: nothing is sent.",
        "  project 4500, test set 20000",
        "  8 runs: 8 by test name",
        "  1 run posts of at most 20 runs (sizes 8; largest request about 11 KiB)",
        "  API calls: 3 (2 lookups + 1 run posts)",
        "  time under 5 calls / 60 s: under 1 s",  # the simulator answers in milliseconds
    ]
    assert sim.requests == []


def test_hinted_results_are_planned_and_sent_without_listing_the_set(
    sim: Simulator, tmp_path: Path
) -> None:
    """A spool whose records carry ``practitest sync``'s instance hints for its set."""
    spool = Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=4500, url=sim.url, set_id=20000))
    )
    for i in range(3):
        hint = InstanceHint(20000, 300000 + i)
        target = Target(test_id=80000 + i, hint=hint)
        spool.add(RunRecord(target=target, status=Status.PASSED, label=f"test_{i}"))
    spool.close()
    dry = practitest("upload", str(spool.path), "--dry-run")
    assert "  API calls: 2 (1 lookups + 1 run posts)" in dry.stdout.splitlines()
    result = practitest("upload", str(spool.path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [(r.method, r.path) for r in sim.requests] == [
        ("GET", "/api/v2/projects/4500/sets/20000.json"),
        ("POST", "/api/v2/projects/4500/runs.json"),
    ]
    assert sorted(r["instance-id"] for r in sim.entities("runs")) == [300000, 300001, 300002]


def test_the_token_appears_in_no_byte_the_upload_writes(
    sim: Simulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Faults make the client retry, wait and recover, so every message path runs.
    sim.faults.add("status", "GET", "/instances$", status=503, calls={1})
    sim.faults.add("commit_then_status", "POST", "/runs$", status=500, calls={1})
    sim.faults.add("status", "POST", "/runs$", status=429, calls={2}, retry_after=1)
    path = write_spool(tmp_path, sim.url, count=30)
    written = []
    for args in (
        ["upload", str(path), "--dry-run"],
        ["upload", str(path), "-v"],
        ["upload", str(path), "-v"],
    ):
        result = practitest(*args, PRACTITEST_URL=sim.url)
        written += [result.stdout, result.stderr]
    assert "urllib3.connectionpool: http://127.0.0.1" in written[3]  # debug logging was on
    assert "found stored as run" in written[3]  # the recovery path ran
    written.append(path.read_text())
    # In-process too, with every logger at DEBUG.
    from pytest_practitest.api.client import Client
    from pytest_practitest.upload.uploader import Uploader, UploadSettings

    with (
        caplog.at_level(logging.DEBUG),
        Spool.open(write_spool(tmp_path / "again", sim.url)) as spool,
    ):
        client = Client(sim.url, TOKEN, backoff=0.01)
        report = Uploader(
            client, UploadSettings(Destination(project_id=4500, set_id=20000)), spool
        ).upload()
        written += report.lines()
    written.append(caplog.text)
    written += [p.read_text() for p in tmp_path.rglob("*.jsonl")]
    assert all(TOKEN not in text for text in written)
    assert sum(len(text) for text in written) > 5000


def test_several_spools_in_one_call_a_dry_run_skipped_a_busy_one_refused(
    sim: Simulator, tmp_path: Path
) -> None:
    first = tmp_path / "a"
    second = tmp_path / "b"
    planned = write_spool(tmp_path / "c", sim.url, count=2, dry_run=True)
    paths = [write_spool(first, sim.url, count=2), write_spool(second, sim.url, count=2)]
    with Spool.open(write_spool(tmp_path / "d", sim.url, count=2)) as busy:
        # A session still has this one open: posting it too would send its records twice.
        result = practitest("upload", *map(str, paths), str(planned), str(busy.path))
    assert result.returncode == 2
    # the two for the same test set go as one delivery, and each says what became of it
    assert "PractiTest: 4 of 4 records in 2 spools still to send" in result.stdout
    for path in paths:
        assert f"PractiTest: {path}: 2 of 2 delivered" in result.stdout
    assert f"PractiTest: everything is delivered; removed {paths[0]}, {paths[1]}" in result.stdout
    assert f"PractiTest: {planned}: a dry run's plan; skipped (nothing in it is sent)" in (
        result.stdout
    )
    assert result.stderr == (
        f"practitest upload: error: {busy.path}: a session that is still running writes and "
        "delivers it; run this once it has ended\n"
    )
    assert len(sim.entities("runs")) == 4  # two from each spool sent, none from the others
    assert planned.is_file()
    assert busy.path.is_file()


def test_a_long_upload_shows_progress_in_a_ci_log(sim: Simulator, tmp_path: Path) -> None:
    spool = Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=4500, url=sim.url, set_id=20000))
    )
    for index in range(30):
        spool.add(
            RunRecord(target=Target(instance_id=300000), status=Status.PASSED, label=f"t{index}")
        )
    spool.close()
    result = practitest("upload", str(spool.path))
    assert result.returncode == 0, result.stderr
    assert "PractiTest: 20 of 30 delivered (67%)" in result.stderr  # no terminal: plain lines


def test_verify_says_each_result_is_there_once_or_names_what_is_not(
    sim: Simulator, tmp_path: Path
) -> None:
    clean = write_spool(tmp_path / "clean", sim.url, count=2)
    result = practitest("upload", "--verify", str(clean))
    assert result.returncode == 0, result.stderr
    assert "PractiTest: verified: each of the 2 results is in PractiTest once" in result.stdout
    assert not clean.exists()

    doubled = write_spool(tmp_path / "doubled", sim.url, count=2)
    with Spool.open(doubled) as spool:
        first = next(iter(spool.records.values()))
    cart = next(i for i in sim.entities("instances") if i["name"] == "Cart: add an item")
    from tests.helpers import Api

    with Api(sim.url, TOKEN, 4500) as api:  # as if an earlier post had stored it already
        api.run(cart["id"], **{"exit-code": 0, "automated-execution-output": f"[pt {first.key}]"})
    result = practitest("upload", "--verify", str(doubled))
    assert result.returncode == 1
    assert "PractiTest: 2 of 2 runs delivered" in result.stdout
    assert (
        "PractiTest: verify: 0 of 2 results are not in PractiTest, 1 is there more than once"
        in result.stdout
    )
    assert "PractiTest: more than once: test_0 (runs " in result.stdout
    assert ": one is the result, delete the others in PractiTest)" in result.stdout
    assert doubled.exists()  # kept: a person should look


# -- the trust boundary: a bundle or a spool from elsewhere never chooses where results go --


class Capture:
    """A server on 127.0.0.1 that records every request it gets (an attacker's host)."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.requests: list[str] = []
        seen = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self) -> None:
                seen.append(f"{self.command} {self.path} {self.headers.get('PTToken')}")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"data": []}')

            do_GET = do_POST = do_PUT = _any

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def attacker() -> Iterator[Capture]:
    capture = Capture()
    yield capture
    capture.close()


def write_bundle(folder: Path, destination: Destination, **record: object) -> Path:
    """A bundle as a shard job (or an attacker) leaves it: folder/spool.jsonl."""
    meta = SpoolMeta(destination, source="pytest", bundle=True)
    with Spool.create(folder, meta, name="spool.jsonl") as spool:
        spool.add(
            RunRecord(
                target=Target(name="Cart: add an item"),
                status=Status.PASSED,
                label="test_cart",
                **record,  # type: ignore[arg-type]
            )
        )
    return folder


def test_a_bundle_naming_another_url_is_refused_and_nothing_is_sent(
    sim: Simulator, attacker: Capture, tmp_path: Path
) -> None:
    good = write_bundle(tmp_path / "good", Destination())
    evil = write_bundle(tmp_path / "evil", Destination(url=attacker.url, project_id=4500))
    # The README's publish job: where results go only in the environment.
    result = practitest(
        "upload",
        str(good),
        str(evil),
        PRACTITEST_URL=sim.url,
        PRACTITEST_PROJECT_ID="4500",
        PRACTITEST_SET_ID="20000",
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"practitest upload: error: {evil / 'spool.jsonl'}: refused: the bundle names "
        f"'{attacker.url}', but this upload sends to {sim.url} (--url, PRACTITEST_URL or "
        "ini practitest_url); nothing was sent\n"
    )
    assert attacker.requests == []
    assert sim.requests == []  # one refused: nothing at all is sent
    # Without a URL of its own the publisher's default is not the bundle's either.
    alone = practitest("upload", str(evil), PRACTITEST_PROJECT_ID="4500", PRACTITEST_SET_ID="1")
    assert alone.returncode == 2
    assert "but this upload sends to https://api.practitest.com" in alone.stderr
    assert attacker.requests == []


def test_a_bundle_naming_another_project_is_refused(sim: Simulator, tmp_path: Path) -> None:
    other = write_bundle(tmp_path / "other", Destination(project_id=777, set_id=20000))
    result = practitest(
        "upload",
        str(other),
        PRACTITEST_URL=sim.url,
        PRACTITEST_PROJECT_ID="4500",
        PRACTITEST_SET_ID="20000",
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"practitest upload: error: {other / 'spool.jsonl'}: refused: the bundle names "
        "project 777, but this upload sends to project 4500 (--project-id, "
        "PRACTITEST_PROJECT_ID or ini practitest_project_id); nothing was sent\n"
    )
    assert sim.requests == []


def test_a_bundle_carries_results_only_the_publisher_decides_the_rest(
    sim: Simulator, tmp_path: Path
) -> None:
    owner = sim.info.users["owner@example.com"]
    tester = sim.info.users["qa.lead@example.com"]
    bundle = tmp_path / "b"
    meta = SpoolMeta(
        Destination(
            url=sim.url, project_id=4500, set_id=20000, create_missing=True, author_id=owner
        ),
        bundle=True,
    )
    with Spool.create(bundle, meta, name="spool.jsonl") as spool:
        for name in ("ATTACKER CREATED TEST", "Cart: add an item"):
            spool.add(
                RunRecord(
                    target=Target(name=name),
                    status=Status.PASSED,
                    label=name,
                    tester_id=tester,
                    custom_fields={"Browser": "Chrome", "Build": "evil"},
                )
            )
    result = practitest(
        "upload",
        str(bundle),
        "--bundle-fields",
        "Browser",
        PRACTITEST_URL=sim.url,
        PRACTITEST_PROJECT_ID="4500",
        PRACTITEST_SET_NAME="Nightly regression",
    )
    assert result.returncode == 1, result.stderr  # the unknown test is not created
    assert result.stdout.startswith(
        f"PractiTest: sending to {sim.url}, project 4500, test set 'Nightly regression'\n"
    )
    assert "rejected: ATTACKER CREATED TEST: test 'ATTACKER CREATED TEST' has no instance" in (
        result.stdout
    )
    assert [t["name"] for t in sim.entities("tests") if "ATTACKER" in t["name"]] == []
    [run] = sim.entities("runs")
    assert run.get("tester-id") != tester
    browser, build = sim.info.custom_fields["Browser"], sim.info.custom_fields["Build"]
    assert run["custom-fields"] == {f"---f-{browser}": "Chrome"}
    assert f"---f-{build}" not in run["custom-fields"]


def test_an_own_spool_keeps_its_set_whatever_the_environment_says(
    sim: Simulator, tmp_path: Path
) -> None:
    path = write_spool(tmp_path, sim.url, count=1)  # made here: set 20000
    result = practitest(
        "upload",
        str(path),
        PRACTITEST_URL="http://127.0.0.1:9",
        PRACTITEST_PROJECT_ID="999",
        PRACTITEST_SET_NAME="CI main",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(
        f"PractiTest: sending to {sim.url}, project 4500, test set 20000\n"
    )
    assert "PractiTest: 1 of 1 runs delivered to test set 20000 'Nightly regression'" in (
        result.stdout
    )
    assert [s["name"] for s in sim.entities("sets") if s["name"] == "CI main"] == []


def test_a_spool_copied_from_elsewhere_or_forged_is_not_trusted(
    sim: Simulator, tmp_path: Path
) -> None:
    path = write_spool(tmp_path / "here", sim.url, count=1)
    with Spool.open(path) as spool:
        assert spool.trusted
    forged = tmp_path / "elsewhere" / path.name
    forged.parent.mkdir()
    forged.write_text(path.read_text().replace('"set_id":20000', '"set_id":20001'))
    with Spool.open(forged) as spool:
        assert not spool.trusted  # edited, and not where it was made
    copied = tmp_path / "copied.jsonl"
    copied.write_text(path.read_text())
    with Spool.open(copied) as spool:
        assert not spool.trusted
    result = practitest("upload", str(copied), PRACTITEST_URL=sim.url)
    assert result.returncode == 2
    assert result.stderr == (
        f"practitest upload: error: {copied}: no project is named: give --project-id or "
        "PRACTITEST_PROJECT_ID (and --set-id or --set-name)\n"
    )
    assert sim.requests == []


def test_without_a_token_nothing_says_it_is_sending(sim: Simulator, tmp_path: Path) -> None:
    path = write_spool(tmp_path, sim.url)
    result = practitest("upload", str(path), token=None, PRACTITEST_TOKEN="")
    assert result.returncode == 2
    assert "sending to" not in result.stdout
    assert result.stderr.startswith("practitest upload: error: ")
    assert "PRACTITEST_TOKEN" in result.stderr
    assert sim.requests == []


def test_a_set_that_does_not_exist_is_one_line_and_nothing_is_sent(
    sim: Simulator, tmp_path: Path
) -> None:
    path = write_spool(tmp_path, sim.url)
    result = practitest("upload", str(path), "--set-id", "99")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "practitest upload: error: test set 99 does not exist in project 4500; check --set-id"
    ]
    # Where the token goes is said before the first call; nothing else is.
    assert result.stdout == f"PractiTest: sending to {sim.url}, project 4500, test set 99\n"
    assert [(r.method, r.status) for r in sim.requests] == [("GET", 404), ("GET", 200)]
    with Spool.open(path) as spool:
        assert len(spool.pending()) == 8


def test_a_set_that_does_not_exist_names_what_gave_it_the_spool_the_env_or_the_ini(
    sim: Simulator, tmp_path: Path
) -> None:
    spool = Spool.create(tmp_path, SpoolMeta(Destination(project_id=4500, url=sim.url, set_id=99)))
    with spool:
        spool.add(RunRecord(target=Target(name="Cart: add an item"), status=Status.PASSED))
    kept = practitest("upload", str(spool.path), PRACTITEST_SET_ID="20000")
    assert kept.returncode == 2
    assert kept.stderr.splitlines() == [
        "practitest upload: error: test set 99 does not exist in project 4500; check the test "
        f"set {spool.path} names, or re-target it with --set-id or --set-name"
    ]
    copied = tmp_path / "elsewhere.jsonl"  # not made here: the publisher's set
    copied.write_text(write_spool(tmp_path / "here", sim.url, count=1).read_text())
    env = {"PRACTITEST_URL": sim.url, "PRACTITEST_PROJECT_ID": "4500"}
    by_env = practitest("upload", str(copied), PRACTITEST_SET_ID="99", **env)
    assert by_env.stderr.splitlines()[-1] == (
        "practitest upload: error: test set 99 does not exist in project 4500; "
        "check PRACTITEST_SET_ID"
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\npractitest_set_id = 99\n")
    by_ini = run_cli("upload", str(copied), cwd=tmp_path, settings=env, PRACTITEST_TOKEN=TOKEN)
    assert by_ini.stderr.splitlines()[-1] == (
        "practitest upload: error: test set 99 does not exist in project 4500; "
        "check ini practitest_set_id"
    )


def test_a_project_that_does_not_exist_names_what_gave_it_the_spool_or_the_flag(
    sim: Simulator, tmp_path: Path
) -> None:
    """The line said PRACTITEST_PROJECT_ID whatever had named the project."""
    meta = SpoolMeta(Destination(project_id=9999, url=sim.url, set_id=20000))
    spool = Spool.create(tmp_path, meta)
    with spool:
        spool.add(RunRecord(target=Target(name="Cart: add an item"), status=Status.PASSED))
    kept = practitest("upload", str(spool.path))
    assert kept.returncode == 2
    assert kept.stderr.splitlines()[-1] == (
        "practitest upload: error: project 9999 does not exist, or this token cannot see it; "
        f"check the project {spool.path} names, or re-target it with --project-id"
    )
    by_flag = practitest("upload", str(spool.path), "--project-id", "9998")
    assert by_flag.stderr.splitlines()[-1] == (
        "practitest upload: error: project 9998 does not exist, or this token cannot see it; "
        "check --project-id"
    )
    with Spool.open(spool.path) as kept_spool:
        assert len(kept_spool.pending()) == 1


def test_the_file_limit_is_a_setting_of_the_command(sim: Simulator, tmp_path: Path) -> None:
    spool = Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=4500, url=sim.url, set_id=20000))
    )
    with spool:
        spool.add(
            RunRecord(
                target=Target(name="Cart: add an item"),
                status=Status.FAILED,
                label="test_big",
                files=(FileRef("big.bin", data=b"x" * 2000), FileRef("small.txt", data=b"ok")),
            )
        )
    done = run_cli(
        "upload",
        str(spool.path),
        "--max-file-bytes=1000",
        PRACTITEST_TOKEN=TOKEN,
        PRACTITEST_URL=sim.url,
        PRACTITEST_RATE_LIMIT="0",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == (
        "PractiTest: warning: test_big: skipped attachment big.bin: 2000 bytes is over the "
        "1000-byte cap\n"
    )
    assert [a["name"] for a in sim.entities("attachments")] == ["small.txt"]
    assert len(sim.entities("runs")) == 1


def test_the_advice_for_rejected_results_keeps_the_commands_map_and_fields() -> None:
    from pytest_practitest.upload.summary import UploadSummary

    report = UploadSummary(
        total=3,
        delivered=1,
        rejected={"k": "test_a: test 'test_a' has no instance in test set 5"},
        spool_path="b/spool.jsonl",
        again_where=" --project-id 4500 --set-id 5",
        again_how=" --create-missing --author-id 7",
        again_rest=" --map m.toml --field Build=7",
    )
    assert report.resume_line() == (
        "PractiTest: 2 not delivered; kept in b/spool.jsonl; the 1 unsent: practitest upload "
        "b/spool.jsonl --project-id 4500 --set-id 5 --create-missing --author-id 7 --map "
        "m.toml --field Build=7; the 1 rejected is refused again by a plain resume: "
        "re-target it with practitest upload b/spool.jsonl --project-id 4500 --set-id 5 --map "
        "m.toml --field Build=7 --create-missing (an account token also needs --author-id), "
        "--set-id/--set-name (another set) or --map FILE (other tests)"
    )
