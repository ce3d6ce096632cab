"""The ``practitest`` command: one subcommand per module of this folder.

Exit codes: 0 success; 1 something was not delivered (commands that upload),
or PractiTest refused or could not be reached (check, map); 2 usage or input error.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Sequence
from typing import Any

from .. import __version__

#: (name, module, help, description); each module has add_arguments(parser) and run(args)
COMMANDS = (
    (
        "sim",
        "..simulator.cli",
        "run the local PractiTest API v2 simulator",
        "Run the local PractiTest API v2 simulator until Ctrl-C.",
    ),
    (
        "demo",
        ".demo",
        "the whole job against the built-in simulator, offline",
        "Start the simulator, run the sample webshop suite with --practitest, import the sample "
        "JUnit files, and show what PractiTest received. Works from any folder, offline.",
    ),
    (
        "upload",
        ".upload",
        "send what spool files still hold, then remove them",
        "Resume spools: send only the records not delivered yet, never twice, and remove each "
        "spool once everything in it is delivered. The token comes from PRACTITEST_TOKEN.",
    ),
    (
        "show",
        ".show",
        "print a test set as PractiTest shows it: instances, last runs, steps, files",
        "Print a test set (--set-id or --set-name) as PractiTest shows it: each instance's "
        "last status, and its last run's output, steps and (--files) attachments.",
    ),
    (
        "spools",
        ".spools",
        "list what earlier sessions left undelivered, and why; discard it",
        "List the spools in a folder (default: .practitest): when, where to, how many results "
        "are delivered, and why the others are not. --discard removes them (asks first).",
    ),
    (
        "check",
        ".check",
        "check that the token can report to the project and test set",
        "Call PractiTest a few times with the settings the plugin would use (flags, else the "
        "PRACTITEST_* variables) and say what is ready and what is not. Exit 0 ready, 1 "
        "refused or unreachable, 2 usage error.",
    ),
    (
        "import-junit",
        ".import_junit",
        "import JUnit XML results (any framework) into PractiTest",
        "Read JUnit XML files (JUnit/surefire, pytest, jest, mocha, go, Playwright, Robot, "
        "...), spool every result, and deliver them like the pytest plugin does. Settings and "
        "environment variables are the plugin's, without the practitest- prefix.",
    ),
    (
        "map",
        ".map",
        "match the suite's tests to a test set's instances; write the mapping file",
        "Collect the suite's node ids, list the test set's instances, match them by name, and "
        "write (or extend) the mapping file. Arguments after -- go to pytest.",
    ),
    (
        "sync",
        ".sync",
        "make PractiTest's tests and the test set equal to the code",
        "Collect the suite, and create or update one PractiTest test per test (name, "
        "docstring, tags, Automation Info, requirements, steps) with an instance in the test "
        "set; --check lists the differences and exits 1 if there is one. Arguments after -- "
        "go to pytest.",
    ),
)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the command it names is imported and given its flags.

    Every command's module imports what its job needs (``sim`` the simulator, ``check``
    the API client): importing all eight for one command cost each run ~30 ms
    (``import-junit --dry-run`` of 50,000 testcases, bench P5). Without a command in
    ``argv`` (``--help``, a typo) all are imported, so help and errors are whole.
    """
    from importlib import import_module

    parser = argparse.ArgumentParser(
        prog="practitest", description="Report test results to PractiTest, or simulate its API."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = _command_named(argv)
    for name, module_name, help_text, description in COMMANDS:
        command = commands.add_parser(name, help=help_text, description=description)
        if chosen is None or name == chosen:
            module: Any = import_module(module_name, __package__)
            module.add_arguments(command)
            command.set_defaults(run=module.run, parser=command)
    return parser


def _command_named(argv: Sequence[str] | None) -> str | None:
    """The command ``argv`` names (its first word that is not a flag), if it is one of ours."""
    words = list(sys.argv[1:] if argv is None else argv)
    first = next((word for word in words if not word.startswith("-")), None)
    return first if any(first == name for name, *_ in COMMANDS) else None


def parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse; an unknown flag is reported by its command, with the closest flags it has."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        command: argparse.ArgumentParser = args.parser
        known = [flag for action in command._actions for flag in action.option_strings]
        hints = []
        for word in unknown:
            if word.startswith("-"):
                given = word.split("=", 1)[0]
                # The plugin's spelling: the commands' flags drop the "practitest-".
                short = "--" + given.removeprefix("--practitest-")
                close = [short] if short != given and short in known else []
                close = close or difflib.get_close_matches(given, known, n=1)
                if close:
                    hints.append(f"{word}: did you mean {close[0]}?")
        text = f"unrecognized arguments: {' '.join(unknown)}"
        command.error(f"{text} ({'; '.join(hints)})" if hints else text)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parse(parser, argv)
    try:
        return int(args.run(args))
    except BrokenPipeError:
        # The reader went away (`practitest sim --check | head`): no traceback for that, and
        # none at exit either, when Python flushes stdout into the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
