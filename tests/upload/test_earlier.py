"""A bundle published again from a fresh copy: what the first upload delivered is not sent twice.

A CI's "re-run job" downloads the artifacts again: the copy holds no mark of what the
first run delivered. Against the simulator on 127.0.0.1, with faults that stop the
first upload part way.
"""

from __future__ import annotations

import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pytest_practitest.api.client import Client
from pytest_practitest.events import Event, Kind
from pytest_practitest.model import Destination, RunRecord, Status, Target
from pytest_practitest.simulator import Simulator
from pytest_practitest.spool.journal import Spool, SpoolMeta
from pytest_practitest.spool.merged import SpoolSet
from pytest_practitest.upload.earlier import OLDEST, made
from pytest_practitest.upload.uploader import Uploader, UploadSettings, UploadSummary
from tests.helpers import keys_stored, seed_set

TOKEN = "earlier-4d3c2b1a"
pytestmark = pytest.mark.practitest_simulator(token=TOKEN)
PROJECT = 4500


def make_bundle(
    folder: Path, names: list[str], *, bundle: bool = True, created: str | None = None
) -> Path:
    """A bundle (``bundle``: not made here) of one passed result per test name."""
    targets = [Target(name=name) for name in names]
    return bundle_of(folder, targets, bundle=bundle, created=created)


def bundle_of(
    folder: Path, targets: list[Target], *, bundle: bool = True, created: str | None = None
) -> Path:
    meta = SpoolMeta(Destination(project_id=PROJECT), bundle=bundle, source="pytest")
    if created is not None:
        meta.created = created
    with Spool.create(folder, meta, name="spool.jsonl") as spool:
        for index, target in enumerate(targets):
            spool.add(RunRecord(target=target, status=Status.PASSED, label=f"test_{index}"))
    return folder / "spool.jsonl"


def publish(
    sim: Simulator,
    set_id: int,
    *paths: Path,
    events: list[Event] | None = None,
    create_missing: bool = False,
) -> UploadSummary:
    """``practitest upload`` of ``paths`` as one delivery, in process."""
    spools = [Spool.open(path, exclusive=True) for path in paths]
    journal = SpoolSet(spools)
    client = Client(sim.url, TOKEN, backoff=0.01, timeout=(2.0, 2.0), max_retries=1)
    author = sim.info.users["owner@example.com"] if create_missing else None
    where = Destination(
        project_id=PROJECT, set_id=set_id, create_missing=create_missing, author_id=author
    )
    settings = UploadSettings(where, settle_seconds=0.05)
    sink = events.append if events is not None else (lambda event: None)
    with journal, client.session:
        return Uploader(client, settings, journal, on_event=sink).upload()


def copy_of(path: Path, to: Path) -> Path:
    """The artifact downloaded again: a byte copy taken before the first publish."""
    shutil.copytree(path.parent, to)
    return to / path.name


def test_a_fresh_copy_sends_only_what_the_first_publish_did_not(
    sim: Simulator, tmp_path: Path
) -> None:
    set_id, _, names = seed_set(sim, 45)
    first = make_bundle(tmp_path / "artifact", names)
    fresh = copy_of(first, tmp_path / "downloaded-again")
    sim.faults.add("status", "POST", r"/runs$", status=401, calls={2})
    stopped = publish(sim, set_id, first)
    assert stopped.fatal is not None
    assert stopped.delivered == 20  # the first post of 20; the second stopped the job
    events: list[Event] = []
    again = publish(sim, set_id, fresh, events=events)
    assert again.fatal is None
    assert (again.delivered, again.earlier, again.total) == (45, 20, 45)
    assert len(sim.entities("runs")) == 45
    assert max(keys_stored(sim).values()) == 1
    [said] = [e for e in events if e.kind is Kind.RECOVERED]
    assert said.data["count"] == 20
    assert "20 of these results are in PractiTest already" in said.message
    assert (
        "PractiTest: 20 of them were in PractiTest already, from an earlier upload of the same "
        "results (not posted twice)"
    ) in again.lines()


