"""The ``practitest`` command's plugins: a pluggy manager with the plugin's own hook specs.

Modules come from the ``practitest`` entry-point group (a package declares
``[project.entry-points.practitest] name = "module"``) and from ``-p MODULE`` on the
command line (the current folder is searched first, as ``python -m`` would); ``-p
no:NAME`` blocks an entry point. As under pytest, a module-level function named
``pytest_practitest_*`` is an implementation whether or not it is marked with
``@pytest.hookimpl``, so the same module works as a pytest plugin and here.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pluggy

from .. import hookspecs
from ..collect import hooks
from ..errors import ConfigError

ENTRY_POINT_GROUP = "practitest"
PREFIX = "pytest_practitest_"


class CommandPlugins(pluggy.PluginManager):
    """pytest's project name, so ``@pytest.hookimpl`` marks work here as well."""

    def __init__(self) -> None:
        super().__init__("pytest")
        self.add_hookspecs(hookspecs)
        self.failures = hooks.Failures()

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith(PREFIX) and callable(getattr(plugin, name, None)):
            return {}  # unmarked, as pytest takes it
        return opts

    def call(self, name: str, fallback: str, **kwargs: Any) -> Any:
        """Call hook ``name`` if any plugin has it; one that raises is counted, not fatal."""
        result, problem = hooks.call(getattr(self.hook, name), fallback, **kwargs)
        if problem is not None:
            self.failures.add(problem)
        return result

    def record_hooks(self) -> tuple[Callable[..., Any] | None, Callable[..., Any] | None]:
        """(map_testcase, modify_record) for the converter, None where nobody implements it."""
        map_testcase = modify = None
        if self.hook.pytest_practitest_map_testcase.get_hookimpls():

            def map_testcase(case: Any, path: Path) -> Any:
                return self.call(
                    "pytest_practitest_map_testcase",
                    "the testcase went by its properties, the mapping file or its name",
                    case=case,
                    path=path,
                )

        if self.hook.pytest_practitest_modify_record.get_hookimpls():

            def modify(record: Any) -> Any:
                changed = self.call(
                    "pytest_practitest_modify_record",
                    "the record went unmodified",
                    record=record,
                )
                return record if changed is None else changed

        return map_testcase, modify


def load(names: Sequence[str]) -> CommandPlugins:
    """The entry-point group's plugins and ``names`` (``-p``), registered; ConfigError if not."""
    manager = CommandPlugins()
    blocked = [name[3:] for name in names if name.startswith("no:")]
    for name in blocked:
        manager.set_blocked(name)
    manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    here = str(Path.cwd())
    if here not in sys.path:
        sys.path.insert(0, here)
    for name in names:
        if name.startswith("no:") or manager.is_blocked(name):
            continue
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            raise ConfigError(f"-p {name}: cannot import it ({error})") from None
        manager.register(module, name)
    return manager
