"""New tests through ``runs/auto_create.json``: one call each, never a run twice, any server."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pytest_practitest.api.client import Client
from pytest_practitest.api.ratelimit import RateLimiter
from pytest_practitest.events import Event, Kind
from pytest_practitest.model import Destination, FileRef, RunRecord, Status, StepRecord, Target
from pytest_practitest.simulator import Simulator, entities
from pytest_practitest.spool.journal import Spool
from pytest_practitest.upload.index import fitted_name
from pytest_practitest.upload.uploader import Uploader, UploadSettings
from tests.upload.test_uploader import PROJECT, TOKEN, records_for, run_outputs
from tests.upload.test_uploader import upload as upload_with

pytestmark = pytest.mark.practitest_simulator(token=TOKEN)


def owner(sim: Simulator) -> int:
    return int(sim.info.users["owner@example.com"])


def personal_token(sim: Simulator) -> str:
    """A personal token: its tests are its user's, so auto_create needs no author."""
    return sim.info.personal_tokens["qa.engineer@example.com"]


def upload(sim: Simulator, tmp_path: Path, records: list[RunRecord], **options: Any) -> Any:
    """As ``test_uploader.upload``, with a personal token unless told (auto_create's way)."""
    if "author_id" not in options:
        options.setdefault("token", personal_token(sim))
    return upload_with(sim, tmp_path, records, **options)


def paths(sim: Simulator) -> list[str]:
    return [f"{c.method} {c.path.rsplit('/projects/4500', 1)[-1]}" for c in sim.requests]


@pytest.mark.parametrize("existing", [0, 5000])
def test_p7_new_tests_cost_one_call_each_whatever_the_project_holds(
    sim: Simulator, tmp_path: Path, existing: int
) -> None:
    """P7: N new tests in N + ceil(N/100) + 3 calls at most, for M = 0 and M = 5,000."""
    with sim.store.lock:
        for index in range(existing):
            entities.create_test(sim.store, PROJECT, {"name": f"old {index}"}, owner(sim))
    new = 100
    names = [f"tests/test_new.py::test_{i}" for i in range(new)]
    report, _ = upload(
        sim, tmp_path, records_for([Target(name=n) for n in names]), create_missing=True
    )
    assert report.delivered == new
    assert len(sim.requests) <= new + math.ceil(new / 100) + 3
    assert paths(sim).count("POST /runs/auto_create.json") == new
    assert not any(p.startswith("GET /tests") for p in paths(sim))  # never the project's list
    created = Counter(t["name"] for t in sim.entities("tests") if t["name"] in set(names))
    assert created == dict.fromkeys(names, 1)


def test_the_first_result_of_a_new_test_creates_it_and_the_rest_go_20_per_post(
    sim: Simulator, tmp_path: Path
) -> None:
    targets = [Target(name=f"param test {i % 3}") for i in range(63)]  # 3 tests, 21 results each
    report, _ = upload(sim, tmp_path, records_for(targets), create_missing=True)
    assert report.delivered == 63
    assert report.created == 3  # said in the summary: "3 new tests created (create-missing)"
    assert paths(sim).count("POST /runs/auto_create.json") == 3
    assert paths(sim).count("POST /runs.json") == 3  # the other 60, 20 per post
    assert len(sim.entities("runs")) == 63
    instances = [i for i in sim.entities("instances") if i["name"].startswith("param test")]
    assert len(instances) == 3
    again, _ = upload(sim, tmp_path / "again", records_for(targets), create_missing=True)
    assert again.delivered == 63
    assert again.created == 0
    assert "POST /runs/auto_create.json" not in paths(sim)[-5:]


def test_a_new_test_carries_steps_files_fields_and_a_long_name(
    sim: Simulator, tmp_path: Path
) -> None:
    long_name = "tests/test_long.py::test_it[" + "x" * 300 + "]"
    record = RunRecord(
        target=Target(name=long_name),
        status=Status.FAILED,
        label="test_it",
        output="boom",
        version="7.1",
        custom_fields={"Browser": "Firefox"},
        steps=(
            StepRecord("open", Status.PASSED),
            StepRecord("pay", Status.FAILED, files=(FileRef("screen.png", data=b"PNG"),)),
        ),
        files=(FileRef("log.txt", data=b"log"),),
    )
    report, _ = upload(sim, tmp_path, [record], create_missing=True)
    assert report.delivered == 1, report.lines()
    [test] = [t for t in sim.entities("tests") if t["name"] == fitted_name(long_name)]
    assert test["description"] == long_name
    [run] = sim.entities("runs")
    assert run["status"] == "FAILED"
    assert run["version"] == "7.1"
    assert run["custom-fields"] == {f"---f-{sim.info.custom_fields['Browser']}": "Firefox"}
    steps = [s for s in sim.entities("step_runs") if s["run-id"] == run["id"]]
    assert [s["status"] for s in steps] == ["PASSED", "FAILED"]
    names = sorted(a["name"] for a in sim.entities("attachments"))
    assert names == ["log.txt", "screen.png"]


