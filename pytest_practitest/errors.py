"""Errors the client raises. Messages name the method and path, never the token.

Each says what was asked, what happened and what to try, in one line.
"""

from __future__ import annotations

from typing import NamedTuple

#: how every failure to reach the server begins (``api/network.describe``); the upload
#: summary looks for it to say that a resume goes to the same URL
CONNECT_FAILED = "could not connect"


class PractiTestError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(PractiTestError):
    """A setting is wrong (bad URL, missing token, ...): a user mistake."""


class DeadlineExceeded(PractiTestError):
    """The overall time allowed for delivery ran out."""


class FieldError(NamedTuple):
    """One entry of a 422 response: what the server said, and where."""

    detail: str
    pointer: str | None = None
    title: str | None = None


class APIError(PractiTestError):
    """A request failed. ``ambiguous`` means the server may have stored it anyway."""

    status: int | None = None
    default_hint = ""

    def __init__(
        self,
        method: str,
        path: str,
        reason: str,
        *,
        status: int | None = None,
        hint: str | None = None,
        ambiguous: bool = False,
        errors: tuple[FieldError, ...] = (),
        retry_after: float | None = None,
        late: bool = False,
    ) -> None:
        self.method = method
        self.path = path
        self.reason = reason
        if status is not None:
            self.status = status
        self.hint = self.default_hint if hint is None else hint
        self.ambiguous = ambiguous
        self.errors = errors
        self.retry_after = retry_after
        #: the server may still be working on it (our read timed out, or a gateway's did)
        self.late = late
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.status is not None:
            from http import (
                HTTPStatus,
            )  # here, not at import: the plugin loads this module when off

            phrases = {s.value: s.phrase for s in HTTPStatus}
            what = (
                f"{self.status} {phrases[self.status]}"
                if self.status in phrases
                else str(self.status)
            )
            text = f"{self.method} {self.path} failed: {what}: {self.reason}"
        else:
            text = f"{self.method} {self.path} failed: {self.reason}"
        return f"{text}; {self.hint}" if self.hint else text


class AuthError(APIError):
    status = 401
    default_hint = "check PRACTITEST_TOKEN: PractiTest refused it"


class ForbiddenError(APIError):
    status = 403
    default_hint = "check that this token may see the project and do this"


class NotFoundError(APIError):
    status = 404
    default_hint = "check PRACTITEST_PROJECT_ID and the ids in your mapping"


class MethodNotAllowedError(APIError):
    status = 405


class NotAcceptableError(APIError):
    status = 406


class BadRequestError(APIError):
    status = 400


class ValidationError(APIError):
    status = 422


class RateLimitError(APIError):
    status = 429
    default_hint = "other jobs share the account's 30 calls per minute; try again later"


class ServerError(APIError):
    # Context-free: where results are kept is for the summary to say, not the error
    # (``practitest check`` has no spool at all).
    default_hint = "PractiTest had a problem; try again later"


class TransportError(APIError):
    """No (usable) HTTP answer: refused, reset, timed out, or a body that is not JSON."""

    default_hint = "check the URL and the network"


BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthError,
    403: ForbiddenError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    406: NotAcceptableError,
    422: ValidationError,
    429: RateLimitError,
}


def error_class(status: int) -> type[APIError]:
    if status >= 500:
        return ServerError
    return BY_STATUS.get(status, APIError)
