"""The uploading side of the plugin (the only process, or the xdist controller).

Turns each test's reports into one record (``recorder.py``), lets
``pytest_practitest_modify_record`` change it, and hands it to the session's
``Outbox`` (``upload/session.py``, given by ``plugin.py``), which spools it and
has it sent while the tests run. At the end it shows the summary.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from typing import Any, Protocol

import pytest

from ..errors import ConfigError
from ..events import capped, count, first_few, visible
from ..mapping import MappingFile
from ..model import RunRecord
from ..settings import Settings
from ..spool.redact import Redactor
from . import hooks
from .ci import detect
from .recorder import Recorder
from .target import target_of

log = logging.getLogger(__name__)


class Outbox(Protocol):
    """Where the reporter's records go (``upload.session.SessionOutbox``)."""

    warnings: list[str]

    @property
    def opened(self) -> bool: ...

    def open(self, write_behind: bool = False) -> None: ...

    def add(self, record: RunRecord) -> None: ...

    def finish(self, interrupted: bool, say: Callable[[str], None]) -> tuple[list[str], int]: ...

    def forecast(self, names: set[str], total: int) -> str | None: ...

    def check_set(self) -> None: ...


class Reporter:
    """Registered as ``practitest-reporter`` when reporting is on (never on xdist workers)."""

    def __init__(
        self,
        config: pytest.Config,
        settings: Settings,
        outbox: Outbox,
        mapping: MappingFile | None,
    ) -> None:
        self.config = config
        self.settings = settings
        self.outbox = outbox
        self.mapping = mapping
        self.recorder = Recorder(settings, self._record, detect())
        self.redactor = Redactor.for_settings(settings)
        self.warnings: list[str] = []
        self.lines: list[str] = []
        self.undelivered = 0
        #: node ids whose record could not be handed on, and why
        self.lost: dict[str, str] = {}
        #: node ids collected, then deselected (``pytest_deselected``)
        self.deselected: list[str] = []

    # -- during the run --------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        try:
            self.recorder.logreport(report)
        except Exception as error:  # reporting never breaks the test run
            log.exception("PractiTest could not record %s", report.nodeid)
            self.lost[report.nodeid] = f"could not be recorded: {type(error).__name__}: {error}"

    def _record(self, record: RunRecord) -> None:
        changed, problem = hooks.call(
            self.config.hook.pytest_practitest_modify_record,
            "the record went unmodified",
            record=record,
        )
        if problem is not None:
            self.recorder.hook_failures.add(problem)
        if changed is not None:
            record = changed
        record = self.redactor.record(record)  # before it is spooled: no secret on disk
        if not self.outbox.opened:  # once, not per record: this runs for every test
            self._open()
        self.outbox.add(record)

    def _open(self) -> None:
        # An xdist controller runs no tests: it spools with a write-behind thread.
        self.outbox.open(write_behind=self.config.pluginmanager.has_plugin("dsession"))

    # -- before the first test -------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if session.config.option.collectonly:
            return
        # Start delivering now: the delivery process's start-up (about 0.2 s) and its
        # look at the test set overlap collection.
        try:
            self._open()
        except Exception:  # reporting never breaks the test run; retried at first record
            log.exception("PractiTest could not open the spool")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        """A test set that cannot be had stops the session here, before its first test
        (also on an xdist controller: its workers run nothing until this loop)."""
        if session.config.option.collectonly or not self.outbox.opened:
            return
        try:
            self.outbox.check_set()
        except ConfigError as error:
            raise pytest.UsageError(f"PractiTest: {error}") from None

    # -- at the end ------------------------------------------------------------

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += [item.nodeid for item in items]

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if self.mapping is not None:
            # A test deselected (-k, -m, --practitest-select) was collected: its entry is
            # not one that "matches no collected test".
            collected = [*(item.nodeid for item in session.items), *self.deselected]
            for problem in self.mapping.problems(collected):
                self.warnings.append(problem)
        if session.items and not session.config.option.collectonly:
            # Tests will run: start delivering now, so the delivery process's start-up
            # (about 0.2 s) overlaps the first tests instead of the end of a short session.
            # (An xdist controller collects nothing; it opens at its first record.)
            try:
                self._open()
            except Exception:  # reporting never breaks the test run; retried at first record
                log.exception("PractiTest could not open the spool")
            if self.settings.create_missing:
                self._forecast(session.items)

    def _forecast(self, items: list[pytest.Item]) -> None:
        """Say now, not after the suite, when creating the new tests cannot finish in time."""
        per_function = self.settings.parametrized == "function"
        parametrized, mask = self.settings.parametrized, self.redactor.text
        targets = [target_of(item, self.mapping, parametrized, mask) for item in items]
        names = {target.name for target in targets if target.name is not None}
        # one result per test, or, per function, one for all its parameter sets
        results = len(set(targets)) if per_function else len(items)
        try:
            warning = self.outbox.forecast(names, results)
        except Exception:  # reporting never breaks the test run
            log.exception("PractiTest could not forecast the creation of new tests")
            return
        if warning is not None:
            self.warnings.append(warning)
            terminal = self.config.pluginmanager.get_plugin("terminalreporter")
            if terminal is not None:
                terminal.write_line(f"PractiTest: warning: {warning}")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        try:
            self.recorder.finish()
            self._finish(session)
        except Exception as error:  # never let reporting change the run's outcome by accident
            log.exception("PractiTest reporting failed at the end of the session")
            self.lines = [f"PractiTest: reporting failed: {type(error).__name__}: {error}"]
        finally:
            self.warnings += self.outbox.warnings

    def _finish(self, session: pytest.Session) -> None:
        self.warnings += self.recorder.mapping_errors
        self.warnings += self.recorder.hook_failures.lines()
        orphans = self.recorder.orphans
        if orphans:
            self.warnings.append(
                f"{len(orphans)} test{'s' if len(orphans) != 1 else ''} never reported a "
                f"teardown (a crashed xdist worker?); recorded from the reports that came: "
                + ", ".join(orphans[:5])
                + (" ..." if len(orphans) > 5 else "")
            )
        # node ids name tests after their parameters: a secret among them is masked here too
        missing = [self.redactor.text(line) for line in self._missing()]
        if not self.outbox.opened:
            self.lines = missing
            return
        interrupted = session.exitstatus == pytest.ExitCode.INTERRUPTED
        self.lines, self.undelivered = self.outbox.finish(interrupted, self._say)
        self.lines += missing
        self.undelivered += len(self.lost)
        if self.settings.strict and self.undelivered and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            self.lines.append(
                "PractiTest: --practitest-strict: the session fails because not everything "
                "was delivered"
            )
        self._github_summary()

    def _missing(self) -> list[str]:
        """Tests pytest reported that no record stands for: counted and named, never hidden."""
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        reported = set(self.lost)
        if terminal is not None:
            reported |= {
                report.nodeid
                for key, reports in terminal.stats.items()
                if key not in ("warnings", "deselected", "")
                for report in reports
                if isinstance(report, pytest.TestReport)
            }
        recorded = set(self.recorder.node_ids)
        missing = sorted(reported - recorded) + sorted(set(self.lost) & recorded)
        lines = self._not_collected(terminal) + self._counted_twice(terminal)
        if not missing:
            return lines
        shown = first_few([f"{n} ({self.lost.get(n, 'no record')})" for n in missing])
        return [
            *lines,
            f"PractiTest: {count(len(missing), 'test')} that pytest "
            f"reported {'are' if len(missing) != 1 else 'is'} not in the count above: {shown}",
        ]

    @staticmethod
    def _counted_twice(terminal: Any) -> list[str]:
        """Tests pytest counts twice (an outcome, then an error in teardown): one run each,
        so the count above is below pytest's sum of outcomes, and says why."""
        if terminal is None or not terminal.stats.get("error"):
            return []
        outcomes = ("passed", "failed", "skipped", "xfailed", "xpassed")
        ran = {r.nodeid for key in outcomes for r in terminal.stats.get(key, ())}
        twice = sorted({r.nodeid for r in terminal.stats["error"] if r.nodeid in ran})
        if not twice:
            return []
        return [
            f"PractiTest: {count(len(twice), 'test')} pytest counts twice (an outcome, then an "
            f"error in teardown) {'are' if len(twice) != 1 else 'is'} one run each above: "
            f"{first_few(twice)}"
        ]

    @staticmethod
    def _not_collected(terminal: Any) -> list[str]:
        """Files pytest could not collect: their tests never ran, so no run stands for them."""
        if terminal is None:
            return []
        failed = sorted(
            {
                report.nodeid or "."
                for report in terminal.stats.get("error", ())
                if isinstance(report, pytest.CollectReport) and report.failed
            }
        )
        if not failed:
            return []
        shown = first_few(failed)
        return [
            f"PractiTest: {len(failed)} file{'s' if len(failed) != 1 else ''} could not be "
            f"collected ({shown}): {'its' if len(failed) == 1 else 'their'} tests did not run "
            "and are not in the count above"
        ]

    def _say(self, line: str) -> None:
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        if terminal is None:
            return
        # With -q or xdist, pytest's progress line ("... [100%]") has no newline yet and
        # write_line does not know: the line would start right after "[100%]".
        writer = getattr(terminal, "_tw", None)
        if getattr(writer, "width_of_current_line", 0):
            terminal.write("\n")
        terminal.write_line(visible(line))

    def _github_summary(self) -> None:
        path = os.environ.get("GITHUB_STEP_SUMMARY")
        if not path:
            return
        try:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(
                    "### PractiTest\n\n"
                    + "".join(
                        f"- {markdown(line.removeprefix('PractiTest: '))}\n" for line in self.lines
                    )
                )
        except OSError as exc:
            self.warnings.append(f"could not write GITHUB_STEP_SUMMARY: {exc.strerror or exc}")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.lines and not self.warnings:
            return
        terminalreporter.section("PractiTest")
        if (renamed := self.redactor.renamed()) is not None:
            self.warnings.append(renamed)
        for warning in capped(self.warnings):
            terminalreporter.write_line(
                visible(f"PractiTest: warning: {self.redactor.text(warning)}")
            )
        for line in self.lines:
            terminalreporter.write_line(visible(line))


_MARKDOWN = re.compile(r"([\\`*_\[\]()|~])")


def markdown(text: str) -> str:
    """``text`` as literal Markdown on one line: node ids hold ``[``, ``*``, ``_``, ``<``...
    and GitHub renders the step summary (HTML included)."""
    text = visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", text)