AMBIGUOUS = [
    pytest.param({"kind": "status", "status": 503}, id="503, not stored"),
    pytest.param({"kind": "reset"}, id="reset, not stored"),
    pytest.param({"kind": "commit_then_status", "status": 500}, id="stored, then 500"),
    pytest.param({"kind": "commit_then_reset"}, id="stored, then reset"),
    pytest.param({"kind": "malformed"}, id="stored, unreadable answer"),
    pytest.param({"kind": "delay", "delay": 0.6}, id="stored, read timeout"),
    pytest.param({"kind": "slow", "delay": 0.6}, id="stored after the timeout"),
]


@pytest.mark.parametrize("fault", AMBIGUOUS)
def test_an_unclear_auto_create_is_looked_up_never_posted_twice(
    sim: Simulator, tmp_path: Path, fault: dict[str, Any]
) -> None:
    sim.faults.extend([{**fault, "method": "POST", "path": "/auto_create$", "calls": [2, 5, 6]}])
    names = [f"new {i:02d}" for i in range(12)]
    targets = [Target(name=n) for n in names] * 2  # a second result of each test
    report, spool = upload(
        sim,
        tmp_path,
        records_for(targets),
        create_missing=True,
        settle_seconds=0.5,
        client_options={"timeout": (2.0, 0.3), "rate_limiter": RateLimiter(1000, 0.2)},
    )
    assert report.delivered == 24, report.lines()
    assert max(run_outputs(sim).values()) == 1, "a run was posted twice"
    assert len(sim.entities("runs")) == 24
    created = Counter(t["name"] for t in sim.entities("tests") if t["name"].startswith("new "))
    assert created == dict.fromkeys(names, 1)
    instances = Counter(i["test-id"] for i in sim.entities("instances") if i["set-id"] == 20000)
    assert max(instances.values()) == 1
    assert spool.pending() == []


def test_after_a_crash_the_next_upload_finds_what_auto_create_stored(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer never came and the process died; ``practitest upload`` looks first."""
    sim.faults.add("commit_then_reset", "POST", "/auto_create$")

    def died(self: Uploader, error: Exception, look: Any) -> Any:
        raise error  # the process ends here, before it looks

    names = [f"crashed {i}" for i in range(3)]
    with monkeypatch.context() as patch:  # undo this only (not the test's own cache folder)
        patch.setattr(Uploader, "_settled_look", died)
        report, spool = upload(
            sim, tmp_path, records_for([Target(name=n) for n in names]), create_missing=True
        )
    assert report.delivered == 0
    assert report.fatal is not None
    stored = len(sim.entities("runs"))
    assert stored >= 1  # the server has it; our spool does not know
    sim.faults.clear()
    spool.close()
    resumed = Spool.open(spool.path)
    client = Client(sim.url, personal_token(sim), backoff=0.01)
    settings = UploadSettings(Destination(project_id=PROJECT, set_id=20000, create_missing=True))
    with client.session:
        again = Uploader(client, settings, resumed).upload()
    assert again.delivered == 3
    assert again.recovered == stored
    assert max(run_outputs(sim).values()) == 1
    assert len(sim.entities("runs")) == 3


@pytest.mark.parametrize("strict", [False, True])
def test_an_account_token_with_an_author_creates_tests_the_documented_way(
    sim: Simulator, tmp_path: Path, strict: bool
) -> None:
    """auto_create's test attributes do not list author-id: it is never sent there."""
    sim.switch(strict=strict)
    events: list[Event] = []
    names = [f"by account token {i}" for i in range(5)]
    report, _ = upload(
        sim,
        tmp_path,
        records_for([Target(name=n) for n in names]),
        create_missing=True,
        author_id=owner(sim),
        events=events,
    )
    assert report.delivered == 5, report.lines()
    assert paths(sim).count("POST /runs/auto_create.json") == 0
    assert paths(sim).count("POST /tests.json") == 5
    made = [t for t in sim.entities("tests") if t["name"] in set(names)]
    assert {t["author-id"] for t in made} == {owner(sim)}
    assert [e.message for e in events if e.kind is Kind.WARNING] == []


def test_a_refusal_of_one_result_does_not_stop_the_next_new_test(
    sim: Simulator, tmp_path: Path
) -> None:
    sim.faults.add("status", "POST", "/auto_create$", status=422, calls={1})
    report, spool = upload(
        sim,
        tmp_path,
        records_for([Target(name=f"one of many {i}") for i in range(4)]),
        create_missing=True,
    )
    assert report.delivered == 3
    assert len(report.rejected) == 1
    assert len(spool.pending()) == 1  # kept: a later upload may deliver it
