"""What an answer means for the records it was about: one table, for every post the uploader makes.

============================  =========================================================
the service answers           what the uploader does
============================  =========================================================
2xx naming each run           done: each record is marked delivered
401; 403 on the endpoint;     ``STOP``: the delivery ends, every record not yet
405, 406; a 404 for the       delivered stays in the spool for ``practitest upload``
project itself; nothing sent
(after retries); a 429 past
the deadline
400, 404, 409, 413, 422       ``REFUSED``: about one record or more; with pointers the
                              records pointed at are rejected with the service's words,
                              without them the request is split until each refusal is
                              one record's. What a refused bulk may have stored is
                              looked for by key before anything is posted again.
5xx, reset, timeout, an       ``UNCLEAR``: the request may have been stored; it is
answer that cannot be read    looked for by key (after a wait) and only what is missing
or does not say what was      is posted again
stored
============================  =========================================================

(A 429 is waited for in the client and never reaches this table unless the wait
would pass the deadline.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum

from ..errors import APIError, FieldError

#: statuses that are about the request's content: some record in it
REFUSALS = frozenset({400, 404, 409, 413, 422})


class Verdict(Enum):
    STOP = "stop"
    REFUSED = "refused"
    UNCLEAR = "unclear"


def classify(error: APIError) -> Verdict:
    """What ``error`` (the answer to a post of records) means for them."""
    if error.ambiguous:
        return Verdict.UNCLEAR
    if error.status in REFUSALS:
        return Verdict.REFUSED
    if error.status is not None and error.status >= 500:
        return Verdict.UNCLEAR  # a 5xx to a post is ambiguous; kept here for any method
    return Verdict.STOP


class AnsweredUnclearly(APIError):
    """A 2xx to a post that does not say what was stored (one object, ``{}``, no ids).

    The server answered, so it is done: what it stored is looked for at once, with
    no wait for a post still being processed.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__("POST", path, reason, ambiguous=True)


def pointed(errors: Sequence[FieldError], size: int) -> dict[int, list[str]]:
    """The entries of a batch of ``size`` the errors point at (``/data/3/...``): details."""
    bad: dict[int, list[str]] = {}
    for item in errors:
        found = re.match(r"^/data/(\d+)(?:/|$)", item.pointer or "")
        if found and int(found.group(1)) < size:
            bad.setdefault(int(found.group(1)), []).append(item.detail)
    return bad
