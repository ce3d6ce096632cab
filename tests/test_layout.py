"""The package's folders are the stages of the flow, and each stage imports only what it may.

pytest report / JUnit testcase -> RunRecord -> spool -> uploader -> client -> API:

- the shared modules at the top (model, settings, options, errors, ...) import no stage;
- ``collect/`` (the pytest side) and ``junit/`` (JUnit XML) turn results into records and
  may write files into the spool's folder, nothing else;
- ``spool/`` is the journal on disk; ``upload/`` sends it through ``api/``;
- ``sync/`` (``practitest sync``) makes PractiTest's tests equal to the code through
  ``api/``, with ``upload/``'s test names;
- ``api/`` is HTTP only: it does not know the wire format of runs (``upload/``);
- only ``plugin.py`` and ``cli/`` wire stages together;
- ``simulator/`` imports nothing of ours (``tests/simulator/test_isolation.py``).

Every import counts, also those inside functions and ``if TYPE_CHECKING:`` blocks: a
type-only import still ties two stages together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pytest_practitest

PACKAGE = Path(pytest_practitest.__file__).parent
STAGES = ("collect", "junit", "spool", "upload", "sync", "api", "cli", "simulator")
#: what each part may import of the package ("core": the shared top-level modules)
MAY_IMPORT = {
    "core": {"core"},
    "public": {"core", "collect"},  # the package's __init__: step and attach live in collect/
    "collect": {"core", "collect", "spool"},
    "junit": {"core", "junit", "spool"},
    "spool": {"core", "spool"},
    "upload": {"core", "upload", "spool", "api"},
    "sync": {"core", "sync", "upload", "api"},
    "api": {"core", "api"},
    "cli": {"core", *STAGES},
    "plugin": {"core", *STAGES},
    "simulator": {"simulator"},
}
#: third-party and standard modules a part must never import
MUST_NOT_IMPORT = {
    "core": {"requests", "urllib3"},
    "collect": {"requests", "urllib3"},
    "junit": {"pytest", "_pytest", "requests", "urllib3"},
    "spool": {"pytest", "_pytest", "requests", "urllib3"},
    "upload": {"pytest", "_pytest", "requests", "urllib3"},
    "sync": {"pytest", "_pytest", "requests", "urllib3"},
    "api": {"pytest", "_pytest"},
}
SIZE_LIMIT = 400  # lines per module (the simulator's handlers are measured in its own tests)


def part_of(module: str) -> str:
    """``pytest_practitest.upload.payload`` -> ``upload``; other top-level modules are ``core``."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in STAGES:
        return parts[1]
    if parts[1:] == ["plugin"]:
        return "plugin"
    return "public" if len(parts) == 1 else "core"


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import in ``source``."""
    found = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # `from . import hookspecs` imports a module, not a name
            names = [f"{target}.{alias.name}" for alias in node.names] if not node.module else []
            found += [(node.lineno, name) for name in names or [target]]
    return found


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    part = part_of(module)
    problems = []
    for line, target in imports(source, module, is_package):
        where = f"{module}:{line} imports {target}"
        if target.split(".")[0] == "pytest_practitest":
            if target == "pytest_practitest" or target.startswith("pytest_practitest.__"):
                continue  # the package itself: __version__
            if part_of(target) not in MAY_IMPORT[part]:
                problems.append(f"{where} ({part} may import only {sorted(MAY_IMPORT[part])})")
        elif target.split(".")[0] in MUST_NOT_IMPORT.get(part, ()):
            problems.append(f"{where} ({part} must not import {target.split('.')[0]})")
    return problems


def package_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_stage_imports_only_what_it_may() -> None:
    problems = []
    for path in package_modules():
        problems += violations(
            path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"
        )
    assert problems == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        (
            "pytest_practitest.collect.recorder",
            "from ..api.client import Client",
            "pytest_practitest.collect.recorder:1 imports pytest_practitest.api.client",
        ),
        (
            "pytest_practitest.collect.worker",
            "import requests",
            "pytest_practitest.collect.worker:1 imports requests (collect must not import requests)",
        ),
        (
            "pytest_practitest.api.client",
            "if TYPE_CHECKING:\n    from ..upload.payload import Body",
            "pytest_practitest.api.client:2 imports pytest_practitest.upload.payload",
        ),
        (
            "pytest_practitest.upload.uploader",
            "def f():\n    import pytest",
            "pytest_practitest.upload.uploader:2 imports pytest (upload must not import pytest)",
        ),
        (
            "pytest_practitest.sync.diff",
            "import pytest",
            "pytest_practitest.sync.diff:1 imports pytest (sync must not import pytest)",
        ),
        (
            "pytest_practitest.sync.remote",
            "from ..collect.definitions import definition_of",
            "pytest_practitest.sync.remote:1 imports pytest_practitest.collect.definitions",
        ),
        (
            "pytest_practitest.model",
            "from .spool import journal",
            "pytest_practitest.model:1 imports pytest_practitest.spool",
        ),
        (
            "pytest_practitest.simulator.app",
            "from ..errors import ConfigError",
            "pytest_practitest.simulator.app:1 imports pytest_practitest.errors",
        ),
    ],
)
def test_a_forbidden_import_is_caught(module: str, source: str, expected: str) -> None:
    [problem] = violations(source, module)
    assert problem.startswith(expected)


def test_allowed_imports_pass() -> None:
    source = "from ..spool.private import write_private\nfrom ..model import Target\nimport pytest"
    assert violations(source, "pytest_practitest.collect.steps") == []
    assert violations("from . import hookspecs", "pytest_practitest.plugin") == []
    source = "from ..upload.index import fitted_name\nfrom ..api.client import Client"
    assert violations(source, "pytest_practitest.sync.remote") == []


def test_no_module_passes_the_size_limit() -> None:
    long = [
        f"{module_name(path)}: {length} lines"
        for path in package_modules()
        if "simulator" not in path.parts
        and (length := len(path.read_text(encoding="utf-8").splitlines())) > SIZE_LIMIT
    ]
    assert long == []


def test_stage_packages_stay_empty() -> None:
    """Their __init__ runs whenever one of their modules is imported (P4 in bench/)."""
    assert {
        stage: (PACKAGE / stage / "__init__.py").read_text(encoding="utf-8").strip()
        for stage in STAGES
        if stage != "simulator"
    } == {stage: "" for stage in STAGES if stage != "simulator"}
