"""pytest-bdd scenarios: Gherkin steps become PractiTest step runs."""

from __future__ import annotations

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import Run, runs_by_test, step_runs

FEATURE = """
Feature: Checkout
    Scenario: Pay by card
        Given a cart with 2 items
        When I pay by card
        Then I see a receipt

    Scenario: Pay with an expired card
        Given a cart with 2 items
        When I pay with an expired card
        Then I see a receipt
"""

STEPS = """
from pytest_bdd import given, scenarios, then, when

scenarios("checkout.feature")

@given("a cart with 2 items")
def cart():
    return {"items": 2}

@when("I pay by card")
def pay():
    pass

@when("I pay with an expired card")
def expired():
    raise ValueError("card expired")

@then("I see a receipt")
def receipt():
    pass
"""


def test_gherkin_steps_become_step_runs(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.path.joinpath("checkout.feature").write_text(FEATURE)
    pytester.makepyfile(test_checkout=STEPS)
    run().assert_outcomes(passed=1, failed=1)
    grouped = runs_by_test(sim)
    [good] = grouped["test_checkout.py::test_pay_by_card"]
    [bad] = grouped["test_checkout.py::test_pay_with_an_expired_card"]
    assert good["status"] == "PASSED"
    assert step_runs(sim, good["id"]) == [
        ("Given a cart with 2 items", "PASSED"),
        ("When I pay by card", "PASSED"),
        ("Then I see a receipt", "PASSED"),
    ]
    assert bad["status"] == "FAILED"
    assert step_runs(sim, bad["id"]) == [
        ("Given a cart with 2 items", "PASSED"),
        ("When I pay with an expired card", "FAILED"),
        ("Then I see a receipt", "NO RUN"),
    ]
