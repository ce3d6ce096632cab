"""Answers that parsed but are not what the endpoint gives: one-line errors, never a TypeError.

Kept apart from ``client`` (no ``requests`` here), so the upload stage can check
a body's shape without loading the HTTP stack.
"""

from __future__ import annotations

from typing import Any

from ..errors import TransportError

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})


def unexpected_shape(method: str, path: str, expected: str) -> TransportError:
    """An answer that parsed but is not what the endpoint gives (``expected``)."""
    return TransportError(
        method,
        path,
        f"the answer did not hold {expected}",
        hint="PractiTest answered in an unexpected shape",
        ambiguous=method not in IDEMPOTENT,
    )


def data_of(answer: Any, method: str, path: str, kind: type[Any] = dict) -> Any:
    """``answer["data"]`` when it is a ``kind`` (an object, or a bulk's list), else an APIError."""
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, kind) or (kind is list and not all(isinstance(i, dict) for i in data)):
        raise unexpected_shape(method, path, "a list under data" if kind is list else "data")
    return data
