"""One JUnit testcase as the file tells it: what the reader yields and the converter reads."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
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
    #: when it ran: the testcase's ``timestamp``, else its nearest suite's (as written)
    timestamp: str = ""

    @property
    def key(self) -> tuple[str, ...]:
        return (*self.suites, self.classname, self.name)


def parse_time(value: str | None) -> float:
    """Seconds from a ``time`` attribute; missing or odd values count as 0.

    ``1,5`` (a decimal comma) is 1.5; ``1,234.5`` (a thousands separator) is 1234.5.
    """
    if not value:
        return 0.0
    try:
        seconds = float(value)  # nearly every report: "0.012"
    except ValueError:
        text = value.strip()
        text = text.replace(",", ".") if "," in text and "." not in text else text.replace(",", "")
        try:
            seconds = float(text)
        except ValueError:
            return 0.0
    return seconds if 0 <= seconds < INFINITY else 0.0


INFINITY = float("inf")
