"""What each spool in a folder holds: for ``practitest spools``.

Per spool: when and by what it was written, where its results go, how many are
delivered, and for those that are not, why (the rejections PractiTest gave), grouped:
results rejected for the same reason are one line with their count and the first few
tests, so 500 results without an instance in the set are two lines, not 500.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from ..errors import PractiTestError
from ..events import visible
from ..model import RunRecord
from .cleanup import BUNDLE_SPOOL, in_use
from .journal import Spool

SOURCES = {"pytest": "pytest", "junit": "import-junit"}
REASONS_SHOWN = 5
TESTS_SHOWN = 3


class Rejection(NamedTuple):
    """A reason PractiTest rejected results for, with the tests it was given for."""

    reason: str
    tests: tuple[str, ...]
    #: the rejected records' keys, in the order of ``tests``
    keys: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        count = len(self.tests)
        more = f", and {count - TESTS_SHOWN} more" if count > TESTS_SHOWN else ""
        named = ", ".join(self.tests[:TESTS_SHOWN])
        return [f"      {count} x {self.reason}", f"          {named}{more}"]


def grouped(rejected: dict[str, str], records: dict[str, RunRecord]) -> tuple[Rejection, ...]:
    """``rejected`` (reason by key, each as ``label: reason``) grouped by reason, most common
    first. A reason naming its record's target (``test 'test_a' has no instance ...``) says
    "the test" instead, so that results rejected for the same reason group."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for key, text in rejected.items():
        record = records.get(key)
        if record is None:
            label, _, reason = text.partition(": ")
            groups.setdefault(reason or label, []).append((label if reason else key, key))
            continue
        described = record.target.describe()
        label = record.label or described
        reason = text.removeprefix(f"{label}: ").replace(described, "the test", 1)
        named = label if record.label in ("", record.target.name) else f"{label} ({described})"
        groups.setdefault(reason, []).append((named, key))
    ordered = sorted(groups.items(), key=lambda group: -len(group[1]))
    return tuple(
        Rejection(reason, tuple(t for t, _ in tests), tuple(k for _, k in tests))
        for reason, tests in ordered
    )


class SpoolContents(NamedTuple):
    """One spool, as ``practitest spools`` lists it."""

    path: Path
    created: str = ""
    source: str = ""
    target: str = ""
    total: int = 0
    delivered: int = 0
    reasons: tuple[Rejection, ...] = ()  # most common first
    dry_run: bool = False
    in_use: bool = False
    damaged: str | None = None
    #: lines left out when it was read (bad records, files refused), as ``Spool.warnings``
    left_out: tuple[str, ...] = ()

    @property
    def undelivered(self) -> int:
        return self.total - self.delivered

    def lines(self) -> list[str]:
        """A heading line, then what is not delivered and why."""
        if self.damaged is not None:
            return [f"{self.path}: cannot be read: {self.damaged}"]
        state = (
            "dry run (a plan; never sent)"
            if self.dry_run
            else (f"{self.delivered} of {self.total} delivered")
        )
        if self.in_use:
            state += "; a running session has it open"
        head = f"{self.path}  {self.created}  {self.source}  {self.target}: {state}"
        lines = [head]
        if self.left_out:
            count = len(self.left_out)
            lines.append(f"    {count} left out as it was read; the first: {self.left_out[0]}")
        rejected = sum(len(group.tests) for group in self.reasons)
        if rejected:
            lines.append(f"    {rejected} rejected:")
            for group in self.reasons[:REASONS_SHOWN]:
                lines += group.lines()
            if len(self.reasons) > REASONS_SHOWN:
                lines.append(f"      ... and {len(self.reasons) - REASONS_SHOWN} more reasons")
        if not self.dry_run and self.undelivered > rejected:
            lines.append(f"    {self.undelivered - rejected} not sent yet")
        return [visible(line) for line in lines]


def spools_in(directory: Path) -> list[Path]:
    """The spool files in ``directory`` and its bundles' (``--practitest-defer``), oldest first."""
    found = [*directory.glob("practitest-*.jsonl"), *directory.glob(f"bundle-*/{BUNDLE_SPOOL}")]

    def made(path: Path) -> str:  # both names go on with the time they were made
        name = path.parent.name if path.name == BUNDLE_SPOOL else path.stem
        return name.split("-", 1)[1]

    return sorted(found, key=made)


def contents_of(path: Path) -> SpoolContents:
    """Read one spool (without changing it) into its SpoolContents."""
    busy = in_use(path)  # asked before opening: our own read lock would answer yes
    try:
        spool = Spool.open(path)
    except PractiTestError as error:
        return SpoolContents(path, damaged=str(error).removeprefix(f"{path}: "))
    with spool:
        meta = spool.meta
        where = meta.destination.test_set()
        undelivered = {k: why for k, why in spool.rejected.items() if k not in spool.delivered}
        return SpoolContents(
            path=path,
            created=meta.created.replace("T", " ")[:16],
            source=SOURCES.get(meta.source, meta.source or "?")
            + (" (a bundle)" if meta.bundle else ""),
            target=f"project {meta.destination.project_id}, {where}"
            if meta.destination.project_id
            else "no project yet (practitest upload --project-id)",
            total=spool.count,
            delivered=len(spool.delivered),
            reasons=grouped(undelivered, spool.records),
            dry_run=meta.dry_run,
            in_use=busy,
            left_out=tuple(w for w in spool.warnings if "truncated last line" not in w),
        )
