"""The fault matrix: 300 results through one fault on the runs post, then a resume.

Shared by ``tests/upload/test_fault_matrix.py`` (which asserts) and
``bench/bench_faults.py`` (which prints the table). Everything runs against a
simulator on 127.0.0.1, bounded: small timeouts, faults on 3 of the 15 posts.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_practitest.api.client import Client
from pytest_practitest.api.ratelimit import RateLimiter
from pytest_practitest.model import Destination, RunRecord, Status, StepRecord, Target
from pytest_practitest.simulator import Simulator
from pytest_practitest.spool.journal import Spool, SpoolMeta
from pytest_practitest.upload.uploader import Uploader, UploadSettings
from tests.helpers import keys_stored, seed_set

TOKEN = "matrix-token-0f1e2d3c"
RESULTS = 300
READ_TIMEOUT = 1.0
#: the posts that meet the fault (of 15)
FAULTY_POSTS = frozenset({2, 7, 12})


@dataclass(frozen=True)
class Case:
    """One row: a fault on the runs post, or a choice the server makes where the docs are silent."""

    name: str
    fault: dict[str, Any] | None = None
    clock_offset: float = 0.0
    bulk_order: str = "request"


CASES = (
    Case("500", {"kind": "status", "status": 500}),
    Case("502", {"kind": "status", "status": 502}),
    Case("503", {"kind": "status", "status": 503}),
    Case("504", {"kind": "status", "status": 504}),
    Case("429 with Retry-After", {"kind": "status", "status": 429, "retry_after": 1}),
    Case("429 without Retry-After", {"kind": "status", "status": 429}),
    Case("reset", {"kind": "reset"}),
    Case("unreadable body", {"kind": "malformed"}),
    Case("stored, then 500", {"kind": "commit_then_status", "status": 500}),
    Case("stored, then reset", {"kind": "commit_then_reset"}),
    Case("stored after the client's timeout", {"kind": "slow", "delay": READ_TIMEOUT + 0.5}),
    Case(
        "server clock +10 min, stored then 500",
        {"kind": "commit_then_status", "status": 500},
        clock_offset=600,
    ),
    Case(
        "server clock -10 min, stored then reset",
        {"kind": "commit_then_reset"},
        clock_offset=-600,
    ),
    Case("bulk answered in reverse order", None, bulk_order="reversed"),
)


@dataclass(frozen=True)
class Outcome:
    """What one case left: delivered, still in the spool, duplicate runs; then after a resume."""

    delivered: int
    spooled: int
    duplicates: int
    delivered_after_resume: int
    duplicates_after_resume: int


def records(instances: list[int]) -> list[RunRecord]:
    """300 results: passes, failures, skips (all-NO RUN steps) and blocked ones."""
    statuses = (Status.PASSED, Status.FAILED, Status.NO_RUN, Status.BLOCKED, Status.PASSED)
    made = []
    for index, instance_id in enumerate(instances):
        status = statuses[index % len(statuses)]
        made.append(
            RunRecord(
                target=Target(instance_id=instance_id),
                status=status,
                label=f"test_{index:03d}",
                duration=index % 3,  # many runs look alike but for their key
                output="skipped: no network" if status is Status.NO_RUN else "",
                steps=(StepRecord("check", status),) if index % 4 == 0 else (),
            )
        )
    return made


def _upload(sim: Simulator, spool: Spool, settings: UploadSettings) -> None:
    client = Client(
        sim.url,
        TOKEN,
        timeout=(2.0, READ_TIMEOUT),
        backoff=0.01,
        rate_limiter=RateLimiter(1000, 1.0),  # a 429 without Retry-After waits one window
    )
    with client.session:
        Uploader(client, settings, spool).upload()


def run_case(case: Case, folder: Path | None = None) -> Outcome:
    """Upload 300 results through ``case``, then resume the spool with the fault gone."""
    with (
        tempfile.TemporaryDirectory(prefix="practitest-matrix-") as temporary,
        Simulator(token=TOKEN, rate_limit=None) as sim,
    ):
        where = folder or Path(temporary)
        set_id, instances, _ = seed_set(sim, RESULTS, "Matrix")
        sim.store.clock_offset = case.clock_offset
        sim.store.bulk_order = case.bulk_order
        if case.fault is not None:
            sim.faults.add(method="POST", path=r"/runs$", calls=FAULTY_POSTS, **case.fault)
        settings = UploadSettings(
            Destination(project_id=sim.info.project_id, set_id=set_id), settle_seconds=0.2
        )
        spool = Spool.create(
            where, SpoolMeta(Destination(project_id=sim.info.project_id, url=sim.url))
        )
        for record in records(instances):
            spool.add(record)
        _upload(sim, spool, settings)
        first = len(spool.delivered)
        left = len(spool.pending())
        first_duplicates = sum(n - 1 for n in keys_stored(sim).values())
        spool.close()
        sim.faults.clear()
        with Spool.open(spool.path, exclusive=True) as resumed:  # as `practitest upload` does
            _upload(sim, resumed, settings)
            after = len(resumed.delivered)
        stored = keys_stored(sim)
        return Outcome(
            delivered=first,
            spooled=left,
            duplicates=first_duplicates,
            delivered_after_resume=after,
            duplicates_after_resume=sum(n - 1 for n in stored.values()),
        )
