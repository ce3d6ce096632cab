"""Where ``practitest upload`` sends a spool's results: the trust boundary, in one place.

A spool made by this machine's own session (``Spool.trusted``, proven by ``spool/origin``)
keeps its destination; the publisher's flags re-target it, and what it lacks comes from
the publisher's environment, ini file or defaults. A bundle, or a spool from elsewhere,
carries results only: the URL, project, test set, create-missing and author are the
publisher's (flags > environment > ini > defaults). One that names another URL or project
than the publisher's environment or ini is refused, so that a publish job never sends
results (or its token) anywhere a bundle chose. Its records lose their tester and any
custom field the publisher does not allow (``--bundle-fields``).
"""

from __future__ import annotations

import shlex
from dataclasses import replace
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..limits import resolve_base_url
from ..model import Destination, RunRecord

if TYPE_CHECKING:
    from ..settings import Settings
    from ..spool.journal import Spool

KEYS = ("url", "project_id", "set_id", "set_name", "create_missing", "author_id")


class Refused(ConfigError):
    """A spool from elsewhere names another URL or project than the publisher's."""


class Publisher:
    """The destination ``practitest upload`` itself resolves, and which parts flags gave."""

    def __init__(self, settings: Settings) -> None:
        self.destination = Destination.of(settings)
        self.flags = {k for k in KEYS if settings.sources.get(k, "").startswith("--")}
        self.sources = settings.sources
        self.allowed = frozenset(settings.bundle_fields)
        # What this command's flags gave that a resume must repeat (``again``); the rest is
        # in the spool or in the environment a resume runs in.
        flagged = {k for k, source in settings.sources.items() if source.startswith("--")}
        rest: list[str] = []
        if "map" in flagged and settings.map is not None:
            rest += ["--map", str(settings.map)]
        for name, value in settings.fields if "fields" in flagged else ():
            rest += ["--field", f"{name}={value}"]
        if "version" in flagged and settings.version is not None:
            rest += ["--run-version", settings.version]
        if "bundle_fields" in flagged:
            rest += ["--bundle-fields", ",".join(settings.bundle_fields)]
        self.rest = rest
        #: --redact values are secrets: a resume line asks for them, never prints them
        self.redacts = "redact" in flagged

    def _given(self, key: str) -> str:
        return {
            "url": "--url, PRACTITEST_URL or ini practitest_url",
            "project_id": "--project-id, PRACTITEST_PROJECT_ID or ini practitest_project_id",
        }[key]

    def destination_of(self, spool: Spool) -> Destination:
        """Where ``spool``'s results go; Refused when a spool from elsewhere names another
        URL or project."""
        named = spool.meta.destination
        if spool.trusted:
            return self._kept(named)
        what = "the bundle" if spool.meta.bundle else "the spool (not made by a session here)"
        mine = self.destination
        if (
            named.url is not None
            and "url" not in self.flags
            and _base(named.url) != _base(mine.url or "us")
        ):
            raise Refused(
                f"{spool.path}: refused: {what} names {named.url!r}, but this upload sends to "
                f"{_base(mine.url or 'us')} ({self._given('url')}); nothing was sent"
            )
        if (
            named.project_id
            and "project_id" not in self.flags
            and mine.project_id is not None
            and named.project_id != mine.project_id
        ):
            raise Refused(
                f"{spool.path}: refused: {what} names project {named.project_id}, but this "
                f"upload sends to project {mine.project_id} ({self._given('project_id')}); "
                "nothing was sent"
            )
        return mine

    def _kept(self, named: Destination) -> Destination:
        """A spool made here: its own destination, flags re-target, the rest fills gaps."""
        mine = self.destination
        changes = {key: getattr(mine, key) for key in self.flags}
        if "set_id" in self.flags or "set_name" in self.flags:
            changes.update(set_id=mine.set_id, set_name=mine.set_name)
        if named.url is None:
            changes.setdefault("url", mine.url)
        if not named.project_id:
            changes.setdefault("project_id", mine.project_id)
        if named.set_id is None and not named.set_name:
            changes.setdefault("set_id", mine.set_id)
            changes.setdefault("set_name", mine.set_name)
        if named.author_id is None:
            changes.setdefault("author_id", mine.author_id)
        return replace(named, **changes)

    def set_source(self, spool: Spool) -> str | None:
        """What named the test set ``spool``'s results go to, for the line that says it is
        not there: the spool's own (made here, not re-targeted), else where this upload's
        set id came from."""
        named = spool.meta.destination
        if (
            spool.trusted
            and not {"set_id", "set_name"} & self.flags
            and (named.set_id is not None or named.set_name)
        ):
            return f"the test set {spool.path} names, or re-target it with --set-id or --set-name"
        return self.sources.get("set_id")

    def project_source(self, spool: Spool) -> str | None:
        """What named the project, as ``set_source`` says it for the set."""
        named = spool.meta.destination
        if spool.trusted and "project_id" not in self.flags and named.project_id is not None:
            return f"the project {spool.path} names, or re-target it with --project-id"
        return self.sources.get("project_id")

    def again(self, where: Destination, kept: bool = True) -> tuple[str, str, str]:
        """The flags a resume must repeat, each with a leading space: where to; the
        knobs a re-targeting advice names itself (``--create-missing``, ``--author-id``);
        and the rest (``--map``, ``--field``, ``--run-version``, ``--bundle-fields``).
        ``kept``: every spool keeps its own destination (made here), so only what flags
        changed; else (a bundle, which names none) all of it, wherever it came from."""
        given = self.flags if kept else set(KEYS)
        to: list[str] = []
        if "url" in given and where.url and _base(where.url) != _base("us"):
            to += ["--url", where.url]
        if "project_id" in given and where.project_id:
            to += ["--project-id", str(where.project_id)]
        if "set_id" in given and where.set_id is not None:
            to += ["--set-id", str(where.set_id)]
        elif "set_name" in given and where.set_name:
            to += ["--set-name", where.set_name]
        how: list[str] = []
        if "create_missing" in given and where.create_missing:
            how.append("--create-missing")
        if "author_id" in given and where.author_id is not None:
            how += ["--author-id", str(where.author_id)]
        return _flags(to), _flags(how), _flags(self.rest)

    def results_only(self, spool: Spool) -> int:
        """A spool from elsewhere: its pending records without tester and without the
        custom fields the publisher does not allow; how many records lost something."""
        if spool.trusted:
            return 0
        changed = 0
        for key, record in list(spool.records.items()):
            kept = _allowed(record, self.allowed)
            if kept is not record:
                spool.records[key] = kept
                changed += 1
        return changed


def _allowed(record: RunRecord, allowed: frozenset[str]) -> RunRecord:
    fields = record.custom_fields
    if "*" not in allowed:
        fields = {name: value for name, value in fields.items() if name in allowed}
    if record.tester_id is None and len(fields) == len(record.custom_fields):
        return record
    return replace(record, tester_id=None, custom_fields=fields)


def _flags(parts: list[str]) -> str:
    return "".join(f" {shlex.quote(part)}" for part in parts)


def _base(url: str) -> str:
    try:
        return resolve_base_url(url).lower()
    except ConfigError:
        return url
