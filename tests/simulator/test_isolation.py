"""The simulator stands alone, and its pytest fixture costs nothing to load."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest_practitest.simulator as simulator_package

SIMULATOR_DIR = Path(simulator_package.__file__).parent


def test_simulator_imports_nothing_from_the_rest_of_the_package() -> None:
    offenders = []
    for path in sorted(SIMULATOR_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                absolute = node.level == 0 and (node.module or "").startswith("pytest_practitest")
                escapes = node.level > 1
                if (
                    absolute and not (node.module or "").startswith("pytest_practitest.simulator")
                ) or escapes:
                    offenders.append(f"{path.name}:{node.lineno}")
            elif isinstance(node, ast.Import):
                offenders += [
                    f"{path.name}:{node.lineno}"
                    for alias in node.names
                    if alias.name.startswith("pytest_practitest")
                    and not alias.name.startswith("pytest_practitest.simulator")
                ]
    assert offenders == []


def test_fixture_module_does_not_load_the_server() -> None:
    code = (
        "import sys, pytest_practitest.simulator.fixtures; "
        "print(sorted(m for m in ('http.server', 'requests', 'sqlite3') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
