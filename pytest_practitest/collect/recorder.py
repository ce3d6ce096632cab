"""pytest reports (setup, call, teardown; reruns) → one RunRecord per test.

Runs in the uploading process. Everything it needs travels on the reports,
so it works the same for a plain run and for xdist workers' reports.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..mapping import Mapped, base_node_id
from ..model import FileRef, RunRecord, Status, StepRecord, Target, status_table
from ..outcomes import worst
from ..settings import Settings
from . import hooks
from .ci import CiInfo
from .target import DEFAULT, Placement

STREAMS = (("stdout", "stdout.txt"), ("stderr", "stderr.txt"), ("log", "log.txt"))


class Phase:
    """One phase's report, read only as far as needed.

    Most phases pass and are looked at for their outcome and duration only, so
    nothing is copied out of the report up front (this runs three times per test).
    """

    __slots__ = ("report",)

    def __init__(self, report: Any) -> None:
        self.report = report

    @property
    def outcome(self) -> str:
        return str(self.report.outcome)

    @property
    def duration(self) -> float:
        return float(getattr(self.report, "duration", 0.0) or 0.0)

    @property
    def longrepr(self) -> str:
        if self.report.outcome != "failed":
            return ""
        return str(getattr(self.report, "longreprtext", "") or "")

    @property
    def crash(self) -> str:
        return _crash_message(self.report) if self.report.outcome == "failed" else ""

    @property
    def skip_reason(self) -> str:
        return _skip_reason(self.report) if self.report.outcome == "skipped" else ""

    @property
    def wasxfail(self) -> str | None:
        return getattr(self.report, "wasxfail", None)

    @property
    def sections(self) -> list[tuple[str, str]]:
        return getattr(self.report, "sections", None) or []


@dataclass(slots=True)
class ItemState:
    phases: dict[str, Phase] = field(default_factory=dict)
    attempts: int = 1
    rerun_pending: bool = False
    #: reports of subtests (``self.subTest``, the ``subtests`` fixture) of this attempt
    subtests: list[Phase] = field(default_factory=list)

    def next_attempt(self) -> None:
        """pytest-rerunfailures runs the test again: only the last attempt becomes the run."""
        self.attempts += 1
        self.phases.clear()
        self.subtests.clear()
        self.rerun_pending = False


def subtest_name(report: Any) -> str | None:
    """``[msg] (i=2)`` for a subtest's report (pytest 9, or pytest-subtests); else None."""
    context = getattr(report, "context", None)
    if context is None or not hasattr(context, "kwargs"):
        return None
    parts = [f"[{context.msg}]"] if getattr(context, "msg", None) is not None else []
    if context.kwargs:
        parts.append("(" + ", ".join(f"{k}={v}" for k, v in context.kwargs.items()) + ")")
    return " ".join(parts) or "(<subtest>)"


def _crash_message(report: Any) -> str:
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return str(crash.message)
    text = str(getattr(report, "longreprtext", "") or "").strip()
    lines = [line for line in text.splitlines() if line.startswith("E ")]
    return lines[0][1:].strip() if lines else text.splitlines()[-1] if text else ""


def _skip_reason(report: Any) -> str:
    longrepr = getattr(report, "longrepr", None)
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return ""


def _steps(payload: Mapping[str, Any]) -> tuple[StepRecord, ...]:
    """The steps a test recorded (``step()``, pytest-bdd), as they came from where it ran."""
    return tuple(
        StepRecord(
            name=s["name"],
            status=Status(s["status"]),
            description=s.get("description"),
            expected=s.get("expected"),
            actual=s.get("actual"),
            files=tuple(FileRef(f["name"], path=f["path"]) for f in s.get("files", [])),
        )
        for s in payload.get("steps", ())
    )


def with_subtests(outcome: str, text: str, subtests: list[Phase]) -> tuple[str, str]:
    """A test whose subtests failed has failed, whatever its own call said; name them.

    ``self.subTest`` failures leave the unittest test's own call "passed"; the
    ``subtests`` fixture fails the call with "contains N failed subtest(s)".
    """
    failed = [s for s in subtests if s.outcome == "failed"]
    if not failed:
        return outcome, text
    names = "; ".join(f"{subtest_name(s.report)}: {s.crash}".rstrip(": ") for s in failed)
    said = f"{len(failed)} subtest{'s' if len(failed) != 1 else ''} failed: {names}"
    if outcome in ("passed", "xpassed") or "failed subtest" in text:
        return "failed", said
    return outcome, f"{text}; {said}" if text else said


