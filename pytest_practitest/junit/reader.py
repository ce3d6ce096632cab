"""JUnit XML → test cases, streamed; no HTTP, no pytest.

junitparser is the model: each ``<testcase>`` is read as junitparser's ``TestCase``
(results, reruns, output, properties), with what it does not know added by
``dialect``. The file is parsed in chunks by ``XMLPullParser`` and each testcase's
element is dropped once read, so a 100 MB report never sits in memory whole. Any
DOCTYPE or entity declaration is refused before anything is parsed: no entity is ever
expanded and no external file is ever read (XXE, billion laughs).

Dialects handled: JUnit 4 (Ant), Maven surefire/failsafe (flaky and rerun elements),
pytest xunit1/xunit2 (pytest's teardown-error testcases, as the plugin classifies
them), jest-junit, mocha-junit-reporter, go-junit-report, Playwright, Robot Framework
xunit, unittest-xml-reporting, behave, a bare ``<testsuite>`` root and nested suites
(kept as a name prefix).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

from junitparser import Properties

from ..errors import PractiTestError
from . import dialect
from .case import Case, parse_time
from .dialect import is_teardown_twin, lone_teardown, merge_teardown

CHUNK = 1 << 20
ROOTS = ("testsuites", "testsuite", "testrun", "assemblies")


class JUnitError(PractiTestError):
    """A file that cannot be imported; the message starts with ``path:line:``."""


class _Prolog:
    """Reads the file's start with expat until the root element opens.

    Refuses a DOCTYPE or entity declaration with its line, before anything is parsed for
    real (no entity is ever expanded, no external file read), and a root that is not a
    JUnit report's. After the root has opened a DOCTYPE is not well-formed anyway.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.open = True
        self.parser = expat.ParserCreate()
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._refuse_doctype
        self.parser.EntityDeclHandler = self._refuse_entity
        self.parser.ExternalEntityRefHandler = self._refuse_external
        self.parser.StartElementHandler = self._root

    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.Parse(chunk, False)
        except _RootSeen:
            self.open = False
        except expat.ExpatError:
            self.open = False  # the real parse reports it, with its line

    def _refuse_doctype(self, *args: object) -> None:
        raise JUnitError(
            f"{self.path}:{self.parser.CurrentLineNumber}: a DOCTYPE is not allowed in a JUnit "
            "report (entities and external files are never processed)"
        )

    def _refuse_entity(self, *args: object) -> None:
        raise JUnitError(
            f"{self.path}:{self.parser.CurrentLineNumber}: entity declarations are not allowed"
        )

    def _refuse_external(self, *args: object) -> int:
        raise JUnitError(
            f"{self.path}:{self.parser.CurrentLineNumber}: external entities are not allowed"
        )

    def _root(self, tag: str, attrs: object) -> None:
        if tag not in ROOTS:
            raise JUnitError(
                f"{self.path}:{self.parser.CurrentLineNumber}: the root element is <{tag}>, "
                "not <testsuites> or <testsuite>: not a JUnit report"
            )
        raise _RootSeen


class _RootSeen(Exception):
    """The root element opened: the prolog is read."""


class _Reader:
    """junitparser's model of each testcase, one at a time, from a stream of the file.

    ``XMLPullParser`` builds each ``<testcase>`` element; when it closes, junitparser's
    ``TestCase`` reads it (``dialect.case_from`` adds what junitparser does not know),
    and the element is dropped, so memory holds one testcase, not the file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stack: list[ET.Element] = []
        self.suites: list[dialect.Suite] = []
        self.in_case = 0
        self.started = False
        self.pending: Case | None = None
        self.done: list[Case] = []

    def cases(self) -> Iterator[Case]:
        prolog = _Prolog(self.path)
        parser: Any = ET.XMLPullParser(events=("start", "end"))
        try:
            with self.path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    if prolog.open:
                        prolog.feed(chunk)
                    parser.feed(chunk)
                    yield from self._events(parser)
                parser.close()
            yield from self._events(parser)
        except ET.ParseError as error:
            self._take(parser)  # testcases completed before the error are good results
            yield from self._flush()
            line = error.position[0]
            reason = expat.ErrorString(error.code) or "syntax error"
            reason = re.sub(r"^not well-formed \((.*)\)$", r"\1", reason)
            if reason == "no element found":
                started = self.started
                reason = (
                    "the file ends too early (truncated?)"
                    if started
                    else ("empty file, or no root element")
                )
            raise JUnitError(f"{self.path}:{line}: not well-formed XML: {reason}") from None
        except LookupError as exc:  # an encoding Python does not know
            raise JUnitError(f"{self.path}:1: {exc}; save the report as UTF-8") from None
        except OSError as exc:
            raise JUnitError(f"{self.path}: cannot read it ({exc.strerror or exc})") from None
        yield from self._flush()

    def _events(self, parser: Any) -> Iterator[Case]:
        self._take(parser)
        done, self.done = self.done, []
        yield from done

    def _take(self, parser: Any) -> None:
        for event, element in parser.read_events():
            if event == "start":
                self._start(element)
            else:
                self._end(element)

    def _start(self, element: ET.Element) -> None:
        self.started = True
        self.stack.append(element)
        if self.in_case:
            self.in_case += 1
        elif element.tag == "testcase":
            self.in_case = 1
        elif element.tag == "testsuite":
            self.suites.append(dialect.Suite.of(element, self.suites))

    def _end(self, element: ET.Element) -> None:
        self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        if self.in_case > 1:
            self.in_case -= 1
            return  # part of the open testcase: junitparser reads it with the testcase
        if self.in_case == 1:
            self.in_case = 0
            self._finish(dialect.case_from(element, self.suites))
        elif element.tag == "testsuite":
            self.suites.pop()
        elif element.tag == "properties" and parent is not None and parent.tag == "testsuite":
            self.suites[-1].add_properties(Properties.fromelem(element))
        if parent is not None:
            parent.remove(element)  # read: memory holds only what is still open

    def _finish(self, case: Case) -> None:
        if self.pending is not None and is_teardown_twin(self.pending, case):
            merge_teardown(self.pending, case)
            return
        if self.pending is not None:
            self.done.append(self.pending)
        lone_teardown(case)
        self.pending = case

    def _flush(self) -> Iterator[Case]:
        if self.pending is not None:
            self.done.append(self.pending)
            self.pending = None
        done, self.done = self.done, []
        yield from done


def read_cases(path: Path) -> Iterator[Case]:
    """The testcases of one JUnit XML file, as they are read; JUnitError names file and line."""
    return _Reader(path).cases()


ATTACHMENT_LINE = re.compile(r"^\s*\[\[ATTACHMENT\|(.+?)\]\]\s*$", re.MULTILINE)


__all__ = ["ATTACHMENT_LINE", "Case", "JUnitError", "parse_time", "read_cases"]


#: a suite's (or testcase's) start, as JUnit dialects write it, near the top of a file
_TIMESTAMP = re.compile(rb'timestamp="([^"]{10,40})"')


def suite_times(path: Path, head: int = 65536) -> list[float]:
    """The times the first suites of ``path`` say they started, those that name their zone
    (pytest writes one; a time without a zone could be any of them): read from the first
    ``head`` bytes, without parsing the file. A file whose head cannot be read has none."""
    from datetime import datetime

    try:
        with path.open("rb") as handle:
            text = handle.read(head)
    except OSError:
        return []
    times = []
    for found in _TIMESTAMP.finditer(text):
        try:
            moment = datetime.fromisoformat(found.group(1).decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            continue
        if moment.tzinfo is not None:
            times.append(moment.timestamp())
    return times
