"""JUnit test cases → RunRecords: where each goes, and what its run carries.

Matching order for each testcase (the first that answers wins; ids are never
guessed from names): a property naming the PractiTest instance or test
(``practitest_instance_id``, ``practitest_test_id``, ``test_id``,
``practitest_display_id``, ``practitest_name``: ``mapping.JUNIT_PROPERTIES``); then the
mapping file (keys ``classname::name`` or ``classname.name``, globs allowed);
then a test named by the template (default ``{classname}.{name}``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..limits import MAX_TEXT
from ..mapping import JUNIT_PROPERTIES, MappingFile
from ..model import FileRef, RunRecord, Status, StepRecord, Target, new_key, status_table
from ..outcomes import worst
from ..spool.private import private_dirs, write_private
from ..spool.redact import Redactor
from . import dialect
from .reader import ATTACHMENT_LINE, Case

STEP_STATUS = {
    "passed": Status.PASSED,
    "success": Status.PASSED,
    "failure": Status.FAILED,
    "failed": Status.FAILED,
    "error": Status.FAILED,
    "skipped": Status.NO_RUN,
    "blocked": Status.BLOCKED,
}
OUTCOME_KEY = {
    "passed": "passed",
    "failure": "failed",
    "error": "error",
    "teardown_error": "teardown_error",  # pytest's teardown-error testcase (see dialect)
    "skipped": "skipped",
}
TEMPLATE_FIELDS = ("classname", "name", "suite", "file")
INLINE_LIMIT = 16 * 1024
DEFAULT_TEMPLATE = "{classname}.{name}"


@dataclass
class Converter:
    """Turns cases into records; ``warn`` hears about files left out."""

    status_map: Mapping[str, str]
    name_template: str = DEFAULT_TEMPLATE
    mapping: MappingFile | None = None
    #: where attachments must lie: None for each XML file's own folder (then never a
    #: dot-file or dot-folder: ``.git/config`` holds a CI checkout's token); a folder
    #: the user names (``--attachments-base``) is theirs to vouch for, dot-files and all
    base_dir: Path | None = None
    fields: Sequence[tuple[str, str]] = ()
    property_fields: Mapping[str, str] = field(default_factory=dict)
    #: where a case's timestamp goes: "none" (the default: runs keep their duration, as the
    #: plugin's do), "output" (a last line of the output), or a custom field's name
    timestamp: str = "none"
    version: str | None = None
    warn: Callable[[str], None] = lambda message: None
    #: the users' ``pytest_practitest_map_testcase`` hooks (see ``cli/plugins.py``): first say
    map_testcase: Callable[[Case, Path], Target | None] | None = None
    #: where texts over INLINE_LIMIT go as files, so records (and memory) stay small
    artifacts: Path | None = None
    #: secrets masked in what goes into a file here (records are masked as they are spooled)
    redactor: Redactor = field(default_factory=lambda: Redactor(()))
    _written: int = 0
    _resolved_base: dict[Path, Path] = field(default_factory=dict, repr=False)
    _statuses: dict[str, Status] = field(init=False, repr=False)
    _nameless: dict[str, int] = field(default_factory=dict, repr=False)
    #: pytest's testcases are named by node id, found from this folder (see dialect)
    node_base: Path = field(default_factory=Path.cwd)
    _node_prefixes: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    #: the keys of the file being read (``file_keys``), else each record gets a new one
    keys: FileKeys | None = None
    #: how files are imported (the flags that shape their runs), for ``file_keys``
    how: str = ""

    def _key(self) -> str:
        return new_key() if self.keys is None else next(self.keys)

    def __post_init__(self) -> None:
        self._statuses = status_table(self.status_map)

    def target(
        self, case: Case, xml_path: Path | None = None, *, from_pytest: bool | None = None
    ) -> Target:
        """Where ``case`` goes (module docstring); ``from_pytest``: ``is_pytest(case)`` if known."""
        if from_pytest is None:
            from_pytest = dialect.is_pytest(case)
        if self.map_testcase is not None and xml_path is not None:
            hooked = self.map_testcase(case, xml_path)
            if hooked is not None:
                return hooked
        if case.properties:
            props = dict(case.properties)
            instance = props.get(JUNIT_PROPERTIES["instance_id"], "").strip()
            if instance.isdigit():
                return Target(instance_id=int(instance))
            for key in (JUNIT_PROPERTIES["test_id"], "test_id"):
                value = props.get(key, "").strip()
                if value.isdigit():
                    return Target(test_id=int(value))
            display = props.get(JUNIT_PROPERTIES["display_id"], "").strip()
            if display.isdigit():
                return Target(display_id=int(display))
            name = props.get(JUNIT_PROPERTIES["name"], "").strip()
            if name:  # the plugin writes these for a marker or hook into --junitxml
                return Target(name=name)
        if self.mapping is not None:
            keys: tuple[str, ...] = (
                f"{case.classname}::{case.name}",
                f"{case.classname}.{case.name}",
                case.name,
            )
            if from_pytest:  # the plugin's key first: one mapping file for both
                keys = (self._node_id(case), *keys)
            for key in keys:
                mapped = self.mapping.lookup(key)
                if mapped is not None:
                    return mapped.target
        return Target(name=self.name_for(case, from_pytest=from_pytest))

    def name_for(self, case: Case, *, from_pytest: bool | None = None) -> str:
        """The test's name in PractiTest, by the template (``from_pytest``: as in ``target``)."""
        if not case.name:
            return self._unnamed(case)
        if self.name_template == DEFAULT_TEMPLATE:  # most imports: no dict, no format parsing
            if dialect.is_pytest(case) if from_pytest is None else from_pytest:
                return self._node_id(case)  # as the plugin names it
            classname, name = case.classname, case.name
            if not classname or (classname in name and _repeats(name, classname)):
                return name  # jest and mocha put the test's title in both
            return f"{classname}.{name}"
        name = self.name_template.format(
            classname=case.classname,
            name=case.name,
            suite=" / ".join(case.suites),
            file=case.file,
        )
        if not case.classname and name.startswith("."):
            name = name[1:]
        return name

    def _node_id(self, case: Case) -> str:
        return dialect.node_id(case, self.node_base, self._node_prefixes)

    def _unnamed(self, case: Case) -> str:
        """A testcase without a name: ``Cart (unnamed testcase 2)``, by its place in its suite.

        Its own result, under a name the next import of the same report gives it again.
        """
        owner = case.classname or " / ".join(case.suites) or "JUnit"
        self._nameless[owner] = self._nameless.get(owner, 0) + 1
        return f"{owner} (unnamed testcase {self._nameless[owner]})"

    def _stamp(self, output: str, fields: dict[str, str], timestamp: str) -> str:
        """Keep when it ran: a last line of the output, or a custom field (``timestamp``)."""
        if not timestamp or self.timestamp == "none":
            return output
        if self.timestamp != "output":
            fields[self.timestamp] = timestamp
            return output
        return f"{output}\nstarted {timestamp}" if output else f"started {timestamp}"

    def record(self, case: Case, xml_path: Path, *, stamp: bool = True) -> RunRecord:
        outcome = OUTCOME_KEY[case.outcome]
        if case.outcome == "skipped" and case.kind in dialect.XFAIL_KINDS:
            outcome = "xfailed"  # as the pytest plugin reports it
        status = self._statuses[outcome]
        from_pytest = dialect.is_pytest(case)
        target = self.target(case, xml_path, from_pytest=from_pytest)
        if from_pytest:
            label = self._node_id(case)
        else:
            label = f"{case.classname}::{case.name}" if case.classname else case.name
        if not case.name:
            label = target.name or label
        if case.outcome == "skipped":
            output = f"skipped: {case.message}".rstrip(": ")
        elif case.outcome != "passed":
            message, kind = dialect.said(case)
            output = message or (case.text.strip().splitlines() or [""])[0]
            if kind and not output.startswith(kind):
                output = f"{kind}: {output}"
        else:
            output = ""
        if case.retries:
            output = f"{output} (after {len(case.retries)} reruns)".strip()
        files: list[FileRef] = []
        if case.text and case.outcome in ("failure", "error"):
            files.append(self._text(f"{case.outcome}.txt", case.text))
        if case.retries:
            files.append(self._text("reruns.txt", "\n\n".join(case.retries)))
        if case.system_out or case.system_err:
            for stream, text in (("system-out", case.system_out), ("system-err", case.system_err)):
                if text.strip():
                    files.append(self._text(f"{stream}.txt", text))
                    files += self._attachments(ATTACHMENT_LINE.findall(text), xml_path, label)
        fields = dict(self.fields)
        if case.suite_properties or case.properties:  # most testcases have none: skip the work
            properties = case.suite_properties + case.properties
            files += self._attachments(
                [v for n, v in properties if n.lower().startswith("attachment")], xml_path, label
            )
            for name, value in properties:
                if name in self.property_fields:
                    fields[self.property_fields[name]] = value
        if stamp and case.timestamp:
            output = self._stamp(output, fields, case.timestamp)
        return RunRecord(
            target=target,
            status=status,
            key=self._key(),
            label=label,
            duration=case.time,
            output=output,
            steps=tuple(self._steps(case.properties)) if case.properties else (),
            files=tuple(files),
            custom_fields=fields,
            version=self.version,
        )

    def _base(self, xml_path: Path) -> Path:
        """The folder attachments of ``xml_path`` must lie under, resolved (once per folder)."""
        folder = self.base_dir if self.base_dir is not None else xml_path.parent
        if folder not in self._resolved_base:
            self._resolved_base[folder] = folder.resolve()
        return self._resolved_base[folder]

    def _text(self, name: str, text: str) -> FileRef:
        """Small texts ride in the record; big ones are written next to the spool."""
        data = text.encode("utf-8")
        if self.artifacts is None or len(data) <= INLINE_LIMIT:
            return FileRef(name, data=data)
        private_dirs(self.artifacts)
        self._written += 1
        path = self.artifacts / f"{self._written:07d}-{name}"
        write_private(path, self.redactor.data(data))
        return FileRef(name, path=str(path))

    def suite_record(self, cases: Sequence[Case], xml_path: Path) -> RunRecord:
        """One run for a whole suite: each testcase is a step, the worst status wins.

        The suite's target: its ``practitest_instance_id``/``practitest_test_id``
        property, else the mapping file keyed by the suite's name, else a test
        named after the suite path (``Outer / Inner``).
        """
        first = cases[0]
        suite = " / ".join(first.suites) or first.classname
        props = dict(first.suite_properties)
        target: Target | None = None
        instance = props.get("practitest_instance_id", "").strip()
        test = props.get("practitest_test_id", "").strip()
        if instance.isdigit():
            target = Target(instance_id=int(instance))
        elif test.isdigit():
            target = Target(test_id=int(test))
        elif self.mapping is not None and (mapped := self.mapping.lookup(suite)) is not None:
            target = mapped.target
        records = [self.record(case, xml_path, stamp=False) for case in cases]
        steps = tuple(
            StepRecord(
                name=case.name[:MAX_TEXT],
                status=record.status,
                actual=record.output or None,
                files=record.files,
            )
            for case, record in zip(cases, records, strict=True)
        )
        problems = [
            f"{case.name}: {record.output}"
            for case, record in zip(cases, records, strict=True)
            if record.status is not Status.PASSED and record.output
        ]
        fields = dict(self.fields)
        output = self._stamp("; ".join(problems), fields, first.timestamp)
        return RunRecord(
            target=target or Target(name=suite),
            status=worst(r.status for r in records),
            key=self._key(),
            label=suite,
            duration=sum(r.duration for r in records),
            output=output,
            steps=steps,
            custom_fields=fields,
            version=self.version,
        )

    def _steps(self, properties: Sequence[tuple[str, str]]) -> list[StepRecord]:
        steps = []
        for name, value in properties:
            found = re.fullmatch(r"step\d*(?:\[(\w+)\])?", name.strip(), flags=re.IGNORECASE)
            if not found or not value.strip():
                continue
            lines = [line.strip() for line in value.strip().splitlines() if line.strip()]
            status = STEP_STATUS.get((found.group(1) or "passed").lower(), Status.PASSED)
            description = value.strip() if len(lines) > 1 or len(lines[0]) > MAX_TEXT else None
            steps.append(
                StepRecord(name=lines[0][:MAX_TEXT], status=status, description=description)
            )
        return steps

    def _attachments(self, values: Sequence[str], xml_path: Path, label: str) -> list[FileRef]:
        files: list[FileRef] = []
        if not values:
            return files
        base = self._base(xml_path)
        for value in values:
            value = value.strip()
            if value.startswith("data:"):
                inline = _data_uri(value)
                if inline is None:
                    self.warn(f"{label}: an inline attachment is not valid base64; left out")
                else:
                    files.append(inline)
                continue
            if re.match(r"^[a-z][a-z0-9+.-]*://", value, flags=re.IGNORECASE):
                self.warn(f"{label}: attachment {value} is a URL; it is not downloaded")
                continue
            path = (xml_path.parent / value).resolve()
            if not path.is_relative_to(base):
                self.warn(
                    f"{label}: attachment {value} is outside {base}; left out "
                    "(widen with --attachments-base)"
                )
            elif self.base_dir is None and any(
                part.startswith(".") for part in path.relative_to(base).parts
            ):
                self.warn(
                    f"{label}: attachment {value} is a dot-file or in a dot-folder; left out "
                    "(name the folder with --attachments-base to take it)"
                )
            elif not path.is_file():
                self.warn(f"{label}: attachment {value} not found; left out")
            else:
                files.append(FileRef(path.name, path=str(path)))
        return files


