"""The README's promises: two set-up commands CI runs exactly, a short page whose links
work, and a reference in docs/ that cannot drift from the code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    quickstart = (ROOT / "README.md").read_text().split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quickstart, flags=re.S)


def test_readme_has_exactly_two_setup_commands() -> None:
    commands = readme_commands()
    assert commands == [
        'python -m pip install -e ".[test]" && practitest demo',
        "python -m pytest",
    ]


def test_ci_runs_the_readme_commands_as_written() -> None:
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    for command in readme_commands():
        assert command in ci_lines


def test_the_plugin_reference_documents_every_option() -> None:
    from pytest_practitest.options import OPTIONS

    readme = (ROOT / "docs" / "plugin.md").read_text()
    for option in OPTIONS:
        assert f"`{option.cli}" in readme
        assert f"`{option.ini}`" in readme
        assert f"`{option.env}`" in readme


def test_development_tree_lists_every_module_once() -> None:
    """docs/development.md's tree: one line per module, so it cannot drift from the package."""
    development = (ROOT / "docs" / "development.md").read_text().split("# Development", 1)[1]
    tree = development.split("```\n", 2)[1]
    listed: list[str] = []
    folder = ""
    for line in tree.splitlines()[1:]:
        name = line.split()[0] if line.strip() else ""
        if name.endswith("/"):
            folder = name
        elif name.endswith(".py"):
            listed.append(folder + name if line.startswith("    ") else name)
    package = ROOT / "pytest_practitest"
    modules = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "simulator" not in path.parts
        and not (path.name == "__init__.py" and path.parent != package)
        and path.name != "__main__.py"
    )
    assert sorted(listed) == modules


def test_readme_is_a_short_page_whose_links_resolve() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) < 200
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target
    for page in (ROOT / "docs").glob("*.md"):
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text()):
            if not target.startswith("http"):
                assert (page.parent / target).exists(), (page.name, target)


def test_every_hook_example_is_marked_optional() -> None:
    """A conftest copied from our examples must not break ``pytest -p no:practitest``."""
    sources = [
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        ROOT / "pytest_practitest" / "hookspecs.py",
        *(ROOT / "sample_projects").rglob("conftest.py"),
    ]
    found = 0
    for source in sources:
        lines = source.read_text().splitlines()
        for number, line in enumerate(lines):
            if re.match(r"\s*def pytest_practitest_", line) and "hookspec" not in lines[number - 1]:
                found += 1
                assert "@pytest.hookimpl(optionalhook=True)" in lines[number - 1], (
                    f"{source.name}:{number + 1}"
                )
    assert found >= 5


def test_docs_point_only_to_what_readers_have() -> None:
    # A folder of the workspace the project was written in is not in the repository.
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    pointing = [page.name for page in pages if "shared/reference" in page.read_text()]
    assert pointing == []
    assert "<https://www.practitest.com/api-v2/>" in (ROOT / "docs" / "simulator.md").read_text()


#: what the conftest ``run`` fixture passes: a module that spells these out again repeats it
RUN_FIXTURE_OPTIONS = ('f"--practitest-url={sim.url}"', '"--practitest-rate-limit=0"')


def test_pytest_runs_against_the_suites_simulator_go_through_the_run_fixture() -> None:
    # The fixture holds the options of a reporting run: a copy would drift from it.
    repeating = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr.startswith("runpytest")
            ):
                continue
            given = {ast.get_source_segment(source, arg) for arg in node.args}
            if all(option in given for option in RUN_FIXTURE_OPTIONS):
                repeating.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert repeating == []


def test_no_test_module_imports_from_conftest() -> None:
    # pytest loads conftest.py itself; shared names live in tests/helpers.py.
    importing = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if re.search(r"^\s*(from|import) (tests\.)?conftest\b", path.read_text(), flags=re.M)
    ]
    assert importing == []