def test_a_first_publish_costs_one_look(sim: Simulator, tmp_path: Path) -> None:
    set_id, _, names = seed_set(sim, 45)
    # Other results of the same tests are in the set already: other keys, not claimed.
    publish(sim, set_id, make_bundle(tmp_path / "yesterday", names))
    sim.clear_requests()
    report = publish(sim, set_id, make_bundle(tmp_path / "today", names))
    assert (report.delivered, report.earlier) == (45, 0)
    assert runs_looks(sim) == 1  # the look: one page of the sampled instances' runs
    assert sum(1 for r in sim.requests if r.method == "POST") == 3
    assert len(sim.entities("runs")) == 90


def test_a_spool_made_here_is_not_looked_at(sim: Simulator, tmp_path: Path) -> None:
    set_id, _, names = seed_set(sim, 5)
    report = publish(sim, set_id, make_bundle(tmp_path / "mine", names, bundle=False))
    assert report.delivered == 5
    assert runs_looks(sim) == 0


def test_a_large_bundle_is_sampled_then_looked_at_whole(sim: Simulator, tmp_path: Path) -> None:
    set_id, _, names = seed_set(sim, 500)
    first = make_bundle(tmp_path / "artifact", names)
    fresh = copy_of(first, tmp_path / "again")
    sim.faults.add("status", "POST", r"/runs$", status=401, calls={12})
    assert publish(sim, set_id, first).delivered == 220
    sim.clear_requests()
    again = publish(sim, set_id, fresh)
    assert (again.delivered, again.earlier) == (500, 220)
    assert max(keys_stored(sim).values()) == 1
    assert runs_looks(sim) == 1 + 5  # the sample's instances, then all 500, 100 a call


def test_copies_of_two_shards_one_half_published(sim: Simulator, tmp_path: Path) -> None:
    set_id, _, names = seed_set(sim, 40)
    shard_a = make_bundle(tmp_path / "a", names[:20])
    shard_b = make_bundle(tmp_path / "b", names[20:])
    fresh = [copy_of(shard_a, tmp_path / "a2"), copy_of(shard_b, tmp_path / "b2")]
    sim.faults.add("status", "POST", r"/runs$", status=503, calls={2, 3, 4, 5, 6, 7})
    assert publish(sim, set_id, shard_a, shard_b).fatal is not None
    assert len(sim.entities("runs")) == 20
    sim.faults.clear()
    again = publish(sim, set_id, *fresh)
    assert (again.delivered, again.earlier) == (40, 20)
    assert max(keys_stored(sim).values()) == 1


def runs_looks(sim: Simulator) -> int:
    return sum(1 for r in sim.requests if r.method == "GET" and r.path.endswith("/runs.json"))


@pytest.mark.parametrize("created", ["2999-01-01T00:00:00+00:00", "not a time"])
def test_a_bundle_that_says_no_true_time_is_looked_for_over_30_days(
    sim: Simulator, tmp_path: Path, created: str
) -> None:
    set_id, _, names = seed_set(sim, 45)
    first = make_bundle(tmp_path / "artifact", names, created=created)
    fresh = copy_of(first, tmp_path / "again")
    sim.faults.add("status", "POST", r"/runs$", status=401, calls={2})
    assert publish(sim, set_id, first).delivered == 20
    sim.faults.clear()
    sim.store.clock_offset = 5 * 3600.0  # the re-run comes five hours later
    again = publish(sim, set_id, fresh)
    assert (again.delivered, again.earlier) == (45, 20)
    assert max(keys_stored(sim).values()) == 1


def test_results_the_first_run_created_tests_for_are_in_the_sample(
    sim: Simulator, tmp_path: Path
) -> None:
    """The first run posts a known test's result first, then makes instances for 101 tests
    known by id, then stops: the known one, last in the spool, is in the sample."""
    from pytest_practitest.simulator import entities

    set_id, _, names = seed_set(sim, 1)
    owner = sim.info.users["owner@example.com"]
    ids = [
        int(entities.create_test(sim.store, PROJECT, {"name": f"by id {n}"}, owner)["id"])
        for n in range(101)
    ]
    targets = [Target(test_id=i) for i in ids] + [Target(name=names[0])]
    first = bundle_of(tmp_path / "artifact", targets)
    fresh = copy_of(first, tmp_path / "again")
    sim.faults.add("status", "POST", r"/runs$", status=401, calls={2})
    stopped = publish(sim, set_id, first, create_missing=True)
    assert stopped.delivered == 1
    sim.faults.clear()
    again = publish(sim, set_id, fresh, create_missing=True)
    assert (again.delivered, again.earlier) == (102, 1)
    assert max(keys_stored(sim).values()) == 1


