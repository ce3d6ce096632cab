"""``practitest spools [DIR...]``: what earlier sessions left undelivered, and why; discard it.

Exit codes: 0 listed (or discarded); 1 nothing was discarded (the answer was no, or
a running session has the spool open); 2 usage error (a folder that does not exist).
"""

from __future__ import annotations

import argparse
import glob
import sys
from pathlib import Path
from typing import TextIO

from ..events import count


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``practitest spools``."""
    parser.add_argument(
        "folders",
        type=Path,
        nargs="*",
        metavar="DIR_OR_SPOOL",
        help="spool files, bundles, folders holding them (searched as practitest upload "
        "does), or glob patterns (default: PRACTITEST_SPOOL, else ini practitest_spool, "
        "else .practitest)",
    )
    parser.add_argument(
        "--discard",
        action="store_true",
        help="remove the spools listed that still hold undelivered results, with the files "
        "made for them (asks first)",
    )
    parser.add_argument("--yes", action="store_true", help="with --discard: do not ask")


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """List spools, then discard those asked for: 0 done, 1 nothing discarded, 2 usage error."""
    from ..spool.bundle import NoSpools, find_spools
    from ..spool.cleanup import discard
    from ..spool.inventory import contents_of, spools_in

    out = out or sys.stdout
    paths: list[Path] = []
    if not args.folders:  # the spool folder the plugin and the other commands use here
        from ..errors import ConfigError
        from .flags import command_settings

        try:
            folder = command_settings({}, "spools").spool
        except ConfigError as error:
            print(f"practitest spools: error: {error}", file=sys.stderr)
            return 2
        paths = spools_in(folder) if folder.is_dir() else []  # none yet: nothing waits
    for place in args.folders:
        # As practitest upload reads them: spool files, bundles, folders holding either (a
        # CI's downloaded artifacts), glob patterns.
        if not place.exists() and not glob.has_magic(str(place)):
            print(f"practitest spools: error: {place}: no such folder or file", file=sys.stderr)
            return 2
        try:
            paths += [p for p in find_spools([place]) if p not in paths]
        except NoSpools:
            continue
    summaries = [contents_of(path) for path in paths]
    for summary in summaries:
        print("\n".join(summary.lines()), file=out)
    left = [s for s in summaries if s.damaged is None and not s.dry_run and s.undelivered]
    waiting = sum(s.undelivered for s in left)
    print(
        f"{count(len(summaries), 'spool')}; "
        + (
            f"{count(waiting, 'result')} not delivered in {len(left)}"
            if left
            else "nothing waits for delivery"
        ),
        file=out,
    )
    if not args.discard:
        if left:
            print(
                "send them with: practitest upload SPOOL... (--set-id, --create-missing, "
                "--author-id, --map to re-target); remove them with: practitest spools --discard",
                file=out,
            )
        return 0
    doomed = [s.path for s in summaries if s.damaged is not None or s.dry_run or s.undelivered]
    if not doomed:
        return 0
    if not args.yes:
        print(
            f"discard {count(len(doomed), 'spool')} and the {count(waiting, 'result')} in them? "
            "They are not in PractiTest. [y/N] ",
            end="",
            file=out,
            flush=True,
        )
        answer = sys.stdin.readline().strip().lower()
        if not sys.stdin.isatty():
            print(file=out)  # the answer came from a pipe: end the question's line
        if answer not in ("y", "yes"):
            print("nothing discarded", file=out)
            return 1
    kept = [path for path in doomed if not discard(path)]
    print(f"discarded {count(len(doomed) - len(kept), 'spool')}", file=out)
    for path in kept:
        print(f"kept {path}: a running session has it open", file=out)
    return 1 if kept else 0
