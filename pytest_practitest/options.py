"""Every option: its stem, kind, default and help, and how its text is read.

One stem per option (``--practitest-project-id``, ini ``practitest_project_id``, env
``PRACTITEST_PROJECT_ID``); ``settings.resolve`` picks the source, ``convert`` reads the
text. Nothing heavy is imported: the plugin reads it even when reporting is off.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from .errors import ConfigError
from .limits import DEADLINES, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_RATE_LIMIT
from .outcomes import DEFAULT_STATUS_MAP, OUTCOMES, STATUSES

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off", "")


class Option(NamedTuple):
    """One setting: its stem, its kind, its default and its help.

    NamedTuples, not dataclasses (here and in Settings): loaded even with reporting
    off, where a dataclass costs ten times as much to define (P4 in bench/).
    """

    stem: str
    kind: str  # bool int str path float choice rate fields values names statusmap select ...
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    metavar: str | None = None

    def described(self) -> str:
        """The help and ``(default: VAR, else X)``, for pytest's and the commands' ``--help``."""
        default = self.env
        if self.default not in (None, False, "", ()):
            default += f", else {self.default}"
        if self.stem == "map":
            default += ", else practitest.toml if present"
        return f"{self.help} (default: {default})"

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
        "run custom field NAME=VALUE (by name or id; a multi-value field takes NAME=A|B); "
        "repeatable",
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
    Option(
        "defer",
        "bool",
        False,
        "send nothing: leave a relocatable bundle for one `practitest upload` "
        "(a CI matrix's publish job); needs no token",
    ),
    Option("strict", "bool", False, "a delivery failure fails the session"),
    Option(
        "rate-limit",
        "rate",
        str(DEFAULT_RATE_LIMIT[0]),
        "API calls per minute (or CALLS/SECONDS, 0 for none)",
        metavar="N",
    ),
    Option("timeout", "float", 30.0, "seconds to wait for one API answer", metavar="SECONDS"),
    Option(
        "deadline",
        "float",
        DEADLINES["pytest"],
        "seconds to finish delivering (pytest: after the last test)",
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
    Option(
        "max-request-bytes",
        "int",
        DEFAULT_MAX_REQUEST_BYTES,
        "bytes of one request at most (a result alone above it goes without its largest files)",
        metavar="BYTES",
    ),
    Option(
        "max-file-bytes",
        "int",
        DEFAULT_MAX_FILE_BYTES,
        "bytes of one attached file at most (a bigger one is left out with a warning)",
        metavar="BYTES",
    ),
    Option("redact", "values", (), "a secret spooled and sent as ***; repeatable", metavar="VALUE"),
    Option(
        "bundle-fields",
        "names",
        (),
        "practitest upload: run custom fields a bundle may set (NAME,NAME or *); others dropped",
        metavar="NAMES",
    ),
    Option(
        "select",
        "select",
        None,
        "run only the tests that are instances of the test set; =STATUSES keeps only "
        "instances whose last run is one of them (passed, failed, blocked, no-run, "
        "not-completed, n/a), e.g. --practitest-select=failed,blocked",
        metavar="STATUSES",
    ),
)

#: --practitest-select's words → PractiTest's run statuses (an instance's ``run-status``)
SELECT_STATUSES = {
    word: word.upper().replace("-", " ")
    for word in ("passed", "failed", "blocked", "no-run", "not-completed", "n/a")
}

BY_STEM = {option.stem: option for option in OPTIONS}
Reader = Callable[[Option, Any, str], Any]


def convert(option: Option, raw: Any, source: str) -> Any:
    """The value of ``option`` from ``raw`` (text, or a list from an ini linelist).

    ConfigError names ``source`` (``--practitest-timeout``, ``PRACTITEST_TIMEOUT`` or
    ``ini practitest_timeout``) and the form it expects.
    """
    reader: Reader = _READERS.get(option.kind, _text)
    return reader(option, raw, source)


def _fail(source: str, form: str, raw: Any) -> ConfigError:
    return ConfigError(f"{source}: expected {form}; got {raw!r}")


def _bool(option: Option, raw: Any, source: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise _fail(source, "true or false (1/0, yes/no, on/off)", raw)


def _int(option: Option, raw: Any, source: str) -> int:
    text = str(raw).strip()
    if not text.isdigit() or int(text) < 1:
        raise _fail(source, "a positive whole number", raw)
    return int(text)


def _float(option: Option, raw: Any, source: str) -> float:
    try:
        value = float(str(raw).strip())
    except ValueError:
        raise _fail(source, "a number of seconds", raw) from None
    if value <= 0:
        raise _fail(source, "a number of seconds above 0", raw)
    return value


def _path(option: Option, raw: Any, source: str) -> Path:
    return Path(str(raw).strip())


def _choice(option: Option, raw: Any, source: str) -> str:
    text = str(raw).strip().lower()
    if text not in option.choices:
        raise _fail(source, " or ".join(option.choices), raw)
    return text


def _rate(option: Option, raw: Any, source: str) -> tuple[int, float] | None:
    return parse_rate_limit(str(raw), source)


def _fields(option: Option, raw: Any, source: str) -> tuple[tuple[str, str], ...]:
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


def _values(option: Option, raw: Any, source: str) -> tuple[str, ...]:
    """Repeatable values (a secret may hold a comma); the environment's are comma-separated."""
    items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    return tuple(text for item in items if (text := str(item).strip()))


