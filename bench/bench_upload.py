"""Upload benchmark: API calls and wall time for N results, and peak memory with big files.

    python bench/bench_upload.py           # N = 100, 1,000, 10,000; memory with 1,000 x 1 MiB
    python bench/bench_upload.py --quick   # N = 100, 1,000; memory with 200 x 1 MiB (for CI)

Everything runs against the simulator on 127.0.0.1. "Scaled" runs use a rate
limit of 30 calls per 0.6 s (the real 30 per 60 s, 100 times faster); the
column "at 30/min" converts their call count to real minutes. Prints numbers;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pytest_practitest.api.client import Client  # noqa: E402
from pytest_practitest.api.ratelimit import RateLimiter  # noqa: E402
from pytest_practitest.model import Destination, RunRecord, Status, Target  # noqa: E402
from pytest_practitest.simulator import Simulator, entities  # noqa: E402
from pytest_practitest.spool.journal import Spool, SpoolMeta  # noqa: E402
from pytest_practitest.upload.uploader import Uploader, UploadSettings  # noqa: E402

TOKEN = "bench-token"
SCALED = (30, 0.6)


def seed(sim: Simulator, count: int) -> tuple[int, list[str]]:
    store, project = sim.store, sim.info.project_id
    owner = sim.info.users["owner@example.com"]
    test_set = entities.create_set(store, project, {"name": f"Bench {count}"}, owner)
    names = []
    for index in range(count):
        test = entities.create_test(store, project, {"name": f"bench {count} {index:05d}"}, owner)
        entities.create_instance(store, test_set, test)
        names.append(test["name"])
    return int(test_set["id"]), names


def one_upload(
    sim: Simulator,
    set_id: int,
    names: list[str],
    rate_limit: tuple[int, float] | None,
    *,
    create_missing: bool = False,
) -> tuple[int, float, int]:
    with tempfile.TemporaryDirectory() as directory:
        spool = Spool.create(
            Path(directory),
            SpoolMeta(Destination(project_id=sim.info.project_id, url=sim.url, set_id=set_id)),
        )
        for index, name in enumerate(names):
            status = Status.PASSED if index % 7 else Status.FAILED
            spool.add(
                RunRecord(
                    target=Target(name=name), status=status, label=name, duration=1, output="ok"
                )
            )
        client = Client(
            sim.url, TOKEN, rate_limiter=RateLimiter(*rate_limit) if rate_limit else None
        )
        sim.clear_requests()
        started = time.perf_counter()
        settings = UploadSettings(
            Destination(
                project_id=sim.info.project_id,
                set_id=set_id,
                create_missing=create_missing,
                author_id=sim.info.users["owner@example.com"],
            )
        )
        report = Uploader(client, settings, spool).upload()
        seconds = time.perf_counter() - started
        client.close()
        spool.close()
        return len(sim.requests), seconds, report.delivered


def calls_table(sizes: list[int]) -> list[str]:
    rows = [
        "P1/P2 upload: API calls and wall time (simulator on 127.0.0.1)",
        f"{'N':>7} {'floor N/20':>10} {'target':>7} {'calls':>6} {'delivered':>9} "
        f"{'off: s':>7} {'scaled: s':>9} {'at 30/min':>10}",
    ]
    for n in sizes:
        with Simulator(token=TOKEN, rate_limit=None) as sim:
            set_id, names = seed(sim, n)
            calls, off_seconds, delivered = one_upload(sim, set_id, names, None)
            sim.set_rate_limit(SCALED)
            scaled_calls, scaled_seconds, _ = one_upload(sim, set_id, names, SCALED)
            scaled = f"{scaled_seconds:9.1f}"
            assert scaled_calls == calls
        floor = math.ceil(n / 20)
        target = floor + math.ceil(n / 100) + 3
        real_minutes = max(0.0, calls / 30 - 1)
        rows.append(
            f"{n:>7} {floor:>10} {target:>7} {calls:>6} {delivered:>9} {off_seconds:>7.2f} {scaled} "
            f"{real_minutes:>8.1f} m"
        )
    with Simulator(token=TOKEN, rate_limit=None, seed="empty") as sim:
        body = {"data": {"type": "sets", "attributes": {"name": "Fresh"}}}
        with Client(sim.url, TOKEN).session as session:
            set_id = int(
                session.post(
                    f"{sim.url}/api/v2/projects/{sim.info.project_id}/sets.json",
                    json=body,
                    timeout=10,
                ).json()["data"]["id"]
            )
        names = [f"new test {i:04d}" for i in range(100)]
        sim.store.memberships[sim.info.users["owner@example.com"]] = {sim.info.project_id}
        calls, seconds, delivered = one_upload(sim, set_id, names, None, create_missing=True)
        rows.append(
            f"create-missing on a fresh project, N=100: {calls} calls ({delivered} delivered, {seconds:.2f} s)"
        )
    return rows


def new_tests_row(new: int = 100, existing: tuple[int, ...] = (0, 5000)) -> list[str]:
    """P7: calls to deliver ``new`` results of tests PractiTest does not have yet
    (create-missing) into a project that already holds ``existing`` tests."""
    target = new + math.ceil(new / 100) + 3
    rows = [f"P7 create-missing, N={new} new tests (target <= {target} calls for every M):"]
    for count in existing:
        with Simulator(token=TOKEN, rate_limit=None, seed="empty") as sim:
            store, project = sim.store, sim.info.project_id
            owner = sim.info.users["owner@example.com"]
            store.memberships[owner] = {project}
            test_set = entities.create_set(store, project, {"name": "P7"}, owner)
            for index in range(count):
                entities.create_test(store, project, {"name": f"existing {index:05d}"}, owner)
            names = [f"new test {i:04d}" for i in range(new)]
            calls, seconds, delivered = one_upload(
                sim, int(test_set["id"]), names, None, create_missing=True
            )
        rows.append(
            f"  M={count:>5} existing: {calls} calls ({delivered} delivered, {seconds:.2f} s; "
            f"{calls / 30:.1f} min at 30 calls a minute)"
        )
    return rows


def synced_row(sizes: tuple[int, ...] = (20, 100, 200, 300)) -> list[str]:
    """P9: ``practitest sync`` of an N-test suite (twice), then ``pytest --practitest``
    into that set: its calls, and that it creates nothing (the tests are known by id)."""
    rows = ["P9 after practitest sync, N results (target <= ceil(N/20)+3 calls, 0 created):"]
    writes = {"POST", "PUT", "PATCH", "DELETE"}
    commands = (
        ["-m", "pytest_practitest.cli", "sync"],
        ["-m", "pytest_practitest.cli", "sync"],
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "--practitest"],
    )
    for count in sizes:
        with (
            Simulator(token=TOKEN, rate_limit=None, seed="empty") as sim,
            tempfile.TemporaryDirectory() as folder,
        ):
            store, project = sim.store, sim.info.project_id
            owner = sim.info.users["owner@example.com"]
            test_set = entities.create_set(store, project, {"name": "P9"}, owner)
            suite = "".join(f'def test_{i:05d}():\n    """Case {i}."""\n\n' for i in range(count))
            Path(folder, "test_p9.py").write_text(suite)
            env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTITEST")}
            env.update(
                PRACTITEST_TOKEN=TOKEN,
                PRACTITEST_URL=sim.url,
                PRACTITEST_PROJECT_ID=str(project),
                PRACTITEST_SET_ID=str(test_set["id"]),
                PRACTITEST_AUTHOR_ID=str(owner),
                PRACTITEST_RATE_LIMIT="0",
            )
            counts = []
            for command in commands:
                sim.clear_requests()
                subprocess.run(
                    [sys.executable, *command],
                    cwd=folder,
                    env=env,
                    capture_output=True,
                    check=False,
                )
                made = sum(r.method in writes for r in sim.requests)
                counts.append((len(sim.requests) - made, made))
            tests = len(sim.entities("tests"))
        target = math.ceil(count / 20) + 3
        (r1, w1), (r2, w2), (r3, w3) = counts
        rows.append(
            f"  N={count:>5}: first sync {w1} writes + {r1} reads; second sync {w2} writes + "
            f"{r2} reads; pytest --practitest {r3 + w3} calls (target <= {target}: "
            f"{'met' if r3 + w3 <= target else 'MISSED'}), {tests - count} tests created by it"
        )
    return rows


SHARD_SCALE = 10  # the shards row runs 10 times faster than real: 30 calls per 6 s


def _deliver(
    url: str, settings: UploadSettings, journal: Any, limit: tuple[int, float], out: list[int]
) -> None:
    """One delivery with its own client and limiter; its delivered count goes to ``out``."""
    client = Client(url, TOKEN, rate_limiter=RateLimiter(*limit))
    with client.session:
        out.append(Uploader(client, settings, journal).upload().delivered)


def shards_row(shards: int = 4, per_shard: int = 250) -> list[str]:
    """4 shards, one publisher: one delivery of every shard's bundle, next to the shards
    each delivering on their own at the same time, all against one account's limit."""
    import threading

    from pytest_practitest.spool.merged import SpoolSet

    limit = (30, 60.0 / SHARD_SCALE)
    rows = [
        f"4 shards, one publisher: {shards} x {per_shard} results to known tests, one account "
        f"limited to 30 calls a minute (run {SHARD_SCALE}x faster, times converted back)"
    ]
    for how in ("one publisher", f"{shards} jobs on their own"):
        with Simulator(token=TOKEN, rate_limit=limit) as sim, tempfile.TemporaryDirectory() as tmp:
            sim.set_rate_limit(None)
            set_id, names = seed(sim, shards * per_shard)
            spools = []
            for shard in range(shards):
                spool = Spool.create(
                    Path(tmp) / str(shard),
                    SpoolMeta(
                        Destination(project_id=sim.info.project_id, url=sim.url, set_id=set_id)
                    ),
                )
                for name in names[shard::shards]:
                    spool.add(RunRecord(target=Target(name=name), status=Status.PASSED, label=name))
                spools.append(spool)
            settings = UploadSettings(Destination(project_id=sim.info.project_id, set_id=set_id))
            sim.set_rate_limit(limit)
            sim.clear_requests()
            delivered: list[int] = []
            started = time.perf_counter()
            if how == "one publisher":
                _deliver(sim.url, settings, SpoolSet(spools), limit, delivered)
            else:
                threads = [
                    threading.Thread(
                        target=_deliver, args=(sim.url, settings, spool, limit, delivered)
                    )
                    for spool in spools
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=600)
            seconds = (time.perf_counter() - started) * SHARD_SCALE
            refused = sum(1 for r in sim.requests if r.status == 429)
            calls = len(sim.requests) - refused
            for spool in spools:
                spool.close()
        rows.append(
            f"  {how:<20} {calls:>4} calls + {refused:>3} answered 429, {sum(delivered)} delivered, "
            f"{seconds / 60:.1f} min at 30 calls a minute"
        )
    return rows


