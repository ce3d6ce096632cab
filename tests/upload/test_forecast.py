"""Creating new tests that cannot finish in time is said at the start; a dry run counts them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pytest_practitest.api.client import Client
from pytest_practitest.model import Destination, RunRecord, Status, Target
from pytest_practitest.settings import Settings
from pytest_practitest.simulator import Simulator
from pytest_practitest.upload.dryrun import describe
from pytest_practitest.upload.forecast import forecast
from pytest_practitest.upload.uploader import UploadSettings
from tests.helpers import seed_set

TOKEN = "forecast-token-3c2b1a"
pytestmark = pytest.mark.practitest_simulator(token=TOKEN)


def settings_for(sim: Simulator, **changes: Any) -> Settings:
    base = Settings(
        enabled=True,
        url=sim.url,
        project_id=sim.info.project_id,
        set_id=sim.info.set_id,
        create_missing=True,
        rate_limit=(30, 60.0),
        deadline=120.0,
    )
    return base._replace(**changes)


def test_64000_new_tests_into_an_empty_set_are_said_with_numbers_and_ways_out(
    sim: Simulator,
) -> None:
    names = {f"tests/test_big.py::test_{i}" for i in range(64_000)}
    warning = forecast(settings_for(sim, set_name="Brand new", set_id=None), names, 64_000)
    assert warning == (
        "at least 64000 of the 64000 tests collected have no instance in test set "
        "'Brand new' yet: creating them is 64000 calls, about 35.5 h at 30 calls / 60 s, "
        "beyond the 120 s delivery waits after the last test; what is not delivered stays "
        "in the spool for practitest upload. ways out: --practitest-parametrized function "
        "(one test per test function), a mapping file (practitest map), or "
        "--practitest-defer and one publish job (docs/delivery.md)"
    )
    assert len(sim.requests) == 1  # the set by name: there is none, so nothing has an instance


def test_a_set_that_has_them_all_is_not_warned_about(sim: Simulator) -> None:
    set_id, _, names = seed_set(sim, 250)
    assert forecast(settings_for(sim, set_id=set_id), set(names), 250) is None
    assert len(sim.requests) == 1  # the first page of its instances, for its total count
    # 250 in the set, 400 collected: at least 150 are new, 150 calls > 120 s at 30 a minute
    more = set(names) | {f"new {i}" for i in range(150)}
    warning = forecast(settings_for(sim, set_id=set_id), more, 400)
    assert warning is not None
    assert warning.startswith(
        f"at least 150 of the 400 tests collected have no instance in "
        f"test set {set_id} yet: creating them is 150 calls"
    )


def test_what_fits_in_the_deadline_asks_nothing(sim: Simulator) -> None:
    names = {f"new {i}" for i in range(40)}
    assert forecast(settings_for(sim), names, 40) is None
    many = {f"new {i}" for i in range(5000)}
    assert forecast(settings_for(sim, rate_limit=None), many, 5000) is None  # no limit
    assert forecast(settings_for(sim, create_missing=False), names, 40) is None
    assert sim.requests == []


@pytest.mark.parametrize("instances", [50, 250])
def test_a_server_that_gives_no_total_count_is_not_guessed_at(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, instances: int
) -> None:
    set_id, _, _ = seed_set(sim, instances)
    original = Client.get

    def without_count(self: Client, path: str, params: Any = None) -> Any:
        answer = original(self, path, params)
        answer.get("meta", {}).pop("total-count", None)
        return answer

    monkeypatch.setattr(Client, "get", without_count)
    names = {f"new {i}" for i in range(500)}
    warning = forecast(settings_for(sim, set_id=set_id), names, 500)
    if instances <= 100:  # one page: its length is the count
        assert warning is not None
        assert warning.startswith(f"at least {500 - instances} ")
    else:
        assert warning is None


def test_a_failing_look_says_nothing(sim: Simulator) -> None:
    sim.faults.add("status", "GET", "/instances$", status=401)
    assert forecast(settings_for(sim), {f"new {i}" for i in range(500)}, 500) is None


def test_the_dry_run_counts_the_calls_creating_may_add(tmp_path: Path) -> None:
    records = [
        RunRecord(target=Target(name=f"param {i % 100}"), status=Status.PASSED) for i in range(300)
    ] + [RunRecord(target=Target(display_id=1000 + i), status=Status.PASSED) for i in range(30)]
    settings = UploadSettings(Destination(project_id=4500, set_id=20000, create_missing=True))
    lines = describe(records, settings, (30, 60.0))
    assert lines[4:] == [
        "  API calls: 22 (5 lookups + 17 run posts), if every test has an instance in the set",
        "  create-missing: up to 105 calls more if no test has an instance yet (100 new tests "
        "by name, one runs/auto_create.json call each; 30 by test id, 5 calls to find them "
        "and make instances)",
        "  time under 30 calls / 60 s: about 11 s, up to 240 s",
    ]
