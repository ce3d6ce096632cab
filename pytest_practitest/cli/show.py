"""``practitest show``: a test set as PractiTest shows it, against the service or the simulator.

Per instance: its display id, its last run status and name; for its last run, the
first line of the execution output, the steps with their statuses, and (``--files``)
the files attached to the run and its steps, which ``--download DIR`` also saves. The
view ``practitest demo`` prints.

Calls: the instances and the runs of the set (100 per call), the step runs of the last
runs (100 runs per call), and with ``--files`` one call per last run and per step run
with a status other than PASSED (the run listing names no attachments), said with
their number before they are made; with ``--download`` one more call per file, also said
first (the file storage the call redirects to is not counted): all counted against the
rate limit.
Exit codes: 0 shown; 1 PractiTest refused or could not be reached; 2 a usage error.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import APIError, ConfigError, PractiTestError
from ..events import count as count_of
from ..events import seconds_text
from ..limits import PAGE_SIZE
from ..upload.payload import without_key
from .flags import LOOKUP_ONLY, add_command_flags, command_error, command_settings, command_values

if TYPE_CHECKING:
    from ..api.client import Client

STEMS = ("url", "project-id", "set-id", "set-name", "timeout", "rate-limit")
INDENT = " " * 21
#: in the totals: an instance without a run (a skipped test's run is NO RUN as well)
NEVER_RUN = "never run"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``practitest show``."""
    add_command_flags(parser, STEMS, helps=LOOKUP_ONLY)
    parser.add_argument(
        "--files",
        action="store_true",
        help="also list the files attached to each last run and its failed steps (one call each)",
    )
    parser.add_argument(
        "--download",
        metavar="DIR",
        type=Path,
        help="also save those files in DIR, as DIR/run-<run id>/[step-<n>/]<name> (implies "
        "--files; one more call per file, said with the time at the rate limit first)",
    )


def run(args: argparse.Namespace) -> int:
    """Print the test set: 0 shown, 1 refused or unreachable, 2 usage error."""
    from ..api.client import Client
    from ..upload.targets import Resolver, SetChoice

    try:
        settings = command_settings({**command_values(args, STEMS), "practitest": True}, "show")
        client = Client.from_settings(settings)
    except PractiTestError as error:
        print(
            f"practitest show: error: {command_error(error, getattr(args, 'parser', None))}",
            file=sys.stderr,
        )
        return 2
    project = settings.project_id
    assert project is not None  # resolve() checked it
    with client.session:
        try:
            resolver = Resolver.of(client, settings, SetChoice.of(settings, create=False))
            set_id = resolver.resolve_set()
            lines = view(
                client,
                project,
                set_id,
                files=args.files or args.download is not None,
                announce=lambda calls: _announce(calls, settings.rate_limit),
                download=args.download,
                announce_download=lambda calls: _announce(
                    calls, settings.rate_limit, f"downloading the files to {args.download}"
                ),
            )
        except ConfigError as error:
            print(f"practitest show: error: {error}", file=sys.stderr)
            return 2
        except APIError as error:
            print(f"practitest show: error: {error}", file=sys.stderr)
            return 1
        except OSError as error:
            print(f"practitest show: error: cannot save the files: {error}", file=sys.stderr)
            return 2
    print(f"test set {set_id} {resolver.set_name!r} in project {project}\n")
    print("\n".join(lines))
    print(f"({count_of(client.calls, 'API call')} in all)")  # the files' calls among them
    return 0


def _announce(
    calls: int,
    rate_limit: tuple[int, float] | None,
    doing: str = "listing the files",
) -> None:
    """Before the files are listed or saved: how many calls that is, how long at the limit."""
    from ..upload.dryrun import estimate_seconds

    pace = f" at {rate_limit[0]} calls / {rate_limit[1]:g} s" if rate_limit else ""
    each = (
        "one per file"
        if doing != "listing the files"
        else "one per last run and per step that did not pass"
    )
    print(
        f"practitest show: {doing}: {count_of(calls, 'API call')} ({each}), about "
        f"{seconds_text(estimate_seconds(calls, rate_limit))}{pace}",
        file=sys.stderr,
        flush=True,
    )


