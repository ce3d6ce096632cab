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
import shlex
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PractiTestError
from ..events import visible
from ..limits import resolve_base_url
from ..model import Destination
from .flags import add_command_flags, command_values

if TYPE_CHECKING:
    from ..api.ratelimit import RateLimiter
    from ..mapping import MappingFile
    from ..settings import Settings
    from ..spool.journal import Spool
    from ..spool.merged import Journal
    from ..upload.publisher import Publisher
    from ..upload.summary import UploadSummary

#: where results go: a spool made here keeps its own unless given here; a bundle or a
#: spool from elsewhere takes them from here (flags, environment, ini, defaults)
RETARGET = ("project-id", "set-id", "set-name", "create-missing", "map", "version", "field")
#: what the publisher decides for every spool
STEMS = (
    "url",
    "rate-limit",
    "deadline",
    "timeout",
    "author-id",
    "bundle-fields",
    "redact",
    "max-request-bytes",
    "max-file-bytes",
    *RETARGET,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``practitest upload``."""
    parser.add_argument(
        "spool",
        type=Path,
        nargs="*",
        help="spool files (practitest-*.jsonl), bundles (--practitest-defer), folders that "
        "hold them, or glob patterns; those for the same test set go as one delivery",
    )
    stems = (
        "rate-limit",
        "deadline",
        "timeout",
        "bundle-fields",
        "redact",
        "max-request-bytes",
        "max-file-bytes",
    )
    add_command_flags(parser, stems, command="upload")
    group = parser.add_argument_group(
        "where results go",
        "A spool this machine's session made keeps its own destination unless given here "
        "(the flags re-target it: to send what was rejected somewhere it will be taken). A "
        "bundle (--practitest-defer) or a spool from elsewhere carries results only: where "
        "they go is given here, else by PRACTITEST_* variables, else pytest's ini file.",
    )
    add_command_flags(group, ("url", "author-id", *RETARGET))
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
    from ..upload.publisher import Publisher
    from .flags import command_settings

    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    try:
        # The plugin's settings, in the plugin's order: flags, environment, ini, defaults.
        settings = command_settings(command_values(args, STEMS), "upload")
        resolve_base_url(settings.url)  # a wrong one is a usage error before any spool opens
        mapping = _mapping(settings.map)
    except PractiTestError as error:
        text = str(error).replace("--practitest-", "--")
        print(visible(f"practitest upload: error: {text}"), file=sys.stderr)
        return 2
    from ..spool.bundle import NoSpools, find_spools

    if not args.spool:  # say where to look, rather than argparse's "arguments are required"
        print(
            "practitest upload: error: name the spools or bundles to send (files, folders or "
            f"glob patterns); practitest spools lists those in {settings.spool}",
            file=sys.stderr,
        )
        return 2
    try:
        paths = find_spools(args.spool)
    except NoSpools as error:
        print(f"practitest upload: error: {error}", file=sys.stderr)
        return 2
    deadline = time.monotonic() + settings.deadline
    return _upload_all(
        paths, settings, args, deadline, _Retarget(settings, mapping), Publisher(settings)
    )


def _mapping(path: Path | None) -> MappingFile | None:
    from ..mapping import MappingFile

    return MappingFile.load(path) if path is not None else None


class _Retarget:
    """The mapping file, version and fields given, applied to a spool's pending records."""

    def __init__(self, overrides: Settings, mapping: MappingFile | None) -> None:
        self.overrides = overrides
        self.mapping = mapping

    def records(self, spool: Journal) -> int:
        """Give pending records the mapping file's targets (by node id), and the version and
        fields the publisher gives where they have none; how many changed."""
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
    publisher: Publisher,
) -> int:
    """Open every spool, group those that go to the same place, deliver each group as one.

    Where each goes is decided for all before anything is sent: one refused (a bundle
    naming another URL or project) and nothing is sent at all.
    """
    from ..api.client import account_limiter
    from ..spool.journal import Spool
    from ..upload.publisher import Refused

    worst = 0
    groups: dict[tuple[Destination, bool], list[Spool]] = {}
    # what named each project and set, for the line that says it is not there
    sources: dict[Destination, tuple[str | None, str | None]] = {}
    refused: list[str] = []
    opened: list[Spool] = []
    for path in paths:
        try:
            spool = Spool.open(path, exclusive=True)
        except PractiTestError as error:
            print(visible(f"practitest upload: error: {error}"), file=sys.stderr)
            worst = 2
            continue
        opened.append(spool)
        try:
            where = publisher.destination_of(spool)
        except Refused as error:
            refused.append(str(error))
            continue
        publisher.results_only(spool)
        sources.setdefault(where, (publisher.project_source(spool), publisher.set_source(spool)))
        groups.setdefault((where, spool.meta.dry_run), []).append(spool)
    if refused:
        for line in refused:
            print(visible(f"practitest upload: error: {line}"), file=sys.stderr)
        for spool in opened:
            spool.close()
        return 2
    # One account, one limit: every group's calls (and other processes') count against it.
    limiter = account_limiter(settings.url, settings.token(), settings.rate_limit)
    for ((where, _), spools), share in zip(
        groups.items(), shares(deadline, len(groups)), strict=True
    ):
        code = _upload_group(
            spools,
            where,
            settings,
            args,
            share,
            retarget,
            limiter,
            sources[where],
            publisher.again(where, kept=all(spool.trusted for spool in spools)),
            publisher.redacts,
        )
        worst = max(worst, code)
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
    if (renamed := redactor.renamed()) is not None:
        print(f"PractiTest: warning: {renamed}", file=sys.stderr)


