"""The background sender: uploads bulks of 20 while the suite runs.

Records are spooled by the caller before they are queued, so whatever the
sender does not manage to deliver is still on disk. It never raises into
pytest: a fatal error (bad token, server gone) stops sending and is reported.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

from ..errors import PractiTestError
from ..limits import MAX_RUNS_PER_POST
from ..model import RunRecord
from .uploader import Uploader

log = logging.getLogger(__name__)


class Sender:
    def __init__(self, uploader: Uploader, bulk: int = MAX_RUNS_PER_POST) -> None:
        self.uploader = uploader
        self.bulk = bulk
        self.fatal: str | None = None
        self._queue: deque[RunRecord] = deque()
        self._closing = False
        self._condition = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="practitest-sender", daemon=True)
        self._thread.start()

    def add(self, record: RunRecord) -> None:
        """Queue a record that is already in the spool."""
        with self._condition:
            self._queue.append(record)
            if len(self._queue) >= self.bulk:
                self._condition.notify()

    def _take(self) -> list[RunRecord] | None:
        with self._condition:
            while len(self._queue) < self.bulk and not self._closing:
                self._condition.wait()
            if not self._queue:
                return None
            count = min(self.bulk, len(self._queue)) if not self._closing else len(self._queue)
            return [self._queue.popleft() for _ in range(count)]

    def _run(self) -> None:
        while self.fatal is None:
            batch = self._take()
            if batch is None:
                return
            try:
                self.uploader.send(batch)
            except PractiTestError as error:
                self.fatal = str(error)
            except Exception as error:  # a bug here must not reach the test run
                log.exception("PractiTest sender failed")
                self.fatal = f"internal error in the sender: {type(error).__name__}: {error}"

    def close(self, deadline: float) -> bool:
        """Send what is left, waiting at most ``deadline`` seconds; True if it finished.

        A post still in flight at the deadline is abandoned (the thread is a daemon):
        its attempt is in the spool, so ``practitest upload`` looks for what it stored
        before posting again.
        """
        self.uploader.client.deadline = time.monotonic() + deadline
        with self._condition:
            self._closing = True
            self._condition.notify()
        self._thread.join(deadline + 0.5)
        if self._thread.is_alive():
            self.fatal = self.fatal or f"delivery did not finish within {deadline:g} s"
            return False
        return True
