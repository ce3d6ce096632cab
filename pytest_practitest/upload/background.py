"""The delivery process: uploads the plugin's spool while the tests run.

The test process only writes each record to the spool. A child process
(``python -m pytest_practitest.upload.background SPOOL``) reads the records as they are
appended and sends them in bulks of 20 through the uploader, and writes the
delivery state to the same spool. Why a process and not a thread in the test
process: building payloads, JSON and HTTP are Python work that holds the GIL,
and a thread doing it slows every test while it runs (bench P3: 1.47x plain
with a thread, against the 1.10x target); a process runs on another core, is
not stalled by the tests, and keeps delivering if the test process dies.

Talking to it, over its stdin:

- first line: the resolved settings as JSON (never the token: the child reads
  it from the same environment variable);
- at the end of the session: ``{"deadline": SECONDS}``. The child reads the
  last records, sends them within that time and exits. End of input without it
  (the test process died) means the same with the configured deadline.

It answers on stdout with one JSON line at once, before any record is sent: the test
set (``{"test_set": [ID, NAME]}``, or null when PractiTest could not be asked), or why
the set cannot be had (``{"set_error": ...}``; it is then ended). The test process waits
for that line before the first test runs, so a set that cannot be had stops the
session with one line. At the end, one more JSON line: the upload report and the
warnings.
It runs at a lower scheduling priority (nice 10, once it has answered about the test
set), in its own session, and
ignores SIGINT: Ctrl-C in a terminal reaches the whole foreground process group,
and it is the test process that decides how long to wait after an interrupt
(3 s). If it does not answer in time it is killed; its attempt lines are in the
spool, so ``practitest upload`` looks for what it may have stored before
posting again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import ConfigError, PractiTestError, ValidationError
from ..events import Event, Kind
from ..limits import MAX_RUNS_PER_POST
from ..model import RunRecord
from ..settings import Settings, from_json, to_json
from .summary import UploadSummary

if TYPE_CHECKING:
    from .uploader import Uploader

log = logging.getLogger(__name__)
POLL_SECONDS = 0.05
#: a final wait this long is announced (a shorter one says nothing, and costs nothing)
ANNOUNCE_SECONDS = 0.5
#: then, how often a long final wait says how far delivery has got
PROGRESS_SECONDS = 10.0
NICENESS = 10
#: beyond the deadline: the child's start-up, its last join and its answer
GRACE_SECONDS = 2.0


_DETACHED: dict[str, Any] = (
    {"start_new_session": True}
    if os.name == "posix"
    else {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
)


def command(spool_path: Path) -> list[str]:
    """How the delivery process is started: this Python, this module."""
    return [sys.executable, "-m", "pytest_practitest.upload.background", str(spool_path)]


class DeliveryProcess:
    """The test process's handle on its delivery process."""

    def __init__(self, spool_path: Path, settings: Settings) -> None:
        self.spool_path = spool_path
        # Its log goes to a file read at the end: a pipe nobody reads could fill and block it.
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in finish)
        self._process = subprocess.Popen(  # noqa: S603 (our own module, no user input)
            command(spool_path),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            # Its own session (process group): Ctrl-C in a terminal signals the foreground
            # group, and a child still starting up would die of it before it could ignore it.
            **_DETACHED,
        )
        assert self._process.stdin is not None
        try:
            self._process.stdin.write((to_json(settings) + "\n").encode("utf-8"))
            self._process.stdin.flush()
        except OSError:
            pass  # it died at once: finish() reports why

    def test_set(self, timeout: float) -> dict[str, Any] | None:
        """The child's first answer (the test set, or why it cannot be had); None when it
        gave none within ``timeout`` seconds (then the tests run, and ``finish`` says why)."""
        if os.name != "posix":  # no select() on pipes: the tests run, delivery tells at the end
            return None
        assert self._process.stdout is not None
        # Bytes straight from the pipe, to the newline and not beyond: communicate() in
        # finish() reads the rest from the same descriptor.
        fd = self._process.stdout.fileno()
        end = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            left = end - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            byte = os.read(fd, 1)
            if not byte:
                return None
            line += byte
        try:
            answer = json.loads(line)
        except ValueError:
            return None
        return answer if isinstance(answer, dict) else None

    def stop(self) -> None:
        """End it now (the session stopped before any test ran)."""
        self._stop()
        self._stderr.close()

    def finish(
        self,
        deadline: float,
        on_wait: Callable[[float], None] | None = None,
        every: float | None = None,
    ) -> tuple[UploadSummary | None, list[str], str | None]:
        """End of the session: wait at most ``deadline`` (plus start-up) for the rest to go.

        ``on_wait(seconds_waited)`` is called once the wait has lasted ``ANNOUNCE_SECONDS``,
        then every ``every`` seconds (default ``PROGRESS_SECONDS``), so a long wait (30
        calls a minute) shows progress instead of a silent CI log, and a short one costs
        nothing. Ctrl-C stops the wait: the process is ended and what it did not send
        stays in the spool. Returns its report (None if it gave none), its warnings, and
        what went wrong with the process itself, if anything.
        """
        end = (json.dumps({"deadline": deadline}) + "\n").encode("utf-8")
        every = PROGRESS_SECONDS if every is None else every
        started = time.monotonic()
        limit = started + deadline + GRACE_SECONDS
        call_at = started + min(ANNOUNCE_SECONDS, every)
        message: bytes | None = end
        try:
            while True:
                try:
                    step = max(0.0, min(call_at, limit) - time.monotonic())
                    out, _ = self._process.communicate(message, timeout=step)
                    break
                except subprocess.TimeoutExpired:
                    message = None  # sent; a retry must not send it again
                    if time.monotonic() >= limit:
                        self._stop()
                        return None, [], f"delivery did not finish within {deadline:g} s"
                    if on_wait is not None and time.monotonic() >= call_at:
                        on_wait(time.monotonic() - started)
                        call_at = time.monotonic() + every
                except BrokenPipeError:
                    # It ended before it could read the message (it failed as it started):
                    # its exit code and its stderr say why; nothing of the spool is lost.
                    self._process.wait(timeout=max(1.0, limit - time.monotonic()))
                    out = self._process.stdout.read() if self._process.stdout else b""
                    break
        except KeyboardInterrupt:
            self._stop()
            return None, [], "delivery was interrupted (Ctrl-C)"
        finally:
            self._stderr.seek(0)
            errors = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
            self._stderr.close()
        try:
            answer = json.loads(out.decode("utf-8").strip().splitlines()[-1])
            return UploadSummary(**answer["report"]), list(answer["warnings"]), None
        except (ValueError, IndexError, KeyError, TypeError):
            why = errors[-1] if errors else "no answer"
            return (
                None,
                [],
                f"the delivery process failed (exit code {self._process.returncode}): {why}",
            )

    def _stop(self) -> None:
        """End it now; its attempt lines in the spool make a later resume safe."""
        self._process.kill()
        self._process.communicate()