def plain_pass(phases: Mapping[str, Phase]) -> float | None:
    """The duration of a test whose setup, call and teardown passed, not as an xfail (most
    tests: ``classify`` would say "passed", with no text); None for any other."""
    if len(phases) != 3 or "call" not in phases:
        return None
    duration = 0.0
    for phase in phases.values():  # setup, call, teardown: summed as Recorder._finish sums
        report = phase.report
        if report.outcome != "passed":
            return None
        duration += getattr(report, "duration", 0.0) or 0.0
    return duration if getattr(phases["call"].report, "wasxfail", None) is None else None


def classify(phases: Mapping[str, Phase]) -> tuple[str, str]:
    """(outcome key, text for the execution output) from the phases of one attempt."""
    setup, call, teardown = phases.get("setup"), phases.get("call"), phases.get("teardown")
    for when, phase in phases.items():  # xdist's report for a crashed worker: phase "???"
        if when not in ("setup", "call", "teardown") and phase.outcome == "failed":
            return "failed", phase.crash
    if setup is not None and setup.outcome == "failed":
        return "error", f"error in setup: {setup.crash}"
    if setup is not None and setup.outcome == "skipped":
        if setup.wasxfail is not None:
            return "xfailed", f"xfail: {setup.wasxfail or setup.skip_reason}"
        return "skipped", f"skipped: {setup.skip_reason}"
    outcome, text = "passed", ""
    if call is not None:
        if call.wasxfail is not None:
            outcome = "xfailed" if call.outcome == "skipped" else "xpassed"
            text = f"{'xfail' if outcome == 'xfailed' else 'xpass'}: {call.wasxfail}".rstrip(": ")
        elif call.outcome == "failed":
            outcome, text = "failed", call.crash
        elif call.outcome == "skipped":
            outcome, text = "skipped", f"skipped: {call.skip_reason}"
    if teardown is not None and teardown.outcome == "failed":
        if outcome in ("passed", "xpassed", "skipped", "xfailed"):
            return "teardown_error", f"error in teardown: {teardown.crash}"
        text += f"\nand error in teardown: {teardown.crash}"
    return outcome, text


