"""Hooks that other plugins and conftest files can implement (``pytest_practitest_*``).

One set of specs for both entry points: pytest's plugin manager registers them for
``pytest --practitest`` (``plugin.pytest_addhooks``), and the ``practitest`` command's own
pluggy manager (``cli/plugins.py``) for ``import-junit``, where modules come from the
``practitest`` entry-point group and ``-p MODULE``. The marker is pytest's
(``pluggy.HookspecMarker("pytest")`` is what ``pytest.hookspec`` is), so one module serves
both: ``pytest -p mymodule --practitest`` and ``practitest import-junit -p mymodule``.
``map_item`` and ``add_artifacts`` run only under pytest, ``map_testcase`` only for
JUnit files, ``modify_record`` under both.

Mark implementations ``@pytest.hookimpl(optionalhook=True)``: pytest then accepts the
conftest when this plugin is not loaded (``pytest -p no:practitest``) instead of
stopping with ``unknown hook``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from .model import RunRecord, Target

hookspec = pluggy.HookspecMarker("pytest")


@hookspec(firstresult=True)
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


@hookspec(firstresult=True)
def pytest_practitest_modify_record(record: RunRecord) -> RunRecord | None:
    """Return a changed copy of ``record`` (``dataclasses.replace``) before it is spooled.

    Runs once per result: under pytest in the process that uploads (the xdist
    controller), in ``practitest import-junit`` once per testcase. Return None to keep
    the record as it is. Example, tagging the build (for pytest and import-junit alike)::

        @pytest.hookimpl(optionalhook=True)
        def pytest_practitest_modify_record(record):
            return dataclasses.replace(record, version=os.environ["BUILD_NUMBER"])
    """


@hookspec(firstresult=True)
def pytest_practitest_map_testcase(case: Any, path: Path) -> Target | None:
    """Say where a JUnit testcase's result goes (``practitest import-junit``); None to defer.

    Called before the testcase's properties, the mapping file and the name template are
    tried. ``case`` (``pytest_practitest.junit.reader.Case``) has ``name``,
    ``classname``, ``file``, ``suites`` (the enclosing suite names, outermost first),
    ``properties`` and ``outcome``; ``path`` is the XML file. Example, a key in the
    test's name::

        @pytest.hookimpl(optionalhook=True)
        def pytest_practitest_map_testcase(case, path):
            match = re.search(r"PT-(\\d+)", case.name)
            if match:
                return Target(test_id=int(match.group(1)))
    """


@hookspec
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
