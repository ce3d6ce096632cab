"""Dry run: what an upload would do, worked out offline. Nothing is sent or read but file sizes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .model import RunRecord
from .payload import MAX_INSTANCES_PER_POST, FilePolicy, batches, estimate_size

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


def describe(
    records: Sequence[RunRecord], settings: UploadSettings, rate_limit: tuple[int, float] | None
) -> list[str]:
    """The plan as lines of text (never containing the token: it is not passed in)."""
    policy = FilePolicy(settings.max_file_bytes)
    choice = settings.test_set
    if choice.set_id is not None:
        where = f"test set {choice.set_id}"
    elif choice.set_name:
        created = ", created if missing" if choice.create else ""
        where = f"test set {choice.set_name!r} (by name{created})"
    else:
        where = "no test set given"
    kinds = {"instance id": 0, "test id": 0, "test display id": 0, "test name": 0}
    for record in records:
        target = record.target
        if target.instance_id is not None:
            kinds["instance id"] += 1
        elif target.test_id is not None:
            kinds["test id"] += 1
        elif target.display_id is not None:
            kinds["test display id"] += 1
        else:
            kinds["test name"] += 1
    by_set = len(records) - kinds["instance id"]
    groups = list(batches(list(records), policy, settings.max_request_bytes))
    sizes = ", ".join(str(len(g)) for g in groups[:8]) + (", ..." if len(groups) > 8 else "")
    largest = max((sum(estimate_size(r, policy) for r in g) for g in groups), default=0)
    lookups = 0
    if by_set:
        lookups = 1 + max(1, math.ceil(by_set / 100))  # the set, then its instances, 100 a page
    calls = lookups + len(groups)
    lines = [
        "PractiTest dry run: nothing is sent.",
        f"  project {settings.project_id}, {where}",
        f"  {len(records)} runs: " + ", ".join(f"{n} by {kind}" for kind, n in kinds.items() if n)
        if records
        else "  no runs",
        f"  {len(groups)} run posts of at most 20 runs (sizes {sizes}; "
        f"largest request about {max(1, largest // 1024)} KiB)",
        f"  API calls: {calls} ({lookups} lookups + {len(groups)} run posts)",
    ]
    if settings.create_missing and by_set:
        lines.append(
            f"  create-missing: up to {by_set} test creations and "
            f"{math.ceil(by_set / MAX_INSTANCES_PER_POST)} instance bulks more, "
            "for what is not there yet"
        )
    limit = f"{rate_limit[0]} calls / {rate_limit[1]:g} s" if rate_limit else "no rate limit"
    lines.append(f"  time under {limit}: about {estimate_seconds(calls, rate_limit):.0f} s")
    return lines
