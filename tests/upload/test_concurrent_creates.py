"""Two jobs, one suite, one set by name, create-missing, at the same time: one test per name.

Bounded: two uploads in threads against one simulator on 127.0.0.1, each with
its own spool and client, started together.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest

from pytest_practitest.api.client import Client
from pytest_practitest.model import Destination, RunRecord, Status, Target
from pytest_practitest.simulator import Simulator
from pytest_practitest.spool.journal import Spool, SpoolMeta
from pytest_practitest.upload.summary import UploadSummary
from pytest_practitest.upload.uploader import Uploader, UploadSettings

TOKEN = "race-token-7a6b5c4d"
TESTS = 300


@pytest.mark.practitest_simulator(token=TOKEN)
@pytest.mark.parametrize("unique_names", [True, False], ids=["unique-names", "names-may-repeat"])
def test_two_sessions_creating_the_same_tests_end_with_one_of_each(
    sim: Simulator, tmp_path: Path, unique_names: bool
) -> None:
    sim.store.unique_test_names = unique_names
    owner = sim.info.users["owner@example.com"]
    start = threading.Barrier(2, timeout=30)
    reports: dict[str, UploadSummary] = {}

    def job(name: str) -> None:
        folder = tmp_path / name
        spool = Spool.create(
            folder, SpoolMeta(Destination(project_id=sim.info.project_id, url=sim.url))
        )
        for index in range(TESTS):
            status = Status.FAILED if index % 7 == 0 else Status.PASSED
            spool.add(RunRecord(target=Target(name=f"suite test {index:03d}"), status=status))
        settings = UploadSettings(
            Destination(
                project_id=sim.info.project_id,
                set_name="Nightly, by name",
                create_missing=True,
                author_id=owner,
            )
        )
        client = Client(sim.url, TOKEN, timeout=(5.0, 30.0))
        with client.session:
            start.wait()
            reports[name] = Uploader(client, settings, spool).upload()
        spool.close()

    threads = [threading.Thread(target=job, args=(name,)) for name in ("job-a", "job-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    assert {name: report.delivered for name, report in reports.items()} == {
        "job-a": TESTS,
        "job-b": TESTS,
    }
    names = Counter(t["name"] for t in sim.entities("tests") if t["name"].startswith("suite"))
    assert len(names) == TESTS
    assert set(names.values()) == {1}  # no duplicate tests
    [test_set] = [s for s in sim.entities("sets") if s["name"] == "Nightly, by name"]
    instances = [i for i in sim.entities("instances") if i["set-id"] == test_set["id"]]
    assert Counter(i["test-id"] for i in instances).most_common(1)[0][1] == 1
    assert len(instances) == TESTS  # no duplicate instances
    runs = sim.entities("runs")
    assert len(runs) == 2 * TESTS
    assert set(Counter(r["instance-id"] for r in runs).values()) == {2}
