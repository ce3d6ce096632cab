"""Users' hooks, called so that one that raises never breaks the test run.

The result goes on without what the hook would have given (its default
target, the record unmodified, no extra files), and the summary names the
hook, the exception and where it was raised, once per distinct failure, with
how many tests it touched.
"""

from __future__ import annotations

import traceback
from collections import Counter
from pathlib import Path
from typing import Any


def raised_at(error: BaseException) -> str:
    """``conftest.py:12``: the innermost frame of the exception's traceback."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "unknown place"
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}"


def failure(hook: str, error: BaseException, fallback: str) -> str:
    """One line for a hook that raised, and what was done instead."""
    return f"a {hook} hook raised {type(error).__name__}: {error} at {raised_at(error)}; {fallback}"


def call(hook: Any, fallback: str, **kwargs: Any) -> tuple[Any, str | None]:
    """Call ``hook`` if anyone implements it: (its result, None), or (None, what went wrong)."""
    if not hook.get_hookimpls():  # no call, and no cost, when nobody implements it
        return None, None
    try:
        return hook(**kwargs), None
    except Exception as error:
        return None, failure(hook.name, error, fallback)


class Failures:
    """Hook failures seen during the session, counted by message."""

    def __init__(self) -> None:
        self._seen: Counter[str] = Counter()

    def add(self, message: str) -> None:
        self._seen[message] += 1

    def lines(self) -> list[str]:
        return [
            f"{message} (for {count} test{'s' if count != 1 else ''})"
            for message, count in self._seen.items()
        ]
