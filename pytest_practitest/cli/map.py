"""``practitest map``: match a suite's node ids to a test set's instances by name.

A node id matches an instance when the instance's name is, in this order:
the node id itself; the test's own name (``test_add[EUR]``); or the same words
(``test_cart_add_an_item`` and ``Cart: add an item`` both read
``cart add an item``). A match must be unique on both sides; anything else is
reported, never guessed. A match is written as the instance's test id, so the file
does not pin a test set: results go to that test's instance in whatever set a run
names (the instance is written beside it: a run into this set needs no listing).
Tests the plugin already places (the hook, a marker, the mapping file: the rule in
``collect/target.py``) are left alone; entries already in the file are kept as
they are, and new ones are appended, so hand-written lines and comments survive.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError, PractiTestError
from ..events import count
from ..mapping import DEFAULT_MAP, MappingFile
from .flags import LOOKUP_ONLY, add_command_flags, command_settings, command_values

STEMS = ("url", "project-id", "set-id", "set-name")
HEADER = """\
# pytest-practitest mapping: pytest node id -> PractiTest instance/test.
# Written by `practitest map`; edit freely (entries are kept on the next run).
[tests]
"""


def words(text: str) -> str:
    """Lower-case words only: ``test_Cart_add`` and ``Cart: add`` both become ``cart add``."""
    text = re.sub(r"^test_?", "", text, flags=re.IGNORECASE)
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


# pytest --collect-only -q, plus one line that says the rootdir (node ids are relative to it,
# and the plugin reads practitest.toml there) and one per test the plugin already places.
COLLECT = """
import os, sys, pytest
from pathlib import Path
class Rootdir:
    def pytest_collection_finish(self, session):
        print("practitest-rootdir:", session.config.rootpath)
        from pytest_practitest.collect.target import place
        from pytest_practitest.errors import ConfigError
        from pytest_practitest.mapping import DEFAULT_MAP, MappingFile
        given = os.environ.get("PRACTITEST_MAP_FILE")
        path = Path(given) if given else session.config.rootpath / DEFAULT_MAP
        try:
            mapping = MappingFile.load(path) if path.is_file() else None
        except ConfigError:
            mapping = None  # practitest map says what is wrong with it
        for item in session.items:
            if place(item, mapping).item is not None:
                print("practitest-placed:", item.nodeid)
