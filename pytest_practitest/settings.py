"""Every setting, from every source, resolved in one place: CLI > env > ini/pyproject > default.

What each option is and how its text is read lives in ``options``; this module
picks the source and builds ``Settings``. It imports nothing heavy (no pytest,
no HTTP), so the plugin costs nothing when it is off, and the commands share
the same names.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from .errors import ConfigError
from .limits import (
    DEADLINES,
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MAX_REQUEST_BYTES,
    DEFAULT_RATE_LIMIT,
    resolve_base_url,
)
from .options import BY_STEM, OPTIONS, Option, convert
from .outcomes import DEFAULT_STATUS_MAP


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
    defer: bool = False
    strict: bool = False
    rate_limit: tuple[int, float] | None = DEFAULT_RATE_LIMIT
    timeout: float = 30.0
    deadline: float = DEADLINES["pytest"]
    parametrized: str = "instance"
    status_map: Mapping[str, str] = MappingProxyType(DEFAULT_STATUS_MAP)
    capture: str = "failed"
    capture_limit: int = 1_000_000
    author_id: int | None = None
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    #: practitest upload: the custom fields a bundle's results may set ("*": any)
    bundle_fields: tuple[str, ...] = ()
    #: --practitest-select: None off, () every instance of the set, else run statuses
    select: tuple[str, ...] | None = None
    #: --practitest-redact: secrets replaced with *** before anything is spooled
    redact: tuple[str, ...] = ()
    ci: Mapping[str, str] | str = "output"
    token_env: str = "PRACTITEST_TOKEN"  # noqa: S105 (the variable's name, not a secret)
    sources: Mapping[str, str] = MappingProxyType({})

    def token(self) -> str | None:
        return os.environ.get(self.token_env) or None

    def header(self) -> list[str]:
        """The non-secret settings, for ``pytest_report_header``."""
        where = f"set {self.set_id}" if self.set_id is not None else f"set {self.set_name!r}"
        limit = f"{self.rate_limit[0]}/{self.rate_limit[1]:g}s" if self.rate_limit else "off"
        place = f"{self.url} project {self.project_id} {where}"
        if self.defer and self.project_id is None:
            place = "deferred: a bundle for practitest upload, nothing sent"
        parts = [
            f"practitest: {place}",
            f"rate limit {limit}",
            f"parametrized={self.parametrized}",
            f"spool {self.spool}",
        ]
        if self.create_missing:
            parts.append("create-missing")
        if self.dry_run:
            parts.append("dry-run")
        if self.defer:
            parts.append("defer")
        elif not self.dry_run and self.token() is None:
            parts.append(f"{self.token_env} is empty: results are kept, nothing is sent")
        if self.strict:
            parts.append("strict")
        return [", ".join(parts)]


def resolve(
    cli: Mapping[str, Any],
    ini: Callable[[str], Any],
    env: Mapping[str, str] | None = None,
    *,
    token_env: str | None = None,
    command: str = "pytest",
    need_token: bool = True,
) -> Settings:
    """Resolve every option. ``cli`` maps dest → value (None when not given).

    Each value comes from the first source that gives it: the command line, the
    environment, the ini file, else its default (``command`` picks the deadline's,
    ``DEADLINES``). The test set is one choice: ``set_id`` and ``set_name`` come from
    the highest source that gives either, and one source giving both is an error.

    Raises ConfigError naming the source (``--practitest-project-id``,
    ``PRACTITEST_PROJECT_ID`` or ``ini practitest_project_id``) and the form it expects.
    """
    environment = os.environ if env is None else env
    raws: dict[str, tuple[Any, str, int]] = {}  # key -> (raw text, source, rank)
    values: dict[str, Any] = {}
    for option in OPTIONS:
        key = _key(option)
        raw, source, rank = cli.get(option.dest), option.cli, 0
        if raw is None or raw == () or raw == []:
            # An empty variable is unset (a CI system defines every variable it knows of).
            raw, source, rank = environment.get(option.env) or None, option.env, 1
        if raw is None:
            raw, source, rank = ini(option.ini), f"ini {option.ini}", 2
            if raw in ("", []):
                raw = None
        if raw is None:
            values[key] = _default(option, command)
        else:
            raws[key] = (raw, source, rank)
    _one_set_choice(raws)
    sources: dict[str, str] = {}
    for key, (raw, source, _) in raws.items():
        values[key] = convert(BY_STEM[_stem(key)], raw, source)
        sources[key] = source
    settings = Settings(**values, token_env=token_env or "PRACTITEST_TOKEN", sources=sources)
    if settings.enabled:
        _check_complete(settings, environment, need_token)
    return settings


def _key(option: Option) -> str:
    return {"": "enabled", "field": "fields"}.get(option.stem, option.stem.replace("-", "_"))


def _stem(key: str) -> str:
    return {"enabled": "", "fields": "field"}.get(key, key.replace("_", "-"))


def _default(option: Option, command: str) -> Any:
    if option.kind == "statusmap":
        return dict(DEFAULT_STATUS_MAP)
    if option.kind == "rate":
        return DEFAULT_RATE_LIMIT
    if option.kind == "path" and option.default is not None:
        return Path(option.default)
    if option.stem == "deadline":
        return DEADLINES.get(command, option.default)
    return option.default


def _one_set_choice(raws: dict[str, tuple[Any, str, int]]) -> None:
    """The test set comes from one source: the highest that names it, by id or by name."""
    by_id, by_name = raws.get("set_id"), raws.get("set_name")
    if by_id is None or by_name is None:
        return
    if by_id[2] == by_name[2]:
        names = (by_id[1], by_name[1].removeprefix("ini "))
        raise ConfigError(f"give {names[0]} or {names[1]}, not both (one test set, by id or name)")
    del raws["set_name" if by_id[2] < by_name[2] else "set_id"]


def _check_complete(
    settings: Settings, environment: Mapping[str, str], need_token: bool = True
) -> None:
    resolve_base_url(settings.url)
    if settings.defer:
        return  # nothing is sent: the publish job gives what the bundle lacks
    if settings.project_id is None:
        raise ConfigError(
            "reporting is on but no project: set --practitest-project-id or PRACTITEST_PROJECT_ID"
        )
    if settings.set_id is None and not settings.set_name:
        raise ConfigError(
            "reporting is on but no test set: set --practitest-set-id or "
            "--practitest-set-name (or PRACTITEST_SET_ID / PRACTITEST_SET_NAME)"
        )
    if need_token and not settings.dry_run and not environment.get(settings.token_env):
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
    data["select"] = None if data.get("select") is None else tuple(data["select"])
    data["bundle_fields"] = tuple(data.get("bundle_fields", ()))
    data["redact"] = tuple(data.get("redact", ()))
    return Settings(**data)
