"""``practitest upload SPOOL...``: send what spools still hold, never twice; then remove them.

Spools and bundles (``--practitest-defer``) that go to the same place are sent as one
delivery: one rate limiter, one lookup of the test set, posts of 20 across them, each
record once by its key (``spool/merged.py``); then a line per spool says what became
of it. Arguments may be spool files, bundle folders, folders holding them (a CI's
downloaded artifacts) or glob patterns.

Exit codes: 0 all delivered (and, with ``--verify``, each in PractiTest once); 1 some
not; 2 usage or input error.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PractiTestError
from ..events import visible
from ..limits import DEFAULT_RATE_LIMIT
from .flags import add_command_flags, command_values

if TYPE_CHECKING:
    from ..api.ratelimit import RateLimiter
    from ..mapping import MappingFile
    from ..settings import Settings
    from ..spool.journal import Spool, SpoolMeta
    from ..spool.merged import Journal

#: where results go: taken from each spool unless given here (never from the environment,
#: which in CI may belong to another job)
RETARGET = ("project-id", "set-id", "set-name", "create-missing", "map", "version", "field")
#: of those, what a record carries (given to the records that lack it), not the spool's meta
PER_RECORD = ("map", "version", "fields")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``practitest upload``."""
    parser.add_argument(
        "spool",
        type=Path,
        nargs="+",
        help="spool files (practitest-*.jsonl), bundles (--practitest-defer), folders that "
        "hold them, or glob patterns; those for the same test set go as one delivery",
    )
    parser.add_argument(
        "--url", help="us, eu or a base URL (default: PRACTITEST_URL, else the spool's)"
    )
    parser.add_argument(
        "--rate-limit",
        help="calls per minute, CALLS/SECONDS, or 0 "
        f"(default: PRACTITEST_RATE_LIMIT or {DEFAULT_RATE_LIMIT[0]})",
    )
    parser.add_argument(
        "--deadline",
        type=float,
        default=900.0,
        help="give up after this many seconds (default 900)",
    )
    add_command_flags(parser, ("author-id",), default="PRACTITEST_AUTHOR_ID, else the spool's")
    add_command_flags(parser, ("redact",))
    group = parser.add_argument_group(
        "re-targeting",
        "Where results go is each spool's own, unless given here: to send what was rejected "
        "(no instance, a wrong set or project) somewhere it will be taken.",
    )
    add_command_flags(group, RETARGET, default="the spool's")
    parser.add_argument("--dry-run", action="store_true", help="print the plan; send nothing")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="then check that each result is in PractiTest exactly once, by its key; "
        "name the missing and the doubled, and keep the spool if any",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log every request (never the token)"
    )


def run(args: argparse.Namespace) -> int:
    """``practitest upload SPOOL...``: 0 all delivered, 1 some not, 2 usage or input error."""
    from ..settings import resolve

    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    try:
        # The plugin's settings and environment variables (timeout, rate limit, author);
        # where results go comes from each spool, and its URL unless one is given.
        settings = resolve(
            {
                "practitest_url": args.url,
                "practitest_rate_limit": args.rate_limit,
                **command_values(args, ("author-id", "redact")),
            },
            lambda name: None,
        )
        overrides = resolve(command_values(args, RETARGET), lambda name: None, env={})
        mapping = _mapping(overrides.map)
    except PractiTestError as error:
        text = str(error).replace("--practitest-", "--")
        print(f"practitest upload: error: {text}", file=sys.stderr)
        return 2
    from ..spool.bundle import NoSpools, find_spools

    try:
        paths = find_spools(args.spool)
    except NoSpools as error:
        print(f"practitest upload: error: {error}", file=sys.stderr)
        return 2
    deadline = time.monotonic() + args.deadline
    given = {key for key in overrides.sources if key not in PER_RECORD}
    retarget = _Retarget(overrides, given, mapping)
    return _upload_all(paths, settings, args, deadline, retarget)


def _mapping(path: Path | None) -> MappingFile | None:
    from ..mapping import MappingFile

    return MappingFile.load(path) if path is not None else None


class _Retarget:
    """The re-targeting flags, applied to a spool's meta and its pending records."""

    def __init__(self, overrides: Settings, given: set[str], mapping: MappingFile | None) -> None:
        self.overrides = overrides
        self.given = given
        self.mapping = mapping

    def meta(self, meta: SpoolMeta) -> SpoolMeta:
        changes = {key: getattr(self.overrides, key) for key in self.given}
        if "set_id" in changes:
            changes.setdefault("set_name", None)
        elif "set_name" in changes:
            changes["set_id"] = None
        return replace(meta, **changes)

    def records(self, spool: Journal) -> int:
        """Give pending records the mapping file's targets (by node id), and the version and
        fields the command line gives where they have none; how many changed."""
        version = self.overrides.version
        fields = dict(self.overrides.fields)
        if self.mapping is None and version is None and not fields:
            return 0
        changed = 0
        for record in spool.pending():
            updated = record
            mapped = self.mapping.lookup(record.label) if self.mapping is not None else None
            if mapped is not None and mapped.target != record.target:
                merged = {**record.custom_fields, **mapped.fields}
                updated = replace(updated, target=mapped.target, custom_fields=merged)
            if version is not None and updated.version is None:
                updated = replace(updated, version=version)
            if any(key not in updated.custom_fields for key in fields):
                updated = replace(updated, custom_fields={**fields, **updated.custom_fields})
            if updated is not record:
                spool.records[record.key] = updated
                changed += 1
        return changed


