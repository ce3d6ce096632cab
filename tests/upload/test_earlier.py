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


def make_bundle(folder: Path, names: list[str], *, bundle: bool = True) -> Path:
    """A bundle (``bundle``: not made here) of one passed result per test name."""
    meta = SpoolMeta(Destination(project_id=PROJECT), bundle=bundle, source="pytest")
    with Spool.create(folder, meta, name="spool.jsonl") as spool:
        for name in names:
            spool.add(RunRecord(target=Target(name=name), status=Status.PASSED, label=name))
    return folder / "spool.jsonl"


def publish(
    sim: Simulator, set_id: int, *paths: Path, events: list[Event] | None = None
) -> UploadSummary:
    """``practitest upload`` of ``paths`` as one delivery, in process."""
    spools = [Spool.open(path, exclusive=True) for path in paths]
    journal = SpoolSet(spools)
    client = Client(sim.url, TOKEN, backoff=0.01, timeout=(2.0, 2.0))
    settings = UploadSettings(Destination(project_id=PROJECT, set_id=set_id), settle_seconds=0.05)
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
        "PractiTest: 20 of them were in PractiTest already, from an earlier upload of another "
        "copy (not posted twice)"
    ) in again.lines()


def test_a_first_publish_costs_one_look(sim: Simulator, tmp_path: Path) -> None:
    set_id, _, names = seed_set(sim, 45)
    # Other results of the same tests are in the set already: other keys, not claimed.
    publish(sim, set_id, make_bundle(tmp_path / "yesterday", names))
    sim.clear_requests()
    report = publish(sim, set_id, make_bundle(tmp_path / "today", names))
    assert (report.delivered, report.earlier) == (45, 0)
    runs_lists = [r for r in sim.requests if r.method == "GET" and "/runs.json" in r.path]
    assert len(runs_lists) == 1  # the look: one page of the sampled instances' runs
    assert sum(1 for r in sim.requests if r.method == "POST") == 3
    assert len(sim.entities("runs")) == 90


def test_a_spool_made_here_is_not_looked_at(sim: Simulator, tmp_path: Path) -> None:
    set_id, _, names = seed_set(sim, 5)
    report = publish(sim, set_id, make_bundle(tmp_path / "mine", names, bundle=False))
    assert report.delivered == 5
    assert not [r for r in sim.requests if r.method == "GET" and "/runs.json" in r.path]


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
    looks = [r for r in sim.requests if r.method == "GET" and "/runs.json" in r.path]
    assert len(looks) == 1 + 5  # the sample's instances, then all 500, 100 a call


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


@pytest.mark.parametrize(
    ("created", "age"),
    [
        ("2026-12-06T10:00:00+00:00", None),  # a real time: itself
        ("not a time", OLDEST),  # a bundle's own word, unreadable: the oldest
        ("1970-01-01T00:00:00+00:00", OLDEST),  # older than that: the oldest
        ("2999-01-01T00:00:00+00:00", 0.0),  # a clock ahead: now
    ],
)
def test_when_a_spool_was_made_is_bounded(created: str, age: float | None) -> None:
    now = time.time()
    when = made(created)
    if age is None:
        assert when == datetime(2026, 12, 6, 10, tzinfo=timezone.utc).timestamp()
    else:
        assert abs((now - when) - age) < 5
