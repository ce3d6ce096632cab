"""The answer matrix: each endpoint the uploader calls x each answer the reference allows.

Shared by ``tests/upload/test_answer_matrix.py`` (which asserts) and
``bench/bench_faults.py`` (which prints the table). One cell: 12 results (by test
name with a custom field by name, by instance id, and two new tests), one answer
injected on the endpoint's first call, an upload, then a resume with the answer
gone. Every cell must end with delivered + rejected + kept = 12, no run stored
twice, every stored run known to the spool, and never an exception that is not
one of ours (a traceback). Bounded: 0.3 s read timeout, 0.05 s settle.
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
from pytest_practitest.upload.summary import UploadSummary
from pytest_practitest.upload.uploader import Uploader, UploadSettings
from tests.helpers import keys_stored

TOKEN = "answers-token-6a5b4c3d"
RESULTS = 12
READ_TIMEOUT = 0.3
TESTER = "qa.engineer@example.com"

#: (name, method, path pattern, way): ``auto`` new tests by auto_create (a personal
#: token), ``explicit`` by tests.json and instances.json (an account token's author)
ENDPOINTS = (
    ("GET sets/ID", "GET", r"/sets/\d+$", "auto"),
    ("GET instances", "GET", r"/instances$", "auto"),
    ("GET custom_fields", "GET", r"/custom_fields$", "auto"),
    ("POST runs", "POST", r"/runs$", "auto"),
    ("POST runs/auto_create", "POST", r"/runs/auto_create$", "auto"),
    ("GET tests", "GET", r"/tests$", "explicit"),
    ("POST tests", "POST", r"/tests$", "explicit"),
    ("POST instances", "POST", r"/instances$", "explicit"),
    ("GET runs", "GET", r"/runs$", "auto"),  # after the first runs post was unclear
)
#: what makes the uploader call an endpoint it calls only after an unclear answer
PRELUDE = {
    "GET runs": {
        "kind": "commit_then_status",
        "status": 500,
        "method": "POST",
        "path": r"/runs$",
        "calls": [1],
    }
}

#: every status in the reference's errors table, and what no table lists
ANSWERS: tuple[tuple[str, dict[str, Any]], ...] = (
    *((str(status), {"kind": "status", "status": status}) for status in (400, 401, 403, 404)),
    *((str(status), {"kind": "status", "status": status}) for status in (405, 406, 422)),
    ("429", {"kind": "status", "status": 429, "retry_after": 0}),
    ("500", {"kind": "status", "status": 500}),
    ("503", {"kind": "status", "status": 503}),
    ("stored, then 500", {"kind": "commit_then_status", "status": 500}),
    ("reset", {"kind": "reset"}),
    ("stored, then reset", {"kind": "commit_then_reset"}),
    ("timeout", {"kind": "slow", "delay": READ_TIMEOUT + 0.2}),
    ("unreadable", {"kind": "malformed"}),
    ("wrong shape", {"kind": "wrong_shape"}),
    ("empty 200", {"kind": "empty"}),
    ("302", {"kind": "redirect"}),
)


@dataclass(frozen=True)
class Cell:
    endpoint: str
    method: str
    path: str
    way: str
    answer: str
    fault: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.endpoint} / {self.answer}"


#: answers a GET is tried again on (the client's retries), so a lookup still succeeds
RETRIED = frozenset(
    {"429", "500", "503", "stored, then 500", "reset", "stored, then reset", "timeout"}
    | {"unreadable", "empty 200"}
)
#: lookups the delivery cannot go on without (custom fields are optional)
LOOKUPS = frozenset({"GET sets/ID", "GET instances", "GET tests", "GET runs"})


def may_keep(cell: Cell) -> bool:
    """Whether the first upload may stop and keep results (session-wide), by the table in
    ``upload/answers.py``: a refused token, a missing method or format, a 403 on the runs
    post itself, or a lookup that cannot be had; anything else is delivered or rejected."""
    if cell.answer in ("401", "405", "406"):
        return True
    if cell.answer == "403" and cell.endpoint == "POST runs":
        return True
    return cell.endpoint in LOOKUPS and cell.answer not in RETRIED


CELLS = tuple(
    Cell(endpoint, method, path, way, answer, fault)
    for endpoint, method, path, way in ENDPOINTS
    for answer, fault in ANSWERS
)


@dataclass(frozen=True)
class Outcome:
    """Where the spool stood after the first upload and after the resume."""

    delivered: int
    rejected: int
    kept: int
    duplicates: int
    unknown_to_spool: int
    delivered_after_resume: int
    rejected_after_resume: int
    kept_after_resume: int
    duplicates_after_resume: int
    fatal: str | None


def records(instances: list[int], names: list[str]) -> list[RunRecord]:
    made = []
    targets = [Target(name=n) for n in names[:8]] + [Target(instance_id=i) for i in instances[8:10]]
    targets += [Target(name="Brand new A"), Target(name="Brand new B")]
    for index, target in enumerate(targets):
        made.append(
            RunRecord(
                target=target,
                status=Status.FAILED if index % 3 == 0 else Status.PASSED,
                label=f"test_{index:02d}",
                steps=(StepRecord("check", Status.PASSED),) if index % 4 == 0 else (),
                custom_fields={"Browser": "Firefox"} if index < 8 else {},
            )
        )
    return made


def _upload(sim: Simulator, spool: Spool, cell: Cell, set_id: int) -> UploadSummary:
    explicit = cell.way == "explicit"
    token = TOKEN if explicit else sim.info.personal_tokens[TESTER]
    client = Client(
        sim.url,
        token,
        timeout=(2.0, READ_TIMEOUT),
        backoff=0.01,
        max_retries=2,
        rate_limiter=RateLimiter(1000, 0.2),
    )
    settings = UploadSettings(
        Destination(
            project_id=sim.info.project_id,
            set_id=set_id,
            create_missing=True,
            author_id=sim.info.users["owner@example.com"] if explicit else None,
        ),
        settle_seconds=0.05,
    )
    with client.session:
        return Uploader(client, settings, spool).upload()


def _counts(spool: Spool) -> tuple[int, int, int]:
    delivered = set(spool.delivered)
    rejected = set(spool.rejected) - delivered
    return len(delivered), len(rejected), RESULTS - len(delivered) - len(rejected)


def run_cell(cell: Cell) -> Outcome:
    """One answer on one endpoint's first call: upload, then resume without it."""
    with (
        tempfile.TemporaryDirectory(prefix="practitest-answers-") as temporary,
        Simulator(token=TOKEN, rate_limit=None) as sim,
    ):
        from tests.helpers import seed_set

        set_id, instances, names = seed_set(sim, 10, "Answers")
        sim.faults.add(method=cell.method, path=cell.path, calls={1}, **cell.fault)
        if cell.endpoint in PRELUDE:
            sim.faults.extend([PRELUDE[cell.endpoint]])
        spool = Spool.create(
            Path(temporary), SpoolMeta(Destination(url=sim.url, project_id=sim.info.project_id))
        )
        for record in records(instances, names):
            spool.add(record)
        report = _upload(sim, spool, cell, set_id)
        delivered, rejected, kept = _counts(spool)
        stored = keys_stored(sim)
        duplicates = sum(n - 1 for n in stored.values())
        unknown = len(set(stored) - set(spool.delivered)) if kept == 0 else 0
        spool.close()
        sim.faults.clear()
        with Spool.open(spool.path, exclusive=True) as resumed:  # as `practitest upload` does
            _upload(sim, resumed, cell, set_id)
            after = _counts(resumed)
            stored = keys_stored(sim)
            unknown += len(set(stored) - set(resumed.delivered))
        return Outcome(
            delivered,
            rejected,
            kept,
            duplicates,
            unknown,
            *after,
            duplicates_after_resume=sum(n - 1 for n in stored.values()),
            fatal=report.fatal,
        )