def _upload_all(
    paths: list[Path],
    settings: Settings,
    args: argparse.Namespace,
    deadline: float,
    retarget: _Retarget,
) -> int:
    """Open every spool, group those that go to the same place, deliver each group as one."""
    from ..api.ratelimit import RateLimiter
    from ..spool.journal import Spool

    worst = 0
    groups: dict[tuple[object, ...], list[Spool]] = {}
    for path in paths:
        try:
            spool = Spool.open(path, exclusive=True)
        except PractiTestError as error:
            print(visible(f"practitest upload: error: {error}"), file=sys.stderr)
            worst = 2
            continue
        meta = retarget.meta(spool.meta)
        place = (meta.url, meta.project_id, meta.set_id, meta.set_name, meta.create_missing)
        groups.setdefault((*place, meta.author_id, meta.dry_run), []).append(spool)
    # One account, one limit: every group's calls count against the same minute.
    limiter = RateLimiter(*settings.rate_limit) if settings.rate_limit else None
    for spools, share in zip(groups.values(), shares(deadline, len(groups)), strict=True):
        worst = max(worst, _upload_group(spools, settings, args, share, retarget, limiter))
    return worst


def shares(deadline: float, count: int) -> Iterator[float]:
    """Each of ``count`` groups' own deadline: an equal share of the time left when it
    starts, so a group that is slow (a bundle with 200 new tests to create) cannot
    starve the rest, and the time a quick one leaves goes to those after it."""
    for index in range(count):
        now = time.monotonic()
        yield now + max(0.0, deadline - now) / (count - index)


def _redact(journal: Journal, settings: Settings) -> None:
    """Mask secrets in what a spool from elsewhere holds (its job may not have had them)."""
    from ..spool.redact import Redactor

    redactor = Redactor.for_settings(settings)
    for record in journal.pending() if redactor else ():
        if (masked := redactor.record(record)) is not record:
            journal.records[record.key] = masked


def _lacks(meta: SpoolMeta) -> str | None:
    """What a spool (a deferred session's bundle) does not say and the command must."""
    if not meta.project_id:
        return "no project is named: give --project-id (and --set-id or --set-name)"
    if meta.set_id is None and not meta.set_name:
        return "no test set is named: give --set-id or --set-name"
    return None


def _upload_group(
    spools: list[Spool],
    settings: Settings,
    args: argparse.Namespace,
    deadline: float,
    retarget: _Retarget,
    limiter: RateLimiter | None,
) -> int:
    from ..spool.cleanup import remove_delivered
    from ..spool.merged import SpoolSet
    from ..upload.plan import describe
    from ..upload.uploader import UploadSettings
    from .progress import deliver

    journal = SpoolSet(spools)
    names = journal.where
    with journal:
        meta = retarget.meta(journal.meta)
        if meta.dry_run:
            print(
                visible(f"PractiTest: {names}: a dry run's plan; skipped (nothing in it is sent)")
            )
            return 0
        lacks = _lacks(meta)
        if lacks is not None:
            print(visible(f"practitest upload: error: {names}: {lacks}"), file=sys.stderr)
            return 2
        if "url" not in settings.sources:
            settings = settings._replace(url=meta.url)
        upload_settings = UploadSettings.from_settings(settings, meta)
        for warning in journal.warnings:
            print(visible(f"PractiTest: {warning}"), file=sys.stderr)
        changed = retarget.records(journal)
        _redact(journal, settings)
        if changed:
            print(f"PractiTest: {names}: {changed} records re-targeted or completed as asked")
        pending = journal.pending()
        if args.dry_run:
            print("\n".join(describe(pending, upload_settings, settings.rate_limit)))
            return 0
        held = sum(s.count for s in spools)
        where = str(spools[0].path) if len(spools) == 1 else f"{len(spools)} spools"
        intro = f"PractiTest: {len(pending)} of {journal.count} records in {where} still to send"
        if held > journal.count:
            intro += f" ({held - journal.count} held twice: sent once)"
        report = deliver(
            "upload",
            settings,
            upload_settings,
            journal,
            len(pending),
            deadline,
            intro,
            args.verify,
            limiter,
        )
        if report is None:
            return 2
        if len(spools) > 1:
            for spool in spools:
                done = sum(1 for key in spool.records if key in spool.delivered)
                print(visible(f"PractiTest: {spool.path}: {done} of {spool.count} delivered"))
    removed = []
    if not (report.fatal or report.verified is False):
        for spool in spools:
            if remove_delivered(spool.path):
                removed.append(str(spool.path))
    if removed:
        print(visible(f"PractiTest: everything is delivered; removed {', '.join(removed)}"))
    if report.undelivered or report.fatal or report.verified is False:
        return 1
    return 0
