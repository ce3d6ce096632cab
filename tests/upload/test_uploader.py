"""The uploader end to end against the simulator."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import requests

from pytest_practitest.api.client import Client
from pytest_practitest.api.ratelimit import RateLimiter
from pytest_practitest.api.transport import Sent, SessionTransport
from pytest_practitest.events import Event, Kind
from pytest_practitest.model import Destination, FileRef, RunRecord, Status, StepRecord, Target
from pytest_practitest.simulator import Simulator
from pytest_practitest.spool.journal import Spool, SpoolMeta
from pytest_practitest.upload.targets import SetChoice
from pytest_practitest.upload.uploader import Uploader, UploadSettings, UploadSummary
from tests.helpers import count_by, seed_set

TOKEN = "upl-7f3e2d1c-secret"
pytestmark = pytest.mark.practitest_simulator(token=TOKEN)
PROJECT = 4500


def records_for(
    targets: Sequence[Target], status: Status = Status.PASSED, **options: Any
) -> list[RunRecord]:
    return [
        RunRecord(
            target=t,
            status=status,
            label=f"test_{i}",
            output=f"result #{i}",
            duration=i % 90,
            **options,
        )
        for i, t in enumerate(targets)
    ]


def upload(
    sim: Simulator,
    tmp_path: Path,
    records: Sequence[RunRecord],
    *,
    set_choice: SetChoice | None = None,
    events: list[Event] | None = None,
    client_options: dict[str, Any] | None = None,
    token: str = TOKEN,
    **settings: Any,
) -> tuple[UploadSummary, Spool]:
    choice = set_choice or SetChoice(set_id=sim.info.set_id)
    spool = Spool.create(
        tmp_path,
        SpoolMeta(
            Destination(
                project_id=PROJECT, url=sim.url, set_id=choice.set_id, set_name=choice.set_name
            )
        ),
    )
    for record in records:
        spool.add(record)
    options = {"backoff": 0.01, "timeout": (2.0, 2.0), **(client_options or {})}
    client = Client(sim.url, token, **options)
    sink = events.append if events is not None else (lambda event: None)
    settings.setdefault("settle_seconds", 0.05)
    report = Uploader(
        client,
        UploadSettings(
            Destination(
                project_id=PROJECT,
                set_id=choice.set_id,
                set_name=choice.set_name,
                create_missing=settings.pop("create_missing", False),
                author_id=settings.pop("author_id", None),
            ),
            **settings,
        ),
        spool,
        sink,
    ).upload()
    client.close()
    spool.close()
    return report, spool


class AnotherJobFirst(SessionTransport):
    """Just before our POST to ``path_suffix`` goes out, another upload does ``act`` (a race)."""

    def __init__(self, path_suffix: str, act: Callable[[], object]) -> None:
        self.path_suffix = path_suffix
        self.act = act

    def send(
        self, session: requests.Session, sent: Sent, timeout: tuple[float, float]
    ) -> requests.Response:
        if sent.method == "POST" and sent.path.endswith(self.path_suffix):
            self.act()
        return super().send(session, sent, timeout)


def run_outputs(sim: Simulator) -> dict[Any, int]:
    return count_by(sim.entities("runs"), "automated-execution-output")


def test_1000_results_to_existing_instances_in_at_most_63_calls(
    sim: Simulator, tmp_path: Path
) -> None:
    set_id, _, names = seed_set(sim, 1000)
    records = records_for([Target(name=n) for n in names])
    report, _ = upload(sim, tmp_path, records, set_choice=SetChoice(set_id=set_id))
    assert report.delivered == 1000
    calls = sim.requests
    assert len(calls) <= 63
    assert [c.method for c in calls].count("POST") == 50
    assert report.calls == len(calls)
    assert len(sim.entities("runs")) == 1000


def test_results_by_instance_id_of_the_set_need_only_the_sets_lookups(
    sim: Simulator, tmp_path: Path
) -> None:
    set_id, instances, _ = seed_set(sim, 40)
    records = records_for([Target(instance_id=i) for i in instances])
    report, _ = upload(sim, tmp_path, records, set_choice=SetChoice(set_id))
    assert report.delivered == 40
    assert report.moved == 0
    assert [(c.method, c.path.rsplit("/", 1)[1]) for c in sim.requests] == [
        ("GET", f"{set_id}.json"),
        ("GET", "instances.json"),
        ("POST", "runs.json"),
        ("POST", "runs.json"),
    ]


def test_instances_of_another_set_go_to_the_same_tests_in_this_set_in_few_calls(
    sim: Simulator, tmp_path: Path
) -> None:
    # 150 results mapped to instances of set A go to set B, where their tests have instances.
    from pytest_practitest.simulator import entities

    _, instances, names = seed_set(sim, 150, name="A")
    with sim.store.lock:
        made = entities.create_set(sim.store, PROJECT, {"name": "B"}, None)
        tests = {t["name"]: t for t in sim.store.table("tests").values()}
        for name in names:
            entities.create_instance(sim.store, made, tests[name])
    set_b = int(made["id"])
    records = records_for([Target(instance_id=i) for i in instances])
    report, _ = upload(sim, tmp_path, records, set_choice=SetChoice(set_b))
    assert report.delivered == 150
    assert report.moved == 150
    b_instances = {int(i["id"]) for i in sim.entities("instances") if int(i["set-id"]) == set_b}
    assert {int(r["instance-id"]) for r in sim.entities("runs")} == b_instances
    gets = [c.path.rsplit("/", 1)[1] for c in sim.requests if c.method == "GET"]
    # set B, B's instances (2 pages), one instance of A, then A's listing up to the last id
    assert gets == [
        f"{set_b}.json",
        "instances.json",
        "instances.json",
        f"{instances[0]}.json",
        "instances.json",
        "instances.json",
    ]


def test_what_the_runs_carry(sim: Simulator, tmp_path: Path) -> None:
    browser = sim.info.custom_fields["Browser"]
    record = RunRecord(
        target=Target(name="Checkout: pay by card"),
        status=Status.FAILED,
        label="test_pay",
        duration=75,
        output="AssertionError: " + "x" * 400,
        version="3.1",
        custom_fields={"Browser": "Firefox", "Build": "b42"},
        steps=(
            StepRecord("open cart", Status.PASSED),
            StepRecord(
                "pay",
                Status.FAILED,
                actual="declined",
                files=(FileRef("screen.png", data=b"PNGDATA"),),
            ),
        ),
        files=(FileRef("stdout.txt", data=b"captured"),),
    )
    report, _ = upload(sim, tmp_path, [record])
    assert report.delivered == 1
    [run] = sim.entities("runs")
    assert run["status"] == "FAILED"
    assert run["run-duration"] == "00:01:15"
    assert run["version"] == "3.1"
    assert run["custom-fields"] == {
        f"---f-{browser}": "Firefox",
        f"---f-{sim.info.custom_fields['Build']}": "b42",
    }
    assert len(run["automated-execution-output"]) == 255
    attachments = {a["name"]: a for a in sim.entities("attachments")}
    full = sim.attachment_content(attachments["execution-output.txt"]["id"])
    assert full.decode() == record.output
    assert sim.attachment_content(attachments["screen.png"]["id"]) == b"PNGDATA"
    assert [s["status"] for s in sim.entities("step_runs")] == ["PASSED", "FAILED"]


def test_unknown_instance_in_a_batch_of_20(sim: Simulator, tmp_path: Path) -> None:
    set_id, instances, _ = seed_set(sim, 20)
    targets = [Target(instance_id=i) for i in instances]
    targets[7] = Target(instance_id=424242)
    report, spool = upload(sim, tmp_path, records_for(targets), set_choice=SetChoice(set_id))
    assert report.delivered == 19
    assert list(report.rejected.values()) == [
        "test_7: instance 424242 does not exist in project 4500"
    ]
    # The set, its instances, the instance not in it (404); then the 19 in one post.
    assert [c.method for c in sim.requests] == ["GET", "GET", "GET", "POST"]
    assert [r.label for r in spool.pending()] == ["test_7"]


def test_422_without_pointers_is_isolated_by_splitting(sim: Simulator, tmp_path: Path) -> None:
    set_id, instances, _ = seed_set(sim, 20)
    sim.faults.add("status", "POST", "/runs$", status=422, calls={1})
    records = records_for([Target(instance_id=i) for i in instances])
    report, _ = upload(sim, tmp_path, records, set_choice=SetChoice(set_id))
    assert report.delivered == 20
    assert [(c.method, c.status) for c in sim.requests][2:] == [
        ("POST", 422),
        ("GET", 200),
        ("POST", 200),
        ("POST", 200),
    ]


FAULTS = [
    pytest.param({"kind": "status", "status": s}, id=f"{s}") for s in (500, 502, 503, 504)
] + [
    pytest.param({"kind": "status", "status": 429, "retry_after": 1}, id="429 with Retry-After"),
    pytest.param({"kind": "status", "status": 429}, id="429 without Retry-After"),
    pytest.param({"kind": "reset"}, id="connection reset"),
    pytest.param({"kind": "delay", "delay": 0.6}, id="read timeout, stored"),
    pytest.param({"kind": "slow", "delay": 0.6}, id="read timeout, still processing"),
    pytest.param({"kind": "malformed"}, id="malformed body"),
    pytest.param({"kind": "commit_then_status", "status": 500}, id="commit then 500"),
    pytest.param({"kind": "commit_then_reset"}, id="commit then reset"),
]


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_matrix_loses_nothing_and_duplicates_nothing(
    sim: Simulator, tmp_path: Path, fault: dict[str, Any]
) -> None:
    set_id, _, names = seed_set(sim, 200)
    for method, path, calls in (("POST", "/runs$", [2, 5, 6]), ("GET", "/instances$", [1])):
        sim.faults.extend([{**fault, "method": method, "path": path, "calls": calls}])
    records = records_for([Target(name=n) for n in names])
    report, spool = upload(
        sim,
        tmp_path,
        records,
        set_choice=SetChoice(set_id=set_id),
        settle_seconds=0.5,
        client_options={"timeout": (2.0, 0.3), "rate_limiter": RateLimiter(1000, 0.2)},
    )
    outputs = run_outputs(sim)
    assert max(outputs.values()) == 1, "a run was posted twice"
    assert report.delivered + len(spool.pending()) == 200
    assert len(outputs) == report.delivered
    assert report.delivered == 200, report.lines()


def test_ambiguous_failures_that_never_clear_leave_records_spooled(
    sim: Simulator, tmp_path: Path
) -> None:
    set_id, instances, _ = seed_set(sim, 20)
    sim.faults.add("reset", "POST", "/runs$")
    records = records_for([Target(instance_id=i) for i in instances])
    report, spool = upload(sim, tmp_path, records, set_choice=SetChoice(set_id))
    assert report.delivered == 0
    assert len(spool.pending()) == 20
    assert "the connection was closed before an answer came" in (report.fatal or "")
    assert sim.entities("runs") == []


def test_bad_token_is_one_clear_error_and_keeps_everything(sim: Simulator, tmp_path: Path) -> None:
    spool = Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=PROJECT, url=sim.url, set_id=sim.info.set_id))
    )
    for record in records_for([Target(name="Cart: add an item")] * 30):
        spool.add(record)
    client = Client(sim.url, "not-the-token", backoff=0.01)
    report = Uploader(
        client,
        UploadSettings(Destination(project_id=PROJECT, set_id=sim.info.set_id)),
        spool,
    ).upload()
    spool.close()
    assert report.delivered == 0
    assert report.undelivered == 30
    assert len(sim.requests) == 1
    assert report.fatal == (
        f"GET /projects/4500/sets/{sim.info.set_id}.json failed: 401 Unauthorized: invalid API "
        "token (Your API key is wrong); check PRACTITEST_TOKEN: PractiTest refused it"
    )
    assert f"resume with: practitest upload {spool.path}" in report.lines()[-1]


def test_server_down_then_resume_delivers_once(sim: Simulator, tmp_path: Path) -> None:
    records = records_for([Target(instance_id=300000 + i) for i in range(8)])
    spool = Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=PROJECT, url="http://127.0.0.1:9", set_id=20000))
    )
    for record in records:
        spool.add(record)
    down = Client("http://127.0.0.1:9", TOKEN, backoff=0.01, max_retries=1)
    report = Uploader(
        down, UploadSettings(Destination(project_id=PROJECT, set_id=20000)), spool
    ).upload()
    spool.close()
    assert report.delivered == 0
    assert "could not connect" in (report.fatal or "")
    for _ in range(2):
        resumed = Spool.open(spool.path)
        client = Client(sim.url, TOKEN, backoff=0.01)
        again = Uploader(
            client, UploadSettings(Destination(project_id=PROJECT, set_id=20000)), resumed
        ).upload()
        resumed.close()
        assert again.delivered == 8
    assert len(sim.entities("runs")) == 8
    # the set, its instances, one post; the second resume sent nothing
    assert [r.method for r in sim.requests] == ["GET", "GET", "POST"]


def test_resume_after_a_crash_mid_post_finds_the_stored_runs(
    sim: Simulator, tmp_path: Path
) -> None:
    from pytest_practitest.upload.payload import FilePolicy, build_item

    records = records_for([Target(instance_id=300000 + i) for i in range(8)])
    spool = Spool.create(
        tmp_path, SpoolMeta(Destination(project_id=PROJECT, url=sim.url, set_id=20000))
    )
    for record in records:
        spool.add(record)
    # The process noted the attempt and posted 5 runs; the server stored them;
    # the process died before the answer came back.
    spool.mark_attempt([r.key for r in records[:5]])
    items = [build_item(r, r.target.instance_id or 0, FilePolicy()) for r in records[:5]]
    with Client(sim.url, TOKEN).session as session:
        stored = session.post(
            f"{sim.url}/api/v2/projects/{PROJECT}/runs.json", json={"data": items}, timeout=5
        )
    assert stored.status_code == 200
    spool.close()
    with Spool.open(spool.path) as resumed:
        settings = UploadSettings(
            Destination(project_id=PROJECT, set_id=20000), settle_seconds=0.05
        )
        report = Uploader(Client(sim.url, TOKEN), settings, resumed).upload()
    assert report.delivered == 8
    assert report.recovered == 5
    assert max(run_outputs(sim).values()) == 1
    assert len(sim.entities("runs")) == 8


def test_set_by_name_is_created_once_even_when_another_upload_races(
    sim: Simulator, tmp_path: Path
) -> None:
    from pytest_practitest.simulator import entities

    # Another job creates the same set between our look-up and our create.
    race = AnotherJobFirst(
        "/sets.json", lambda: entities.create_set(sim.store, PROJECT, {"name": "CI run 42"}, None)
    )
    report, _ = upload(
        sim,
        tmp_path,
        records_for([Target(name="Cart: add an item")]),
        set_choice=SetChoice(set_name="CI run 42"),
        create_missing=True,
        client_options={"transport": race},
    )
    sets = [s for s in sim.entities("sets") if s["name"] == "CI run 42"]
    assert len(sets) == 1
    assert report.set_id == sets[0]["id"]
    assert report.delivered == 1


def test_create_missing_creates_tests_and_instances_once(sim: Simulator, tmp_path: Path) -> None:
    owner = sim.info.users["owner@example.com"]
    names = [f"tests/test_new.py::test_{i}" for i in range(25)] + ["Cart: add an item"]
    report, _ = upload(
        sim,
        tmp_path,
        records_for([Target(name=n) for n in names]),
        set_choice=SetChoice(set_name="Fresh set"),
        create_missing=True,
        author_id=owner,
    )
    assert report.delivered == 26, report.lines()
    assert "PractiTest: 25 new tests created (create-missing)" in report.lines()
    tests = count_by(sim.entities("tests"), "name")
    assert all(tests[n] == 1 for n in names)
    fresh = next(s for s in sim.entities("sets") if s["name"] == "Fresh set")
    assert fresh["instances-count"] == 26
    assert fresh["author-id"] == owner  # the set created with an account token has an author too
    first_calls = len(sim.requests)
    sim.clear_requests()
    again, _ = upload(
        sim,
        tmp_path,
        records_for([Target(name=n) for n in names]),
        set_choice=SetChoice(set_name="Fresh set"),
        create_missing=True,
        author_id=owner,
    )
    assert again.delivered == 26
    assert again.created == 0
    assert [c.method for c in sim.requests].count("POST") == 2  # runs only: nothing created twice
    assert len(sim.entities("tests")) == 8 + 25
    # with an author, each new test the documented way: a look, its create, and one
    # exact-name look after, so racing jobs converge
    assert first_calls <= 25 * 3 + 12


def test_an_account_token_without_author_fails_fast_and_still_delivers_the_rest(
    sim: Simulator, tmp_path: Path
) -> None:
    set_id, instances, _ = seed_set(sim, 9, "Mapped")
    events: list[Event] = []
    targets = [Target(instance_id=i) for i in instances] + [
        Target(name=f"Brand new {n}") for n in range(9)
    ]
    report, spool = upload(
        sim,
        tmp_path,
        records_for(targets),
        set_choice=SetChoice(set_id=set_id),
        create_missing=True,
        events=events,
    )
    needs = (
        "creating tests with an account token needs an author: give the id of a user of the "
        "account (--author-id; in pytest --practitest-author-id), or a personal token"
    )
    assert report.fatal is None
    assert report.delivered == 9  # the results mapped to instances needed no test
    assert len(report.rejected) == 9
    assert all(reason.endswith(needs) for reason in report.rejected.values())
    creates = [c for c in sim.requests if c.method == "POST" and "/runs/auto_create" in c.path]
    assert len(creates) == 1  # refused once, not once per new test
    assert [e.message for e in events if e.kind is Kind.WARNING] == [
        f"{needs}; no more tests are created"
    ]
    assert len(spool.pending()) == 9  # kept for `practitest upload` once the author is set


def test_the_author_is_recognised_in_a_pointer_a_title_or_a_detail() -> None:
    from pytest_practitest.errors import FieldError, ValidationError
    from pytest_practitest.upload.targets import Resolver

    resolver = Resolver(client=None, project_id=1, test_set=SetChoice(1))  # type: ignore[arg-type]
    for errors in (
        (FieldError("can't be blank", "/data/attributes/author-id"),),
        (FieldError("Author is required for account tokens"),),
        (FieldError("is invalid", None, "author-id"),),
    ):
        error = ValidationError("POST", "/tests.json", "refused", status=422, errors=errors)
        assert resolver.author_problem(error) is not None, errors
    other = ValidationError(
        "POST", "/tests.json", "x", status=422, errors=(FieldError("name is too long"),)
    )
    assert resolver.author_problem(other) is None


@pytest.mark.parametrize("auto_create", [True, False], ids=["auto-create", "explicit"])
def test_the_same_refusal_twice_stops_creating(
    sim: Simulator, tmp_path: Path, auto_create: bool
) -> None:
    events: list[Event] = []
    who: dict[str, Any] = {}
    if auto_create:  # a personal token: auto_create, which takes no author
        sim.faults.add("status", "POST", "/runs/auto_create$", status=422)
        who["token"] = sim.info.personal_tokens["qa.engineer@example.com"]
    else:  # an account token's author: the explicit path, refused the same way
        sim.faults.add("status", "POST", "/tests$", status=422)
        who["author_id"] = sim.info.users["owner@example.com"]
    report, _ = upload(
        sim,
        tmp_path,
        records_for([Target(name=f"New {n}") for n in range(6)]),
        create_missing=True,
        events=events,
        **who,
    )
    assert report.delivered == 0
    assert len(report.rejected) == 6
    creates = [
        c for c in sim.requests if c.method == "POST" and c.path.endswith(("/tests.json", "e.json"))
    ]
    assert len(creates) == 2
    warnings = [e.message for e in events if e.kind is Kind.WARNING]
    assert warnings[-1].startswith("PractiTest refused two tests for the same reason: ")
    assert warnings[-1].endswith("; no more tests are created")


def test_a_test_created_meanwhile_is_found_not_doubled(sim: Simulator, tmp_path: Path) -> None:
    from pytest_practitest.simulator import entities

    owner = sim.info.users["owner@example.com"]
    race = AnotherJobFirst(
        "/tests.json", lambda: entities.create_test(sim.store, PROJECT, {"name": "Raced"}, owner)
    )
    report, _ = upload(
        sim,
        tmp_path,
        records_for([Target(name="Raced")]),
        create_missing=True,
        author_id=owner,
        client_options={"transport": race},
    )
    assert report.delivered == 1
    assert count_by(sim.entities("tests"), "name")["Raced"] == 1
    assert report.created == 0  # ours gave way to the other job's: not counted as created


def test_an_instance_created_meanwhile_is_used_and_ours_removed(
    sim: Simulator, tmp_path: Path
) -> None:
    from pytest_practitest.simulator import entities

    owner = sim.info.users["owner@example.com"]
    lonely_test = entities.create_test(sim.store, PROJECT, {"name": "Lonely test"}, owner)
    test_set = sim.store.table("sets")[20000]
    race = AnotherJobFirst(
        "/instances.json", lambda: entities.create_instance(sim.store, test_set, lonely_test)
    )
    report, _ = upload(
        sim,
        tmp_path,
        records_for([Target(name="Lonely test")]),
        create_missing=True,
        client_options={"transport": race},
    )
    assert report.delivered == 1
    lonely = [i for i in sim.entities("instances") if i["name"] == "Lonely test"]
    assert len(lonely) == 1
    assert sim.entities("runs")[0]["instance-id"] == lonely[0]["id"]


def test_unmapped_without_create_missing_is_reported(sim: Simulator, tmp_path: Path) -> None:
    report, _ = upload(
        sim, tmp_path, records_for([Target(name="Not there"), Target(name="Cart: add an item")])
    )
    assert report.delivered == 1
    assert list(report.rejected.values()) == [
        "test_0: test 'Not there' has no instance in test set 20000 ('Nightly regression'); "
        "map it, or turn on create-missing (--create-missing; in pytest "
        "--practitest-create-missing)"
    ]


def test_unknown_custom_field_name_is_a_warning_not_a_lost_run(
    sim: Simulator, tmp_path: Path
) -> None:
    events: list[Event] = []
    records = records_for([Target(instance_id=300000)] * 30, custom_fields={"Colour": "red"})
    report, _ = upload(sim, tmp_path, records, events=events)
    assert report.delivered == 30
    warnings = [e.message for e in events if e.kind is Kind.WARNING]
    assert warnings == [  # once for the field, not once per run
        "no custom field named 'Colour' in project 4500; left out of the runs (first: test_0)"
    ]


def test_size_budget_splits_posts_and_oversized_files_are_skipped(
    sim: Simulator, tmp_path: Path
) -> None:
    set_id, instances, _ = seed_set(sim, 6)
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"b" * 300_000)
    huge = tmp_path / "huge.bin"
    huge.write_bytes(b"h" * 600_000)
    records = records_for(
        [Target(instance_id=i) for i in instances], files=(FileRef("blob.bin", path=str(blob)),)
    )
    records[0] = RunRecord(
        target=records[0].target,
        status=Status.PASSED,
        label="test_0",
        files=(FileRef("huge.bin", path=str(huge)),),
    )
    events: list[Event] = []
    report, _ = upload(
        sim,
        tmp_path / "spool",
        records,
        set_choice=SetChoice(set_id),
        events=events,
        max_request_bytes=900_000,
        max_file_bytes=500_000,
    )
    assert report.delivered == 6
    assert [c.method for c in sim.requests].count("POST") == 3
    assert all(c.request_bytes < 900_000 for c in sim.requests)
    assert any("skipped attachment huge.bin" in e.message for e in events)
    assert len(sim.entities("attachments")) == 5


@pytest.mark.practitest_simulator(rate_limit=(5, 0.5))
def test_upload_respects_the_rate_limit_without_a_single_429(
    sim: Simulator, tmp_path: Path
) -> None:
    set_id, instances, _ = seed_set(sim, 200)
    report, _ = upload(
        sim,
        tmp_path,
        records_for([Target(instance_id=i) for i in instances]),
        set_choice=SetChoice(set_id),
        client_options={"rate_limiter": RateLimiter(5, 0.5)},
    )
    assert report.delivered == 200
    assert {c.status for c in sim.requests} == {200}


@pytest.mark.parametrize("set_choice", [None, SetChoice(set_name="Created with an author")])
def test_create_missing_with_an_unknown_author_names_the_id(
    sim: Simulator, tmp_path: Path, set_choice: SetChoice | None
) -> None:
    report, _ = upload(
        sim,
        tmp_path,
        records_for([Target(name="Brand new")]),
        set_choice=set_choice,
        create_missing=True,
        author_id=1,
    )
    # Creating the set refuses the author: nothing goes (the set cannot be had); creating
    # the test refuses it: that result is rejected.
    [reason] = [report.fatal] if set_choice else report.rejected.values()
    assert reason is not None
    assert "PractiTest refused author id 1 (" in reason
    assert reason.endswith(
        "give the id of a user of the account (--author-id; in pytest --practitest-author-id), "
        "or a personal token"
    )


def test_a_bulk_answer_in_another_order_is_tied_to_records_by_key(
    sim: Simulator, tmp_path: Path
) -> None:
    from pytest_practitest.upload.payload import key_of

    sim.store.bulk_order = "reversed"
    set_id, instances, _ = seed_set(sim, 20, "Reversed")
    records = records_for([Target(instance_id=i) for i in instances])
    report, spool = upload(sim, tmp_path, records, set_choice=SetChoice(set_id=set_id))
    assert report.delivered == 20
    key_by_run = {
        run["id"]: key_of(run["automated-execution-output"]) for run in sim.entities("runs")
    }
    assert {key_by_run[run_id] for run_id in spool.delivered.values()} == set(spool.delivered)
    assert all(key_by_run[run_id] == key for key, run_id in spool.delivered.items())


def test_the_summary_says_how_long_the_rate_limit_held_the_calls(
    sim: Simulator, tmp_path: Path
) -> None:
    """A long upload at 30 calls a minute looked slow for no reason the summary gave."""
    limiter = RateLimiter(1, 1.0)  # each call waits for 1 s after the last answer
    names = [Target(name="Cart: add an item")] * 60  # the set, its listing, 3 bulks: 5 calls
    report, _ = upload(sim, tmp_path, records_for(names), client_options={"rate_limiter": limiter})
    assert (report.delivered, report.calls) == (60, 5)
    # four waits, each 1 s less the client's own work between an answer and the next call
    assert 1.0 <= report.rate_waited < report.seconds
    assert report.lines()[0].endswith(
        f"; the rate limit held the calls for {report.rate_waited:.1f} s"
    )
    report.rate_waited = 0.9  # a moment's wait is not worth a word
    assert "rate limit" not in report.lines()[0]
