"""``practitest sync``: make PractiTest's tests and the test set's instances equal to the code.

Collects the suite as ``practitest map`` does (``collect/definitions``), reads what
PractiTest holds with listings only (``sync/remote``), lists the differences and
the calls that remove them (``sync/diff``), says what they cost, and makes them
(``sync/apply``). ``--check`` writes nothing and exits 1 when anything differs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import APIError, ConfigError, PractiTestError
from ..events import count, first_few
from ..mapping import DEFAULT_MAP
from .flags import add_command_flags, command_values, in_command_words

if TYPE_CHECKING:
    from ..sync.diff import Plan

STEMS = ("url", "project-id", "set-id", "set-name", "author-id", "rate-limit", "timeout")
HEADER = """\
# pytest-practitest mapping: pytest node id -> PractiTest instance/test.
# Written by `practitest map` and `practitest sync`; edit freely (entries are kept).
[tests]
"""
COLLECT = """
import sys, pytest
from pytest_practitest.collect.definitions import DefinitionWriter
sys.exit(pytest.main(sys.argv[2:], plugins=[DefinitionWriter(sys.argv[1])]))
"""


def collect(pytest_args: Sequence[str], map_file: str | None) -> dict[str, Any]:
    """The suite's test definitions, from ``pytest --collect-only`` (nothing is reported)."""
    env = {**os.environ, "PRACTITEST": "0"}
    if map_file:
        env["PRACTITEST_MAP"] = map_file
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "definitions.json"
        # The interpreter running us, with the user's own pytest arguments: no shell.
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", COLLECT, str(out), "--collect-only", "-q",
             "-p", "no:practitest-reporter", *pytest_args],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        if result.returncode not in (0, 5) or not out.exists():
            tail = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["no output"]
            raise ConfigError(
                f"collecting the tests failed (pytest exit {result.returncode}): {tail[0]}"
            )
        found: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return found


