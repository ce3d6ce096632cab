"""The rules of pytest's --junitxml dialect: node ids and teardown errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_practitest.junit.dialect import is_pytest, lone_teardown, merge_teardown, node_id
from pytest_practitest.junit.reader import Case


def case(classname: str, name: str, file: str = "", **kwargs: object) -> Case:
    return Case(suites=["pytest"], name=name, classname=classname, file=file, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("classname", "name", "file", "expected"),
    [
        # xunit1: the file attribute says where the module path ends
        (
            "tests.unit.test_a.TestX",
            "test_y[1.5]",
            "tests/unit/test_a.py",
            "tests/unit/test_a.py::TestX::test_y[1.5]",
        ),
        # xunit2: the file on disk says it
        ("pkg.test_b.Outer.Inner", "test_z", "", "pkg/test_b.py::Outer::Inner::test_z"),
        # nothing on disk: pytest's default python_classes (Test*) starts the classes
        ("gone.test_c.TestX", "test_y", "", "gone/test_c.py::TestX::test_y"),
        ("gone.test_c", "test_y", "", "gone/test_c.py::test_y"),
        ("", "test_top", "", "test_top"),
    ],
)
def test_node_ids_from_pytests_names(
    tmp_path: Path, classname: str, name: str, file: str, expected: str
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "test_b.py").write_text("")
    assert node_id(case(classname, name, file), tmp_path) == expected


def test_only_pytests_suite_is_the_pytest_dialect() -> None:
    assert is_pytest(case("a", "b"))
    assert not is_pytest(Case(suites=["com.acme.CartTest"], name="adds", classname="x"))
    assert not is_pytest(Case(suites=[], name="adds"))


def test_teardown_errors_read_as_the_plugin_classifies_them() -> None:
    message = 'failed on teardown with "OSError: cleanup"'
    alone = case("m", "t", outcome="error", message=message)
    lone_teardown(alone)
    assert (alone.outcome, alone.message) == (
        "teardown_error",
        "error in teardown: OSError: cleanup",
    )
    failed = case("m", "t", outcome="failure", message="assert 1 == 2")
    merge_teardown(failed, case("m", "t", outcome="error", message=message))
    assert (failed.outcome, failed.message) == (
        "failure",
        "assert 1 == 2\nand error in teardown: OSError: cleanup",
    )
    skipped = case("m", "t", outcome="skipped", kind="pytest.xfail", message="bug")
    merge_teardown(skipped, case("m", "t", outcome="error", message=message))
    assert skipped.outcome == "teardown_error"
    setup_error = case("m", "t", outcome="error", message="failed on setup with x")
    lone_teardown(setup_error)
    assert setup_error.outcome == "error"


def test_unittest_xml_reportings_xfail_and_behaves_empty_error_read_like_pytests(
    tmp_path: Path,
) -> None:
    from pytest_practitest.junit.convert import Converter
    from pytest_practitest.outcomes import DEFAULT_STATUS_MAP

    converter = Converter(status_map=DEFAULT_STATUS_MAP)
    xfail = Case(
        suites=["x"],
        name="t",
        classname="c",
        outcome="skipped",
        kind="XFAIL",
        message="expected failure",
    )
    assert converter.record(xfail, tmp_path / "r.xml").status.value == "BLOCKED"
    undefined = Case(
        suites=["cart.Cart"],
        name="undefined step",
        classname="cart.Cart",
        outcome="error",
        kind="NoneType",
        message="None",
        text="\nFailing step: Given something nobody wrote ... undefined in 0.000s\nLocation: x",
    )
    record = converter.record(undefined, tmp_path / "r.xml")
    assert record.output == "Failing step: Given something nobody wrote ... undefined in 0.000s"


def test_each_testcase_is_read_through_junitparsers_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """junitparser is the model, not a declared dependency we never call."""
    from junitparser import xunit2

    from pytest_practitest.junit.reader import read_cases

    seen: list[str] = []
    original = xunit2.TestCase.fromelem.__func__

    def spy(cls: type, element: object) -> object:
        seen.append(element.get("name"))  # type: ignore[attr-defined]
        return original(cls, element)

    monkeypatch.setattr(xunit2.TestCase, "fromelem", classmethod(spy))
    report = tmp_path / "r.xml"
    report.write_text(
        '<testsuite name="s"><testcase classname="c" name="a"/>'
        '<testcase classname="c" name="b"><failure message="m"/></testcase></testsuite>'
    )
    cases = list(read_cases(report))
    assert seen == ["a", "b"]
    assert [(c.name, c.outcome) for c in cases] == [("a", "passed"), ("b", "failure")]
