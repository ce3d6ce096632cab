"""Pacing: the account's calls per minute, and what a 429's Retry-After asks for.

PractiTest allows 30 calls a minute per *account*, shared by every job that
uses it; a call beyond that gets 429 and never reaches the server. The processes
of one machine that use the same URL and token share one budget (``for_account``):
``practitest check``, ``map``, a pytest session, its delivery process and its
xdist workers together keep under the limit. The budget lives in a small state
file under the user's cache folder, named by a hash of URL and token (never the
token itself), private to the user and locked while read and written. Where
that cannot work (no ``fcntl``, a cache folder that cannot be written) each
process keeps its own budget, without an error. ``hold_until`` stops every
request when another job's calls caused a 429; machines do not share a budget.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, DeadlineExceeded
from ..events import seconds_text
from ..limits import DEFAULT_RATE_LIMIT

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

WAIT_SLICE = 0.25
CACHE_FOLDER = "pytest-practitest"


def cache_folder() -> Path:
    """``$XDG_CACHE_HOME/pytest-practitest``, else ``~/.cache/pytest-practitest``."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / CACHE_FOLDER


def budget_file(url: str, token: str, folder: Path | None = None) -> Path:
    """The state file of the account that ``url`` and ``token`` name: a hash, never the token."""
    digest = hashlib.sha256(f"{url.rstrip('/')}\n{token}".encode()).hexdigest()[:32]
    return (folder or cache_folder()) / f"rate-{digest}.json"


class _Budget:
    """The calls sent in the window and a 429's hold: this process's own, in memory."""

    shared = False

    def __init__(self) -> None:
        self.sent: list[list[float]] = []
        self.held_until = 0.0

    @contextlib.contextmanager
    def state(self) -> Iterator[_Budget]:
        yield self


class _SharedBudget(_Budget):
    """The same, kept in a locked file that every process of the account reads and writes.

    Slots carry an id (``[stamp, id]``) so a process re-stamps its own call only.
    Any failure to use the file turns this budget into a per-process one for good.
    """

    shared = True

    def __init__(self, path: Path) -> None:
        import fcntl  # not on Windows: for_account() falls back to the process's own budget

        super().__init__()
        self.path = path
        self._flock = fcntl.flock
        self._lock_ex = fcntl.LOCK_EX
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))

    @contextlib.contextmanager
    def state(self) -> Iterator[_Budget]:
        if not self.shared:
            yield self
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            self._give_up(exc)
            yield self
            return
        with os.fdopen(fd, "r+", encoding="utf-8") as handle:
            try:
                self._flock(handle.fileno(), self._lock_ex)
                self._read(handle.read())
            except OSError as exc:
                self._give_up(exc)
            yield self
            if self.shared:
                try:
                    handle.seek(0)
                    handle.truncate()
                    handle.write(json.dumps({"sent": self.sent, "held_until": self.held_until}))
                    handle.flush()
                except OSError as exc:
                    self._give_up(exc)

    def _read(self, text: str) -> None:
        try:
            data: Any = json.loads(text) if text.strip() else {}
            sent = [[float(s[0]), float(s[1])] for s in data.get("sent", [])]
            held = float(data.get("held_until", 0.0))
        except (ValueError, TypeError, AttributeError, IndexError, KeyError):
            sent, held = [], 0.0  # a damaged file: start the window afresh
        self.sent, self.held_until = sent, held

    def _give_up(self, exc: OSError) -> None:
        log.debug("rate budget file %s not usable (%s); this process keeps its own", self.path, exc)
        self.shared = False


