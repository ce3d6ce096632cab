"""Dry run: what an upload would do, worked out offline. Nothing is sent or read but file sizes."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..events import visible
from ..limits import MAX_INSTANCES_PER_POST, MAX_RUNS_PER_POST, PAGE_SIZE, is_loopback
from ..model import RunRecord
from .index import fitted_name
from .payload import FilePolicy, batch_is_full, estimate_size

if TYPE_CHECKING:  # the plan sends nothing, so it loads no HTTP library
    from .uploader import UploadSettings

ASSUMED_SECONDS_PER_CALL = 0.5


#: calls to make a test with an author (tests.json): a look by name, the create, a look after
CALLS_PER_TEST_WITH_AUTHOR = 3


#: the simulator on this machine answers in milliseconds, not the service's half second
LOOPBACK_SECONDS_PER_CALL = 0.005


def seconds_per_call(url: str | None) -> float:
    """What one call takes, roughly: on loopback (the simulator) or across a network."""
    host = urlsplit(url or "").hostname
    return LOOPBACK_SECONDS_PER_CALL if host and is_loopback(host) else ASSUMED_SECONDS_PER_CALL


def estimate_seconds(
    calls: int, rate_limit: tuple[int, float] | None, per_call: float = ASSUMED_SECONDS_PER_CALL
) -> float:
    """Wall time for ``calls`` under a sliding-window limit (network time included roughly)."""
    base = calls * per_call
    if rate_limit is None or calls <= rate_limit[0]:
        return base
    limit, window = rate_limit
    return max(base, math.ceil(calls / limit - 1) * window)


class DryRunPlan:
    """The plan, worked out one record at a time, so a dry run keeps no records in memory.

    Batches are cut by the same rule as ``payload.batches`` (``batch_is_full``).
    """

    def __init__(
        self,
        settings: UploadSettings,
        rate_limit: tuple[int, float] | None,
        earlier_look: bool = False,
    ) -> None:
        self.settings = settings
        self.rate_limit = rate_limit
        #: results another upload may have delivered (a bundle, an import): one look first
        self.earlier_look = earlier_look
        self.policy = FilePolicy(settings.max_file_bytes)
        self.kinds = {"instance id": 0, "test id": 0, "test display id": 0, "test name": 0}
        #: distinct tests by name, id and display id: what create-missing may have to make
        self.names: set[str] = set()
        self.test_ids: set[int] = set()
        self.display_ids: set[int] = set()
        self.fields = False
        self.count = 0
        self.hinted = 0  # placed by an instance hint for the set (no listing for them)
        self.sizes: list[int] = []  # runs per post, in order
        self.largest = 0
        self._runs = 0  # in the batch being filled
        self._used = 0

    def add(self, record: RunRecord) -> None:
        self.count += 1
        target = record.target
        if target.instance_id is not None:
            self.kinds["instance id"] += 1
        elif target.test_id is not None:
            self.kinds["test id"] += 1
            self.test_ids.add(target.test_id)
            hint = target.hint
            self.hinted += hint is not None and hint.set_id == self.settings.test_set.set_id
        elif target.display_id is not None:
            self.kinds["test display id"] += 1
            self.display_ids.add(target.display_id)
        else:
            self.kinds["test name"] += 1
            assert target.name is not None
            self.names.add(fitted_name(target.name))
        self.fields = self.fields or bool(record.custom_fields)
        need = estimate_size(record, self.policy)
        if batch_is_full(self._runs, self._used, need, self.settings.max_request_bytes):
            self._close_batch()
        self._runs += 1
        self._used += need

    def _close_batch(self) -> None:
        self.sizes.append(self._runs)
        self.largest = max(self.largest, self._used)
        self._runs = self._used = 0

    def lines(self) -> list[str]:
        """The plan as lines of text (never containing the token: it is not passed in)."""
        if self._runs:
            self._close_batch()
        settings, kinds, groups = self.settings, self.kinds, self.sizes
        choice = settings.test_set
        if choice.set_id is not None:
            where = f"test set {choice.set_id}"
        elif choice.set_name:
            created = ", created if missing" if choice.create else ""
            where = f"test set {choice.set_name!r} (by name{created})"
        else:
            where = "no test set given"
        by_set = self.count - kinds["instance id"]
        sizes = ", ".join(str(n) for n in groups[:8]) + (", ..." if len(groups) > 8 else "")
        lookups = 1 if self.fields else 0  # the project's custom fields, once
        if self.count:
            # the set, then its instances, a page at a time: every result needs the set
            # (an instance of another set goes to its test's instance here: a call or so more);
            # results whose instance hint names the set need no listing
            listing = max(1, math.ceil(self.count / PAGE_SIZE)) if self.hinted < self.count else 0
            lookups += 1 + listing + (1 if self.earlier_look else 0)
        calls = lookups + len(groups)
        lines = [
            "PractiTest dry run: nothing is sent.",
            f"  project {settings.project_id}, {where}",
            f"  {self.count} runs: " + ", ".join(f"{n} by {kind}" for kind, n in kinds.items() if n)
            if self.count
            else "  no runs",
            f"  {len(groups)} run posts of at most {MAX_RUNS_PER_POST} runs (sizes {sizes}; "
            f"largest request about {max(1, self.largest // 1024)} KiB)",
            f"  API calls: {calls} ({lookups} lookups + {len(groups)} run posts)"
            + (", if every test has an instance in the set" if settings.create_missing else ""),
        ]
        most = calls
        if settings.create_missing and by_set:
            most += self._creating(lines)
        limit = (
            f"{self.rate_limit[0]} calls / {self.rate_limit[1]:g} s"
            if self.rate_limit
            else "no rate limit"
        )
        per_call = seconds_per_call(settings.destination.url)
        took = duration_text(estimate_seconds(calls, self.rate_limit, per_call))
        took = took if took.startswith("under") else f"about {took}"
        if most > calls:
            took += f", up to {duration_text(estimate_seconds(most, self.rate_limit, per_call))}"
        lines.append(f"  time under {limit}: {took}")
        return [visible(line) for line in lines]

    def _creating(self, lines: list[str]) -> int:
        """The calls create-missing adds at most (no test in the set yet), said in ``lines``."""
        names, ids = len(self.names), len(self.test_ids) + len(self.display_ids)
        extra = names  # one runs/auto_create.json each (it carries the test's first run)
        parts = [f"{names} new tests by name, one runs/auto_create.json call each"] if names else []
        if names and self.settings.author_id is not None:
            # auto_create takes no author: a look, the create and a look after, + instances
            extra = names * CALLS_PER_TEST_WITH_AUTHOR + 2 * math.ceil(
                names / MAX_INSTANCES_PER_POST
            )
            parts = [f"{names} new tests by name, made with their author: {extra} calls"]
        if ids:
            # display ids looked up 100 a call; instances made 20 a call, then looked at again
            bulks = math.ceil(len(self.display_ids) / PAGE_SIZE) + 2 * math.ceil(
                ids / MAX_INSTANCES_PER_POST
            )
            extra += bulks
            parts.append(f"{ids} by test id, {bulks} calls to find them and make instances")
        lines.append(
            f"  create-missing: up to {extra} calls more if no test has an instance yet ("
            + "; ".join(parts)
            + ")"
        )
        return extra


def duration_text(seconds: float) -> str:
    """``under 1 s``, ``42 s``, ``12.5 min`` or ``35.6 h``."""
    if seconds < 0.5:
        return "under 1 s"
    if seconds < 600:
        return f"{seconds:.0f} s"
    if seconds < 3 * 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def describe(
    records: Iterable[RunRecord],
    settings: UploadSettings,
    rate_limit: tuple[int, float] | None,
    earlier_look: bool = False,
) -> list[str]:
    """The plan for ``records`` as lines of text."""
    plan = DryRunPlan(settings, rate_limit, earlier_look)
    for record in records:
        plan.add(record)
    return plan.lines()
