"""What the JUnit model does not say, per dialect: one home for each such rule.

pytest's ``--junitxml`` is the dialect that matters most, because the same suite also
reports through the plugin: a team that uses both (or moves from one to the other)
must get the same tests, the same mapping-file keys and the same statuses. Two of its
details need rules of their own:

- **Names.** pytest writes ``classname="tests.test_cart.TestPay"`` and
  ``name="test_card[EUR]"`` for the node id ``tests/test_cart.py::TestPay::test_card[EUR]``.
  ``node_id`` turns it back: the ``file`` attribute (xunit1) says where the module path
  ends; without it (xunit2, pytest's default) the longest dotted prefix that is a ``.py``
  file under the current folder is the module, else the first ``Test*`` part starts
  the classes (pytest's default ``python_classes``).
- **Teardown errors.** pytest writes a failing teardown as ``<error message="failed on
  teardown with ...">``: in the test's own testcase after a passed call, and in a second
  testcase with the same names after a failed one. Both are read as the plugin
  classifies the same test: after a passed, skipped or xfailed call it is a
  ``teardown_error`` (``lone_teardown``, ``merge_teardown``); after a failed call the
  test stays ``failed`` and the output says ``and error in teardown: ...``.

Two details of other Python runners, read the same way: unittest-xml-reporting writes
an expected failure as ``<skipped type="XFAIL">`` (the plugin's ``xfailed``, as
pytest's ``pytest.xfail``), and behave writes an undefined step as ``<error
type="NoneType" message="None">`` (``said`` falls back to the text's first line).

A pytest report is recognised by its suite name, ``pytest`` (pytest's default
``junit_suite_name``); with another suite name its testcases are named like any other
dialect's (``classname.name``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .reader import Case

PYTEST_SUITE = "pytest"
#: a <skipped> of these types is an expected failure: pytest's, unittest-xml-reporting's
XFAIL_KINDS = ("pytest.xfail", "XFAIL")
#: a message or type that says nothing (Python's str(None), as behave writes it)
EMPTY = ("", "None", "NoneType")
TEARDOWN_MESSAGES = ("failed on teardown with", "test teardown failure")
#: which result element of a testcase counts when it has several (a JUnit rule, not a
#: PractiTest status: statuses come later, through ``outcomes``)
RESULT_RANK = {"passed": 0, "skipped": 1, "failure": 2, "error": 3, "teardown_error": 3}


def is_pytest(case: Case) -> bool:
    """Whether ``case`` comes from pytest's ``--junitxml``."""
    return bool(case.suites) and case.suites[-1] == PYTEST_SUITE


def node_id(case: Case, base: Path, known: dict[tuple[str, str], str] | None = None) -> str:
    """The pytest node id of a testcase pytest wrote (see the module docstring).

    ``known`` caches the node id's prefix per (classname, file): one look at the
    filesystem per module, not per testcase.
    """
    if not case.classname:
        return case.name
    cache = {} if known is None else known
    prefix = cache.get((case.classname, case.file))
    if prefix is None:
        prefix = cache[(case.classname, case.file)] = _prefix(case, base)
    return f"{prefix}::{case.name}"


def _prefix(case: Case, base: Path) -> str:
    parts = case.classname.split(".")
    if case.file.endswith(".py"):
        module = case.file.removesuffix(".py").replace("\\", "/")
        depth = len(module.split("/"))
        path, classes = case.file.replace("\\", "/"), parts[depth:]
    else:
        depth = next(
            (
                i
                for i in range(len(parts), 0, -1)
                if base.joinpath(*parts[:i]).with_suffix(".py").is_file()
            ),
            0,
        )
        if depth == 0:
            depth = next((i for i, p in enumerate(parts) if p.startswith("Test")), len(parts))
        path, classes = "/".join(parts[:depth]) + ".py", parts[depth:]
    return "::".join([path, *classes])


def said(case: Case) -> tuple[str, str]:
    """(message, type) of a failure or error, with the empty ones (``None``) left out."""
    message = "" if case.message.strip() in EMPTY else case.message
    kind = "" if case.kind.strip() in EMPTY else case.kind
    return message, kind


def is_teardown_twin(first: Case, second: Case) -> bool:
    """Whether ``second`` is the testcase pytest writes again for ``first``'s teardown error.

    Only that pair is one result: pytest's junitxml repeats the testcase with an
    ``<error message="failed on teardown with ...">`` (``test teardown failure``
    before pytest 6). Any other neighbours with the same names, as mocha and jest
    write for repeated titles, and nameless testcases, are results of their own.
    """
    return (
        bool(second.name)
        and first.key == second.key
        and second.outcome == "error"
        and second.message.startswith(TEARDOWN_MESSAGES)
    )


def teardown_crash(message: str) -> str:
    """``failed on teardown with "OSError: cleanup"`` → ``OSError: cleanup``."""
    for prefix in TEARDOWN_MESSAGES:
        if message.startswith(prefix):
            return re.sub(r'^"(.*)"$', r"\1", message[len(prefix) :].strip(), flags=re.S)
    return message


def lone_teardown(case: Case) -> None:
    """A pytest testcase whose only result is its teardown error: a ``teardown_error``."""
    if case.outcome == "error" and case.message.startswith(TEARDOWN_MESSAGES) and is_pytest(case):
        case.outcome = "teardown_error"
        case.message = f"error in teardown: {teardown_crash(case.message)}"


def merge_teardown(first: Case, twin: Case) -> None:
    """Fold pytest's teardown-error testcase into the test's own, as the plugin would."""
    crash = teardown_crash(twin.message)
    if first.outcome in ("passed", "skipped"):
        first.outcome, first.kind = "teardown_error", twin.kind
        first.message = f"error in teardown: {crash}"
    else:  # failed (or errored in setup) already: that stays the result
        first.message = f"{first.message}\nand error in teardown: {crash}".lstrip("\n")
    first.text = "\n\n".join(t for t in (first.text, twin.text) if t)
    first.system_out += twin.system_out
    first.system_err += twin.system_err
    first.properties += twin.properties
    first.time = max(first.time, twin.time)
