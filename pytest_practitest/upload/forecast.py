"""When the tests start: can creating the missing tests finish in the time delivery has?

With create-missing, each test the set has no instance of costs one call
(``runs/auto_create.json``, see ``autocreate``). A first run of 64,000 tests into
an empty project is 64,000 calls, about 35 hours at 30 calls a minute: that must be
said when the session starts, not found after it ends.

Offline first: if creating every collected test would fit within the deadline,
nothing is asked. Else at most two calls: the test set (by id or name), and the
first page of its instances, whose ``total-count`` (or, on a single page, its
length) bounds how many of the collected tests can have one. What is said is
therefore a lower bound ("at least N have none"), never a guess; a server whose
answer gives no count is not guessed at, and nothing is said.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from ..errors import PractiTestError
from ..limits import MAX_RUNS_PER_POST, PAGE_SIZE
from .dryrun import CALLS_PER_TEST_WITH_AUTHOR, duration_text, estimate_seconds
from .targets import Resolver, SetChoice

if TYPE_CHECKING:
    from ..settings import Settings

WAYS_OUT = (
    "ways out: --practitest-parametrized function (one test per test function), "
    "a mapping file (practitest map), or --practitest-defer and one publish job "
    "(docs/delivery.md)"
)
#: for a command that sends results already made: only where they go can change
COMMAND_WAYS_OUT = (
    "ways out: a mapping file to existing tests (--map), or a longer --deadline; "
    "run again, it goes on where it stopped"
)


def forecast(
    settings: Settings,
    names: Collection[str],
    total: int,
    *,
    what: str = "tests collected",
    within: str | None = None,
    ways: str = WAYS_OUT,
) -> str | None:
    """A warning when creating the collected tests that have no instance cannot finish
    within the delivery deadline at the rate limit; None when it can, or is not known.

    ``names`` are the distinct test names the collected tests report to; ``total``
    the number of results expected. ``what``, ``within`` and ``ways`` word it for a
    command (``practitest upload`` and ``import-junit`` say it before they send).
    Never raises: a failed look says nothing (the delivery reports its own errors).
    """
    rate = settings.rate_limit
    if not settings.create_missing or not names or rate is None or settings.token() is None:
        return None  # without a limit the time is the network's, not ours to foresee
    each = CALLS_PER_TEST_WITH_AUTHOR if settings.author_id is not None else 1
    if _seconds(len(names), total, rate, each) <= settings.deadline:
        return None
    try:
        have = _instances_at_most(settings)
    except (PractiTestError, OSError):
        return None
    if have is None:
        return None
    missing = len(names) - have
    seconds = _seconds(missing, total, rate, each)
    if missing <= 0 or seconds <= settings.deadline:
        return None
    where = f"test set {settings.set_id}" if settings.set_id else f"test set {settings.set_name!r}"
    limit = f"{rate[0]} calls / {rate[1]:g} s"
    within = within or f"the {settings.deadline:g} s delivery waits after the last test"
    return (
        f"at least {missing} of the {len(names)} {what} have no instance in {where} "
        f"yet: creating them is {missing * each} calls, about {duration_text(seconds)} at "
        f"{limit}, "
        f"beyond {within}; what is not delivered stays in the spool for practitest upload. "
        f"{ways}"
    )


def _seconds(new: int, total: int, rate: tuple[int, float], each: int = 1) -> float:
    """Time to deliver ``total`` results of which ``new`` create their test (``each`` calls:
    one by auto_create, more the documented way, with an author)."""
    calls = new * each + math.ceil(max(0, total - new) / MAX_RUNS_PER_POST) + 2
    return estimate_seconds(calls, rate)


def _instances_at_most(settings: Settings) -> int | None:
    """How many instances the set holds (0 if it does not exist yet), or None: not said."""
    from ..api.client import Client

    client = Client.from_settings(settings)
    with client.session:
        if settings.set_id is not None:
            set_id = settings.set_id
        elif settings.set_name:
            resolver = Resolver.of(client, settings, SetChoice())
            found = resolver.sets_named(settings.set_name)
            if not found:
                return 0  # the set will be created: nothing in it has an instance
            set_id = min(found)
        else:
            return None
        page: Any = client.get(
            f"/projects/{settings.project_id}/instances.json",
            {"set-ids": set_id, "page[number]": 1, "page[size]": PAGE_SIZE},
        )
    meta = page.get("meta") or {}
    if isinstance(meta.get("total-count"), int):
        return int(meta["total-count"])
    if meta.get("next-page") is None and not (page.get("links") or {}).get("next"):
        return len(page.get("data") or [])
    return None
