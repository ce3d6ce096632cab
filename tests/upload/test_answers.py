"""Whatever the service answers (as the reference allows), nothing blocks and nothing doubles.

The cases of issue 24's table, against the simulator's switches: 22 results, one of
them mapped to an instance id that no longer exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from pytest_practitest.api.client import Client
from pytest_practitest.events import Event, Kind
from pytest_practitest.model import Destination, FileRef, RunRecord, Status, Target
from pytest_practitest.simulator import Simulator
from pytest_practitest.spool.journal import Spool
from pytest_practitest.upload.targets import SetChoice
from pytest_practitest.upload.uploader import Uploader, UploadSettings
from tests.helpers import keys_stored, seed_set
from tests.upload.test_uploader import PROJECT, TOKEN, AnotherJobFirst, records_for, upload

pytestmark = pytest.mark.practitest_simulator(token=TOKEN)

STALE = 399999
RUNS = f"/api/v2/projects/{PROJECT}/runs.json"
MiB = 1024 * 1024


def twenty_two(sim: Simulator, **options: Any) -> tuple[int, list[RunRecord]]:
    """21 results on live instances and, sixth, one on an instance that no longer exists."""
    set_id, instances, _ = seed_set(sim, 21, "Nightly")
    targets = [Target(instance_id=i) for i in instances]
    targets.insert(5, Target(instance_id=STALE))
    return set_id, records_for(targets, **options)


def resume(sim: Simulator, spool: Spool, set_id: int) -> int:
    """``practitest upload`` of the same spool: how many it delivered now."""
    client = Client(sim.url, TOKEN, backoff=0.01)
    with Spool.open(spool.path, exclusive=True) as again, client.session:
        before = len(again.delivered)
        settings = UploadSettings(
            Destination(project_id=PROJECT, set_id=set_id), settle_seconds=0.05
        )
        Uploader(client, settings, again).upload()
        return len(again.delivered) - before


@pytest.mark.parametrize("status", [422, 404])
def test_a_stale_instance_is_rejected_in_the_services_words_and_the_rest_delivered_once(
    sim: Simulator, tmp_path: Path, status: int
) -> None:
    """The sixth instance was in the set when it was listed; another job deleted it just
    before our first post, so the bulk is refused for it (422, or 404 with the good runs
    stored: the switch)."""
    sim.switch(stale_bulk_status=status)
    set_id, instances, _ = seed_set(sim, 22, "Nightly")
    records = records_for([Target(instance_id=i) for i in instances])
    stale = instances[5]
    deleted: list[int] = []

    def delete_it() -> None:
        if not deleted:
            deleted.append(stale)
            gone = requests.delete(
                f"{sim.url}/api/v2/projects/{PROJECT}/instances/{stale}.json",
                headers={"PTToken": TOKEN},
                timeout=5,
            )
            assert gone.status_code == 200

    report, spool = upload(
        sim,
        tmp_path,
        records,
        set_choice=SetChoice(set_id),
        client_options={"transport": AnotherJobFirst("/runs.json", delete_it)},
    )
    assert report.delivered == 21, report.lines()
    words = (
        f"instance {stale} not found"
        if status == 404
        else f"instance-id {stale} does not exist in project {PROJECT}"
    )
    assert report.rejected == {records[5].key: f"test_5: {words}"}
    assert report.fatal is None
    assert sorted(keys_stored(sim).values()) == [1] * 21
    assert resume(sim, spool, set_id) == 0
    assert sorted(keys_stored(sim).values()) == [1] * 21


def test_an_instance_that_no_longer_exists_is_rejected_before_anything_is_posted(
    sim: Simulator, tmp_path: Path
) -> None:
    set_id, records = twenty_two(sim)
    report, _ = upload(sim, tmp_path, records, set_choice=SetChoice(set_id))
    assert report.delivered == 21, report.lines()
    assert report.rejected == {
        records[5].key: f"test_5: instance {STALE} does not exist in project {PROJECT}"
    }
    posted = [r for r in sim.requests if r.method == "POST"]
    assert len(posted) == 2  # 20 + 1: the stale one never went


def test_a_token_that_may_not_list_fields_still_delivers_without_the_field(
    sim: Simulator, tmp_path: Path
) -> None:
    sim.switch(permissions="tester")
    set_id, records = twenty_two(sim, custom_fields={"Browser": "chrome"})
    events: list[Event] = []
    report, _ = upload(sim, tmp_path, records, set_choice=SetChoice(set_id), events=events)
    assert report.delivered == 21, report.lines()
    assert [r["custom-fields"] for r in sim.entities("runs")] == [{}] * 21
    warnings = [e.message for e in events if e.kind is Kind.WARNING]
    assert warnings == [
        "field 'Browser' could not be looked up (GET /projects/4500/custom_fields.json failed: "
        "403 Forbidden: Your API token is not authorized for this operation (needs customize "
        "fields); project 4500 is not visible to this token, or the token lacks the "
        "permission); left out of the runs (first: test_0)"
    ]


def test_a_field_given_by_id_goes_as_given_without_a_listing(
    sim: Simulator, tmp_path: Path
) -> None:
    sim.switch(permissions="tester")
    browser = sim.info.custom_fields["Browser"]
    set_id, instances, _ = seed_set(sim, 3, "Nightly")
    records = records_for(
        [Target(instance_id=i) for i in instances], custom_fields={f"---f-{browser}": "Chrome"}
    )
    report, _ = upload(sim, tmp_path, records, set_choice=SetChoice(set_id))
    assert report.delivered == 3
    assert not any("custom_fields" in r.path for r in sim.requests)
    assert {str(r["custom-fields"]) for r in sim.entities("runs")} == {
        str({f"---f-{browser}": "Chrome"})
    }


def big_file_records(instances: list[int], size: int) -> list[RunRecord]:
    """A passing result for each instance, each with one file of ``size`` bytes."""
    return [
        RunRecord(
            target=Target(instance_id=instance),
            status=Status.PASSED,
            label=f"test_{index}",
            files=(FileRef(f"trace{index}.bin", data=bytes([index]) * size),),
        )
        for index, instance in enumerate(instances)
    ]


def test_413_splits_the_request_until_each_part_fits(sim: Simulator, tmp_path: Path) -> None:
    sim.switch(max_body_bytes=8 * MiB)
    set_id, instances, _ = seed_set(sim, 6, "Big files")
    records = big_file_records(instances, 3 * MiB)
    report, _ = upload(sim, tmp_path, records, set_choice=SetChoice(set_id))
    assert report.delivered == 6, report.lines()
    assert sorted(a["name"] for a in sim.entities("attachments")) == [
        f"trace{i}.bin" for i in range(6)
    ]
    assert sorted(keys_stored(sim).values()) == [1] * 6


def test_the_size_a_413_taught_is_kept_for_the_rest_of_the_upload(
    sim: Simulator, tmp_path: Path
) -> None:
    """The first batch (eleven results of 2.7 MiB) is refused and goes again in parts of at
    most half its size until they fit; later batches are made under the size learnt."""
    sim.switch(max_body_bytes=8 * MiB)
    set_id, instances, _ = seed_set(sim, 30, "Big files")
    records = big_file_records(instances, 2 * MiB)
    sim.clear_requests()
    report, _ = upload(sim, tmp_path, records, set_choice=SetChoice(set_id))
    assert report.delivered == 30, report.lines()
    assert sorted(keys_stored(sim).values()) == [1] * 30
    posts = [r.status for r in sim.requests if (r.method, r.path) == ("POST", RUNS)]
    # Each later batch first sent at 32 MiB and split again: 15 refused of 33 posts, 50 calls.
    assert (posts.count(413), len(posts), len(sim.requests)) == (4, 21, 27)


def test_one_result_too_big_alone_goes_without_its_largest_file_and_says_where_it_is(
    sim: Simulator, tmp_path: Path
) -> None:
    sim.switch(max_body_bytes=8 * MiB)
    set_id, [instance], _ = seed_set(sim, 1, "Big files")
    big = tmp_path / "video.webm"
    big.write_bytes(b"v" * (7 * MiB))
    record = RunRecord(
        target=Target(instance_id=instance),
        status=Status.FAILED,
        label="test_checkout",
        output="AssertionError: total",
        files=(FileRef("video.webm", path=str(big)), FileRef("log.txt", data=b"log")),
    )
    events: list[Event] = []
    report, _ = upload(
        sim, tmp_path / "spool", [record], set_choice=SetChoice(set_id), events=events
    )
    assert report.delivered == 1, report.lines()
    [run] = sim.entities("runs")
    assert run["status"] == "FAILED"
    assert run["automated-execution-output"].startswith(
        "Files left out (too big to send): video.webm; see the last step\nAssertionError: total"
    )
    [attachment] = sim.entities("attachments")
    assert attachment["name"] == "log.txt"
    [step] = [s for s in sim.entities("step_runs") if s["run-id"] == run["id"]]
    assert step["name"] == "Files left out"
    assert step["description"] == (
        f"Too big for one request to PractiTest, not attached: video.webm (7.0 MiB, kept at {big})"
    )
    [warning] = [e.message for e in events if e.kind is Kind.WARNING]
    assert warning.startswith("test_checkout: too big for one request (request body is ")
    assert warning.endswith(
        f" bytes; at most {8 * MiB} are accepted); sent without video.webm (kept at {big})"
    )


@pytest.mark.parametrize("shape", ["object", "empty"])
def test_a_bulk_answered_without_its_runs_is_checked_by_key_not_posted_again(
    sim: Simulator, tmp_path: Path, shape: str
) -> None:
    sim.switch(bulk_answer=shape)
    set_id, instances, _ = seed_set(sim, 30, "Nightly")
    records = records_for([Target(instance_id=i) for i in instances])
    report, _ = upload(sim, tmp_path, records, set_choice=SetChoice(set_id), settle_seconds=30)
    assert report.delivered == 30
    assert report.recovered == 30
    assert sorted(keys_stored(sim).values()) == [1] * 30
    assert [r.method for r in sim.requests].count("POST") == 2


def test_a_server_that_reads_one_test_id_still_gets_every_new_instance(
    sim: Simulator, tmp_path: Path
) -> None:
    sim.switch(single_test_ids=True)
    names = [f"one id at a time {i}" for i in range(5)]
    report, _ = upload(
        sim,
        tmp_path,
        records_for([Target(name=n) for n in names]),
        create_missing=True,
        author_id=sim.info.users["owner@example.com"],
    )
    assert report.delivered == 5, report.lines()
    tests = {t["id"] for t in sim.entities("tests") if t["name"] in names}
    assert sorted(i["test-id"] for i in sim.entities("instances") if i["test-id"] in tests) == (
        sorted(tests)
    )


def test_a_strict_server_takes_our_runs(sim: Simulator, tmp_path: Path) -> None:
    sim.switch(strict=True)
    set_id, instances, _ = seed_set(sim, 3, "Nightly")
    owner = sim.info.users["owner@example.com"]
    records = records_for([Target(instance_id=i) for i in instances], tester_id=owner)
    report, _ = upload(sim, tmp_path, records, set_choice=SetChoice(set_id))
    assert report.delivered == 3, report.lines()


def test_a_token_that_may_not_create_tests_rejects_new_ones_and_delivers_the_rest(
    sim: Simulator, tmp_path: Path
) -> None:
    sim.switch(permissions="tester")
    set_id, instances, _ = seed_set(sim, 4, "Nightly")
    targets = [Target(instance_id=i) for i in instances] + [
        Target(name=f"Brand new {n}") for n in range(3)
    ]
    events: list[Event] = []
    report, _ = upload(
        sim,
        tmp_path,
        records_for(targets),
        set_choice=SetChoice(set_id),
        create_missing=True,
        token=sim.info.personal_tokens["qa.engineer@example.com"],
        events=events,
    )
    assert report.delivered == 4, report.lines()
    assert report.fatal is None
    assert len(report.rejected) == 3
    assert [c.path.endswith("auto_create.json") for c in sim.requests].count(True) == 1
    first = next(iter(report.rejected.values()))
    assert first == (
        "test_4: test 'Brand new 0' has no instance in test set "
        f"{set_id} ('Nightly'); PractiTest refused to create it: Your API token is not "
        "authorized for this operation (needs tests_editor)"
    )


def test_a_multi_value_field_by_id_is_still_fitted_when_the_listing_can_be_read(
    sim: Simulator, tmp_path: Path
) -> None:
    components = sim.info.custom_fields["Components"]
    set_id, [instance], _ = seed_set(sim, 1, "Nightly")
    records = records_for(
        [Target(instance_id=instance)], custom_fields={str(components): "cart|checkout"}
    )
    report, _ = upload(sim, tmp_path, records, set_choice=SetChoice(set_id))
    assert report.delivered == 1, report.lines()
    [run] = sim.entities("runs")
    assert run["custom-fields"] == {f"---f-{components}": ["cart", "checkout"]}
