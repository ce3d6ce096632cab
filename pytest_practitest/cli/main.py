"""The ``practitest`` command.

Exit codes: 0 success; 1 something was not delivered (commands that upload);
2 usage or input error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import ConfigError, PractiTestError
from ..limits import DEFAULT_RATE_LIMIT
from .flags import add_command_flags, command_values

if TYPE_CHECKING:
    from ..settings import Settings


MAP_STEMS = ("url", "project-id", "set-id", "set-name")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="practitest", description="Report test results to PractiTest, or simulate its API."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    from ..simulator import cli as sim_cli

    _command(
        commands,
        "sim",
        sim_cli,
        "run the local PractiTest API v2 simulator",
        "Run the local PractiTest API v2 simulator until Ctrl-C.",
    )

    demo = commands.add_parser(
        "demo",
        help="the whole job against the built-in simulator, offline",
        description="Start the simulator, run the sample webshop suite with --practitest, import "
        "the sample JUnit files, and show what PractiTest received. Needs a checkout "
        "(sample_projects/).",
    )
    demo.add_argument(
        "--samples",
        type=Path,
        default=None,
        help="the sample_projects folder (default: the checkout's)",
    )
    demo.set_defaults(
        run=lambda args: __import__("pytest_practitest.cli.demo", fromlist=["run"]).run(
            samples_dir=args.samples
        )
    )

    upload = commands.add_parser(
        "upload",
        help="send what spool files still hold, then remove them",
        description="Resume spools: send only the records not delivered yet, never twice, "
        "and remove each spool once everything in it is delivered. The token comes from "
        "PRACTITEST_TOKEN.",
    )
    upload.add_argument(
        "spool", type=Path, nargs="+", help="spool files (practitest-*.jsonl), one after another"
    )
    upload.add_argument(
        "--url", help="us, eu or a base URL (default: PRACTITEST_URL, else the spool's)"
    )
    upload.add_argument(
        "--rate-limit",
        help="calls per minute, CALLS/SECONDS, or 0 "
        f"(default: PRACTITEST_RATE_LIMIT or {DEFAULT_RATE_LIMIT[0]})",
    )
    upload.add_argument(
        "--deadline",
        type=float,
        default=900.0,
        help="give up after this many seconds (default 900)",
    )
    upload.add_argument("--dry-run", action="store_true", help="print the plan; send nothing")
    upload.add_argument(
        "-v", "--verbose", action="store_true", help="log every request (never the token)"
    )
    upload.set_defaults(run=run_upload)

    from . import check, import_junit

    _command(
        commands,
        "check",
        check,
        "check that the token can report to the project and test set",
        "Call PractiTest a few times with the settings the plugin would use (flags, else the "
        "PRACTITEST_* variables) and say what is ready and what is not. Exit 0 ready, 1 "
        "refused or unreachable, 2 usage error.",
    )
    _command(
        commands,
        "import-junit",
        import_junit,
        "import JUnit XML results (any framework) into PractiTest",
        "Read JUnit XML files (JUnit/surefire, pytest, jest, mocha, go, Playwright, Robot, "
        "...), spool every result, and deliver them like the pytest plugin does. Settings and "
        "environment variables are the plugin's, without the practitest- prefix.",
    )

    mapper = commands.add_parser(
        "map",
        help="match the suite's tests to a test set's instances; write the mapping file",
        description="Collect the suite's node ids, list the test set's instances, match them by "
        "name, and write (or extend) the mapping file. Arguments after -- go to pytest.",
    )
    add_command_flags(mapper, MAP_STEMS)
    mapper.add_argument(
        "--map",
        dest="practitest_map",
        metavar="FILE",
        help="the mapping file (default: PRACTITEST_MAP, else practitest.toml)",
    )
    mapper.add_argument("--dry-run", action="store_true", help="print the matches; write nothing")
    mapper.add_argument(
        "pytest_args", nargs="*", help="arguments for pytest's collection (after --)"
    )
    mapper.set_defaults(run=run_map)
    return parser


def _command(
    commands: Any, name: str, module: Any, help_text: str, description: str
) -> argparse.ArgumentParser:
    """A subcommand whose module has ``add_arguments(parser)`` and ``run(args)``."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=help_text, description=description
    )
    module.add_arguments(parser)
    parser.set_defaults(run=module.run)
    return parser


