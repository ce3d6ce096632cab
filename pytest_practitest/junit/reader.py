"""JUnit XML → test cases, streamed; no HTTP, no pytest.

The file is read in chunks by expat, so a 100 MB report never sits in memory
whole. Any DOCTYPE or entity declaration is refused before it is processed:
no entity is ever expanded and no external file is ever read (XXE, billion
laughs). Dialects handled: JUnit 4 (Ant), Maven surefire/failsafe (flaky and
rerun elements), pytest xunit1/xunit2 (the duplicate testcase pytest writes
for a teardown error is merged, worst outcome wins), jest-junit,
mocha-junit-reporter, go-junit-report, Playwright, Robot Framework xunit, a
bare ``<testsuite>`` root and nested suites (kept as a name prefix).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from ..errors import PractiTestError
from .dialect import RESULT_RANK, is_teardown_twin, lone_teardown, merge_teardown

CHUNK = 1 << 20
RESULTS = ("failure", "error", "skipped")
RETRIES = ("flakyFailure", "flakyError", "rerunFailure", "rerunError")


class JUnitError(PractiTestError):
    """A file that cannot be imported; the message starts with ``path:line:``."""


@dataclass
class Case:
    """One testcase as the file tells it."""

    suites: list[str]
    name: str
    classname: str = ""
    file: str = ""
    time: float = 0.0
    outcome: str = "passed"
    message: str = ""
    kind: str = ""
    text: str = ""
    retries: list[str] = field(default_factory=list)
    system_out: str = ""
    system_err: str = ""
    properties: list[tuple[str, str]] = field(default_factory=list)
    suite_properties: list[tuple[str, str]] = field(default_factory=list)
    line: int = 0
    #: when it ran: the testcase's ``timestamp``, else its nearest suite's (as written)
    timestamp: str = ""

    @property
    def key(self) -> tuple[str, ...]:
        return (*self.suites, self.classname, self.name)


def parse_time(value: str | None) -> float:
    """Seconds from a ``time`` attribute; missing or odd values count as 0.

    ``1,5`` (a decimal comma) is 1.5; ``1,234.5`` (a thousands separator) is 1234.5.
    """
    text = (value or "").strip()
    text = text.replace(",", ".") if "," in text and "." not in text else text.replace(",", "")
    try:
        seconds = float(text)
    except ValueError:
        return 0.0
    return seconds if 0 <= seconds < float("inf") else 0.0


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.parser = expat.ParserCreate()
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._refuse_doctype
        self.parser.EntityDeclHandler = self._refuse_entity
        self.parser.ExternalEntityRefHandler = self._refuse_external
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.parser.buffer_text = True
        self.suites: list[str] = []
        self.suite_properties: list[list[tuple[str, str]]] = []
        self.suite_timestamps: list[str] = []
        self._context: tuple[list[str], str, list[tuple[str, str]]] | None = None
        self.stack: list[str] = []
        self.case: Case | None = None
        self.done: list[Case] = []
        self.pending: Case | None = None
        self.buffer: list[str] = []
        self.property_name: str | None = None
        self.roots = 0

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

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        parent = self.stack[-1] if self.stack else None
        self.stack.append(tag)
        self.buffer = []
        if parent is None:
            self.roots += 1
            if tag not in ("testsuites", "testsuite", "testrun", "assemblies"):
                raise JUnitError(
                    f"{self.path}:{self.parser.CurrentLineNumber}: the root element is <{tag}>, "
                    "not <testsuites> or <testsuite>: not a JUnit report"
                )
        if tag == "testsuite":
            self.suites.append(attrs.get("name", ""))
            self.suite_properties.append([])
            self.suite_timestamps.append(attrs.get("timestamp", "").strip())
            self._context = None
        elif tag == "testcase":
            if self._context is None:
                self._context = self._suite_context()
            suites, timestamp, properties = self._context
            self.case = Case(
                suites=suites,
                name=attrs.get("name", ""),
                classname=attrs.get("classname", "") or attrs.get("class", ""),
                file=attrs.get("file", ""),
                time=parse_time(attrs.get("time")),
                line=self.parser.CurrentLineNumber,
                timestamp=attrs.get("timestamp", "").strip() or timestamp,
                suite_properties=properties,
            )
        elif self.case is not None and tag in RESULTS and parent == "testcase":
            if RESULT_RANK[tag] >= RESULT_RANK[self.case.outcome]:
                self.case.outcome = tag
                self.case.message = attrs.get("message", "")
                self.case.kind = attrs.get("type", "")
        elif self.case is not None and tag in RETRIES:
            self.case.retries.append(f"{tag}: {attrs.get('message', '')}".rstrip(": "))
        elif tag == "property":
            name = attrs.get("name", "")
            if "value" in attrs:
                self._add_property(name, attrs["value"])
                self.property_name = None
            else:
                self.property_name = name

    def _suite_context(self) -> tuple[list[str], str, list[tuple[str, str]]]:
        """What every testcase of the current suite shares (computed once per suite).

        The lists are shared by those cases: read them, do not change them.
        """
        return (
            [s for s in self.suites if s],
            next((t for t in reversed(self.suite_timestamps) if t), ""),
            [p for level in self.suite_properties for p in level],
        )

    def _add_property(self, name: str, value: str) -> None:
        if self.case is not None:
            self.case.properties.append((name, value))
        elif self.suite_properties:
            self.suite_properties[-1].append((name, value))
            self._context = None

    def _text(self, data: str) -> None:
        self.buffer.append(data)

    def _end(self, tag: str) -> None:
        self.stack.pop()
        text = "".join(self.buffer)
        self.buffer = []
        case = self.case
        if tag == "testcase" and case is not None:
            self._finish(case)
            self.case = None
        elif tag == "testsuite":
            self.suites.pop()
            self.suite_properties.pop()
            self.suite_timestamps.pop()
            self._context = None
        elif tag == "property" and self.property_name is not None:
            self._add_property(self.property_name, text.strip())
            self.property_name = None
        elif case is not None and tag in RESULTS and self.stack and self.stack[-1] == "testcase":
            if case.outcome == tag:
                case.text = text.strip()
        elif case is not None and tag in RETRIES:
            if text.strip():
                case.retries[-1] += "\n" + text.strip()
        elif case is not None and tag in ("system-out", "system-err"):
            if tag == "system-out":
                case.system_out += text
            else:
                case.system_err += text

    def _finish(self, case: Case) -> None:
        if self.pending is not None and is_teardown_twin(self.pending, case):
            merge_teardown(self.pending, case)
            return
        if self.pending is not None:
            self.done.append(self.pending)
        lone_teardown(case)
        self.pending = case

    def cases(self) -> Iterator[Case]:
        try:
            with self.path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    self.parser.Parse(chunk, False)
                    yield from self._drain()
                self.parser.Parse(b"", True)
        except expat.ExpatError as exc:
            reason = expat.ErrorString(exc.code) or "syntax error"
            reason = re.sub(r"^not well-formed \((.*)\)$", r"\1", reason)
            if reason == "no element found" and self.roots == 0:
                reason = "empty file, or no root element"
            elif reason == "no element found":
                reason = "the file ends too early (truncated?)"
            yield from self._flush()  # cases completed before the error are good results
            raise JUnitError(f"{self.path}:{exc.lineno}: not well-formed XML: {reason}") from None
        except LookupError as exc:  # an encoding Python does not know
            raise JUnitError(f"{self.path}:1: {exc}; save the report as UTF-8") from None
        except OSError as exc:
            raise JUnitError(f"{self.path}:0: cannot read it ({exc.strerror or exc})") from None
        yield from self._flush()

    def _flush(self) -> Iterator[Case]:
        if self.pending is not None:
            self.done.append(self.pending)
            self.pending = None
        yield from self._drain()

    def _drain(self) -> Iterator[Case]:
        done, self.done = self.done, []
        yield from done


def read_cases(path: Path) -> Iterator[Case]:
    """The testcases of one JUnit XML file, as they are read; JUnitError names file and line."""
    return _Reader(path).cases()


ATTACHMENT_LINE = re.compile(r"^\s*\[\[ATTACHMENT\|(.+?)\]\]\s*$", re.MULTILINE)