class RateLimiter:
    """At most ``calls`` requests in any ``window`` seconds, shared by all threads.

    A call is counted from when it is sent and re-stamped when its answer
    arrives (``settle``). The server counts it somewhere in between, so the
    limiter's view is never more generous than the server's, whatever the
    latency: a well-behaved process never meets a 429 on its own. When another
    job on the account causes one, ``hold_until`` stops every request until the
    server's Retry-After has passed.
    """

    def __init__(
        self,
        calls: int = DEFAULT_RATE_LIMIT[0],
        window: float = DEFAULT_RATE_LIMIT[1],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        deadline_clock: Callable[[], float] | None = None,
    ) -> None:
        """``deadline_clock``: the clock of deadlines and ``hold_until`` moments (``clock``)."""
        if calls < 1 or window <= 0:
            raise ConfigError("the rate limit needs at least 1 call per window")
        self.calls = calls
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._deadline_clock = deadline_clock or clock
        self._budget = _Budget()
        self._lock = threading.Lock()
        self._ids = 0

    @classmethod
    def for_account(
        cls, url: str, token: str, calls: int, window: float, *, folder: Path | None = None
    ) -> RateLimiter:
        """A limiter whose budget every process using ``url`` and ``token`` shares.

        Stamps are wall-clock time, the one clock processes share. Without ``fcntl`` or
        a writable cache folder, the limiter keeps this process's budget, silently.
        """
        limiter = cls(calls, window, clock=time.time, deadline_clock=time.monotonic)
        try:
            limiter._budget = _SharedBudget(budget_file(url, token, folder))
        except (ImportError, OSError) as exc:
            log.debug("no shared rate budget (%s); this process keeps its own", exc)
        return limiter

    @property
    def shared(self) -> bool:
        """Whether other processes of the account count against this budget."""
        return self._budget.shared

    def delay(self) -> float:
        """Seconds until a request may go (0 when it may go now)."""
        with self._lock, self._budget.state() as budget:
            return self._delay_locked(budget, self._clock())

    def _delay_locked(self, budget: _Budget, now: float) -> float:
        # A stamp in the future (another process's clock was set back) counts as now.
        budget.sent = [s for s in budget.sent if now - self.window < s[0] <= now + self.window]
        wait = max(0.0, min(budget.held_until, now + 3600.0) - now)
        if len(budget.sent) >= self.calls:
            oldest = sorted(min(s[0], now) for s in budget.sent)[len(budget.sent) - self.calls]
            wait = max(wait, oldest + self.window - now)
        return wait

    def acquire(
        self,
        deadline: float | Callable[[], float | None] | None = None,
        on_wait: Callable[[float], None] | None = None,
    ) -> list[float]:
        """Block until a request may go and count it; DeadlineExceeded past ``deadline``.

        ``deadline`` may be a callable: it is read again while waiting (in slices
        of at most a quarter second), so a deadline set later still stops the wait.
        Returns the call's slot, to pass to ``settle`` when the answer is in.
        """
        announced = False
        while True:
            with self._lock, self._budget.state() as budget:
                now = self._clock()
                wait = self._delay_locked(budget, now)
                if wait <= 0:
                    self._ids += 1
                    slot = [now, float(os.getpid() * 1_000_000 + self._ids)]
                    budget.sent.append(list(slot))
                    return slot
            limit = deadline() if callable(deadline) else deadline
            left = None if limit is None else limit - self._deadline_clock()
            if left is not None and wait > left:
                raise DeadlineExceeded(
                    f"the rate limit needs a wait of {seconds_text(wait)}, "
                    f"{seconds_text(wait - left)} more than the delivery deadline allows"
                )
            if on_wait is not None and not announced:
                on_wait(wait)
                announced = True
            self._sleep(min(wait, WAIT_SLICE))

    def settle(self, slot: list[float]) -> None:
        """The call's answer arrived: count its window from now."""
        with self._lock, self._budget.state() as budget:
            slot[0] = self._clock()
            for kept in budget.sent:
                if kept[1] == slot[1]:
                    kept[0] = slot[0]
                    break

    def hold_until(self, moment: float) -> None:
        """Hold every request until ``moment`` (of the deadline clock), in every process."""
        at = self._clock() + (moment - self._deadline_clock())
        with self._lock, self._budget.state() as budget:
            budget.held_until = max(budget.held_until, at)


def parse_retry_after(response: requests.Response, now: float | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or HTTP date), else the body's hint."""
    header = response.headers.get("Retry-After")
    if header:
        header = header.strip()
        if header.isdigit():
            return float(header)
        try:
            moment = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            moment = None
        if moment is not None:
            current = time.time() if now is None else now
            return max(0.0, moment.timestamp() - current)
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        meta = body.get("meta")
        if isinstance(meta, dict) and isinstance(meta.get("retry-after"), (int, float)):
            return float(meta["retry-after"])
        found = re.search(r"retry in (\d+(?:\.\d+)?) s", json.dumps(body.get("errors", "")))
        if found:
            return float(found.group(1))
    return None
