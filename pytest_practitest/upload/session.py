"""One pytest session's delivery: its spool, its delivery process, and the summary.

The reporter (``collect/reporter.py``) hands each finished record here. The
first one (or the end of collection, whichever comes first) creates the spool
and starts the delivery process (``background.py``), which sends while the
tests run; a dry run plans instead. At the end of the session ``finish`` waits,
bounded by the deadline, and says what was delivered and what was not.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..model import RunRecord
from ..settings import Settings
from ..spool.cleanup import leftover_line, progress, remove_delivered, remove_sent
from ..spool.journal import Spool, SpoolMeta
from .summary import UploadSummary

if TYPE_CHECKING:
    from .dryrun import DryRunPlan

log = logging.getLogger(__name__)
INTERRUPTED_DEADLINE = 3.0
WRITE_BEHIND_SECONDS = 0.05
#: beyond the request timeout: the delivery process's start-up, before it can answer
SET_ANSWER_GRACE = 10.0


class SessionOutbox:
    """Spools a session's records and has them delivered; ``warnings`` collects what went wrong."""

    def __init__(self, settings: Settings, spool_dir: Path) -> None:
        self.settings = settings
        self.spool_dir = spool_dir
        #: (id, name) of the set, found before the tests ran (none for a dry run or defer)
        self.test_set: tuple[int, str | None] | None = None
        #: why the set cannot be had: the session stopped before its first test
        self.stopped: str | None = None
        self.spool: Spool | None = None
        self.process: Any = None
        self.plan: DryRunPlan | None = None  # a dry run's plan, worked out as results come
        self.warnings: list[str] = []
        self.started = time.monotonic()
        self._announced = False  # the final wait (see _on_wait)

    @property
    def opened(self) -> bool:
        return self.spool is not None

    def open(self, write_behind: bool = False) -> None:
        """Create the spool and start delivering (or planning); ``write_behind`` for xdist."""
        if self.spool is not None:
            return
        settings = self.settings
        self.spool = Spool.create(self.spool_dir, SpoolMeta.from_settings(settings, "pytest"))
        # Records stay on disk, where the delivery process reads them; a dry run plans as
        # they come. Fewer long-lived objects keeps the garbage collector cheap too.
        self.spool.keep_records = False
        if write_behind:
            # An xdist controller: its tests run in workers, so a crash cannot take a
            # record still in memory, and one write per record cost a GIL hand-over each.
            self.spool.write_behind(WRITE_BEHIND_SECONDS)
        if settings.dry_run:
            from .dryrun import DryRunPlan
            from .uploader import UploadSettings

            self.plan = DryRunPlan(UploadSettings.from_settings(settings), settings.rate_limit)
            return
        if settings.defer:
            return  # nothing is sent: the spool becomes a bundle at the end
        if settings.token() is None:
            return  # no token: nothing can be sent; the results wait in the spool
        from .background import DeliveryProcess

        try:
            self.process = DeliveryProcess(self.spool.path, settings)
        except OSError as exc:  # no process for us: everything stays in the spool
            self.warnings.append(f"could not start the delivery process: {exc.strerror or exc}")

    def check_set(self) -> None:
        """Before the first test: raise ConfigError (one line that names it) when the test
        set cannot be had; the spool, still empty, is removed. PractiTest away is not a
        reason to stop: the tests run and delivery asks again."""
        if self.process is None or self.stopped is not None or self.test_set is not None:
            return
        answer = self.process.test_set(min(self.settings.timeout, 30.0) + SET_ANSWER_GRACE)
        if answer is None:
            return
        if answer.get("test_set"):
            set_id, name = answer["test_set"]
            self.test_set = int(set_id), name
            return
        if answer.get("set_error"):
            self.stopped = str(answer["set_error"])
            self.process.stop()
            self.process = None
            assert self.spool is not None
            self.spool.close()
            _remove_empty(self.spool.path)
            raise ConfigError(self.stopped)

    def forecast(self, names: set[str], total: int) -> str | None:
        """A warning when creating the tests ``names`` lacks cannot finish in time (see
        ``forecast``); a dry run sends nothing, so it says nothing."""
        if self.settings.dry_run or self.settings.defer:
            return None
        from .forecast import forecast

        return forecast(self.settings, names, total)

    def add(self, record: RunRecord) -> None:
        """Spool a finished record (before anything tries to send it)."""
        self.open()
        assert self.spool is not None
        self.spool.add(record)
        if self.plan is not None:
            self.plan.add(record)

    def finish(self, interrupted: bool, say: Callable[[str], None]) -> tuple[list[str], int]:
        """Wait (bounded) for delivery; the summary lines and how many were not delivered.

        ``say`` shows a line at once, while the wait goes on (a long wait is announced,
        then its progress every few seconds, so a CI log does not look hung).
        """
        spool = self.spool
        if spool is None or self.stopped is not None:
            return [], 0
        if spool.count == 0 and not self.settings.defer:
            return self._nothing(spool), 0
        if self.plan is not None:
            lines = self.plan.lines()
            lines.append(f"  the {spool.count} records are in {spool.path}")
            spool.close()
            return lines, 0
        if self.settings.defer:
            return self._seal(spool), 0
        deadline = self.settings.deadline
        if interrupted:  # Ctrl-C: do not make the user wait; everything is in the spool
            deadline = min(deadline, INTERRUPTED_DEADLINE)
        spool.close()  # everything is on disk before the delivery process is told to end
        report, problem = None, "the delivery process did not start"
        if self.settings.token() is None:
            problem = f"{self.settings.token_env} is empty: nothing was sent"
        if self.process is not None:
            report, warnings, problem = self.process.finish(
                deadline, lambda waited: self._on_wait(waited, deadline, say)
            )
            self.warnings += warnings
        if report is None:
            report = self._report_from_spool()
        report.fatal = report.fatal or problem
        report.seconds = time.monotonic() - self.started
        lines = report.lines()
        if not report.undelivered and report.fatal is None:  # PractiTest has it all: no spool
            if problem is None and report.total == spool.count:  # piles up (read it all)
                remove_sent(spool.path, spool.file_paths)
            else:
                remove_delivered(spool.path)
        earlier = leftover_line(self.spool_dir, spool.path)
        if earlier is not None:
            lines.append(earlier)
        return lines, report.undelivered

    def _nothing(self, spool: Spool) -> list[str]:
        """No record (nothing collected, or all deselected): no wait, no spool, one line.

        The delivery process has only looked the set up (it began with the session, before
        pytest knew no test would run): it is ended, with nothing to send.
        """
        if self.process is not None:
            self.process.stop()
            self.process = None
        spool.close()
        _remove_empty(spool.path)
        set_id, name = self.test_set or (self.settings.set_id, self.settings.set_name)
        where = " ".join(str(part) for part in (set_id, repr(name) if name else None) if part)
        where = f" to test set {where}" if where else ""
        lines = [f"PractiTest: no test ran: nothing to send{where}"]
        earlier = leftover_line(self.spool_dir, spool.path)
        return lines if earlier is None else [*lines, earlier]

    def _seal(self, spool: Spool) -> list[str]:
        """``--practitest-defer``: the spool becomes a bundle; say where, and how to send it."""
        from ..spool.bundle import seal

        spool.close()
        try:
            folder = seal(spool.path)
        except OSError as exc:  # the spool itself is still there: nothing is lost
            return [
                f"PractiTest: deferred: could not make a bundle ({exc.strerror or exc}); "
                f"the {spool.count} results are in {spool.path}; send them with: "
                f"practitest upload {spool.path}"
            ]
        return [
            f"PractiTest: deferred: {spool.count} results in the bundle {folder}; "
            f"nothing was sent. Publish it (with the other jobs' bundles) with: "
            f"practitest upload {folder}"
        ]

    def _on_wait(self, waited: float, deadline: float, say: Callable[[str], None]) -> None:
        """During a final wait longer than ``background.ANNOUNCE_SECONDS``: first what it
        waits for, and for how long at most; then, every few seconds, how far it has got."""
        assert self.spool is not None
        now = progress(self.spool.path)
        if now is None:
            return
        if not self._announced:
            self._announced = True
            # with create-missing, a test not in PractiTest yet costs a call or more first
            making = ", creating any test they lack," if self.settings.create_missing else ""
            say(
                f"PractiTest: sending the last {now[1] - now[0]} of {now[1]} results{making} "
                f"(waiting at most {deadline:g} s; Ctrl-C stops the wait, nothing is lost)"
            )
        else:
            say(f"PractiTest: {now[0]} of {now[1]} delivered after {waited:.0f} s")

    def _report_from_spool(self) -> UploadSummary:
        """What the spool says was delivered, when the delivery process could not say."""
        assert self.spool is not None
        with Spool.open(self.spool.path) as spool:
            set_id, set_name = self.test_set or (self.settings.set_id, self.settings.set_name)
            return UploadSummary.of_spool(spool, set_id=set_id, set_name=set_name)


def _remove_empty(path: Path) -> None:
    """The spool of a session that stopped before its first test: nothing is in it."""
    try:
        path.unlink()
        path.parent.rmdir()  # only when nothing else is there
    except OSError:
        pass
