"""``practitest import-junit``: JUnit XML files → the spool → PractiTest.

Exit codes: 0 every result delivered; 1 some not delivered (they stay in the
spool); 2 a usage error, or a file that could not be read (its readable
results are still imported; with --keep-going, unreadable files are reported
but the exit code says only whether delivery succeeded).
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, PractiTestError
from ..events import capped, visible
from ..model import RunRecord
from .flags import add_command_flags, command_settings, command_values

if TYPE_CHECKING:
    from ..junit.convert import Converter
    from ..settings import Settings

STEMS = (
    "url",
    "project-id",
    "set-id",
    "set-name",
    "map",
    "version",
    "spool",
    "rate-limit",
    "status-map",
    "author-id",
    "timeout",
    "deadline",
    "field",
    "create-missing",
    "dry-run",
    "redact",
    "max-request-bytes",
    "max-file-bytes",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="+", metavar="PATH_OR_GLOB", help="JUnit XML files or globs (**/*.xml)"
    )
    add_command_flags(parser, STEMS, command="import-junit")
    parser.add_argument(
        "--name-template",
        default="{classname}.{name}",
        metavar="TEMPLATE",
        help="PractiTest test name for a testcase: {classname} {name} {suite} {file} "
        "(default {classname}.{name}, or the name alone when it holds the classname)",
    )
    parser.add_argument(
        "--attachments-base",
        type=Path,
        default=None,
        metavar="DIR",
        help="attachments must lie under this directory, dot-files allowed (default: each "
        "XML file's own folder, without dot-files or dot-folders such as .git)",
    )
    parser.add_argument(
        "--property-field",
        action="append",
        default=[],
        metavar="PROPERTY=FIELD",
        help="copy a suite/testcase property into a run custom field; repeatable",
    )
    parser.add_argument(
        "--timestamp",
        default="none",
        metavar="WHERE",
        help="where a testcase's start time (its timestamp, else its suite's) goes: none "
        "(the default; the run keeps its duration), field=NAME (a run custom field), or "
        "output (a last line of the execution output)",
    )
    parser.add_argument(
        "--suite-as-test",
        action="store_true",
        help="one run per test suite, each testcase a step (map the suite to a test)",
    )
    parser.add_argument(
        "-p",
        dest="plugins",
        action="append",
        default=[],
        metavar="MODULE",
        help="load a module's pytest_practitest_map_testcase / _modify_record hooks (the same "
        "module works as a pytest plugin); no:NAME blocks an entry point of the practitest "
        "group; repeatable",
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="an unreadable file is reported but does not make the exit code 2",
    )


def _paths(patterns: list[str]) -> tuple[list[Path], list[str]]:
    found: list[Path] = []
    problems = []
    for pattern in patterns:
        if any(c in pattern for c in "*?["):
            matches = sorted(
                Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file()
            )
            if not matches:
                problems.append(f"{pattern}: no file matches")
            found += matches
        elif Path(pattern).is_file():
            found.append(Path(pattern))
        else:
            problems.append(f"{pattern}: no such file")
    return list(dict.fromkeys(found)), problems


def run(args: argparse.Namespace) -> int:
    """Read, spool, deliver: 0 all delivered, 1 some not, 2 usage error or unreadable file."""
    from ..spool.cleanup import leftover_line, remove_delivered
    from ..spool.journal import Spool, SpoolMeta
    from .plugins import load

    warnings: list[str] = []
    try:
        plugins = load(args.plugins)
        settings, converter = _converter(args, warnings.append)
        converter.map_testcase, modify = plugins.record_hooks()
    except (PractiTestError, KeyError, ValueError, IndexError) as error:
        text = str(error).replace("--practitest-", "--")
        if isinstance(error, (KeyError, ValueError, IndexError)):
            fields = "{classname}, {name}, {suite}, {file}"
            text = f"--name-template: use only {fields}; got {args.name_template!r}"
        print(f"practitest import-junit: error: {text}", file=sys.stderr)
        return 2
    paths, bad = _paths(args.paths)
    meta = SpoolMeta.from_settings(settings, "junit")
    meta.created = _written(paths) or meta.created
    spool = Spool.create(settings.spool, meta)
    converter.artifacts = spool.path.with_suffix("") / "artifacts"
    plan = None
    if settings.dry_run:
        # A dry run plans as it reads and keeps no records in memory.
        from ..upload.dryrun import DryRunPlan
        from ..upload.uploader import UploadSettings

        # with the look for an earlier import of the same results (``upload/earlier``)
        plan = DryRunPlan(UploadSettings.from_settings(settings), settings.rate_limit, True)
        spool.keep_records = False

    def keep(record: RunRecord) -> None:
        if modify is not None:
            record = modify(record)
        spool.add(converter.redactor.record(record), flush=False)
        if plan is not None:
            plan.add(record)

    from ..junit.convert import file_keys

    with spool:
        for path in paths:
            converter.keys = file_keys(path, converter.how)
            count, problem = _import_file(path, converter, keep, args.suite_as_test)
            spool.flush()
            if problem is not None:
                bad.append(problem)
            else:
                print(f"PractiTest: {path}: {count} testcases", flush=True)
        for message in bad:
            print(visible(f"practitest import-junit: error: {message}"), file=sys.stderr)
        warnings += plugins.failures.lines()
        if (renamed := converter.redactor.renamed()) is not None:
            warnings.append(renamed)
        for message in capped(warnings):
            line = f"PractiTest: warning: {converter.redactor.text(message)}"
            print(visible(line), file=sys.stderr)
        if plan is not None:
            print("\n".join(plan.lines()))
            print(f"  the {spool.count} records are in {spool.path}")
            code = 0
        else:
            code = _send_spooled(settings, spool)
    if plan is None and code == 0:
        remove_delivered(spool.path)  # PractiTest has every run: no spool piles up
    if plan is None and (earlier := leftover_line(settings.spool, spool.path)) is not None:
        print(earlier)
    return 2 if bad and not args.keep_going else code


def _converter(args: argparse.Namespace, warn: Callable[[str], None]) -> tuple[Settings, Converter]:
    """The settings, and a converter set up as the flags say; raises on a bad flag."""
    from ..junit.convert import Converter
    from ..mapping import DEFAULT_MAP, MappingFile
    from ..spool.redact import Redactor
    from .ini import find

    cli: dict[str, Any] = {**command_values(args, STEMS), "practitest": True}
    settings = command_settings(cli, "import-junit")
    map_file = settings.map
    if map_file is None and (find().folder / DEFAULT_MAP).is_file():
        map_file = find().folder / DEFAULT_MAP  # as pytest --practitest reads it at the rootdir
    mapping = MappingFile.load(map_file) if map_file is not None else None
    property_fields = {}
    for item in args.property_field:
        prop, equals, name = item.partition("=")
        if not equals or not prop.strip() or not name.strip():
            raise ConfigError(f"--property-field: expected PROPERTY=FIELD; got {item!r}")
        property_fields[prop.strip()] = name.strip()
    timestamp = args.timestamp.strip()
    if timestamp.startswith("field="):
        timestamp = timestamp.removeprefix("field=").strip()
        if timestamp in ("", "output", "none"):
            raise ConfigError(f"--timestamp: field= needs a field name; got {args.timestamp!r}")
    elif timestamp not in ("output", "none"):
        raise ConfigError(
            f"--timestamp: expected output, none or field=NAME; got {args.timestamp!r}"
        )
    args.name_template.format(classname="c", name="n", suite="s", file="f")
    converter = Converter(
        status_map=settings.status_map,
        name_template=args.name_template,
        mapping=mapping,
        base_dir=args.attachments_base,
        fields=settings.fields,
        property_fields=property_fields,
        timestamp=timestamp,
        version=settings.version,
        warn=warn,
        redactor=Redactor.for_settings(settings),
    )
    # What, besides a file's bytes, decides the runs it makes: the same file imported the
    # same way again has the same keys (found, not posted twice); imported another way
    # (other names, fields, attachments, plugins), its results are new runs.
    converter.how = json.dumps(
        [
            args.name_template,
            args.timestamp,
            str(args.attachments_base or ""),
            args.suite_as_test,
            list(args.property_field),
            list(args.plugins or ()),
            list(settings.fields),
            dict(settings.status_map),
            settings.version,
            _digest(map_file),
            settings.max_file_bytes,
        ],
        default=str,
    )
    return settings, converter


def _import_file(
    path: Path, converter: Converter, keep: Callable[[RunRecord], None], suite_as_test: bool
) -> tuple[int, str | None]:
    """Convert and keep one file's testcases: how many, and what broke the file if anything.

    The complete testcases before a break are kept: they are good results.
    """
    from ..junit.reader import Case, JUnitError, read_cases

    count = 0
    try:
        group: list[Case] = []
        for case in read_cases(path):
            count += 1
            if not suite_as_test:
                keep(converter.record(case, path))
                continue
            if group and case.suites != group[0].suites:
                keep(converter.suite_record(group, path))
                group = []
            group.append(case)
        if group:
            keep(converter.suite_record(group, path))
    except JUnitError as error:
        kept = count - len(group)  # a suite cut short is not imported (--suite-as-test)
        return count, str(error) + (f" ({kept} testcases before it were imported)" if kept else "")
    return count, None


def _digest(path: Path | None) -> str:
    """A file's bytes in short (the mapping file's: where results go is part of the import)."""
    import hashlib

    try:
        return "" if path is None else hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return str(path)


def _written(paths: list[Path]) -> str | None:
    """When the results were made: the oldest of the files' times and the times their
    suites say they ran (a file downloaded again has a new time, not new suite times). An
    import of the same file again looks for what this one delivers from then on (a time
    ahead of the clock is judged there: ``upload/earlier.made``)."""
    from ..junit.reader import suite_times

    try:
        oldest = min(min([path.stat().st_mtime, *suite_times(path)]) for path in paths)
    except (OSError, ValueError):
        return None
    return datetime.fromtimestamp(oldest, timezone.utc).isoformat(timespec="seconds")


def _send_spooled(settings: Any, spool: Any) -> int:
    from ..upload.uploader import UploadSettings
    from .progress import send_pending

    pending = len(spool.pending())
    if not pending:
        return 0
    upload_settings = UploadSettings.from_settings(settings)
    end = time.monotonic() + settings.deadline  # options.DEADLINES: an hour by default
    report = send_pending("import-junit", settings, upload_settings, spool, pending, end)
    if report is None:
        return 2
    return 0 if report.undelivered == 0 else 1
