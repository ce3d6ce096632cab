"""Steps and attachments from inside a test: ``step`` and ``attach``.

Both work with or without the plugin: when no result is being recorded
(reporting off, or outside a test) they do nothing but run your code.
"""

from __future__ import annotations

import functools
import os
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..spool.redact import Redactor

F = TypeVar("F", bound=Callable[..., Any])


class Capture:
    """What one test recorded: steps and files (files are paths on disk).

    A plain class, not a dataclass: this module is imported with the package,
    even when reporting is off, and defining a dataclass costs import time.
    """

    __slots__ = ("artifacts", "files", "mask", "problems", "stack", "steps")

    def __init__(self, artifacts: Path, mask: Redactor | None = None) -> None:
        self.artifacts = artifacts
        #: secrets out of attached bytes and their names before they are written
        self.mask = mask
        self.steps: list[dict[str, Any]] = []
        self.files: list[dict[str, str]] = []
        self.stack: list[str] = []
        #: users' hooks that raised for this test (see ``hooks``)
        self.problems: list[str] = []

    def save(self, data: bytes | str | os.PathLike[str], name: str | None) -> dict[str, str]:
        """Keep bytes in a file under the artifacts directory; paths stay where they are."""
        if isinstance(data, bytes):
            from ..spool.private import private_dirs, write_private  # only when there are bytes

            private_dirs(self.artifacts)
            if self.mask is not None:
                data, name = self.mask.data(data), name and self.mask.text(name)
            safe = re.sub(r"[^\w.-]+", "_", name or "attachment.bin")[:100]
            path = self.artifacts / f"{uuid.uuid4().hex[:12]}-{safe}"
            write_private(path, data)
            return {"name": name or "attachment.bin", "path": str(path)}
        path = Path(data).resolve()
        return {"name": name or path.name, "path": str(path)}


class _Current:
    """The capture of the test running in this process (tests run one at a time per process).

    A plain holder rather than a ContextVar, so a helper thread the test starts
    can attach files too.
    """

    def __init__(self) -> None:
        self._capture: Capture | None = None

    def get(self) -> Capture | None:
        return self._capture

    def set(self, capture: Capture | None) -> None:
        self._capture = capture


current = _Current()


def attach(data: bytes | str | os.PathLike[str], name: str | None = None) -> None:
    """Attach a file (a path) or bytes to the running test's PractiTest run.

    Inside ``with step(...)``, use the step's own ``attach`` to put it on the step.
    """
    capture = current.get()
    if capture is not None:
        capture.files.append(capture.save(data, name))


class Step:
    """A step being run; ``attach`` puts a file on it, ``actual`` sets its actual result."""

    def __init__(self, capture: Capture | None, entry: dict[str, Any]) -> None:
        self._capture = capture
        self._entry = entry

    def attach(self, data: bytes | str | os.PathLike[str], name: str | None = None) -> None:
        if self._capture is not None:
            self._entry["files"].append(self._capture.save(data, name))

    @property
    def actual(self) -> str | None:
        return self._entry.get("actual")

    @actual.setter
    def actual(self, value: str | None) -> None:
        self._entry["actual"] = value


class _StepContext:
    """``step`` as a context manager and as a decorator."""

    def __init__(
        self, name: str, description: str | None, expected: str | None, actual: str | None
    ) -> None:
        self.name, self.description, self.expected, self.actual = (
            name,
            description,
            expected,
            actual,
        )

    @contextmanager
    def _run(self) -> Iterator[Step]:
        capture = current.get()
        entry: dict[str, Any] = {"name": self.name, "status": "PASSED", "files": []}
        for key in ("description", "expected", "actual"):
            if getattr(self, key) is not None:
                entry[key] = getattr(self, key)
        if capture is not None:
            # Nested steps are flattened; the name shows the path ("outer > inner").
            entry["name"] = " > ".join([*capture.stack, self.name])
            capture.steps.append(entry)
            capture.stack.append(self.name)
        try:
            yield Step(capture, entry)
        except BaseException as error:
            entry["status"] = _status_for(error)
            if "actual" not in entry and entry["status"] == "FAILED":
                entry["actual"] = f"{type(error).__name__}: {error}"[:1000]
            raise
        finally:
            if capture is not None:
                capture.stack.pop()

    def __enter__(self) -> Step:
        self._cm = self._run()
        return self._cm.__enter__()

    def __exit__(self, *exc: Any) -> bool | None:
        return self._cm.__exit__(*exc)

    def __call__(self, function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _StepContext(self.name, self.description, self.expected, self.actual):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def _status_for(error: BaseException) -> str:
    kind = type(error).__name__
    if kind == "Skipped":  # pytest.skip() inside a step
        return "NO RUN"
    return "FAILED"


def step(
    name: str,
    description: str | None = None,
    expected: str | None = None,
    actual: str | None = None,
) -> _StepContext:
    """A step of the running test, as a context manager or a decorator::

        with step("pay by card", expected="receipt shown") as s:
            s.attach(screenshot_bytes, "receipt.png")
            ...

        @step("log in")
        def login(user): ...

    The step passes unless an exception leaves it (then it fails, and the
    exception goes on). Nested steps become one flat list with path names
    (``outer > inner``).
    """
    return _StepContext(name, description, expected, actual)
