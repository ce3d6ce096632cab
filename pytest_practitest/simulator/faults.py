"""Scriptable fault injection.

A rule matches requests by method and a regular expression searched in the
path (``/api/v2/projects/1/runs``: no query string, no ``.json``). Each rule counts the
requests it matches; it fires on the call numbers listed in ``calls``
(1-based), or with ``probability`` from its own seeded random generator, or on
every match when neither is given, at most ``times`` times.

Kinds, and whether the request is processed (stored) before the fault:

=====================  =========  ===============================================
kind                   processed  what the client sees
=====================  =========  ===============================================
``status``             no         ``status`` (500, 502, 503, 504, 429, ...)
``reset``              no         the connection closes with no response
``delay``              yes        the response, ``delay`` seconds late
``slow``               later      the response, late: the server sleeps ``delay``
                                  seconds *before* storing, so a client that
                                  timed out may look before the run exists
``malformed``          yes        200 with a truncated, unparsable JSON body
``commit_then_status`` yes        ``status`` although the request was stored
``commit_then_reset``  yes        no response although the request was stored
``redirect``           no         302 to another host, no body
``empty``              yes        200 with an empty body
``wrong_shape``        yes        200 with JSON that is not the endpoint's shape
=====================  =========  ===============================================
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "status",
    "reset",
    "delay",
    "slow",
    "malformed",
    "commit_then_status",
    "commit_then_reset",
    "redirect",
    "empty",
    "wrong_shape",
)
PROCESSED_FIRST = (
    "delay",
    "slow",
    "malformed",
    "commit_then_status",
    "commit_then_reset",
    "empty",
    "wrong_shape",
)
MAX_DELAY = 120.0


@dataclass
class Fault:
    """One fault-injection rule."""

    kind: str
    method: str = "*"
    path: str = ""
    calls: frozenset[int] | None = None
    probability: float | None = None
    seed: int | None = None
    status: int = 500
    delay: float = 0.0
    times: int | None = None
    retry_after: int | None = None
    seen: int = 0
    fired: int = 0
    _pattern: re.Pattern[str] = field(init=False, repr=False)
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {', '.join(KINDS)}")
        if not 400 <= self.status <= 599:
            raise ValueError(f"fault status must be 4xx or 5xx, got {self.status}")
        if not 0 <= self.delay <= MAX_DELAY:
            raise ValueError(f"fault delay must be between 0 and {MAX_DELAY:g} seconds")
        if self.probability is not None and not 0 <= self.probability <= 1:
            raise ValueError("fault probability must be between 0 and 1")
        self.method = self.method.upper()
        self._pattern = re.compile(self.path)
        self._random = random.Random(self.seed)
        if self.calls is not None:
            self.calls = frozenset(self.calls)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        known = {
            "kind",
            "method",
            "path",
            "calls",
            "probability",
            "seed",
            "status",
            "delay",
            "times",
            "retry_after",
        }
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        values = dict(data)
        if values.get("calls") is not None:
            values["calls"] = frozenset(int(c) for c in values["calls"])
        return cls(**values)

    def _decide(self, method: str, path: str, may_fire: bool) -> bool:
        if self.method not in ("*", method) or not self._pattern.search(path):
            return False
        self.seen += 1
        if not may_fire:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        if self.calls is not None:
            hit = self.seen in self.calls
        elif self.probability is not None:
            hit = self._random.random() < self.probability
        else:
            hit = True
        if hit:
            self.fired += 1
        return hit

    @property
    def processed_first(self) -> bool:
        return self.kind in PROCESSED_FIRST


class FaultPlan:
    """The rules in force; the first rule that fires wins (every rule still counts)."""

    def __init__(self) -> None:
        self._rules: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, kind: str, method: str = "*", path: str = "", **options: Any) -> Fault:
        """Add a rule, e.g. ``add("commit_then_status", "POST", r"/runs$", calls={1})``."""
        fault = Fault(kind=kind, method=method, path=path, **options)
        with self._lock:
            self._rules.append(fault)
        return fault

    def extend(self, rules: Iterable[dict[str, Any]]) -> list[Fault]:
        faults = [Fault.from_dict(rule) for rule in rules]
        with self._lock:
            self._rules.extend(faults)
        return faults

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[Fault]:
        with self._lock:
            return list(self._rules)

    def decide(self, method: str, path: str) -> Fault | None:
        with self._lock:
            chosen = None
            for rule in self._rules:
                if rule._decide(method, path, may_fire=chosen is None):
                    chosen = rule
            return chosen