def _lacks(where: Destination) -> str | None:
    """What neither the spool nor the publisher says, and the command must."""
    if not where.project_id:
        return (
            "no project is named: give --project-id or PRACTITEST_PROJECT_ID "
            "(and --set-id or --set-name)"
        )
    if where.set_id is None and not where.set_name:
        return "no test set is named: give --set-id or --set-name (or PRACTITEST_SET_ID)"
    return None


def _upload_group(
    spools: list[Spool],
    where: Destination,
    settings: Settings,
    args: argparse.Namespace,
    deadline: float,
    retarget: _Retarget,
    limiter: RateLimiter | None,
    sources: tuple[str | None, str | None] = (None, None),
    again: tuple[str, str, str] = ("", "", ""),
    publisher_redacts: bool = False,
) -> int:
    from ..spool.cleanup import remove_delivered
    from ..spool.merged import SpoolSet
    from ..upload.dryrun import describe
    from ..upload.uploader import UploadSettings
    from .progress import send_pending

    journal = SpoolSet(spools)
    names = journal.where
    with journal:
        if journal.meta.dry_run:
            print(
                visible(f"PractiTest: {names}: a dry run's plan; skipped (nothing in it is sent)")
            )
            return 0
        lacks = _lacks(where)
        if lacks is not None:
            print(visible(f"practitest upload: error: {names}: {lacks}"), file=sys.stderr)
            return 2
        settings = settings._replace(url=where.url or "us")
        project_source, set_source = sources
        upload_settings = UploadSettings(
            where, set_source=set_source, project_source=project_source
        ).sized(settings)
        for warning in journal.warnings:
            print(visible(f"PractiTest: {warning}"), file=sys.stderr)
        changed = retarget.records(journal)
        _redact(journal, settings)
        if changed:
            print(f"PractiTest: {names}: {changed} records re-targeted or completed as asked")
        pending = journal.pending()
        if args.dry_run:
            look = bool(journal.elsewhere())  # a bundle's: its earlier upload is looked for
            print("\n".join(describe(pending, upload_settings, settings.rate_limit, look)))
            return 0
        held = sum(s.count for s in spools)
        held_in = str(spools[0].path) if len(spools) == 1 else f"{len(spools)} spools"
        intro = f"PractiTest: {len(pending)} of {journal.count} records in {held_in} still to send"
        if held > journal.count:
            intro += f" ({held - journal.count} held twice: sent once)"

        def completed(report: UploadSummary) -> None:
            # A resume names the spools that still hold something, with this command's flags.
            left = [s for s in spools if any(key not in s.delivered for key in s.records)]
            report.spool_path = " ".join(shlex.quote(str(s.path)) for s in left)
            report.again_where, report.again_how, report.again_rest = again
            if publisher_redacts:  # secrets: asked for, never printed
                report.again_note = " (with the same --redact values)"

        report = send_pending(
            "upload",
            settings,
            upload_settings,
            journal,
            len(pending),
            deadline,
            intro,
            args.verify,
            limiter,
            completed,
            # where the token goes, once there is one, before the first call
            f"PractiTest: sending to {resolve_base_url(settings.url)}, project "
            f"{where.project_id}, {where.test_set()}",
        )
        if report is None:
            return 2
        if len(spools) > 1:
            for spool in spools:
                done = sum(1 for key in spool.records if key in spool.delivered)
                print(visible(f"PractiTest: {spool.path}: {done} of {spool.count} delivered"))
    removed = []
    if report.verified is not False:  # a spool all of whose results were delivered goes
        for spool in spools:
            if remove_delivered(spool.path):
                removed.append(str(spool.path))
    if removed and not (report.undelivered or report.fatal):
        print(visible(f"PractiTest: everything is delivered; removed {', '.join(removed)}"))
    elif removed:
        print(
            visible(
                f"PractiTest: every result in these was delivered; removed {', '.join(removed)}"
            )
        )
    if report.undelivered or report.fatal or report.verified is False:
        return 1
    return 0
