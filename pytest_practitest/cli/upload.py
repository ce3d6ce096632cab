"""``practitest upload SPOOL...``: send what spools still hold, never twice; then remove them.

Exit codes: 0 all delivered (and, with ``--verify``, each in PractiTest once); 1 some
not; 2 usage or input error.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PractiTestError
from ..limits import DEFAULT_RATE_LIMIT
from .flags import add_command_flags, command_values

if TYPE_CHECKING:
    from ..mapping import MappingFile
    from ..settings import Settings
    from ..spool.journal import Spool, SpoolMeta

#: where results go: taken from each spool unless given here (never from the environment,
#: which in CI may belong to another job)
RETARGET = ("project-id", "set-id", "set-name", "create-missing", "map")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``practitest upload``."""
    parser.add_argument(
        "spool", type=Path, nargs="+", help="spool files (practitest-*.jsonl), one after another"
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
                **command_values(args, ("author-id",)),
            },
            lambda name: None,
        )
        overrides = resolve(command_values(args, RETARGET), lambda name: None, env={})
        mapping = _mapping(overrides.map)
    except PractiTestError as error:
        text = str(error).replace("--practitest-", "--")
        print(f"practitest upload: error: {text}", file=sys.stderr)
        return 2
    deadline = time.monotonic() + args.deadline
    given = {key for key in overrides.sources if key != "map"}
    retarget = _Retarget(overrides, given, mapping)
    return max(_upload_one(path, settings, args, deadline, retarget) for path in args.spool)


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

    def records(self, spool: Spool) -> int:
        """Give pending records the mapping file's targets (by node id); how many changed."""
        if self.mapping is None:
            return 0
        changed = 0
        for record in spool.pending():
            mapped = self.mapping.lookup(record.label)
            if mapped is not None and mapped.target != record.target:
                fields = {**record.custom_fields, **mapped.fields}
                spool.records[record.key] = replace(
                    record, target=mapped.target, custom_fields=fields
                )
                changed += 1
        return changed


def _upload_one(
    path: Path, settings: Settings, args: argparse.Namespace, deadline: float, retarget: _Retarget
) -> int:
    from ..spool.cleanup import remove_delivered
    from ..spool.journal import Spool
    from ..upload.plan import describe
    from ..upload.uploader import UploadSettings
    from .progress import deliver

    try:
        spool = Spool.open(path, exclusive=True)
    except PractiTestError as error:
        print(f"practitest upload: error: {error}", file=sys.stderr)
        return 2
    with spool:
        meta = retarget.meta(spool.meta)
        if meta.dry_run:
            print(f"PractiTest: {path} is a dry run's plan; skipped (nothing in it is sent)")
            return 0
        if "url" not in settings.sources:
            settings = settings._replace(url=meta.url)
        upload_settings = UploadSettings.from_settings(settings, meta)
        for warning in spool.warnings:
            print(f"PractiTest: {warning}", file=sys.stderr)
        if retarget.records(spool):
            print(f"PractiTest: {path}: records re-targeted by {args.practitest_map}")
        pending = spool.pending()
        if args.dry_run:
            print("\n".join(describe(pending, upload_settings, settings.rate_limit)))
            return 0
        intro = f"PractiTest: {len(pending)} of {spool.count} records in {spool.path} still to send"
        report = deliver(
            "upload", settings, upload_settings, spool, len(pending), deadline, intro, args.verify
        )
        if report is None:
            return 2
    if report.undelivered or report.fatal or report.verified is False:
        return 1
    if remove_delivered(spool.path):
        print(f"PractiTest: everything is delivered; removed {spool.path}")
    return 0
