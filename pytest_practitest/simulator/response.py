"""What a handler returns."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Response:
    """A status, a JSON body (or raw bytes) and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"

    def payload(self) -> bytes:
        """The encoded body, computed once (the request log and the socket both need it)."""
        if self.raw is None:
            self.raw = b"" if self.body is None else json.dumps(self.body).encode("utf-8")
        return self.raw