def _repeats(name: str, classname: str) -> bool:
    """The name already says the classname: equal, or it begins or ends with it as words."""
    return name == classname or name.startswith(classname + " ") or name.endswith(" " + classname)


def _data_uri(value: str) -> FileRef | None:
    header, _, payload = value.partition(",")
    parts = header[5:].split(";")
    name = next((p[9:] for p in parts if p.startswith("filename=")), "attachment")
    if "base64" not in parts:
        return FileRef(name, data=payload.encode("utf-8"))
    try:
        return FileRef(name, data=base64.b64decode(payload, validate=True))
    except (binascii.Error, ValueError):
        return None


class FileKeys:
    """A file's record keys, in the order they are read: ``prefix`` then a counter."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._numbers = itertools.count(1)

    def __iter__(self) -> FileKeys:
        return self

    def __next__(self) -> str:
        return f"{self.prefix}{next(self._numbers):08x}"


def file_keys(path: Path, how: str = "") -> FileKeys | None:
    """The keys of a file's records, in the order they are read: from the file's place
    (relative to here, as a CI's checkout has it on any machine), its bytes and ``how`` it
    is imported, so the same file imported the same way again has the same keys (what the
    first import delivered is found by them, not posted twice), and the same bytes at two
    places (two legs of a matrix) are two files' results. None when it cannot be read."""
    digest = hashlib.sha256(how.encode("utf-8"))
    digest.update(os.path.relpath(path).encode("utf-8", "surrogateescape") + b"\0")
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return FileKeys(digest.hexdigest()[:16])
