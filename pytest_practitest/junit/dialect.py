"""What the JUnit model does not say, per dialect: one home for each such rule.

junitparser models a testcase (its result elements, the surefire/JUnit 5 reruns and
flaky runs, system-out/err, properties, name and classname); ``case_from`` reads that
model into our ``Case`` and adds what junitparser leaves out: the worst of several
results, a ``time`` written with a decimal comma (``1,5``), a property whose value is
its text, the ``file`` and ``timestamp`` attributes, ``class`` for ``classname``
(Robot), and what each enclosing suite gives its testcases (names, timestamp,
properties).

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from junitparser import Error, Failure, Properties, Property, Skipped, TestSuite
from junitparser.junitparser import SystemErr, SystemOut
from junitparser.xunit2 import TestCase

from .case import Case, parse_time

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

PYTEST_SUITE = "pytest"
#: a <skipped> of these types is an expected failure: pytest's, unittest-xml-reporting's
XFAIL_KINDS = ("pytest.xfail", "XFAIL")
#: a message or type that says nothing (Python's str(None), as behave writes it)
EMPTY = ("", "None", "NoneType")
TEARDOWN_MESSAGES = ("failed on teardown with", "test teardown failure")
#: which result element of a testcase counts when it has several (a JUnit rule, not a
#: PractiTest status: statuses come later, through ``outcomes``)
RESULT_RANK = {"passed": 0, "skipped": 1, "failure": 2, "error": 3}


RESULT_TAGS: dict[type[Any], str] = {Failure: "failure", Error: "error", Skipped: "skipped"}
RESULT_ELEMENTS = frozenset(RESULT_TAGS.values())
RERUN_ELEMENTS = frozenset({"flakyFailure", "flakyError", "rerunFailure", "rerunError"})


@dataclass
class Suite:
    """What a ``<testsuite>`` gives each testcase in it (its own and its enclosing ones')."""

    names: list[str]
    timestamp: str
    properties: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, element: Element, enclosing: list[Suite]) -> Suite:
        suite = TestSuite.fromelem(element)
        outer = enclosing[-1] if enclosing else None
        names = [*(outer.names if outer else []), *([suite.name] if suite.name else [])]
        timestamp = (suite.timestamp or "").strip() or (outer.timestamp if outer else "")
        return cls(names, timestamp, list(outer.properties) if outer else [])

    def add_properties(self, properties: Any) -> None:
        self.properties += [(p.name or "", property_value(p)) for p in properties]


def property_value(prop: Property) -> str:
    """A property's value: its ``value`` attribute, else its text (as some tools write it)."""
    if prop.value is not None:
        return str(prop.value)
    return (prop._elem.text or "").strip()  # junitparser models the attribute only


def case_from(element: Element, suites: list[Suite]) -> Case:
    """One testcase element, read through junitparser's model, as our ``Case``."""
    testcase = TestCase.fromelem(element)
    suite = suites[-1] if suites else None
    get = element.get
    case = Case(
        suites=suite.names if suite else [],
        name=testcase.name or "",
        classname=testcase.classname or get("class") or "",
        file=get("file") or "",
        time=parse_time(get("time")),
        timestamp=(get("timestamp") or "").strip() or (suite.timestamp if suite else ""),
        suite_properties=suite.properties if suite else [],
    )
    if len(element):  # most testcases have no child at all (a pass)
        _children(case, testcase, {child.tag for child in element})
    return case


def _children(case: Case, testcase: TestCase, tags: set[str]) -> None:
    """What the testcase's children say: results, reruns, output, properties.

    Only what junitparser 3.1 to 5 all offer (trcli, the peer in bench/, pins it below
    4), and the model is asked only for what the element has.
    """
    if tags & RESULT_ELEMENTS:
        for result in testcase.result:  # failure, error, skipped, in file order
            tag = RESULT_TAGS[type(result)]
            if RESULT_RANK[tag] >= RESULT_RANK[case.outcome]:  # the worst; of equals, the last
                case.outcome, case.message = tag, result.message or ""
                case.kind, case.text = result.type or "", (result.text or "").strip()
    out = (
        [item.text or "" for item in testcase.iterchildren(SystemOut)]
        if "system-out" in tags
        else []
    )
    err = (
        [item.text or "" for item in testcase.iterchildren(SystemErr)]
        if "system-err" in tags
        else []
    )
    if tags & RERUN_ELEMENTS:
        for rerun in (
            *testcase.flaky_failures(),
            *testcase.flaky_errors(),
            *testcase.rerun_failures(),
            *testcase.rerun_errors(),
        ):
            retry = f"{rerun._tag}: {rerun.message or ''}".rstrip(": ")
            text = (rerun.text or "").strip()
            case.retries.append(f"{retry}\n{text}" if text else retry)
            out.append(rerun.system_out or "")
            err.append(rerun.system_err or "")
    if out or err:
        case.system_out, case.system_err = "".join(out), "".join(err)
    if "properties" in tags:
        properties = testcase.child(Properties)
        case.properties = [(p.name or "", property_value(p)) for p in properties]


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
        second.outcome == "error"  # first: most testcases stop here
        and bool(second.name)
        and second.message.startswith(TEARDOWN_MESSAGES)
        and first.key == second.key
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
