"""pytest wiring only: options, hookspecs, markers, and which objects to register.

Off (the default), it registers nothing else and imports no HTTP stack. On, it
registers the capture plugin wherever tests run and the reporter in the
process that uploads (never on xdist workers).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .errors import ConfigError
from .options import OPTIONS
from .settings import Settings, resolve

if TYPE_CHECKING:
    from collections.abc import Callable

    from .mapping import MappingFile

SETTINGS: pytest.StashKey[Settings] = pytest.StashKey()
MAP_FILE: pytest.StashKey[Path | None] = pytest.StashKey()
MARKER_LINE = (
    "practitest(instance_id=None, test_id=None, display_id=None, name=None, fields=None, "
    "tags=None, requirements=None, steps=None): where this test's result goes in PractiTest "
    "(and, for practitest sync, its tags, requirements and steps)"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("practitest", "report results to PractiTest")
    for option in OPTIONS:
        if option.kind == "bool":
            group.addoption(
                option.cli,
                action="store_true",
                default=None,
                dest=option.dest,
                help=option.described(),
            )
        elif option.kind in ("fields", "values"):
            group.addoption(
                option.cli,
                action="append",
                default=None,
                dest=option.dest,
                metavar=option.metavar,
                help=option.described(),
            )
        elif option.kind == "select":  # a flag alone, or =STATUSES
            group.addoption(
                option.cli,
                nargs="?",
                const="all",
                default=None,
                dest=option.dest,
                metavar=option.metavar,
                help=option.described(),
            )
        else:
            group.addoption(
                option.cli,
                default=None,
                dest=option.dest,
                metavar=option.metavar or option.kind.upper(),
                help=option.described(),
            )
        if option.kind in ("fields", "values"):
            parser.addini(
                option.ini, help=f"PractiTest: {option.help}", type="linelist", default=None
            )
        else:
            parser.addini(
                option.ini, help=f"PractiTest: {option.help}", type="string", default=None
            )
    parser.addini(
        "practitest_token_env",
        help="PractiTest: environment variable that holds the API token (default PRACTITEST_TOKEN)",
        default=None,
    )


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from . import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    if not any(arg.startswith("--practitest-") for arg in args):
        return  # nothing of ours on the command line: no module to load, nothing to check
    from .collect.paths import check_rootdir

    check_rootdir(early_config, args)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_LINE)
    try:
        settings = resolve(
            {option.dest: config.getoption(option.dest) for option in OPTIONS},
            lambda name: config.getini(name),
            token_env=config.getini("practitest_token_env") or None,
            # No token (a fork's pull request gets no secrets): the tests run, the results
            # wait in the spool, the summary says so; reporting never breaks the run.
            need_token=False,
        )
    except ConfigError as error:
        if config.getoption("help", False):
            return  # --help must work whatever the settings say (it reports nothing)
        raise pytest.UsageError(f"PractiTest: {error}") from None
    config.stash[SETTINGS] = settings
    if not settings.enabled:
        if settings.select is not None and not config.getoption("help", False):
            raise pytest.UsageError(
                "PractiTest: --practitest-select needs --practitest: it selects from the "
                "test set results go to"
            )
        return
    from .collect.paths import anchored, mapping_path
    from .collect.worker import CapturePlugin
    from .mapping import MappingFile

    mapping = None
    map_file = config.stash[MAP_FILE] = mapping_path(config, settings)
    if map_file is not None:
        try:
            mapping = MappingFile.load(map_file)
        except ConfigError as error:
            raise pytest.UsageError(f"PractiTest: {error}") from None
    spool_dir = anchored(config, settings, "spool")
    assert spool_dir is not None  # the spool always has a value (default .practitest)
    from .spool.redact import Redactor

    redactor = Redactor.for_settings(settings)
    config.pluginmanager.register(
        CapturePlugin(mapping, spool_dir / "artifacts", redactor if redactor else None),
        "practitest-capture",
    )
    if config.pluginmanager.hasplugin("pytest-bdd"):
        from .collect.bdd import BddSteps

        config.pluginmanager.register(BddSteps(), "practitest-bdd")
    if settings.select is not None:
        _register_selector(config, settings, mapping, redactor.text)
    if hasattr(config, "workerinput"):
        return  # xdist worker: only the controller uploads
    from .collect.reporter import Reporter
    from .upload.session import SessionOutbox

    outbox = SessionOutbox(settings, spool_dir)
    config.pluginmanager.register(
        Reporter(config, settings, outbox, mapping), "practitest-reporter"
    )


def _register_selector(
    config: pytest.Config,
    settings: Settings,
    mapping: MappingFile | None,
    mask: Callable[[str], str],
) -> None:
    """--practitest-select: the controller (or the only process) reads the plan, workers
    get it from the controller; the Selector deselects what is not planned, naming tests
    as reporting does (``mask``: a secret in a name)."""
    from .collect.select import WORKER_KEY, Selector
    from .errors import APIError
    from .upload.planned import PlannedInstances, fetch

    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        plan, line = PlannedInstances.from_json(workerinput[WORKER_KEY], settings), ""
    else:
        try:
            plan, line = fetch(settings, mapping)
        except (ConfigError, APIError) as error:
            raise pytest.UsageError(f"PractiTest: --practitest-select: {error}") from None
    selector = Selector(plan, mapping, settings.parametrized, line, mask)
    config.pluginmanager.register(selector, "practitest-select")


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    settings = config.stash.get(SETTINGS, None)
    if settings is None or not settings.enabled:
        return None
    map_file = config.stash.get(MAP_FILE, None)
    if map_file is None:
        return settings.header()
    shown = (
        map_file.relative_to(config.rootpath)
        if map_file.is_relative_to(config.rootpath)
        else map_file
    )
    return [f"{settings.header()[0]}, mapping file {shown}"]
