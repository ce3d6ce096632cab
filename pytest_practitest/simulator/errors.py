"""JSON:API error responses the simulator sends."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from .response import Response


@dataclass(frozen=True)
class ErrorItem:
    """One entry of a JSON:API ``errors`` array."""

    detail: str
    pointer: str | None = None
    parameter: str | None = None


class APIError(Exception):
    """Raised by handlers; the server turns it into a JSON:API error body."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        pointer: str | None = None,
        parameter: str | None = None,
        headers: dict[str, str] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.items = [ErrorItem(detail, pointer, parameter)]
        self.headers = dict(headers or {})
        self.meta = meta

    @classmethod
    def many(cls, status: int, items: list[ErrorItem]) -> APIError:
        """One error response that reports several problems at once."""
        error = cls(status, items[0].detail)
        error.items = list(items)
        return error

    def body(self) -> dict[str, Any]:
        title = HTTPStatus(self.status).phrase
        errors: list[dict[str, Any]] = []
        for item in self.items:
            entry: dict[str, Any] = {
                "status": str(self.status),
                "title": title,
                "detail": item.detail,
            }
            if item.pointer is not None:
                entry["source"] = {"pointer": item.pointer}
            elif item.parameter is not None:
                entry["source"] = {"parameter": item.parameter}
            errors.append(entry)
        body: dict[str, Any] = {"errors": errors}
        if self.meta:
            body["meta"] = self.meta
        return body

    def response(self) -> Response:
        return Response(self.status, self.body(), headers=dict(self.headers))


def bad_request(detail: str, *, parameter: str | None = None) -> APIError:
    return APIError(400, detail, parameter=parameter)


def unprocessable(detail: str, pointer: str) -> APIError:
    return APIError(422, detail, pointer=pointer)


def not_found(what: str) -> APIError:
    return APIError(404, f"{what} not found")
