"""Upload progress for the commands: a bar on a terminal, a line every 10 % in a CI log."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from ..errors import ConfigError
from ..events import WARNINGS_SHOWN, Event, Kind, notice, seconds_text

if TYPE_CHECKING:
    from ..api.ratelimit import RateLimiter
    from ..settings import Settings
    from ..spool.merged import Journal
    from ..upload.summary import UploadSummary
    from ..upload.uploader import Uploader, UploadSettings


class Progress:
    """Upload progress: a bar on a terminal, a plain line every 10 % in a CI log.

    A CI log that says nothing for the 20 minutes 10,000 results take at 30 calls a
    minute looks like a hung job, so plain lines are printed too, just fewer.
    Warnings, retries and 429s are their own lines: the first ``WARNINGS_SHOWN``
    distinct ones, then one line that says the rest are counted in the summary.
    Rejections are left to the summary, which names each (not twice on a terminal).
    The time left is never less than a wait the rate limit or a 429 has announced.
    """

    WIDTH = 24

    def __init__(
        self,
        total: int,
        stream: TextIO | None = None,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.delivered = 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self.started = clock()
        self._reported_tenths = 0
        self._waiting = ""
        self._held_until = 0.0
        self._noticed: set[str] = set()

    def __call__(self, event: Event) -> None:
        if event.kind in (Kind.RATE_LIMIT_WAIT, Kind.SERVER_429):
            wait = float(event.data.get("seconds", 0.0))
            self._held_until = max(self._held_until, self.clock() + wait)
        if event.kind in (Kind.BATCH_SENT, Kind.RECOVERED):  # found stored: there, too
            self.delivered += int(event.data.get("count", 0))
        if event.kind is Kind.BATCH_SENT:
            self._waiting = ""
            self._show()
        elif event.kind is Kind.RATE_LIMIT_WAIT and self.tty:
            self._waiting = ", waiting for the rate limit"
            self._show()
        elif (line := notice(event)) is not None and line not in self._noticed:
            self._noticed.add(line)
            if len(self._noticed) > WARNINGS_SHOWN + 1:
                return
            if len(self._noticed) > WARNINGS_SHOWN:
                line = "PractiTest: ... more warnings; the summary counts them"
            if self.tty:
                print(file=self.stream)
            print(line, file=self.stream, flush=True)

    def _left(self) -> str:
        now = self.clock()
        elapsed = now - self.started
        if not self.delivered or self.delivered >= self.total or elapsed <= 0:
            return ""
        seconds = (self.total - self.delivered) * elapsed / self.delivered
        seconds = max(seconds, self._held_until - now)
        if seconds < 1:
            return ""  # "about 0 s left" said nothing true; the bar says the rest
        return f", about {seconds_text(seconds)} left"

    def _show(self) -> None:
        share = self.delivered / self.total if self.total else 1.0
        if self.tty:
            done = round(share * self.WIDTH)
            bar = "#" * done + "-" * (self.WIDTH - done)
            print(
                f"\rPractiTest: [{bar}] {self.delivered}/{self.total} delivered "
                f"{share:4.0%}{self._left()}{self._waiting}\x1b[K",
                end="",
                file=self.stream,
                flush=True,
            )
            return
        tenths = int(share * 10)
        if tenths > self._reported_tenths and self.delivered < self.total:
            self._reported_tenths = tenths
            line = f"PractiTest: {self.delivered} of {self.total} delivered ({share:.0%})"
            print(line + self._left(), file=self.stream, flush=True)


def send_pending(
    command: str,
    settings: Settings,
    upload_settings: UploadSettings,
    spool: Journal,
    pending: int,
    deadline: float,
    intro: str = "",
    verify: bool = False,
    rate_limiter: RateLimiter | None = None,
    completed: Callable[[UploadSummary], None] | None = None,
    where: str = "",
) -> UploadSummary | None:
    """Send the ``pending`` records ``spool`` still holds, showing progress; print the summary.

    For ``practitest upload`` and ``import-junit``. ``intro`` is printed once the
    client is made. None (and one error line) when the settings cannot make a
    client, e.g. no token. ``verify``: then check that each result is in
    PractiTest once (``report.verified``), and print what is not. ``rate_limiter``:
    one shared by several deliveries to the same account (else the settings' own).
    ``completed``: given the report before its lines are printed (to say how to resume).
    ``where``: printed once the client is made, before its first call.
    """
    from ..api.client import Client  # only now: a dry run loads no HTTP library
    from ..upload.uploader import Uploader

    progress = Progress(pending)
    try:
        options = {} if rate_limiter is None else {"rate_limiter": rate_limiter}
        client = Client.from_settings(settings, deadline=deadline, on_event=progress, **options)
    except ConfigError as error:
        print(f"practitest {command}: error: {error}", file=sys.stderr)
        return None
    if where:
        print(where, flush=True)
    with client.session:
        uploader = Uploader(client, upload_settings, spool, on_event=progress)
        problem = _set_problem(uploader)
        if problem is not None:  # never sent anywhere else: everything stays in the spool
            print(f"practitest {command}: error: {problem}", file=sys.stderr)
            return None
        if intro:
            print(intro, flush=True)
        if upload_settings.create_missing:
            _forecast(settings, upload_settings, spool, deadline)
        report = uploader.upload()
        checked = uploader.verify() if verify and report.fatal is None else None
    if progress.tty:
        print(file=sys.stderr)  # end the bar's line
    if completed is not None:
        completed(report)
    print("\n".join(report.lines()))
    if checked is not None:
        report.verified = not checked.missing and not checked.doubled
        print("\n".join(checked.lines()))
    return report


def _set_problem(uploader: Uploader) -> str | None:
    """Before sending: why the test set cannot be had (no such set or project; creating
    it refused), or None. Any other failure (PractiTest away, a wrong token) the upload
    itself reports, keeping the results."""
    from ..errors import PractiTestError, ValidationError

    try:
        uploader.resolver.resolve_set()
    except (ConfigError, ValidationError) as error:
        return str(error)
    except PractiTestError:
        return None
    return None


def _forecast(
    settings: Settings, upload_settings: UploadSettings, spool: Journal, deadline: float
) -> None:
    """Before sending: say when creating the new tests cannot finish before ``deadline``."""
    from ..upload.forecast import COMMAND_WAYS_OUT, forecast

    pending = spool.pending()
    names = {r.target.name for r in pending if r.target.name is not None}
    seconds = max(0.0, deadline - time.monotonic())
    where = settings._replace(
        project_id=upload_settings.project_id,
        set_id=upload_settings.test_set.set_id,
        set_name=upload_settings.test_set.set_name,
        create_missing=True,
        deadline=seconds,
    )
    warning = forecast(
        where,
        names,
        len(pending),
        what="tests in these results",
        within=f"the {seconds:.0f} s this command may take (--deadline)",
        ways=COMMAND_WAYS_OUT,
    )
    if warning is not None:
        print(f"PractiTest: warning: {warning}", file=sys.stderr, flush=True)