def test_a_sample_with_too_many_runs_is_not_read_and_a_warning_says_so(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_practitest.upload import earlier

    monkeypatch.setattr(earlier, "PROBE_PAGES", 1)
    set_id, _, names = seed_set(sim, 45)
    for day in range(3):  # other results of the same tests: 135 runs, over one page
        publish(sim, set_id, make_bundle(tmp_path / f"day-{day}", names))
    sim.clear_requests()
    events: list[Event] = []
    report = publish(sim, set_id, make_bundle(tmp_path / "today", names), events=events)
    assert (report.delivered, report.earlier) == (45, 0)
    assert runs_looks(sim) == 2  # one page, and the first of the next: no more
    [warning] = [e.message for e in events if e.kind is Kind.WARNING]
    assert warning == (
        "could not check whether an earlier upload delivered these results (their tests "
        "hold more than 100 runs updated in 2 hours); sending them (practitest upload "
        "--verify names any result sent twice)"
    )


def test_a_look_the_server_refuses_stops_before_anything_is_posted(
    sim: Simulator, tmp_path: Path
) -> None:
    set_id, _, names = seed_set(sim, 5)
    sim.faults.add("status", "GET", r"/runs$", status=503)
    report = publish(sim, set_id, make_bundle(tmp_path / "artifact", names))
    assert report.delivered == 0
    assert (report.fatal or "").startswith(
        "could not look for an earlier upload of these results: GET /projects/4500/runs.json"
    )
    assert not [r for r in sim.requests if r.method == "POST"]


def test_a_spool_made_here_beside_a_bundle_is_not_looked_for(
    sim: Simulator, tmp_path: Path
) -> None:
    set_id, _, names = seed_set(sim, 10)
    mine = make_bundle(tmp_path / "mine", names[:5], bundle=False)
    theirs = make_bundle(tmp_path / "theirs", names[5:])
    report = publish(sim, set_id, mine, theirs)
    assert report.delivered == 10
    [look] = [r for r in sim.requests if r.method == "GET" and r.path.endswith("/runs.json")]
    assert look.query.count("%2C") == 4  # the bundle's 5 instances, not the 10


@pytest.mark.parametrize(
    ("created", "trusted", "age"),
    [
        (-3600.0, False, 3600.0),  # a real time: itself
        (None, False, OLDEST),  # a bundle's own word, unreadable: the oldest
        (-40 * 24 * 3600.0, False, OLDEST),  # older than that: the oldest
        (-40 * 24 * 3600.0, True, 40 * 24 * 3600.0),  # made here: its own, however old
        (300.0, False, 0.0),  # a clock a few minutes ahead: now
        (3 * 3600.0, False, OLDEST),  # hours ahead: not a time to trust
    ],
)
def test_when_a_spool_was_made_is_bounded(created: float | None, trusted: bool, age: float) -> None:
    now = time.time()
    when = made(None if created is None else now + created, trusted=trusted)
    assert abs((now - when) - age) < 5


def test_made_at_reads_the_meta_line_time() -> None:
    assert SpoolMeta(created="2026-12-06T10:00:00+00:00").made_at() == (
        datetime(2026, 12, 6, 10, tzinfo=timezone.utc).timestamp()
    )
    assert SpoolMeta(created="2026-12-06T10:00:00").made_at() == (
        datetime(2026, 12, 6, 10, tzinfo=timezone.utc).timestamp()
    )
    assert SpoolMeta(created="yesterday").made_at() is None


def test_a_run_with_the_key_on_another_instance_is_not_claimed(
    sim: Simulator, tmp_path: Path
) -> None:
    """Keys can be known (a JUnit file's come from its bytes): a run counts only where its
    record goes."""
    from tests.helpers import Api

    set_id, instances, names = seed_set(sim, 2)
    path = make_bundle(tmp_path / "artifact", names[:1])
    with Spool.open(path) as spool:
        [key] = spool.records
    with Api(sim.url, TOKEN, PROJECT) as api:  # the key, on the other test's instance
        api.run(instances[1], **{"exit-code": 0, "automated-execution-output": f"[pt {key}]"})
    report = publish(sim, set_id, path)
    assert (report.delivered, report.earlier) == (1, 0)
    assert sorted(r["instance-id"] for r in sim.entities("runs")) == sorted(instances)
