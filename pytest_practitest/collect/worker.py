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
from typing import Any

import pytest

from ..errors import ConfigError
from ..mapping import MARKER_FORM, Mapped, MappingFile, base_node_id, parse_entry, target_kwargs
from ..model import Target
from . import hooks
from .steps import Capture, current

PROPERTY = "practitest"


def map_item(
    item: pytest.Item, mapping: MappingFile | None, problems: list[str] | None = None
) -> tuple[Mapped, Mapped] | None:
    """Where the item goes, and where its function goes (for the one-run-per-function policy).

    None means the default: tests named after the node id and the function's id.
    A ``pytest_practitest_map_item`` hook that raises is put in ``problems`` and
    the markers and the mapping file decide instead.
    """
    hooked, problem = hooks.call(
        item.config.hook.pytest_practitest_map_item,
        "markers and the mapping file decided instead",
        item=item,
    )
    if problem is not None and problems is not None:
        problems.append(problem)
    if hooked is not None:
        target = hooked if isinstance(hooked, Target) else Target(**hooked)
        return Mapped(target, {}, "hook"), Mapped(target, {}, "hook")
    marker = item.get_closest_marker("practitest")
    if marker is not None and marker.args:
        raise ConfigError(f"{item.nodeid}: use keyword arguments: {MARKER_FORM}")
    chosen = target_kwargs(marker.kwargs) if marker is not None else {}
    if marker is not None and (chosen or not marker.kwargs):
        # A marker with only tags/requirements/steps (for sync) leaves the target to the rest.
        mapped = parse_entry(chosen, f"{item.nodeid}: marker", MARKER_FORM)
        mapped = Mapped(mapped.target, mapped.fields, "marker")
        return mapped, mapped
    node_id, function_id = item.nodeid, base_node_id(item.nodeid)
    if mapping is not None:
        exact = mapping.lookup(node_id)
        function = mapping.lookup(function_id)
        if exact is not None or function is not None:
            return exact or function or Mapped(Target(name=node_id)), function or exact or Mapped(
                Target(name=function_id)
            )
    return None


def target_of(item: pytest.Item, mapping: MappingFile | None, parametrized: str) -> Target:
    """Where ``item``'s result will go: as ``map_item`` says, else named after its node id
    (or its function's, one run per function)."""
    try:
        found = map_item(item, mapping)
    except ConfigError:
        found = None
    per_function = parametrized == "function" and getattr(item, "callspec", None) is not None
    if found is not None:
        return found[1].target if per_function else found[0].target
    return Target(name=base_node_id(item.nodeid) if per_function else item.nodeid)


class CapturePlugin:
    """Registered (as ``practitest-capture``) wherever tests run, when reporting is on."""

    def __init__(self, mapping: MappingFile | None, artifacts: Path) -> None:
        self.mapping = mapping
        self.artifacts = artifacts
        # One folder per process: xdist workers never write into each other's.
        self._own_artifacts = artifacts / str(os.getpid())

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        current.set(Capture(self._own_artifacts))

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
        try:
            found = map_item(item, self.mapping, capture.problems)
        except ConfigError as exc:
            found = Mapped(Target(name=item.nodeid)), Mapped(Target(name=item.nodeid))
            payload["mapping_error"] = str(exc)
        if found is not None:
            payload["mapped"], payload["function"] = found[0].to_json(), found[1].to_json()
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
