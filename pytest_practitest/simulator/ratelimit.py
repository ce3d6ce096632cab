"""The per-account API rate limit (30 calls per 60 s by default)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """At most ``calls`` accepted calls in any ``window`` seconds.

    A sliding log is the strictest reading of "30 calls in a single minute":
    a client that keeps under it passes any fixed-minute server too. Calls the
    limiter rejects are not counted, so a client that waits as told gets in.
    """

    def __init__(
        self, calls: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if calls < 1 or window <= 0:
            raise ValueError("rate limit needs calls >= 1 and window > 0")
        self.calls = calls
        self.window = window
        self._clock = clock
        self._accepted: deque[float] = deque()
        self._lock = threading.Lock()

    def try_acquire(self) -> float | None:
        """Record a call and return None, or return the seconds until one is allowed."""
        with self._lock:
            now = self._clock()
            while self._accepted and self._accepted[0] <= now - self.window:
                self._accepted.popleft()
            if len(self._accepted) < self.calls:
                self._accepted.append(now)
                return None
            return max(self._accepted[0] + self.window - now, 0.0)


def retry_after_header(seconds: float) -> str:
    """Whole seconds, rounded up, never 0 (a client told 0 would spin)."""
    return str(max(1, math.ceil(seconds)))
