"""The uploading side of the plugin (the only process, or the xdist controller).

Spools each record as its test finishes; a delivery process (``delivery.py``)
reads the spool as it grows and uploads while the tests run. At the end of the
session the reporter waits (bounded) for delivery and writes the summary.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

import pytest

from ..events import capped
from ..limits import MAX_RUNS_PER_POST
from ..mapping import MappingFile
from ..model import RunRecord
from ..settings import Settings
from ..spool.journal import Spool, SpoolMeta, leftover_line, progress, remove_delivered
from ..upload.report import UploadReport
from .recorder import Recorder

log = logging.getLogger(__name__)
INTERRUPTED_DEADLINE = 3.0
WRITE_BEHIND_SECONDS = 0.05


class Reporter:
    """Registered as ``practitest-reporter`` when reporting is on (never on xdist workers)."""

    def __init__(
        self,
        config: pytest.Config,
        settings: Settings,
        spool_dir: Path,
        mapping: MappingFile | None,
    ) -> None:
        self.config = config
        self.settings = settings
        self.spool_dir = spool_dir
        self.mapping = mapping
        from .ci import detect

        self.recorder = Recorder(settings, self._record, detect())
        self.spool: Spool | None = None
        self.delivery: Any = None
        self.plan: Any = None  # a dry run's plan, worked out as results come
        self.warnings: list[str] = []
        self.lines: list[str] = []
        self.undelivered = 0
        self.started = time.monotonic()

    # -- during the run --------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        try:
            self.recorder.logreport(report)
        except Exception:  # reporting never breaks the test run
            log.exception("PractiTest could not record %s", report.nodeid)
            self.warnings.append(f"could not record {report.nodeid} (see the log)")

    def _record(self, record: RunRecord) -> None:
        hook = self.config.hook.pytest_practitest_modify_record
        changed = hook(record=record) if hook.get_hookimpls() else None
        if changed is not None:
            record = changed
        if self.spool is None:
            self._open()
        assert self.spool is not None
        self.spool.add(record)
        if self.plan is not None:
            self.plan.add(record)

    def _open(self) -> None:
        settings = self.settings
        self.spool = Spool.create(self.spool_dir, SpoolMeta.from_settings(settings, "pytest"))
        # Records stay on disk, where the delivery process reads them; a dry run plans as
        # they come. Fewer long-lived objects keeps the garbage collector cheap too.
        self.spool.keep_records = False
        if self.config.pluginmanager.has_plugin("dsession"):
            # An xdist controller: its tests run in workers, so a crash cannot take a
            # record still in memory, and one write per record cost a GIL hand-over each.
            self.spool.write_behind(WRITE_BEHIND_SECONDS)
        if settings.dry_run:
            from ..upload.plan import Plan
            from ..upload.uploader import UploadSettings

            self.plan = Plan(UploadSettings.from_settings(settings), settings.rate_limit)
            return
        from ..upload.background import DeliveryProcess

        try:
            self.delivery = DeliveryProcess(self.spool.path, settings)
        except OSError as exc:  # no process for us: everything stays in the spool
            self.warnings.append(f"could not start the delivery process: {exc.strerror or exc}")

    # -- at the end ------------------------------------------------------------

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if self.mapping is not None:
            for problem in self.mapping.problems(item.nodeid for item in session.items):
                self.warnings.append(problem)
        if session.items and not session.config.option.collectonly and self.spool is None:
            # Tests will run: start the delivery process now, so its start-up (about
            # 0.2 s) overlaps the first tests instead of the end of a short session.
            # (An xdist controller collects nothing; it opens at its first record.)
            try:
                self._open()
            except Exception:  # reporting never breaks the test run; retried at first record
                log.exception("PractiTest could not open the spool")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        try:
            self.recorder.finish()
            self._finish(session)
        except Exception as error:  # never let reporting change the run's outcome by accident
            log.exception("PractiTest reporting failed at the end of the session")
            self.lines = [f"PractiTest: reporting failed: {type(error).__name__}: {error}"]

    def _finish(self, session: pytest.Session) -> None:
        self.warnings += self.recorder.mapping_errors
        if self.spool is None:
            return
        if self.plan is not None:
            self.lines = self.plan.lines()
            self.lines.append(f"  the {self.spool.count} records are in {self.spool.path}")
            self.spool.close()
            return
        deadline = self.settings.deadline
        if session.exitstatus == pytest.ExitCode.INTERRUPTED:
            # Ctrl-C: do not make the user wait; everything is in the spool.
            deadline = min(deadline, INTERRUPTED_DEADLINE)
        self.spool.close()  # everything is on disk before the delivery process is told to end
        report, problem = None, "the delivery process did not start"
        if self.delivery is not None:
            self._announce_wait(deadline)
            report, warnings, problem = self.delivery.finish(deadline, self._show_progress)
            self.warnings += warnings
        if report is None:
            report = self._report_from_spool()
        report.fatal = report.fatal or problem
        report.seconds = time.monotonic() - self.started
        self.undelivered = report.undelivered
        self.lines = report.lines()
        if not self.undelivered and report.fatal is None:
            remove_delivered(self.spool.path)  # PractiTest has it all: no spool piles up
        earlier = leftover_line(self.spool_dir, self.spool.path)
        if earlier is not None:
            self.lines.append(earlier)
        if self.settings.strict and self.undelivered and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            self.lines.append(
                "PractiTest: --practitest-strict: the session fails because not everything "
                "was delivered"
            )
        self._github_summary()

    def _say(self, line: str) -> None:
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        if terminal is not None:
            terminal.write_line(line)

    def _announce_wait(self, deadline: float) -> None:
        """Before a wait longer than one post: say what it waits for, and for how long at most."""
        assert self.spool is not None
        now = progress(self.spool.path)
        if now is not None and now[1] - now[0] > MAX_RUNS_PER_POST:
            self._say(
                f"PractiTest: sending the last {now[1] - now[0]} of {now[1]} results "
                f"(waiting at most {deadline:g} s; Ctrl-C stops the wait, nothing is lost)"
            )

    def _show_progress(self, waited: float) -> None:
        """Every few seconds of a long wait: how far delivery has got (so CI does not look hung)."""
        assert self.spool is not None
        now = progress(self.spool.path)
        if now is not None:
            self._say(f"PractiTest: {now[0]} of {now[1]} delivered after {waited:.0f} s")

    def _report_from_spool(self) -> UploadReport:
        """What the spool says was delivered, when the delivery process could not say."""
        assert self.spool is not None
        with Spool.open(self.spool.path) as spool:
            return UploadReport.of_spool(
                spool, set_id=self.settings.set_id, set_name=self.settings.set_name
            )

    def _github_summary(self) -> None:
        path = os.environ.get("GITHUB_STEP_SUMMARY")
        if not path:
            return
        try:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(
                    "### PractiTest\n\n"
                    + "".join(f"- {line.removeprefix('PractiTest: ')}\n" for line in self.lines)
                )
        except OSError as exc:
            self.warnings.append(f"could not write GITHUB_STEP_SUMMARY: {exc.strerror or exc}")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.lines and not self.warnings:
            return
        terminalreporter.section("PractiTest")
        for warning in capped(self.warnings):
            terminalreporter.write_line(f"PractiTest: warning: {warning}")
        for line in self.lines:
            terminalreporter.write_line(line)
