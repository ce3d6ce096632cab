"""Every setting, from every source, resolved in one place: CLI > env > ini/pyproject > default.

One stem per setting: ``--practitest-project-id``, ini ``practitest_project_id``,
env ``PRACTITEST_PROJECT_ID``. This module imports nothing heavy (no pytest,
no HTTP), so the plugin costs nothing when it is off, and the JUnit importer
shares the same names.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from .errors import ConfigError
from .ratelimit_option import DEFAULT_RATE_LIMIT, parse_rate_limit
from .urls import resolve_base_url

OUTCOMES = ("passed", "failed", "error", "teardown_error", "skipped", "xfailed", "xpassed")
DEFAULT_STATUS_MAP = {
    "passed": "PASSED",
    "failed": "FAILED",
    "error": "BLOCKED",  # setup failed: the test could not run
    "teardown_error": "FAILED",
    "skipped": "NO RUN",
    "xfailed": "BLOCKED",  # a known defect keeps it from passing
    "xpassed": "PASSED",
}
STATUSES = ("PASSED", "FAILED", "BLOCKED", "NO RUN", "N/A")
TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off", "")


class Option(NamedTuple):
    """One setting: its stem, its kind, its default and its help.

    NamedTuples rather than dataclasses here and in Settings: this module is
    imported whenever pytest loads the plugin, even with reporting off, and a
    dataclass costs about ten times as much to define (P4 in bench/).
    """

    stem: str
    kind: str  # bool, int, str, path, float, choice, rate, fields, statusmap, capture-limit
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    metavar: str | None = None

    @property
    def cli(self) -> str:
        return "--practitest" if self.stem == "" else f"--practitest-{self.stem}"

    @property
    def ini(self) -> str:
        if self.stem == "field":
            return "practitest_fields"
        return "practitest" if self.stem == "" else f"practitest_{self.stem.replace('-', '_')}"

    @property
    def env(self) -> str:
        return self.ini.upper()

    @property
    def dest(self) -> str:
        return "practitest" if self.stem == "" else self.ini


OPTIONS: tuple[Option, ...] = (
    Option("", "bool", False, "report results to PractiTest"),
    Option("url", "str", "us", "us, eu, or the API's base URL", metavar="URL"),
    Option("project-id", "int", None, "the PractiTest project id", metavar="ID"),
    Option("set-id", "int", None, "the test set to report to, by id", metavar="ID"),
    Option(
        "set-name", "str", None, "the test set by exact name (created if missing)", metavar="NAME"
    ),
    Option("map", "path", None, "mapping file (TOML): node ids to PractiTest ids", metavar="FILE"),
    Option("create-missing", "bool", False, "find or create tests and instances by name"),
    Option("version", "str", None, "the version recorded on every run", metavar="VERSION"),
    Option(
        "field",
        "fields",
        (),
        "run custom field NAME=VALUE (by name or id); repeatable",
        metavar="NAME=VALUE",
    ),
    Option(
        "spool",
        "path",
        ".practitest",
        "directory for the spool (results kept until delivered)",
        metavar="DIR",
    ),
    Option("dry-run", "bool", False, "plan the upload, send nothing"),
    Option("strict", "bool", False, "a delivery failure fails the session"),
    Option(
        "rate-limit",
        "rate",
        "30",
        "API calls per minute (or CALLS/SECONDS, 0 for none)",
        metavar="N",
    ),
    Option("timeout", "float", 30.0, "seconds to wait for one API answer", metavar="SECONDS"),
    Option(
        "deadline",
        "float",
        120.0,
        "seconds after the last test to finish delivering",
        metavar="SECONDS",
    ),
    Option(
        "parametrized",
        "choice",
        "instance",
        "one PractiTest instance per parameter set, or one run per function",
        choices=("instance", "function"),
    ),
    Option(
        "status-map",
        "statusmap",
        "",
        "override outcome=STATUS pairs, e.g. skipped=N/A,xfailed=FAILED",
        metavar="PAIRS",
    ),
    Option(
        "capture",
        "choice",
        "failed",
        "attach captured stdout/stderr/log for: all, failed or none tests",
        choices=("all", "failed", "none"),
    ),
    Option(
        "capture-limit",
        "int",
        1_000_000,
        "bytes of each captured stream to attach at most",
        metavar="BYTES",
    ),
    Option(
        "ci",
        "ci",
        "output",
        "where CI build URL/commit/branch go: output, none, or url=FIELD,commit=FIELD,branch=FIELD",
        metavar="WHERE",
    ),
    Option(
        "author-id",
        "int",
        None,
        "user id recorded as author of created tests and test sets (account tokens)",
        metavar="ID",
    ),
)

BY_STEM = {option.stem: option for option in OPTIONS}


def add_command_flags(parser: Any, stems: Sequence[str]) -> None:
    """Add plugin options to a ``practitest`` command's parser: ``--url`` for ``--practitest-url``.

    The same setting, dest, help and environment variable, so the command resolves
    its flags with ``resolve`` exactly as the plugin does (``command_values``).
    """
    for stem in stems:
        option = BY_STEM[stem]
        default = option.env
        if option.default not in (None, False, "", ()):
            default += f", else {option.default}"
        how: dict[str, Any] = {"metavar": option.metavar or option.kind.upper()}
        if option.kind == "bool":  # None when absent: the environment may still say yes
            how = {"action": "store_true", "default": None}
        elif option.kind == "fields":
            how["action"] = "append"
        parser.add_argument(
            f"--{stem}", dest=option.dest, help=f"{option.help} (default: {default})", **how
        )


def command_values(args: Any, stems: Sequence[str]) -> dict[str, Any]:
    """What the command line gave for ``stems``, keyed as ``resolve`` expects."""
    return {BY_STEM[stem].dest: getattr(args, BY_STEM[stem].dest) for stem in stems}


class Settings(NamedTuple):
    """The resolved settings (never the token itself: only where it comes from)."""

    enabled: bool = False
    url: str = "us"
    project_id: int | None = None
    set_id: int | None = None
    set_name: str | None = None
    map: Path | None = None
    create_missing: bool = False
    version: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    spool: Path = Path(".practitest")
    dry_run: bool = False
    strict: bool = False
    rate_limit: tuple[int, float] | None = DEFAULT_RATE_LIMIT
    timeout: float = 30.0
    deadline: float = 120.0
    parametrized: str = "instance"
    status_map: Mapping[str, str] = MappingProxyType(DEFAULT_STATUS_MAP)
    capture: str = "failed"
    capture_limit: int = 1_000_000
    author_id: int | None = None
    ci: Mapping[str, str] | str = "output"
    token_env: str = "PRACTITEST_TOKEN"  # noqa: S105 (the variable's name, not a secret)
    sources: Mapping[str, str] = MappingProxyType({})

    def token(self) -> str | None:
        return os.environ.get(self.token_env) or None

    def header(self) -> list[str]:
        """The non-secret settings, for ``pytest_report_header``."""
        where = f"set {self.set_id}" if self.set_id is not None else f"set {self.set_name!r}"
        limit = f"{self.rate_limit[0]}/{self.rate_limit[1]:g}s" if self.rate_limit else "off"
        parts = [
            f"practitest: {self.url} project {self.project_id} {where}",
            f"rate limit {limit}",
            f"parametrized={self.parametrized}",
            f"spool {self.spool}",
        ]
        if self.create_missing:
            parts.append("create-missing")
        if self.dry_run:
            parts.append("dry-run")
        if self.strict:
            parts.append("strict")
        return [", ".join(parts)]


def _convert(option: Option, raw: Any, source: str) -> Any:
    def fail(form: str) -> ConfigError:
        return ConfigError(f"{source}: expected {form}; got {raw!r}")

    kind = option.kind
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise fail("true or false (1/0, yes/no, on/off)")
    if kind in ("int", "capture-limit"):
        text = str(raw).strip()
        if not text.isdigit() or int(text) < 1:
            raise fail("a positive whole number")
        return int(text)
    if kind == "float":
        try:
            value = float(str(raw).strip())
        except ValueError:
            raise fail("a number of seconds") from None
        if value <= 0:
            raise fail("a number of seconds above 0")
        return value
    if kind == "path":
        return Path(str(raw).strip())
    if kind == "choice":
        text = str(raw).strip().lower()
        if text not in option.choices:
            raise fail(" or ".join(option.choices))
        return text
    if kind == "rate":
        try:
            return parse_rate_limit(str(raw), source)
        except ConfigError as error:
            raise ConfigError(str(error)) from None
    if kind == "fields":
        items = (
            raw
            if isinstance(raw, (list, tuple))
            else str(raw).replace(";", "\n").replace(",", "\n").splitlines()
        )
        pairs = []
        for item in items:
            text = str(item).strip()
            if not text:
                continue
            name, equals, setting = text.partition("=")
            if not equals or not name.strip():
                raise ConfigError(f"{source}: expected NAME=VALUE; got {text!r}")
            pairs.append((name.strip(), setting.strip()))
        return tuple(pairs)
    if kind == "ci":
        text = str(raw).strip()
        if text.lower() in ("output", "none"):
            return text.lower()
        chosen: dict[str, str] = {}
        for item in text.split(","):
            what, equals, name = item.partition("=")
            if not equals or what.strip() not in ("url", "commit", "branch") or not name.strip():
                raise ConfigError(
                    f"{source}: expected output, none, or url=FIELD,commit=FIELD,branch=FIELD; "
                    f"got {text!r}"
                )
            chosen[what.strip()] = name.strip()
        return chosen
    if kind == "statusmap":
        mapping = dict(DEFAULT_STATUS_MAP)
        for item in str(raw).replace(";", ",").split(","):
            if not item.strip():
                continue
            outcome, equals, status = item.partition("=")
            outcome, status = outcome.strip().lower(), status.strip().upper()
            if not equals or outcome not in OUTCOMES or status not in STATUSES:
                raise ConfigError(
                    f"{source}: expected OUTCOME=STATUS pairs with OUTCOME in "
                    f"{', '.join(OUTCOMES)} "
                    f"and STATUS in {', '.join(STATUSES)}; got {item.strip()!r}"
                )
            mapping[outcome] = status
        return mapping
    text = str(raw).strip()
    if not text:
        raise fail("a value")
    return text


def resolve(
    cli: Mapping[str, Any],
    ini: Callable[[str], Any],
    env: Mapping[str, str] | None = None,
    *,
    token_env: str | None = None,
) -> Settings:
    """Resolve every option. ``cli`` maps dest → value (None when not given).

    Raises ConfigError naming the source (``--practitest-project-id``,
    ``PRACTITEST_PROJECT_ID`` or ``ini practitest_project_id``) and the form it expects.
    """
    environment = os.environ if env is None else env
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for option in OPTIONS:
        raw, source = cli.get(option.dest), option.cli
        if raw is None or raw == () or raw == []:
            raw, source = environment.get(option.env), option.env
        if raw is None:
            ini_value = ini(option.ini)
            raw, source = (
                (ini_value, f"ini {option.ini}") if ini_value not in (None, "", []) else (None, "")
            )
        key = {"": "enabled", "field": "fields"}.get(option.stem, option.stem.replace("-", "_"))
        if raw is None:
            values[key] = option.default if option.kind != "statusmap" else dict(DEFAULT_STATUS_MAP)
            if option.kind == "rate":
                values[key] = DEFAULT_RATE_LIMIT
            if option.kind == "path" and option.default is not None:
                values[key] = Path(option.default)
            continue
        values[key] = _convert(option, raw, source)
        sources[key] = source
    settings = Settings(**values, token_env=token_env or "PRACTITEST_TOKEN", sources=sources)
    if settings.enabled:
        _check_complete(settings, environment)
    return settings


def _check_complete(settings: Settings, environment: Mapping[str, str]) -> None:
    resolve_base_url(settings.url)
    if settings.project_id is None:
        raise ConfigError(
            "reporting is on but no project: set --practitest-project-id or PRACTITEST_PROJECT_ID"
        )
    if settings.set_id is None and not settings.set_name:
        raise ConfigError(
            "reporting is on but no test set: set --practitest-set-id or "
            "--practitest-set-name (or PRACTITEST_SET_ID / PRACTITEST_SET_NAME)"
        )
    if not settings.dry_run and not environment.get(settings.token_env):
        raise ConfigError(
            f"reporting is on but {settings.token_env} is empty: "
            "set it to your API token (or use --practitest-dry-run)"
        )


def to_json(settings: Settings) -> str:
    """The settings as JSON, for the delivery process (the token is not in them)."""
    data = {
        key: str(value) if isinstance(value, Path) else value
        for key, value in settings._asdict().items()
    }
    data["status_map"] = dict(settings.status_map)
    data["sources"] = dict(settings.sources)
    if not isinstance(settings.ci, str):
        data["ci"] = dict(settings.ci)
    return json.dumps(data)


def from_json(text: str) -> Settings:
    """Settings written by ``to_json``."""
    data = json.loads(text)
    data["map"] = None if data["map"] is None else Path(data["map"])
    data["spool"] = Path(data["spool"])
    data["fields"] = tuple(tuple(pair) for pair in data["fields"])
    data["rate_limit"] = None if data["rate_limit"] is None else tuple(data["rate_limit"])
    return Settings(**data)
