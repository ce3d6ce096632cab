"""What sends a spool's rejected results again: one wording for the end of an upload
(``upload/summary.py``) and for the earlier spools a session names (``cleanup.py``).

A rejected result goes again as it is, and is refused again, unless it is re-targeted
(or what the rejection names is fixed): a plain ``practitest upload`` is not the advice.
"""

from __future__ import annotations

from collections.abc import Iterable

#: in the reason of a result with nowhere to go (``targets.Resolver.why_missing``)
NO_INSTANCE = "has no instance in"
#: and what it is told to do (create-missing off), by either way of sending it
MISSING_ADVICE = (
    "map it, or turn on create-missing (--create-missing; in pytest --practitest-create-missing)"
)


#: in the reason of a result whose test could not be created without an author (or with
#: one PractiTest refused)
NEEDS_AUTHOR = "creating tests with an account token needs an author"
REFUSED_AUTHOR = "PractiTest refused author id"
#: how either is mended, from pytest or from the commands
AUTHOR_ADVICE = (
    "the id of a user of the account (--author-id; in pytest --practitest-author-id), "
    "or a personal token"
)


def retarget(them: str, spools: str, reasons: Iterable[str]) -> str:
    """How to re-target rejected results (``them``: "it" or "them") in ``spools`` (paths),
    by what PractiTest said (``reasons``): the flags that send them elsewhere."""
    reasons = list(reasons)
    if any(NEEDS_AUTHOR in reason or REFUSED_AUTHOR in reason for reason in reasons):
        # create-missing was on, and creating needs a user's id: --create-missing alone
        # would be refused again
        return (
            f"send {them} with practitest upload {spools} --create-missing --author-id ID "
            "(ID: a user of the account)"
        )
    if any(NO_INSTANCE in reason for reason in reasons):
        return (
            f"re-target {them} with practitest upload {spools} "
            "--create-missing (an account token also needs --author-id), "
            "--set-id/--set-name (another set) or --map FILE (other tests)"
        )
    return (
        f"fix what the rejection says, or re-target {them} with "
        f"practitest upload {spools} --map FILE"
    )
