"""Pacing: the account's calls per minute, and what a 429's Retry-After asks for.

PractiTest allows 30 calls a minute per *account*, shared by every job that
uses it; a call beyond that gets 429 and never reaches the server. One limiter
per process keeps this process under the limit; ``hold_until`` stops every
request when another job's calls caused a 429.
"""

from __future__ import annotations

import email.utils
import json
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import ConfigError, DeadlineExceeded
from ..limits import DEFAULT_RATE_LIMIT

if TYPE_CHECKING:
    import requests

WAIT_SLICE = 0.25


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
    ) -> None:
        if calls < 1 or window <= 0:
            raise ConfigError("the rate limit needs at least 1 call per window")
        self.calls = calls
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._sent: list[list[float]] = []
        self._held_until = 0.0
        self._lock = threading.Lock()

    def delay(self) -> float:
        """Seconds until a request may go (0 when it may go now)."""
        with self._lock:
            return self._delay_locked(self._clock())

    def _delay_locked(self, now: float) -> float:
        self._sent = [slot for slot in self._sent if slot[0] > now - self.window]
        wait = max(0.0, self._held_until - now)
        if len(self._sent) >= self.calls:
            wait = max(wait, min(slot[0] for slot in self._sent) + self.window - now)
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
            with self._lock:
                now = self._clock()
                wait = self._delay_locked(now)
                if wait <= 0:
                    slot = [now]
                    self._sent.append(slot)
                    return slot
            limit = deadline() if callable(deadline) else deadline
            if limit is not None and now + wait > limit:
                raise DeadlineExceeded(
                    f"the rate limit needs {wait:.0f} s more wait than the delivery deadline allows"
                )
            if on_wait is not None and not announced:
                on_wait(wait)
                announced = True
            self._sleep(min(wait, WAIT_SLICE))

    def settle(self, slot: list[float]) -> None:
        """The call's answer arrived: count its window from now."""
        with self._lock:
            slot[0] = self._clock()

    def hold_until(self, moment: float) -> None:
        with self._lock:
            self._held_until = max(self._held_until, moment)


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