# -- the child ---------------------------------------------------------------


class _Control:
    """Reads the child's stdin in a thread: the settings, then the end of the session."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.settings = stream.readline().decode("utf-8")
        self.deadline: float | None = None
        self.ended = threading.Event()
        threading.Thread(target=self._wait, name="practitest-control", daemon=True).start()

    def _wait(self) -> None:
        line = self._stream.readline()
        if line.strip():
            try:
                self.deadline = float(json.loads(line)["deadline"])
            except (ValueError, KeyError, TypeError):
                log.warning("PractiTest delivery: bad end message %r; using the default", line)
        self.ended.set()


class Sender:
    """The child's sending thread: bulks of 20 while the suite runs, the rest at the end.

    Records are spooled by the test process before they are queued, so whatever
    the sender does not manage to deliver is still on disk. A fatal error (bad
    token, server gone) stops sending and is reported.
    """

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


def run(spool_path: Path, stdin: IO[bytes], stdout: IO[str]) -> int:
    """Follow ``spool_path`` until the session ends, deliver, answer on ``stdout``."""
    from ..api.client import Client
    from ..spool.journal import Spool
    from .uploader import Uploader, UploadSettings

    started = time.monotonic()
    control = _Control(stdin)
    settings = from_json(control.settings)
    warnings: list[str] = []

    def on_event(event: Event) -> None:
        if event.kind in (Kind.WARNING, Kind.SERVER_429):
            warnings.append(event.message)

    spool = Spool.open(spool_path, keep_records=False)
    client = Client.from_settings(settings, on_event=on_event)
    uploader = Uploader(client, UploadSettings.from_settings(settings), spool, on_event)
    answer = find_set(uploader, settings.timeout)
    stdout.write(json.dumps(answer) + "\n")
    stdout.flush()
    # Below the tests in the scheduler's eyes, once the test process has its answer (it
    # waits for it before the first test): when the tests keep every core busy (pytest
    # -n auto), they go first and delivery catches up in the gaps and at the end
    # (5,000 trivial tests under -n 2 on two cores: 1.16x -> 1.12x plain).
    with contextlib.suppress(AttributeError, OSError):  # no os.nice on Windows
        os.nice(NICENESS)
    sender = Sender(uploader)
    while not control.ended.wait(POLL_SECONDS):  # the marks in the spool are ours
        for record in spool.read_new(marks=False):
            sender.add(record)
    for record in spool.read_new(marks=False):  # the test process closed it before it ended us
        sender.add(record)
    deadline = settings.deadline if control.deadline is None else control.deadline
    finished = sender.close(deadline)
    report = uploader.summary(sender.fatal, time.monotonic() - started, client.calls)
    spool.close()
    stdout.write(json.dumps({"report": asdict(report), "warnings": warnings}) + "\n")
    stdout.flush()
    if finished:
        client.close()
    return 0


def find_set(uploader: Uploader, seconds: float) -> dict[str, Any]:
    """The child's first answer: the test set, found (or created) within ``seconds``.

    A set that cannot be had (no such set or project; creating it refused) is a
    ``set_error``. Any other failure (PractiTest away, a wrong token) is not: the sender
    asks again, and the summary says what stopped it.
    """
    client = uploader.client
    client.deadline = time.monotonic() + seconds
    try:
        set_id = uploader.resolver.resolve_set()
    except (ConfigError, ValidationError) as error:
        return {"set_error": str(error)}
    except PractiTestError:
        return {"test_set": None}
    finally:
        client.deadline = None
    return {"test_set": [set_id, uploader.resolver.set_name]}


def main() -> None:
    """``python -m pytest_practitest.upload.background SPOOL``: started by the plugin, not users."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    code = run(Path(sys.argv[1]), sys.stdin.buffer, sys.stdout)
    sys.stdout.flush()
    # A post abandoned at the deadline may still be running in a daemon thread.
    os._exit(code)


if __name__ == "__main__":
    main()
