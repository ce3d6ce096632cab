"""The recorder's short way for a plain passing test, and the spool's short line for its
record, say exactly what the general way says (they run once per test: bench P3)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _pytest.reports import TestReport

from pytest_practitest import settings as settings_module
from pytest_practitest.collect.recorder import Phase, Recorder, classify, plain_pass
from pytest_practitest.model import (
    FileRef,
    InstanceHint,
    RunRecord,
    Status,
    StepRecord,
    Target,
)
from pytest_practitest.spool.journal import _encode, record_line


def reports(node_id: str, outcomes: tuple[str, str, str], **call: Any) -> list[TestReport]:
    made = []
    for when, outcome, duration in zip(
        ("setup", "call", "teardown"), outcomes, (0.25, 1.5, 0.125), strict=True
    ):
        args: tuple[Any, ...] = (node_id, ("t.py", 1, "t"), {}, outcome, None, when, [], duration)
        report = TestReport(*args)
        if when == "call":
            for name, value in call.items():
                setattr(report, name, value)
        made.append(report)
    return made


def recorder(monkeypatch: pytest.MonkeyPatch, **ini: str) -> tuple[Recorder, list[RunRecord]]:
    monkeypatch.setenv("PRACTITEST_TOKEN", "secret-token")
    settings = settings_module.resolve(
        {"enabled": True, "url": "http://127.0.0.1:1", "project_id": "4500", "set_id": "1"},
        lambda name: ini.get(name),
        env={"PRACTITEST_TOKEN": "secret-token"},
    )
    emitted: list[RunRecord] = []
    return Recorder(settings, emitted.append), emitted


def test_plain_pass_is_the_duration_of_a_test_that_passed_and_none_for_any_other() -> None:
    def phases(made: list[TestReport]) -> dict[str, Phase]:
        return {r.when: Phase(r) for r in made}

    assert plain_pass(phases(reports("t.py::a", ("passed", "passed", "passed")))) == 1.875
    assert classify(phases(reports("t.py::a", ("passed", "passed", "passed")))) == ("passed", "")
    for outcomes, call in [
        (("passed", "passed", "failed"), {}),
        (("passed", "skipped", "passed"), {}),
        (("passed", "failed", "passed"), {}),
        (("passed", "passed", "passed"), {"wasxfail": "flaky"}),  # an xpass
    ]:
        made = phases(reports("t.py::a", outcomes, **call))
        assert plain_pass(made) is None
        assert classify(made) != ("passed", "")
    assert plain_pass(phases(reports("t.py::a", ("passed", "passed", "passed"))[::2])) is None


@pytest.mark.parametrize("ini", [{}, {"practitest_version": "2.4.1"}])
def test_a_plain_pass_goes_the_short_way_to_the_record_the_general_way_makes(
    monkeypatch: pytest.MonkeyPatch, ini: dict[str, str]
) -> None:
    short, made_short = recorder(monkeypatch, **ini)
    general, made_general = recorder(monkeypatch, **ini)
    for report in reports("t.py::test_é", ("passed", "passed", "passed")):
        short.logreport(report)
    for report in reports("t.py::test_é", ("passed", "passed", "passed")):
        if report.when == "teardown":  # a payload that changes nothing: the general way
            report.practitest = json.dumps({"steps": []})  # type: ignore[attr-defined]
        general.logreport(report)
    [fast], [slow] = made_short, made_general
    assert fast.key != slow.key
    assert fast == RunRecord(**{**vars_of(slow), "key": fast.key})
    assert fast.duration == 1.875
    assert fast.version == ini.get("practitest_version")


def vars_of(record: RunRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in RunRecord.__slots__}


@pytest.mark.parametrize(
    "record",
    [
        RunRecord(target=Target(name="t.py::test_a"), status=Status.PASSED, label="t.py::test_a"),
        RunRecord(
            target=Target(name='t.py::test_é["x\\y"]\n'),
            status=Status.NO_RUN,
            label="ü\t",
            duration=0.000123,
            version="1.0 (beta)",
        ),
        RunRecord(target=Target(name="a"), status=Status.NOT_APPLICABLE, duration=3.0),
        RunRecord(target=Target(name="a"), status=Status.PASSED, duration=float("nan")),
        RunRecord(target=Target(instance_id=300001), status=Status.PASSED, duration=1.0),
        RunRecord(
            target=Target(test_id=80001, hint=InstanceHint(set_id=20000, instance_id=300001)),
            status=Status.FAILED,
        ),
        RunRecord(target=Target(display_id=7), status=Status.BLOCKED),
        RunRecord(target=Target(name="a"), status=Status.FAILED, output="boom"),
        RunRecord(
            target=Target(name="a"),
            status=Status.PASSED,
            steps=(StepRecord("s", Status.PASSED, files=(FileRef("f", path="/tmp/f"),)),),
            files=(FileRef("log.txt", data=b"x"),),
            custom_fields={"Browser": "Chrome"},
            tester_id=5,
        ),
    ],
)
def test_the_short_spool_line_is_the_general_one(record: RunRecord) -> None:
    assert record_line(record) == _encode({"type": "record", "record": record.to_json()})
