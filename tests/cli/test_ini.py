"""The ini file the commands read: the one pytest would use, found the way pytest finds it."""

from __future__ import annotations

from pathlib import Path

from pytest_practitest.cli.ini import IniFile, find


def test_the_first_folder_up_with_a_pytest_file_wins_in_pytests_order(tmp_path: Path) -> None:
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    (tmp_path / "pytest.ini").write_text("[pytest]\npractitest_project_id = 1\n")
    # a pyproject.toml without pytest settings is not pytest's file: the search goes on
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find(inner).path == tmp_path / "pytest.ini"
    assert find(inner).get("practitest_project_id") == "1"
    (tmp_path / "a" / "tox.ini").write_text("[pytest]\npractitest_project_id = 2\n")
    (tmp_path / "a" / "setup.cfg").write_text("[tool:pytest]\npractitest_project_id = 3\n")
    assert find(inner).get("practitest_project_id") == "2"  # tox.ini before setup.cfg
    (tmp_path / "a" / "pytest.toml").write_text("[pytest]\npractitest_project_id = '4'\n")
    assert find(inner).path == tmp_path / "a" / "pytest.toml"


def test_pyproject_values_of_either_table_read_as_pytest_reads_them(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.pytest]\npractitest_create_missing = true\npractitest_project_id = 4500\n"
        "practitest_fields = ['Browser=Chrome', 'Build=7']\n"
    )
    ini = find(tmp_path)
    assert ini.get("practitest_create_missing") == "true"
    assert ini.get("practitest_project_id") == "4500"
    assert ini.get("practitest_fields") == ["Browser=Chrome", "Build=7"]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\npractitest_fields = """\nBrowser=Chrome\nBuild=7\n"""\n'
    )
    assert find(tmp_path).get("practitest_fields") == ["Browser=Chrome", "Build=7"]


def test_no_file_reads_nothing_and_paths_start_at_the_current_folder() -> None:
    ini = IniFile()
    assert ini.get("practitest_project_id") is None
    assert ini.folder == Path.cwd()