def run_upload(args: argparse.Namespace) -> int:
    """``practitest upload SPOOL...``: 0 all delivered, 1 some not, 2 usage or input error."""
    from ..settings import resolve

    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    try:
        # The plugin's settings and environment variables (timeout, rate limit, author);
        # where results go comes from each spool, and its URL unless one is given.
        settings = resolve(
            {"practitest_url": args.url, "practitest_rate_limit": args.rate_limit},
            lambda name: None,
        )
    except PractiTestError as error:
        text = str(error).replace("--practitest-", "--")
        print(f"practitest upload: error: {text}", file=sys.stderr)
        return 2
    deadline = time.monotonic() + args.deadline
    return max(_upload_one(path, settings, args, deadline) for path in args.spool)


def _upload_one(path: Path, settings: Settings, args: argparse.Namespace, deadline: float) -> int:
    from ..spool.journal import Spool, remove_delivered
    from ..upload.plan import describe
    from ..upload.uploader import UploadSettings
    from .progress import deliver

    try:
        spool = Spool.open(path, exclusive=True)
    except PractiTestError as error:
        print(f"practitest upload: error: {error}", file=sys.stderr)
        return 2
    with spool:
        meta = spool.meta
        if meta.dry_run:
            print(f"PractiTest: {path} is a dry run's plan; skipped (nothing in it is sent)")
            return 0
        if "url" not in settings.sources:
            settings = settings._replace(url=meta.url)
        upload_settings = UploadSettings.from_settings(settings, meta)
        for warning in spool.warnings:
            print(f"PractiTest: {warning}", file=sys.stderr)
        pending = spool.pending()
        if args.dry_run:
            print("\n".join(describe(pending, upload_settings, settings.rate_limit)))
            return 0
        intro = f"PractiTest: {len(pending)} of {spool.count} records in {spool.path} still to send"
        report = deliver("upload", settings, upload_settings, spool, len(pending), deadline, intro)
        if report is None:
            return 2
    if report.undelivered or report.fatal:
        return 1
    if remove_delivered(spool.path):
        print(f"PractiTest: everything is delivered; removed {spool.path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except BrokenPipeError:
        # The reader went away (`practitest sim --check | head`): no traceback for that, and
        # none at exit either, when Python flushes stdout into the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def run_map(args: argparse.Namespace) -> int:
    """``practitest map``: 0 done, 1 the API failed, 2 usage or input error."""
    from ..api.client import Client
    from ..errors import APIError
    from ..mapping import MappingFile
    from ..settings import resolve
    from ..upload.targets import Resolver, SetChoice
    from .map import collect_node_ids, match, report, write

    cli = command_values(args, MAP_STEMS)
    cli["practitest_map"] = args.practitest_map
    try:
        settings = resolve(cli, lambda name: None)
        if settings.project_id is None or (settings.set_id is None and not settings.set_name):
            raise ConfigError(
                "give the project and the test set: --project-id and --set-id or --set-name"
            )
        path = settings.map or Path("practitest.toml")
        mapping = MappingFile.load(path) if path.exists() else None
        node_ids = collect_node_ids(args.pytest_args)
        client = Client.from_settings(settings)
    except PractiTestError as error:
        print(f"practitest map: error: {error}", file=sys.stderr)
        return 2
    with client.session:
        resolver = Resolver(
            client, settings.project_id, SetChoice(settings.set_id, settings.set_name, create=False)
        )
        try:
            set_id = resolver.resolve_set()
            instances = [
                (int(i["id"]), str(i["attributes"]["name"]))
                for i in client.paginate(
                    f"/projects/{settings.project_id}/instances.json", {"set-ids": set_id}
                )
            ]
        except ConfigError as error:
            print(f"practitest map: error: {error}", file=sys.stderr)
            return 2
        except APIError as error:
            print(f"practitest map: error: {error}", file=sys.stderr)
            return 1
    result = match(node_ids, instances, mapping)
    where = f"test set {set_id} {resolver.set_name!r}"
    print(f"{where}: {len(instances)} instances; suite: {len(node_ids)} tests")
    if not args.dry_run:
        write(path, result.matched)
    print(
        "\n".join(report(result, path if not args.dry_run else Path("(dry run: nothing written)")))
    )
    return 0
