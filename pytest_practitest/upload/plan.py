"""Dry run: what an upload would do, worked out offline. Nothing is sent or read but file sizes."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..limits import MAX_INSTANCES_PER_POST, MAX_RUNS_PER_POST, PAGE_SIZE
from ..model import RunRecord
from .payload import FilePolicy, batch_is_full, estimate_size

if TYPE_CHECKING:  # the plan sends nothing, so it loads no HTTP library
    from .uploader import UploadSettings

ASSUMED_SECONDS_PER_CALL = 0.5


def estimate_seconds(calls: int, rate_limit: tuple[int, float] | None) -> float:
    """Wall time for ``calls`` under a sliding-window limit (network time included roughly)."""
    base = calls * ASSUMED_SECONDS_PER_CALL
    if rate_limit is None or calls <= rate_limit[0]:
        return base
    limit, window = rate_limit
    return max(base, math.ceil(calls / limit - 1) * window)


class Plan:
    """The plan, worked out one record at a time, so a dry run keeps no records in memory.

    Batches are cut by the same rule as ``payload.batches`` (``batch_is_full``).
    """

    def __init__(self, settings: UploadSettings, rate_limit: tuple[int, float] | None) -> None:
        self.settings = settings
        self.rate_limit = rate_limit
        self.policy = FilePolicy(settings.max_file_bytes)
        self.kinds = {"instance id": 0, "test id": 0, "test display id": 0, "test name": 0}
        self.count = 0
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
        elif target.display_id is not None:
            self.kinds["test display id"] += 1
        else:
            self.kinds["test name"] += 1
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
        lookups = 0
        if by_set:
            # the set, then its instances, a page at a time
            lookups = 1 + max(1, math.ceil(by_set / PAGE_SIZE))
        calls = lookups + len(groups)
        lines = [
            "PractiTest dry run: nothing is sent.",
            f"  project {settings.project_id}, {where}",
            f"  {self.count} runs: " + ", ".join(f"{n} by {kind}" for kind, n in kinds.items() if n)
            if self.count
            else "  no runs",
            f"  {len(groups)} run posts of at most {MAX_RUNS_PER_POST} runs (sizes {sizes}; "
            f"largest request about {max(1, self.largest // 1024)} KiB)",
            f"  API calls: {calls} ({lookups} lookups + {len(groups)} run posts)",
        ]
        if settings.create_missing and by_set:
            lines.append(
                f"  create-missing: up to {2 * by_set} calls to create tests (a create and a "
                "look for each) and "
                f"{math.ceil(by_set / MAX_INSTANCES_PER_POST)} instance bulks more, "
                "for what is not there yet"
            )
        limit = (
            f"{self.rate_limit[0]} calls / {self.rate_limit[1]:g} s"
            if self.rate_limit
            else "no rate limit"
        )
        lines.append(
            f"  time under {limit}: about {estimate_seconds(calls, self.rate_limit):.0f} s"
        )
        return lines


def describe(
    records: Iterable[RunRecord], settings: UploadSettings, rate_limit: tuple[int, float] | None
) -> list[str]:
    """The plan for ``records`` as lines of text."""
    plan = Plan(settings, rate_limit)
    for record in records:
        plan.add(record)
    return plan.lines()