def view(
    client: Client,
    project: int,
    set_id: int,
    *,
    files: bool = False,
    announce: Callable[[int], None] | None = None,
    download: Path | None = None,
    announce_download: Callable[[int], None] | None = None,
) -> list[str]:
    """The test set's lines: instances, last runs, steps, files, totals.

    The run listing names no attachments (the API reference's runs answer has no such
    field): they cost one call per run and per step run. With ``files`` their number
    goes to ``announce`` before they are made; without, one line says what they would cost.
    With ``download`` (and ``files``) they are saved there, their number going to
    ``announce_download`` first.
    """
    base = f"/projects/{project}"
    instances = list(client.paginate(f"{base}/instances.json", {"set-ids": set_id}))
    last: dict[int, dict[str, Any]] = {}
    for item in client.paginate(f"{base}/runs.json", {"set-ids": set_id}):
        found = {"id": int(item["id"]), **item["attributes"]}
        shown = last.get(found["instance-id"])
        if shown is None or _when(found) > _when(shown):
            last[found["instance-id"]] = found
    steps: dict[int, list[dict[str, Any]]] = {}
    run_ids = sorted(run["id"] for run in last.values())
    for start in range(0, len(run_ids), PAGE_SIZE):
        chunk = ",".join(str(i) for i in run_ids[start : start + PAGE_SIZE])
        for item in client.paginate(f"{base}/step_runs.json", {"run-ids": chunk}):
            step = {"id": int(item["id"]), **item["attributes"]}
            steps.setdefault(step["run-id"], []).append(step)
    failed_steps = sum(
        1
        for run in last.values()
        for step in steps.get(run["id"], [])
        if step["status"] != "PASSED"
    )
    file_calls = len(last) + failed_steps
    if files and announce is not None:
        announce(file_calls)
    lines: list[str] = []
    saved: list[tuple[Path, dict[str, Any]]] = []  # (folder under download, attachment)
    totals: Counter[str] = Counter()
    for instance in sorted(instances, key=lambda i: int(i["id"])):
        attributes = instance["attributes"]
        status = attributes.get("run-status") or "NO RUN"
        run = last.get(int(instance["id"]))
        # A skipped test's run is NO RUN too: an instance without a run is counted apart.
        totals[NEVER_RUN if run is None and status == "NO RUN" else status] += 1
        lines.append(f"{attributes.get('display-id', ''):>6}  {status:<13} {attributes['name']}")
        if run is None:
            continue
        output = without_key(run.get("automated-execution-output") or "")
        if output:
            lines.append(f"{INDENT}output: {output.splitlines()[0][:90]}")
        for step in sorted(steps.get(run["id"], []), key=lambda s: s.get("position") or 0):
            failed = step["status"] != "PASSED"
            attached = _files(client, base, "step-run", step["id"]) if files and failed else []
            saved += [(Path(f"run-{run['id']}", f"step-{step['position']}"), a) for a in attached]
            lines.append(
                f"{INDENT}step {step['position']}: {step['status']:<7} {step['name']}"
                + (f"  [{', '.join(_named(a) for a in attached)}]" if attached else "")
            )
        attached = _files(client, base, "run", run["id"]) if files else []
        saved += [(Path(f"run-{run['id']}"), a) for a in attached]
        if attached:
            lines.append(f"{INDENT}files: {', '.join(_named(a) for a in attached)}")
    lines.append("")
    lines.append(
        "totals: " + ", ".join(f"{count} {status}" for status, count in totals.most_common())
    )
    if not files and file_calls:
        lines.append(
            f"files: not listed (the run listing does not name them); --files lists them "
            f"with {count_of(file_calls, 'more API call')}"
        )
    if files and download is not None:
        lines.append(_download(client, project, saved, download, announce_download))
    return lines


def _download(
    client: Client,
    project: int,
    found: list[tuple[Path, dict[str, Any]]],
    folder: Path,
    announce: Callable[[int], None] | None,
) -> str:
    """Save each attachment in ``folder``; the line that says what was saved."""
    from ..api.download import download

    if announce is not None and found:
        announce(len(found))
    size = 0
    written: set[Path] = set()
    for where, attachment in found:
        content = download(client, project, int(attachment["id"]))
        target = folder / where / _safe_name(attachment)
        if target in written:  # two files of one run with one name: keep both
            target = target.with_name(f"{attachment['id']}-{target.name}")
        written.add(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        size += len(content)
    return f"files: {count_of(len(found), 'file')} ({count_of(size, 'byte')}) saved in {folder}"


def _safe_name(attachment: dict[str, Any]) -> str:
    """The file's name as PractiTest gives it, reduced to one harmless path component."""
    name = re.split(r"[\\/]", str(attachment["attributes"].get("name") or ""))[-1]
    name = re.sub(r"[^\w.+ -]", "_", name)
    name = name.strip(" .")
    return name or f"attachment-{attachment['id']}"


def _named(attachment: dict[str, Any]) -> str:
    return f"{attachment['attributes']['name']} ({attachment['attributes'].get('size', '?')} B)"


def _when(run: dict[str, Any]) -> tuple[datetime, int]:
    """A run's place in time: its ``created-at`` (documented; the listing's order and the
    ids' are not), then its id for runs stored in the same second."""
    text = str(run.get("created-at") or "").replace("Z", "+00:00")
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        stamp = datetime.min
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp, run["id"]


def _files(client: Client, base: str, entity: str, entity_id: int) -> list[dict[str, Any]]:
    return list(
        client.paginate(f"{base}/attachments.json", {"entity": entity, "entity-id": entity_id})
    )
