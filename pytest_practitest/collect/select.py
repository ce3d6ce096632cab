"""``--practitest-select``: run only what the test set plans, by pytest's own deselection.

Each collected test's target (hook, marker, mapping file or name rule: the same
resolution as reporting) must land on a planned instance; the others go through
``pytest_deselected``, so ``-v``, ``--co`` and the "N deselected" line show them, and
``-k``/``-m`` work as usual. A test mapped to an instance of another set is selected
by its test's instance in the set, as reporting moves its result there (the plan learns
which test such an instance stands for). The xdist controller fetches the plan once and
hands it to its workers; each worker says back which instances its tests landed on, so the
summary can name the planned instances no test here stands for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import pytest

from ..errors import PractiTestError
from ..events import capped
from ..mapping import MappingFile
from ..model import Target
from .target import target_of

WORKER_KEY = "practitest_plan"
SEEN_KEY = "practitest_selected"


class Planned(Protocol):
    instances: list[dict[str, Any]]

    def instance_of(self, target: Target) -> int | None: ...
    def learn(self, targets: list[Target]) -> None: ...
    def missing(self, seen: Any) -> list[str]: ...
    def to_json(self) -> dict[str, Any]: ...


class Selector:
    """Registered (as ``practitest-select``) wherever tests are collected, and on the
    xdist controller, when ``--practitest-select`` is on."""

    def __init__(
        self,
        plan: Planned,
        mapping: MappingFile | None,
        parametrized: str,
        line: str = "",
        mask: Callable[[str], str] | None = None,
    ) -> None:
        self.plan = plan
        self.mapping = mapping
        self.parametrized = parametrized
        self.mask = mask  # a secret in a test's name, as reporting masks it
        self.line = line
        self.seen: set[int] = set()
        self.problem: str | None = None  # why instances of another set could not be placed

    @pytest.hookimpl(trylast=True)  # after -k and -m: this narrows what they kept
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        keep, drop = [], []
        targets = [target_of(item, self.mapping, self.parametrized, self.mask) for item in items]
        try:  # a marker's or a hook's instance of another set: which test it stands for
            self.plan.learn(targets)
        except PractiTestError as error:
            self.problem = f"tests mapped to an instance of another set are deselected: {error}"
        for item, target in zip(items, targets, strict=True):
            instance = self.plan.instance_of(target)
            if instance is None:
                drop.append(item)
            else:
                keep.append(item)
                self.seen.add(instance)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[WORKER_KEY] = self.plan.to_json()

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        self.seen.update(getattr(node, "workeroutput", {}).get(SEEN_KEY, ()))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        output = getattr(session.config, "workeroutput", None)
        if output is not None:  # an xdist worker: tell the controller
            output[SEEN_KEY] = sorted(self.seen)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(terminalreporter.config, "workerinput"):
            return
        missing = self.plan.missing(self.seen)
        planned = len(self.plan.instances)
        # "17 of the 17 instances" alone read as 17 tests selected when 8 have no test here.
        covered = f"; {planned - len(missing)} of the {planned} have a test here" if missing else ""
        terminalreporter.write_line(
            f"PractiTest: selected the tests planned in {self.line}{covered}"
        )
        if self.problem is not None:
            terminalreporter.write_line(f"PractiTest: warning: {self.problem}")
        if missing:
            count = len(missing)
            terminalreporter.write_line(
                f"PractiTest: {count} planned instance{'s' if count != 1 else ''} "
                f"{'have' if count != 1 else 'has'} no test here:"
            )
            for name in capped(missing):
                terminalreporter.write_line(f"  {name}")