class Recorder:
    """Collects reports; calls ``emit`` with each finished RunRecord."""

    def __init__(
        self, settings: Settings, emit: Callable[[RunRecord], None], ci: CiInfo | None = None
    ) -> None:
        self.settings = settings
        self.emit = emit
        self.ci = ci
        self.base_fields = dict(settings.fields)
        if ci is not None and isinstance(settings.ci, Mapping):
            chosen = settings.ci
            self.base_fields.update({chosen[k]: v for k, v in ci.values().items() if k in chosen})
        self._statuses = status_table(settings.status_map)
        #: a test that sent no payload and passed plainly needs nothing but its duration,
        #: unless every test's output is captured or the CI line goes into the output
        self._plain = settings.capture != "all" and not (ci is not None and settings.ci == "output")
        self._items: dict[str, ItemState] = {}
        self._groups: dict[str, list[tuple[RunRecord, Mapped, str | None]]] = {}
        self.mapping_errors: list[str] = []
        self.hook_failures = hooks.Failures()
        self.node_ids: list[str] = []
        #: tests finished at the end because their teardown report never came
        self.orphans: list[str] = []

    def logreport(self, report: Any) -> None:
        node_id = report.nodeid  # a property that builds the string: read once
        state = self._items.get(node_id)
        if state is None:
            state = self._items[node_id] = ItemState()
        if getattr(report, "context", None) is not None and subtest_name(report) is not None:
            state.subtests.append(Phase(report))
            return
        # pytest-rerunfailures marks the report that failed "rerun". A setup or call
        # rerun is followed by that attempt's teardown; a teardown rerun ends it.
        if report.outcome == "rerun":
            if report.when == "teardown":
                state.next_attempt()
            else:
                state.rerun_pending = True
            return
        if state.rerun_pending and report.when == "teardown":
            state.next_attempt()
            return
        when = report.when
        state.phases[when] = Phase(report)
        if when == "teardown":
            del self._items[node_id]
            carried = getattr(report, "practitest", None)  # see worker.py
            payload: Mapping[str, Any] = json.loads(carried) if carried else {}
            self._finish(node_id, state, payload)

    def unfinished(self) -> list[str]:
        """Finish the tests whose teardown report never came; return their node ids.

        A crashed xdist worker's test has a failed report (phase ``???``) and becomes
        a FAILED record. A test that only got through setup (Ctrl-C) has no result,
        and pytest does not count it either: it is left out.
        """
        done = []
        for node_id, state in self._items.items():
            if (
                "call" in state.phases
                or state.subtests
                or any(
                    when not in ("setup", "call") or phase.outcome != "passed"
                    for when, phase in state.phases.items()
                )
            ):
                self._finish(node_id, state, {})
                done.append(node_id)
        self._items.clear()
        return done

    def _finish(self, node_id: str, state: ItemState, payload: Mapping[str, Any]) -> None:
        self.node_ids.append(node_id)
        if not payload and self._plain and not state.subtests and state.attempts == 1:
            duration = plain_pass(state.phases)
            if duration is not None:  # most tests, in a few steps (this runs once per test)
                self.emit(
                    RunRecord(
                        target=Target(name=node_id),
                        status=self._statuses["passed"],
                        label=node_id,
                        duration=duration,
                        custom_fields=dict(self.base_fields),
                        version=self.settings.version,
                    )
                )
                return
        # A plain test sent no payload: the default target, no files, no steps.
        placement = DEFAULT
        files: list[FileRef] = []
        steps: tuple[StepRecord, ...] = ()
        if payload:
            if payload.get("mapping_error"):
                self.mapping_errors.append(str(payload["mapping_error"]))
            for problem in payload.get("hook_problems", ()):
                self.hook_failures.add(problem)
            placement = Placement.from_payload(payload)
            files = [FileRef(f["name"], path=f["path"]) for f in payload.get("files", ())]
            steps = _steps(payload)
        mapped = placement.item  # None: the default (``Placement.of_item``), made cheaply
        outcome, text = classify(state.phases)
        if state.subtests:
            outcome, text = with_subtests(outcome, text, state.subtests)
        status = self._statuses[outcome]
        if state.attempts > 1:
            text = f"{text} ({outcome} on attempt {state.attempts} of {state.attempts})".strip()
        failed = outcome in ("failed", "error", "teardown_error") or any(
            p.outcome == "failed" for p in state.phases.values()
        )
        if failed:
            phases = [*state.phases.items()] + [
                (f"subtest {subtest_name(s.report)}", s) for s in state.subtests
            ]
            traceback = "\n\n".join(f"--- {w} ---\n{p.longrepr}" for w, p in phases if p.longrepr)
            if traceback:
                files.insert(0, FileRef("traceback.txt", data=traceback.encode("utf-8")))
        if self.settings.capture == "all" or (self.settings.capture == "failed" and failed):
            files += self._captured(state)
        fields = {**self.base_fields, **mapped.fields} if mapped else dict(self.base_fields)
        if self.ci is not None and self.settings.ci == "output":
            text = f"{text.strip()}\n{self.ci.line()}" if text.strip() else self.ci.line()
        record = RunRecord(
            target=placement.item_target(node_id),
            status=status,
            label=node_id,
            duration=sum(p.duration for p in state.phases.values()),
            output=text.strip(),
            steps=steps,
            files=tuple(files),
            custom_fields=fields,
            version=self.settings.version,
        )
        if self.settings.parametrized == "function" and payload.get("param_id") is not None:
            function_id = base_node_id(node_id)
            function = placement.of_function(node_id)
            self._groups.setdefault(function_id, []).append((record, function, payload["param_id"]))
            return
        self.emit(record)

    def _captured(self, state: ItemState) -> list[FileRef]:
        files = []
        limit = self.settings.capture_limit
        # Each phase's report repeats the sections of the phases before it ("Captured
        # stdout setup" is in the call's and the teardown's too): each title once.
        sections = {
            title: content
            for phase in state.phases.values()
            for title, content in phase.sections
            if content
        }
        for stream, filename in STREAMS:
            parts = [
                f"--- {title} ---\n{content}"
                for title, content in sections.items()
                if title.lower().startswith(f"captured {stream}")
            ]
            if parts:
                data = "\n".join(parts).encode("utf-8")
                if len(data) > limit:
                    data = data[:limit] + f"\n[… cut at {limit} bytes]".encode()
                files.append(FileRef(filename, data=data))
        return files

    def finish(self) -> None:
        """End of the session: finish orphaned tests; emit the one-run-per-function records."""
        self.orphans = self.unfinished()
        for function_id, members in self._groups.items():
            status = worst(r.status for r, _, _ in members)
            mapped = members[0][1]
            steps = tuple(
                StepRecord(
                    name=f"[{param_id}]",
                    status=record.status,
                    actual=record.output or None,
                    files=record.all_files(),
                )
                for record, _, param_id in members
            )
            failures = [
                f"[{p}] {r.output}"
                for r, _, p in members
                if r.status is not Status.PASSED and r.output
            ]
            self.emit(
                RunRecord(
                    target=mapped.target,
                    status=status,
                    label=function_id,
                    duration=sum(r.duration for r, _, _ in members),
                    output="; ".join(failures),
                    steps=steps,
                    custom_fields={**self.base_fields, **dict(mapped.fields)},
                    version=self.settings.version,
                )
            )
        self._groups.clear()
