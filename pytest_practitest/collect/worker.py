"""The side that runs the tests (the only process, or an xdist worker).

For each test it opens a ``steps.Capture`` before setup, lets artifact hooks
add files after each phase, and hangs everything the controller needs (where
the result goes, steps, files) on the teardown report as one JSON string in
its ``practitest`` attribute. pytest serializes a report's attributes for
xdist, so it reaches the uploading process; and unlike ``user_properties``,
``--junitxml`` does not write it into the user's report.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..mapping import MappingFile, junit_property
from . import hooks
from .steps import Capture, current
from .target import place

if TYPE_CHECKING:
    from ..spool.redact import Redactor

PROPERTY = "practitest"


class CapturePlugin:
    """Registered (as ``practitest-capture``) wherever tests run, when reporting is on."""

    def __init__(
        self,
        mapping: MappingFile | None,
        artifacts: Path,
        mask: Redactor | None = None,
    ) -> None:
        self.mapping = mapping
        self.artifacts = artifacts
        self.mask = mask  # secrets out of attached bytes and their names
        # One folder per process: xdist workers never write into each other's.
        self._own_artifacts = artifacts / str(os.getpid())

    @staticmethod
    def _junitxml(item: pytest.Item) -> bool:
        return bool(getattr(item.config.option, "xmlpath", None))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        current.set(Capture(self._own_artifacts, self.mask))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[Any]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report: pytest.TestReport = yield
        capture = current.get()
        if capture is None:
            return report
        results, problem = hooks.call(
            item.config.hook.pytest_practitest_add_artifacts,
            "the files it would have added are not attached",
            item=item,
            report=report,
        )
        if problem is not None:
            capture.problems.append(problem)
        for result in results or ():
            for name, data in result or ():
                capture.files.append(capture.save(data, name))
        if report.when != "teardown":
            return report
        payload: dict[str, Any] = {}
        placement = place(item, self.mapping, capture.problems)
        placement.to_payload(payload)
        # pytest's --junitxml writes a marker's (or the hook's) target as a <property>:
        # import-junit of that file lands where reporting does (the mapping file it reads).
        mapped = placement.item
        if mapped is not None and mapped.source in ("marker", "hook") and self._junitxml(item):
            report.user_properties.append(junit_property(mapped.target))
        callspec = getattr(item, "callspec", None)
        if callspec is not None:
            payload["param_id"] = callspec.id
        if capture.steps:
            payload["steps"] = capture.steps
        if capture.files:
            payload["files"] = capture.files
        if capture.problems:
            payload["hook_problems"] = capture.problems
        current.set(None)
        # Only what differs from the defaults, as one string: pytest keeps every report until
        # the end, strings are invisible to the garbage collector, and a plain test's run
        # allocates next to nothing here (this is per test; bench P3).
        if payload:
            setattr(report, PROPERTY, json.dumps(payload))
        return report