sys.exit(pytest.main(sys.argv[1:], plugins=[Rootdir()]))
"""
ROOTDIR_LINE = "practitest-rootdir: "
CONTINUE = "--continue-on-collection-errors"
#: pytest's heading of one collection error, then its traceback ending in ``E   reason`` lines
ERROR_HEADING = re.compile(r"^_+ ERROR collecting (.+?) _+$")
SHOWN = 20


def collection_errors(lines: Sequence[str]) -> list[str]:
    """``file: reason`` for each file pytest could not collect, from its ERRORS section."""
    found: list[str] = []
    where: str | None = None
    reason = ""
    for line in [*lines, "= end ="]:
        heading = ERROR_HEADING.match(line)
        if where is not None and (heading or line.startswith("=")):
            found.append(f"{where}: {reason or 'could not be collected'}")
            where = None
        if heading:
            where, reason = heading.group(1), ""
        elif where is not None and line.startswith("E   ") and not reason:
            reason = line[4:].strip()  # the first E line: the exception and its message
    return found


PLACED_LINE = "practitest-placed: "


def collect_node_ids(
    pytest_args: Sequence[str], cwd: Path | None = None, map_file: Path | None = None
) -> tuple[list[str], Path, set[str]]:
    """The suite's node ids, its rootdir, and the node ids the plugin already places
    (hook, marker, ``map_file`` or practitest.toml), from ``pytest --collect-only -q``.

    The plugin stays loaded (a conftest may implement its hooks, ``--strict-markers``
    needs its marker) with reporting off and its reporter blocked: nothing is sent.
    """
    env = {**os.environ, "PRACTITEST": "0"}
    if map_file is not None:
        env["PRACTITEST_MAP_FILE"] = str(map_file.resolve())
    # The interpreter running us, with the user's own pytest arguments: no shell.
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            COLLECT,
            "--collect-only",
            "-q",
            "-p",
            "no:practitest-reporter",
            *pytest_args,
        ],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )
    lines = result.stdout.splitlines()
    failed = collection_errors(lines)
    if failed and (result.returncode in (0, 5) or CONTINUE in pytest_args):
        for problem in failed:  # --continue-on-collection-errors: map the rest, say what is not
            print(f"practitest map: warning: {problem}; its tests are not mapped", file=sys.stderr)
    elif failed:
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        raise ConfigError(
            f"collecting the tests failed: {failed[0]}{more}; fix it, or map the rest with: "
            f"practitest map -- {CONTINUE}"
        )
    elif result.returncode not in (0, 5):
        tail = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["no output"]
        raise ConfigError(
            f"collecting the tests failed (pytest exit {result.returncode}): {tail[0]}"
        )
    rootdir = next(
        (Path(line[len(ROOTDIR_LINE) :]) for line in lines if line.startswith(ROOTDIR_LINE)),
        (cwd or Path.cwd()).resolve(),
    )
    placed = {line[len(PLACED_LINE) :] for line in lines if line.startswith(PLACED_LINE)}
    node_ids = [
        line.strip()
        for line in lines
        if "::" in line and not line.startswith((" ", PLACED_LINE, ROOTDIR_LINE))
    ]
    return node_ids, rootdir, placed


@dataclass
class Matching:
    matched: dict[str, tuple[int, str]] = field(default_factory=dict)  # node id -> (instance, name)
    #: instance id -> its test's id: what is written
    tests: dict[int, int] = field(default_factory=dict)
    already: list[str] = field(default_factory=list)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    tests_without_instance: list[str] = field(default_factory=list)
    instances_without_test: list[str] = field(default_factory=list)


def match(
    node_ids: Iterable[str],
    instances: Iterable[tuple[int, str]],
    mapping: MappingFile | None,
    placed: Collection[str] = (),
    tests: Mapping[int, int] | None = None,
) -> Matching:
    """Match ``node_ids`` to ``instances`` (id, name) by name; ``placed`` node ids (the
    plugin's rule already places them) and those ``mapping`` names are left alone."""
    result = Matching(tests=dict(tests or {}))
    pool = list(instances)
    claims: dict[int, list[str]] = {}
    for node_id in node_ids:
        if node_id in placed or (mapping is not None and mapping.lookup(node_id) is not None):
            result.already.append(node_id)
            continue
        own = node_id.rsplit("::", 1)[-1]
        # Closest first: the node id, the test's own name, then the same words.
        found = [(i, n) for i, n in pool if n == node_id]
        found = found or [(i, n) for i, n in pool if n == own]
        found = found or [(i, n) for i, n in pool if words(n) == words(own)]
        if len(found) == 1:
            claims.setdefault(found[0][0], []).append(node_id)
            result.matched[node_id] = found[0]
        elif found:
            result.ambiguous[node_id] = [f"{n} (instance {i})" for i, n in found]
        else:
            result.tests_without_instance.append(node_id)
    for instance_id, claimants in claims.items():
        if len(claimants) > 1:  # one instance, several tests: ask, do not guess
            name = result.matched[claimants[0]][1]
            for node_id in claimants:
                del result.matched[node_id]
                result.ambiguous[node_id] = [
                    f"{name} (instance {instance_id}) "
                    f"also matches {len(claimants) - 1} other test(s)"
                ]
    used = {instance_id for instance_id, _ in result.matched.values()}
    entries = list(mapping.exact.values()) if mapping else []
    mapped_ids = {m.target.instance_id for m in entries}
    mapped_tests = {m.target.test_id for m in entries}
    result.instances_without_test = [
        f"{n} (instance {i})"
        for i, n in pool
        if i not in used and i not in mapped_ids and result.tests.get(i) not in mapped_tests
    ]
    return result


def write(
    path: Path, matched: dict[str, tuple[int, str]], tests: Mapping[int, int], set_id: int
) -> None:
    """Append new entries, by test id with its instance in ``set_id`` as a hint (a run into
    another set ignores it), creating the file with a header if needed."""
    from ..sync.mapfile import hinted

    if not matched:
        return
    existing = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if "[tests]" not in existing:
        raise ConfigError(f"{path}: has no [tests] section to add entries to")
    lines = [
        f"{json.dumps(node_id, ensure_ascii=False)} = "
        f"{hinted(tests[instance], set_id, instance)}  # {name}"
        for node_id, (instance, name) in sorted(matched.items())
    ]
    text = existing if existing.endswith("\n") else existing + "\n"
    path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")


def report(result: Matching, path: Path, dry_run: bool = False) -> list[str]:
    """What matched and what did not; long lists are cut at ``SHOWN`` lines."""
    if not result.matched:
        written = f"nothing to add to {path}"
        if result.tests_without_instance:
            written += " (practitest sync creates the tests and instances: docs/sync.md)"
    elif dry_run:
        written = f"dry run: {path} not written"
    else:
        written = f"written to {path}"
    lines = [f"matched {count(len(result.matched), 'test')} to instances; {written}"]
    lines += [
        f"  {node_id} -> test {result.tests.get(i)} {name!r} (instance {i})"
        for node_id, (i, name) in sorted(result.matched.items())
    ]
    if result.already:
        lines.append(
            f"already placed by a marker, the hook or {path}: "
            f"{count(len(result.already), 'test')} (left as they are)"
        )
    if result.ambiguous:
        lines.append(f"more than one candidate, not mapped ({len(result.ambiguous)}):")
        lines += _cut(
            f"  {node_id}: {', '.join(options)}"
            for node_id, options in sorted(result.ambiguous.items())
        )
    lines.append(f"tests with no instance of that name ({len(result.tests_without_instance)}):")
    lines += _cut(f"  {node_id}" for node_id in result.tests_without_instance)
    lines.append(f"instances no test matched ({len(result.instances_without_test)}):")
    lines += _cut(f"  {name}" for name in result.instances_without_test)
    return lines


def _cut(lines: Iterable[str]) -> list[str]:
    """The first ``SHOWN`` lines, then one that counts the rest."""
    every = list(lines)
    if len(every) <= SHOWN:
        return every
    return [*every[:SHOWN], f"  ... and {len(every) - SHOWN} more"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``practitest map``."""
    add_command_flags(parser, STEMS, helps=LOOKUP_ONLY)
    parser.add_argument(
        "--map",
        dest="practitest_map",
        metavar="FILE",
        help="the mapping file (default: PRACTITEST_MAP, else practitest.toml at the rootdir, "
        "where pytest --practitest reads it without an option)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the matches; write nothing")
    parser.add_argument(
        "pytest_args", nargs="*", help="arguments for pytest's collection (after --)"
    )


def run(args: argparse.Namespace) -> int:
    """``practitest map``: 0 done, 1 the API failed, 2 usage or input error."""
    from ..api.client import Client
    from ..errors import APIError
    from ..mapping import MappingFile
    from ..upload.targets import Resolver, SetChoice

    cli = command_values(args, STEMS)
    cli["practitest_map"] = args.practitest_map
    try:
        settings = command_settings(cli, "map")
        if settings.project_id is None or (settings.set_id is None and not settings.set_name):
            raise ConfigError(
                "give the project and the test set: --project-id and --set-id or --set-name"
            )
        node_ids, rootdir, placed = collect_node_ids(args.pytest_args, map_file=settings.map)
        path = settings.map or rootdir / DEFAULT_MAP
        mapping = MappingFile.load(path) if path.exists() else None
        client = Client.from_settings(settings)
    except PractiTestError as error:
        print(f"practitest map: error: {error}", file=sys.stderr)
        return 2
    with client.session:
        resolver = Resolver.of(client, settings, SetChoice.of(settings, create=False))
        try:
            set_id = resolver.resolve_set()
            listed = list(
                client.paginate(
                    f"/projects/{settings.project_id}/instances.json", {"set-ids": set_id}
                )
            )
        except ConfigError as error:
            print(f"practitest map: error: {error}", file=sys.stderr)
            return 2
        except APIError as error:
            print(f"practitest map: error: {error}", file=sys.stderr)
            return 1
    instances = [(int(i["id"]), str(i["attributes"]["name"])) for i in listed]
    tests = {int(i["id"]): int(i["attributes"]["test-id"]) for i in listed}
    result = match(node_ids, instances, mapping, placed, tests)
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        path = path.relative_to(Path.cwd())
    where = f"test set {set_id} {resolver.set_name!r}"
    print(f"{where}: {len(instances)} instances; suite: {len(node_ids)} tests")
    if not args.dry_run:
        write(path, result.matched, result.tests, set_id)
    print("\n".join(report(result, path, args.dry_run)))
    if not args.dry_run and result.matched:
        print(how_it_is_used(path.resolve(), rootdir.resolve()))
    return 0


def how_it_is_used(path: Path, rootdir: Path) -> str:
    """The line that says whether pytest --practitest will read the file on its own."""
    if path == rootdir / DEFAULT_MAP:
        return (
            f"pytest --practitest reads {path} without an option (practitest.toml at the rootdir)"
        )
    return (
        f"pytest --practitest reads it when told: --practitest-map={path} (or ini practitest_map)"
    )