def append_entry(path: Path, key: str, test_id: int, name: str) -> None:
    """One mapping file line, written at once: an interrupted sync finds the test by it."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not text:
        text = HEADER
    elif "[tests]" not in text:
        raise ConfigError(f"{path}: has no [tests] section to add entries to")
    comment = name.replace("\n", " ")
    line = f"{json.dumps(key, ensure_ascii=False)} = {{ test_id = {test_id} }}  # {comment}\n"
    path.write_text(text + ("" if text.endswith("\n") else "\n") + line, encoding="utf-8")


class Ticker:
    """A progress line on stderr: every call on a terminal, every 10 % in a log."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.shown = -1

    def __call__(self, done: int) -> None:
        tenth = done * 10 // self.total
        if tenth != self.shown or done == self.total:
            self.shown = tenth
            percent = done * 100 // self.total
            print(f"sync: {done}/{self.total} calls ({percent}%)", file=self.stream, flush=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``practitest sync``."""
    add_command_flags(parser, STEMS)
    parser.add_argument(
        "--map",
        dest="practitest_map",
        metavar="FILE",
        help="the mapping file (default: the one pytest --practitest reads, else "
        "practitest.toml at the rootdir); new tests are added to it by test id",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list each difference and exit 1 if there is one (a CI gate)",
    )
    mode.add_argument(
        "--dry-run", action="store_true", help="print the differences and the calls; write nothing"
    )
    parser.add_argument(
        "pytest_args", nargs="*", help="arguments for pytest's collection (after --)"
    )


def run(args: argparse.Namespace) -> int:
    """``practitest sync``: 0 equal (or made equal), 1 differences or API failure, 2 usage."""
    from ..api.client import Client
    from ..settings import resolve

    cli = command_values(args, STEMS)
    try:
        settings = in_command_words(resolve(cli, lambda name: None))
        if settings.project_id is None or (settings.set_id is None and not settings.set_name):
            raise ConfigError(
                "give the project and the test set: --project-id and --set-id or --set-name"
            )
        collected = collect(args.pytest_args, args.practitest_map)
        client = Client.from_settings(settings)
    except PractiTestError as error:
        print(f"practitest sync: error: {error}", file=sys.stderr)
        return 2
    with client.session:
        try:
            return _sync(args, settings, client, collected)
        except ConfigError as error:
            print(f"practitest sync: error: {error}", file=sys.stderr)
            return 2
        except APIError as error:
            print(f"practitest sync: error: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print(
                "practitest sync: interrupted; the tests made so far are in the mapping file: "
                "run it again to go on",
                file=sys.stderr,
            )
            return 1


def _sync(args: argparse.Namespace, settings: Any, client: Any, collected: dict[str, Any]) -> int:
    from ..spool.redact import Redactor
    from ..sync.apply import Applier
    from ..sync.definition import TestDefinition
    from ..sync.diff import Differ
    from ..sync.remote import Reader
    from ..upload.targets import Resolver, SetChoice

    writing = not (args.check or args.dry_run)
    for problem in collected["problems"]:
        print(f"practitest sync: error: {problem}", file=sys.stderr)
    if collected["problems"]:
        return 2
    definitions = [TestDefinition.from_json(d) for d in collected["definitions"]]
    project_id = settings.project_id
    choice = SetChoice.of(settings, create=False)
    resolver = Resolver.of(client, settings, choice, author_id=settings.author_id)
    set_id: int | None
    try:
        set_id = resolver.resolve_set()
        where = f"test set {set_id} {resolver.set_name!r}"
    except ConfigError:
        if settings.set_id is not None:
            raise
        set_id, where = None, f"test set {settings.set_name!r} (does not exist yet)"
    remote = Reader(client, project_id).read(set_id, definitions)
    plan = Differ(remote, project_id).diff(definitions)
    node_ids = sum(len(d.node_ids) for d in definitions)
    tests = count(node_ids, "test")
    # One PractiTest test per pytest test, unless parameter sets share their function's.
    mapped = (
        "one PractiTest test each"
        if node_ids == len(definitions)
        else f"as {count(len(definitions), 'PractiTest test')}"
    )
    print(f"{where}: {len(remote.instances)} instances; code: {tests}, {mapped}")
    # A line names a test by its node id: a secret among its parameters is masked, as
    # it is in the name PractiTest gets.
    mask = Redactor.for_settings(settings).text
    lines = [mask(line) for line in plan.differences + plan.problems]
    if args.check:
        if lines:
            print("\n".join(lines))
        print(_verdict(plan))
        if plan.unmatched:
            print(_unmatched(plan.unmatched))
        return 1 if lines else 0
    calls = plan.write_calls + (1 if set_id is None else 0)
    print(f"read PractiTest in {client.calls} calls; {len(plan.differences)} differences")
    if lines:
        print("\n".join(f"  {line}" for line in lines))
    if plan.unmatched:
        print(f"  {_unmatched(plan.unmatched)}")
    print(_cost(plan, calls, settings.rate_limit, client.base_url))
    if not writing or calls == 0:
        if writing and set_id is not None:
            map_path = _write_mapping(collected, args, plan.mapped)
            _write_hints(map_path, set_id, remote.instance_of_test)
        return 1 if plan.problems else 0
    if set_id is None:
        set_id = Resolver.of(
            client, settings, SetChoice(None, settings.set_name), author_id=settings.author_id
        ).resolve_set()
    map_path = _write_mapping(collected, args, plan.mapped)
    applier = Applier(
        client,
        project_id,
        set_id,
        author_id=settings.author_id,
        on_mapped=lambda key, test_id, name: append_entry(map_path, key, test_id, name),
        on_call=Ticker(plan.write_calls),
        author_problem=resolver.author_problem,
    )
    applier.apply(plan)
    print(
        f"done: {len(plan.create)} tests created, {len(plan.update)} updated, "
        f"{len(plan.steps)} with steps changed, {len(plan.links) + len(plan.new_links)} with "
        f"requirements linked, {len(plan.create) + len(plan.instances)} instances added; "
        f"{applier.done} write calls"
    )
    if plan.create or plan.mapped:
        print(f"mapping file {map_path}: tests written by test id")
    _write_hints(map_path, set_id, {**applier.placed, **remote.instance_of_test})
    return 1 if plan.problems else 0


def _write_hints(path: Path, set_id: int, instances: dict[int, int]) -> None:
    """Each test id entry gets its instance in the set: runs into it need no listing."""
    from ..sync.mapfile import write_hints

    changed = write_hints(path, set_id, instances)
    if changed:
        print(
            f"mapping file {path}: {changed} entries given their instance in test set {set_id} "
            "(their results into that set need no listing of it)"
        )


def _verdict(plan: Plan) -> str:
    """``--check``'s last word: equal, or what differs and what mends it."""
    if not plan.differences and not plan.problems:
        return "PractiTest is equal to the code"
    said = []
    if plan.differences:
        them = "them" if len(plan.differences) != 1 else "it"
        said.append(f"{count(len(plan.differences), 'difference')}: practitest sync applies {them}")
    if plan.problems:
        said.append(f"{count(len(plan.problems), 'problem')} to fix in the code")
    return "; ".join(said)


def _unmatched(unmatched: list[str]) -> str:
    """The set's instances with no test in the code: said once, not a difference."""
    return (
        f"note: {count(len(unmatched), 'instance')} of the set "
        f"{'have' if len(unmatched) != 1 else 'has'} no test in the code (manual tests, or tests "
        f"the code no longer has; sync never removes them): {first_few(unmatched)}"
    )


def _write_mapping(
    collected: dict[str, Any], args: argparse.Namespace, mapped: dict[str, tuple[int, str]]
) -> Path:
    given = args.practitest_map or collected.get("map_file")
    path = Path(given) if given else Path(collected["rootdir"]) / DEFAULT_MAP
    for key, (test_id, name) in sorted(mapped.items()):
        append_entry(path, key, test_id, name)
    return path


def _cost(plan: Any, calls: int, rate_limit: tuple[int, float] | None, url: str) -> str:
    """The plan's writes, and their time at the rate limit by the rule a dry run uses."""
    from ..upload.dryrun import duration_text, estimate_seconds, seconds_per_call

    parts = [
        f"{len(plan.create)} tests to create",
        f"{len(plan.update)} to update",
        f"{len(plan.steps)} with steps to change",
        f"{len(plan.links) + len(plan.new_links)} with requirements to link",
        f"{len(plan.create) + len(plan.instances)} instances to add",
    ]
    text = f"plan: {', '.join(parts)}: {calls} write calls"
    if rate_limit and calls:
        took = duration_text(estimate_seconds(calls, rate_limit, seconds_per_call(url)))
        took = took if took.startswith("under") else f"about {took}"
        text += f", {took} at {rate_limit[0]} calls per {rate_limit[1]:g} s"
    return text