def _names(option: Option, raw: Any, source: str) -> tuple[str, ...]:
    """Comma-separated names, wherever they are given."""
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    return tuple(dict.fromkeys(n for i in items for p in str(i).split(",") if (n := p.strip())))


def _ci(option: Option, raw: Any, source: str) -> str | dict[str, str]:
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


def _status_map(option: Option, raw: Any, source: str) -> dict[str, str]:
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


def _select(option: Option, raw: Any, source: str) -> tuple[str, ...] | None:
    """None: off; (): every instance of the set; else the run statuses to keep."""
    if raw is True:
        return ()
    text = str(raw).strip().lower()
    if text in ("all", *TRUE):
        return ()
    if text in FALSE:
        return None
    chosen = []
    for word in filter(None, text.replace(" ", ",").split(",")):
        path = "/" in word or "::" in word or word.endswith(".py") or Path(word).exists()
        if word not in SELECT_STATUSES and path and source.startswith("--"):  # a test path
            raise ConfigError(
                f"{source} took {str(raw)!r} for its statuses: put a bare {source} after the "
                f"test paths (pytest {raw} {source}), or give statuses with = ({source}=failed)"
            )
        if word not in SELECT_STATUSES:
            form = "all, or statuses among " + ", ".join(SELECT_STATUSES)
            raise _fail(source, f"{form} (e.g. --practitest-select=failed,blocked)", raw)
        chosen.append(SELECT_STATUSES[word])
    return tuple(sorted(set(chosen)))


def _text(option: Option, raw: Any, source: str) -> str:
    text = str(raw).strip()
    if not text:
        raise _fail(source, "a value", raw)
    return text


_READERS: dict[str, Reader] = {
    "bool": _bool,
    "int": _int,
    "capture-limit": _int,
    "float": _float,
    "path": _path,
    "choice": _choice,
    "rate": _rate,
    "fields": _fields,
    "values": _values,
    "names": _names,
    "ci": _ci,
    "statusmap": _status_map,
    "select": _select,
}


def parse_rate_limit(value: str, source: str = "rate limit") -> tuple[int, float] | None:
    text = value.strip()
    if text == "0":
        return None
    calls, slash, seconds = text.partition("/")
    try:
        parsed = (int(calls), float(seconds) if slash else 60.0)
    except ValueError:
        parsed = (0, 0.0)
    if parsed[0] < 1 or parsed[1] <= 0:
        raise ConfigError(
            f"{source} must be calls per minute (e.g. 30), CALLS/SECONDS (e.g. 30/60) "
            f"or 0 for none; got {value!r}"
        )
    return parsed
