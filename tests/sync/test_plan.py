"""The sync plan: differences in one line each, and exactly the calls that remove them."""

from __future__ import annotations

import pytest

from pytest_practitest.model import Target
from pytest_practitest.sync.definition import StepDefinition, TestDefinition, requirement_display_id
from pytest_practitest.sync.diff import Differ, step_change
from pytest_practitest.sync.remote import Remote


@pytest.mark.parametrize(
    ("label", "number"),
    [
        ("REQ-12", 12),
        ("12", 12),
        ("#7", 7),
        ("req-3", 3),
        ("REQ-", None),
        ("login", None),
        ("0", None),
    ],
)
def test_requirement_display_id(label: str, number: int | None) -> None:
    assert requirement_display_id(label) == number


def test_step_change_renames_adds_and_removes() -> None:
    held = [(1, "Open", None, None), (2, "Add", "", "one"), (3, "Pay", None, None)]
    same = step_change(9, [StepDefinition("Open"), StepDefinition("Add", None, "one")], held[:2])
    assert same.calls == 0
    fewer = step_change(9, [StepDefinition("Open"), StepDefinition("Add twice")], held)
    assert fewer.update == ((2, StepDefinition("Add twice")),)
    assert fewer.remove == (3,)
    assert fewer.calls == 2
    more = step_change(9, [StepDefinition(f"s{i}") for i in range(150)], [])
    assert more.calls == 2  # 100 steps per call


def definition(key: str, **fields: object) -> TestDefinition:
    return TestDefinition(key, Target(name=key), (key,), default_target=True, **fields)  # type: ignore[arg-type]


def test_json_round_trip_keeps_every_field() -> None:
    one = definition(
        "t.py::test_a",
        description="Doc.",
        tags=("slow",),
        automation={"script_path": "t.py"},
        requirements=("REQ-1",),
        steps=(StepDefinition("Open", "d", "e"),),
    )
    assert TestDefinition.from_json(one.to_json()) == one


def test_a_plan_with_nothing_to_do_makes_no_call() -> None:
    remote = Remote(set_id=20000)
    remote.instances.append((300000, 80000, 1, "t.py::test_a"))
    remote.add_test(
        {
            "id": "80000",
            "attributes": {
                "display-id": 1,
                "name": "t.py::test_a",
                "description": "Doc.",
                "tags": ["slow"],
                "automated-fields": {"script_path": "t.py", "suite_path": "kept"},
            },
            "relationships": {"requirements": {"data": [{"id": "60000", "type": "requirements"}]}},
        }
    )
    remote.requirements[1] = 60000
    same = definition(
        "t.py::test_a",
        description="Doc.\n",
        tags=("slow",),
        automation={"script_path": "t.py"},
        requirements=("REQ-1",),
    )
    plan = Differ(remote, 4500).diff([same])
    assert (plan.write_calls, plan.differences, plan.problems) == (0, [], [])
    assert plan.mapped == {"t.py::test_a": (80000, "t.py::test_a")}

    changed = definition(
        "t.py::test_a", tags=("fast",), automation={"script_path": "u.py"}, requirements=()
    )
    plan = Differ(remote, 4500).diff([changed, definition("t.py::test_b")])
    assert plan.differences == [
        "changed description: t.py::test_a (test 80000)",
        "changed tags: t.py::test_a (test 80000): slow -> fast",
        "changed Automation Info: t.py::test_a (test 80000)",
        "changed requirements: t.py::test_a (test 80000): REQ-1 -> none",
        "new test: t.py::test_b",
    ]
    assert plan.update == [
        (
            80000,
            {
                "description": "",
                "tags": ["fast"],
                "automated-fields": {"script_path": "u.py", "suite_path": "kept"},
            },
        )
    ]
    assert plan.links == [(80000, [])]
    assert plan.write_calls == 1 + 1 + 1 + 1  # update, links, create, one instance bulk
