"""What a pip-installed user and a packager get: the package list, the demo's package
data, the sdist's contents, the licence and one version. ``.ci/packaging`` builds the real
wheel and sdist and runs them; these tests keep the configuration from drifting."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from importlib import metadata, resources
from pathlib import Path

import pytest

import pytest_practitest
from pytest_practitest.cli import demo

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_package_list_is_every_folder_of_the_package_and_the_demo_samples() -> None:
    setuptools = PYPROJECT["tool"]["setuptools"]
    package = ROOT / "pytest_practitest"
    folders = {
        ".".join(("pytest_practitest", *init.parent.relative_to(package).parts)).rstrip(".")
        for init in package.rglob("__init__.py")
    }
    samples_dir = ROOT / setuptools["package-dir"]["pytest_practitest.samples"]
    samples = {
        ".".join(("pytest_practitest.samples", *path.relative_to(samples_dir).parts))
        for part in demo.DEMO_PARTS
        for path in [samples_dir / part, *(samples_dir / part).rglob("*")]
        if path.is_dir() and path.name != "__pycache__"
    }
    assert set(setuptools["packages"]) == folders | samples


def test_every_demo_sample_file_is_packaged() -> None:
    """A file added to a sample but matched by no pattern would be missing from the wheel."""
    setuptools = PYPROJECT["tool"]["setuptools"]
    samples_dir = ROOT / setuptools["package-dir"]["pytest_practitest.samples"]
    for part in demo.DEMO_PARTS:
        for path in (samples_dir / part).rglob("*"):
            if path.is_dir() or "__pycache__" in path.parts:
                continue
            name = ".".join(
                ("pytest_practitest.samples", *path.parent.relative_to(samples_dir).parts)
            )
            patterns = setuptools["package-data"].get(name, [])
            assert path.suffix == ".py" or any(path.match(p) for p in patterns), path


def test_the_sdist_carries_what_the_tests_and_packagers_need() -> None:
    manifest = (ROOT / "MANIFEST.in").read_text().splitlines()
    for folder in ("tests", "docs", "bench", "sample_projects"):
        assert f"graft {folder}" in manifest
    included = next(line for line in manifest if line.startswith("include "))
    for name in ("LICENSE", "CHANGELOG.md", "README.md", "tox.ini", ".ci/run"):
        assert name in included.split()
        assert (ROOT / name).is_file()


def test_one_version_and_an_mit_licence() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project
    assert project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "pytest_practitest.__version__"
    }
    assert metadata.version("pytest-practitest") == pytest_practitest.__version__
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert {"Documentation", "Changelog", "Issues"} <= set(project["urls"])
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{pytest_practitest.__version__}]" in changelog


def installed_layout(site: Path) -> Path:
    """The package as the wheel installs it: the samples inside, no checkout around it."""
    package = site / "pytest_practitest"
    shutil.copytree(
        ROOT / "pytest_practitest", package, ignore=shutil.ignore_patterns("__pycache__")
    )
    for part in demo.DEMO_PARTS:
        shutil.copytree(
            ROOT / "sample_projects" / part,
            package / "samples" / part,
            ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"),
        )
    return package


def test_demo_runs_from_the_installed_package_data_in_an_empty_folder(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    installed_layout(site)
    empty = tmp_path / "empty"
    empty.mkdir()
    code = (
        "import sys; from pytest_practitest.cli import demo; "
        "print('source:', demo.samples_source()); sys.exit(demo.demo())"
    )
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"source: {site / 'pytest_practitest' / 'samples'}" in result.stdout
    assert "PractiTest: 14 of 14 runs delivered" in result.stdout
    assert "totals: 12 PASSED, 5 FAILED, 2 BLOCKED, 1 NO RUN" in result.stdout
    assert not list(empty.iterdir())
    # The demo ran a copy: nothing was written next to the installed samples.
    assert not list((site / "pytest_practitest" / "samples").rglob("__pycache__"))


def test_demo_samples_are_copied_out_of_a_zipped_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "samples.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("zipped_samples/__init__.py", "")
        for part in demo.DEMO_PARTS:
            for path in (ROOT / "sample_projects" / part).rglob("*"):
                if path.is_file() and "__pycache__" not in path.parts:
                    relative = path.relative_to(ROOT / "sample_projects")
                    zipped.write(path, f"zipped_samples/{relative.as_posix()}")
    monkeypatch.syspath_prepend(str(archive))
    source = resources.files("zipped_samples")
    assert not isinstance(source, Path)
    assert demo.samples_source(source) is source
    demo.copy_tree(source.joinpath("webshop"), tmp_path / "copy")
    copied = sorted(
        p.relative_to(tmp_path / "copy").as_posix() for p in (tmp_path / "copy").rglob("*.py")
    )
    assert copied == sorted(
        p.relative_to(ROOT / "sample_projects" / "webshop").as_posix()
        for p in (ROOT / "sample_projects" / "webshop").rglob("*.py")
    )


def test_demo_without_samples_says_what_to_do(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest_practitest.cli", "demo", "--samples", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"practitest demo: error: the demo's samples (webshop/ and junit/) are not in "
        f"{tmp_path}: reinstall pytest-practitest, or pass --samples DIR "
        "(a checkout's sample_projects)"
    )
