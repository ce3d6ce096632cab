"""Hooks that other plugins and conftest files can implement (``pytest_practitest_*``).

Mark implementations ``@pytest.hookimpl(optionalhook=True)``: pytest then accepts the
conftest when this plugin is not loaded (``pytest -p no:practitest``) instead of
stopping with ``unknown hook``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .model import RunRecord, Target


@pytest.hookspec(firstresult=True)
def pytest_practitest_map_item(item: pytest.Item) -> Target | None:
    """Say where ``item``'s result goes; return None to let markers and the mapping file decide.

    Runs where the test runs (on xdist workers too). Example, mapping by a
    docstring tag::

        @pytest.hookimpl(optionalhook=True)
        def pytest_practitest_map_item(item):
            match = re.search(r"PT-(\\d+)", item.obj.__doc__ or "")
            if match:
                return Target(test_id=int(match.group(1)))
    """


@pytest.hookspec(firstresult=True)
def pytest_practitest_modify_record(record: RunRecord) -> RunRecord | None:
    """Return a changed copy of ``record`` (``dataclasses.replace``) before it is spooled.

    Runs once per result, in the process that uploads (the xdist controller).
    Return None to keep the record as it is. Example, tagging the build::

        @pytest.hookimpl(optionalhook=True)
        def pytest_practitest_modify_record(record):
            return dataclasses.replace(record, version=os.environ["BUILD_NUMBER"])
    """


@pytest.hookspec
def pytest_practitest_add_artifacts(item: pytest.Item, report: pytest.TestReport) -> Any:
    """Attach files to ``item``'s run after each phase (``report.when``); e.g. a screenshot.

    Call ``pytest_practitest.attach(data_or_path, name)`` here, or return a
    list of ``(name, bytes_or_path)`` pairs. Runs where the test runs, with
    its fixtures still set up during the ``call`` phase's report::

        @pytest.hookimpl(optionalhook=True)
        def pytest_practitest_add_artifacts(item, report):
            if report.when == "call" and report.failed and "page" in item.funcargs:
                return [("screenshot.png", item.funcargs["page"].screenshot())]
    """