MEMORY_CHILD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from pytest_practitest.api.client import Client
from pytest_practitest.model import FileRef, RunRecord, Status, Target
from pytest_practitest.upload.targets import SetChoice
from pytest_practitest.model import Destination
from pytest_practitest.spool.journal import Spool, SpoolMeta
from pytest_practitest.upload.uploader import Uploader, UploadSettings
url, token, project, count, blob, spool_dir = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], Path(sys.argv[7])
def hwm_kib():
    # VmHWM starts afresh at exec; ru_maxrss would carry the parent's peak over.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
before = hwm_kib()
spool = Spool.create(spool_dir, SpoolMeta(Destination(url, project, 20000)))
for i in range(count):
    spool.add(RunRecord(target=Target(instance_id=300000 + i % 8), status=Status.PASSED, label=f"t{i}",
                        files=(FileRef("big.bin", path=blob),)))
started = time.perf_counter()
report = Uploader(Client(url, token), UploadSettings(Destination(url, project, 20000)), spool).upload()
print(json.dumps({"before_kib": before, "peak_kib": hwm_kib(),
                  "delivered": report.delivered, "calls": report.calls, "seconds": time.perf_counter() - started}))
"""


def memory_row(count: int) -> str:
    with tempfile.TemporaryDirectory() as directory:
        env_file = Path(directory) / "sim.env"
        sim = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pytest_practitest.cli",
                "sim",
                "--token",
                TOKEN,
                "--rate-limit",
                "0",
                "--env-file",
                str(env_file),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        try:
            deadline = time.monotonic() + 30
            while not (env_file.exists() and env_file.read_text().count("\n") >= 3):
                if time.monotonic() > deadline:
                    raise SystemExit("the simulator did not start")
                time.sleep(0.05)
            env = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
            blob = Path(directory) / "blob.bin"
            blob.write_bytes(os.urandom(1024 * 1024))
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    MEMORY_CHILD,
                    str(ROOT),
                    env["PRACTITEST_URL"],
                    TOKEN,
                    env["PRACTITEST_PROJECT_ID"],
                    str(count),
                    str(blob),
                    directory,
                ],
                capture_output=True,
                text=True,
                check=True,
                timeout=1800,
            )
        finally:
            sim.terminate()
            sim.wait(timeout=30)
    result = json.loads(out.stdout)
    return (
        f"P6 peak RSS of the uploading process, {count} results x 1 MiB file: "
        f"{result['peak_kib'] / 1024:.0f} MiB (interpreter and imports: {result['before_kib'] / 1024:.0f} MiB; "
        f"target <= 150 MiB) - {result['delivered']} delivered in {result['calls']} calls, {result['seconds']:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized run")
    args = parser.parse_args()
    sizes = [100, 1000] if args.quick else [100, 1000, 10000]
    for line in calls_table(sizes):
        print(line, flush=True)
    for line in new_tests_row():
        print(line, flush=True)
    for line in synced_row((20, 100) if args.quick else (20, 100, 200, 300)):
        print(line, flush=True)
    for line in shards_row(per_shard=100 if args.quick else 250):
        print(line, flush=True)
    print(memory_row(200 if args.quick else 1000), flush=True)


if __name__ == "__main__":
    main()
