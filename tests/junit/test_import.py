"""practitest import-junit: dialect fixtures into the simulator, and bad input."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pytest_practitest.junit.reader import parse_time, read_cases
from pytest_practitest.simulator import Simulator
from tests.helpers import attachments, keys_stored, output, run_cli, runs_by_test, step_runs

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "junit-token-9d8c7b6a"
pytestmark = pytest.mark.practitest_simulator(token=TOKEN)


SPOOL: list[Path] = []


@pytest.fixture(autouse=True)
def _spool_outside_fixtures(tmp_path_factory: pytest.TempPathFactory) -> None:
    SPOOL[:] = [tmp_path_factory.mktemp("spool")]  # never inside the fixtures folder


def importer(sim: Simulator, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result: subprocess.CompletedProcess[str] = run_cli(
        "import-junit",
        *args,
        cwd=cwd,
        PRACTITEST_TOKEN=TOKEN,
        PRACTITEST_URL=sim.url,
        PRACTITEST_PROJECT_ID="4500",
        PRACTITEST_SET_ID="20000",
        PRACTITEST_RATE_LIMIT="0",
        PRACTITEST_AUTHOR_ID=str(sim.info.users["owner@example.com"]),
        PRACTITEST_SPOOL=str(SPOOL[0]),
    )
    return result


def statuses(sim: Simulator) -> dict[str, str]:
    return {name: runs[-1]["status"] for name, runs in runs_by_test(sim).items()}


EXPECTED = {
    "junit4_ant.xml": {
        "com.acme.shop.CartTest.addsItem": "PASSED",
        "com.acme.shop.CartTest.removesItem": "FAILED",
        "com.acme.shop.CartTest.totals": "BLOCKED",
        "com.acme.shop.CartTest.coupons": "NO RUN",
    },
    "surefire.xml": {
        "com.acme.shop.CheckoutIT.paysByCard": "PASSED",
        "com.acme.shop.CheckoutIT.refunds": "PASSED",
        "com.acme.shop.CheckoutIT.paysByInvoice": "FAILED",
    },
    "pytest_xunit2.xml": {  # named by node id, as the plugin names them
        "Login: valid credentials": "FAILED",  # mapped by property to instance 300006; a failed step
        "tests/test_login.py::test_locked": "FAILED",  # teardown error after a pass, as the plugin
        "tests/test_login.py::test_sso": "NO RUN",
    },
    "jest.xml": {
        "Cart adds an item": "PASSED",  # jest repeats the title as classname
        "Cart shows the total": "FAILED",
    },
    "go.xml": {"catalog.TestSearch": "PASSED", "catalog.TestPrice/EUR": "FAILED"},
    "robot_xunit.xml": {"Shop.Login.Valid Login": "PASSED", "Shop.Login.Locked Account": "FAILED"},
    "mocha.xml": {
        "Cart adds an item": "PASSED",  # mocha: the title, and the full title
        "Cart removes an item": "FAILED",
    },
    "playwright.xml": {
        "checkout.spec.ts.checkout › pays by card": "PASSED",
        "checkout.spec.ts.checkout › rejects an expired card": "FAILED",
    },
    "pytest_xunit1.xml": {
        "tests/test_cart.py::test_add": "PASSED",
        "tests/test_cart.py::test_total": "FAILED",
        "tests/test_cart.py::test_coupon": "BLOCKED",  # pytest's xfail, as the plugin maps it
    },
    "nested_odd.xml": {"pays": "PASSED", "refunds": "PASSED", "opens": "PASSED"},
    # written by unittest-xml-reporting 4.0 and behave 1.3 (see fixtures/README.md)
    "unittest_xmlrunner.xml": {
        "test_shop.CartTest.test_add": "PASSED",
        "test_shop.CartTest.test_sub (i=2)": "FAILED",
        "test_shop.CartTest.test_total": "FAILED",
        "test_shop.CartTest.test_error": "BLOCKED",
        "test_shop.CartTest.test_skip": "NO RUN",
        "test_shop.CartTest.test_known_bug": "BLOCKED",  # expected failure, as pytest's xfail
    },
    "behave.xml": {
        "cart.Cart.add an item": "PASSED",
        "cart.Cart.remove an item": "FAILED",
        "cart.Cart.undefined step": "BLOCKED",
    },
}


@pytest.mark.parametrize("fixture", list(EXPECTED))
def test_dialect_imports_with_the_expected_statuses(sim: Simulator, fixture: str) -> None:
    result = importer(sim, FIXTURES, fixture, "--create-missing")
    expected = EXPECTED[fixture]
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"PractiTest: {fixture}: {len(expected)} testcases" in result.stdout
    assert statuses(sim) == expected


def test_what_junit_runs_carry(sim: Simulator) -> None:
    importer(
        sim,
        FIXTURES,
        "junit4_ant.xml",
        "surefire.xml",
        "pytest_xunit2.xml",
        "nested_odd.xml",
        "--create-missing",
        "--property-field",
        "browser=Browser",
    )
    grouped = runs_by_test(sim)
    removes = grouped["com.acme.shop.CartTest.removesItem"][0]
    assert output(removes) == "java.lang.AssertionError: expected:<1> but was:<2>"
    assert removes["run-duration"] == "00:00:01"
    assert b"CartTest.java:42" in attachments(sim, "run", removes["id"])["failure.txt"]
    adds = grouped["com.acme.shop.CartTest.addsItem"][0]
    assert attachments(sim, "run", adds["id"])["cart.png"] == b"\x89PNG fake screenshot"
    invoice = grouped["com.acme.shop.CheckoutIT.paysByInvoice"][0]
    assert (output(invoice) or "").endswith("(after 1 reruns)")
    assert set(attachments(sim, "run", invoice["id"])) == {
        "failure.txt",
        "reruns.txt",
        "system-err.txt",
    }
    valid = grouped["Login: valid credentials"][0]
    assert valid["instance-id"] == 300006
    assert step_runs(sim, valid["id"]) == [
        ("open the login page", "PASSED"),
        ("submit the form", "FAILED"),
    ]
    locked = grouped["tests/test_login.py::test_locked"][0]
    assert output(locked) == "error in teardown: OSError: cleanup"
    assert locked["custom-fields"] == {f"---f-{sim.info.custom_fields['Browser']}": "Firefox"}
    assert attachments(sim, "run", grouped["pays"][0]["id"]) == {"note.txt": b"hello"}


def test_playwright_failure_carries_its_screenshot_and_message(sim: Simulator) -> None:
    importer(sim, FIXTURES, "playwright.xml", "--create-missing")
    [run] = runs_by_test(sim)["checkout.spec.ts.checkout › rejects an expired card"]
    assert output(run) == "FAILURE: checkout.spec.ts:20:5 checkout › rejects an expired card"
    files = attachments(sim, "run", run["id"])
    assert files["cart.png"] == b"\x89PNG fake screenshot"
    assert b"toBeVisible" in files["failure.txt"]


def test_globs_and_suite_name_template(sim: Simulator, tmp_path: Path) -> None:
    result = importer(
        sim,
        FIXTURES,
        "**/go*.xml",
        "robot_*.xml",
        "--create-missing",
        "--name-template",
        "{suite} / {name}",
    )
    assert result.returncode == 0, result.stderr
    assert set(statuses(sim)) == {
        "github.com/acme/shop/catalog / TestSearch",
        "github.com/acme/shop/catalog / TestPrice/EUR",
        "Shop / Valid Login",
        "Shop / Locked Account",
    }


def test_mapping_file_keys(sim: Simulator, tmp_path: Path) -> None:
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        '[tests]\n"catalog::TestSearch" = { instance_id = 300004 }\n"catalog.TestPrice*" = { instance_id = 300005 }\n'
    )
    result = importer(sim, FIXTURES, "go.xml", "--map", str(mapping))
    assert result.returncode == 0, result.stderr
    assert statuses(sim) == {
        "Catalog: search by name": "PASSED",
        "Catalog: price formatting": "FAILED",
    }


BAD = {
    "malformed.xml": (
        "<testsuite><testcase name='a'></testsuite>",
        ":1: not well-formed XML: mismatched tag",
    ),
    "truncated.xml": (
        "<testsuites><testsuite name='s'><testcase name='a'/><testcase name='b'",
        ":1: not well-formed XML: ",
    ),
    "empty.xml": ("", ":1: not well-formed XML: empty file, or no root element"),
    "not_xml.xml": ('{"tests": []}', ":1: not well-formed XML: invalid token"),
    "other_root.xml": (
        "<html><body/></html>",
        ":1: the root element is <html>, not <testsuites> or <testsuite>",
    ),
    "xxe.xml": (
        '<?xml version="1.0"?>\n<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        "<testsuite><testcase name='&x;'/></testsuite>",
        ":2: a DOCTYPE is not allowed in a JUnit report",
    ),
    "laughs.xml": (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n'
        "<testsuite><testcase name='&lol2;'/></testsuite>",
        ":2: a DOCTYPE is not allowed",
    ),
    "encoding.xml": (
        '<?xml version="1.0" encoding="bogus-8"?><testsuite/>',
        ":1: unknown encoding: bogus-8; save the report as UTF-8",
    ),
    "latin1.xml": ("<testsuite name='caf\xe9'/>", ":1: not well-formed XML: invalid token"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_is_one_line_and_the_good_file_still_goes(
    sim: Simulator, tmp_path: Path, name: str
) -> None:
    content, message = BAD[name]
    (tmp_path / name).write_bytes(content.encode("latin-1"))  # latin1.xml: bytes that are not UTF-8
    (tmp_path / "good.xml").write_text(
        "<testsuite name='g'><testcase classname='g' name='ok'/></testsuite>"
    )
    result = importer(sim, tmp_path, name, "good.xml", "--create-missing")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1
    assert errors[0].startswith(f"practitest import-junit: error: {name}")
    assert message in errors[0]
    assert "passwd" not in result.stdout + result.stderr
    kept = (
        {"a": "PASSED"} if name == "truncated.xml" else {}
    )  # its complete testcase is a good result
    assert statuses(sim) == {"g.ok": "PASSED", **kept}
    keep_going = importer(sim, tmp_path, name, "good.xml", "--create-missing", "--keep-going")
    assert keep_going.returncode == 0


def test_truncated_file_keeps_what_was_complete(sim: Simulator, tmp_path: Path) -> None:
    (tmp_path / "cut.xml").write_text(
        "<testsuites><testsuite name='s'>"
        + "".join(f"<testcase classname='s' name='t{i}'/>" for i in range(3))
        + "<testca"
    )
    result = importer(sim, tmp_path, "cut.xml", "--create-missing")
    assert result.returncode == 2
    assert "(3 testcases before it were imported)" in result.stderr
    assert len(statuses(sim)) == 3


def test_attachment_problems_are_warnings_not_failures(sim: Simulator, tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "secret.txt").write_text("do not upload")
    (tmp_path / "reports" / "a.xml").write_text(
        "<testsuite name='s'><testcase classname='s' name='t'><system-out>"
        "[[ATTACHMENT|missing.png]]\n[[ATTACHMENT|../secret.txt]]\n[[ATTACHMENT|https://ci/x.png]]"
        "</system-out></testcase></testsuite>"
    )
    result = importer(
        sim, tmp_path, "reports/a.xml", "--create-missing", "--attachments-base", "reports"
    )
    assert result.returncode == 0, result.stderr
    assert "warning: s::t: attachment missing.png not found; left out" in result.stderr
    assert "warning: s::t: attachment ../secret.txt is outside" in result.stderr
    assert (
        "warning: s::t: attachment https://ci/x.png is a URL; it is not downloaded" in result.stderr
    )
    [run] = runs_by_test(sim)["s.t"]
    assert set(attachments(sim, "run", run["id"])) == {"system-out.txt"}


def test_attachments_stay_in_the_xml_files_folder_and_out_of_dot_files(
    sim: Simulator, tmp_path: Path
) -> None:
    """A CI checkout: ``.git/config`` holds its token; the report is the job's output."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[http] extraheader = AUTHORIZATION: basic dG9r")
    (tmp_path / ".env").write_text("PRACTITEST_TOKEN=secret")
    (tmp_path / "reports" / "shots").mkdir(parents=True)
    (tmp_path / "reports" / "shots" / "cart.png").write_bytes(b"\x89PNG")
    case = "<testcase classname='s' name='{name}'><system-out>{lines}</system-out></testcase>"
    (tmp_path / "reports" / "a.xml").write_text(
        "<testsuite name='s'>"
        + case.format(
            name="up", lines="[[ATTACHMENT|../.git/config]]\n[[ATTACHMENT|shots/cart.png]]"
        )
        + "</testsuite>"
    )
    (tmp_path / "b.xml").write_text(
        "<testsuite name='s'>"
        + case.format(name="dot", lines="[[ATTACHMENT|.git/config]]")
        + "<testcase classname='s' name='env'><properties>"
        "<property name='attachment' value='.env'/></properties></testcase>"
        "</testsuite>"
    )
    result = importer(sim, tmp_path, "reports/a.xml", "b.xml", "--create-missing")
    assert result.returncode == 0, result.stderr
    reports = (tmp_path / "reports").resolve()
    assert (
        f"warning: s::up: attachment ../.git/config is outside {reports}; left out "
        "(widen with --attachments-base)"
    ) in result.stderr
    for label, value in (("dot", ".git/config"), ("env", ".env")):
        assert (
            f"warning: s::{label}: attachment {value} is a dot-file or in a dot-folder; left out "
            "(name the folder with --attachments-base to take it)"
        ) in result.stderr
    grouped = runs_by_test(sim)
    assert set(attachments(sim, "run", grouped["s.up"][0]["id"])) == {
        "system-out.txt",
        "cart.png",
    }
    assert set(attachments(sim, "run", grouped["s.dot"][0]["id"])) == {"system-out.txt"}
    assert attachments(sim, "run", grouped["s.env"][0]["id"]) == {}
    named = importer(sim, tmp_path, "b.xml", "--create-missing", "--attachments-base", ".")
    assert named.returncode == 0, named.stderr
    assert "dot-file" not in named.stderr
    assert set(attachments(sim, "run", runs_by_test(sim)["s.env"][1]["id"])) == {".env"}


def test_many_warnings_are_capped_with_a_count(sim: Simulator, tmp_path: Path) -> None:
    (tmp_path / "shots.xml").write_text(
        "<testsuite name='s'>"
        + "".join(
            f"<testcase classname='s' name='t{i}'><properties>"
            f"<property name='attachment' value='shot{i}.png'/></properties></testcase>"
            for i in range(25)
        )
        + "</testsuite>"
    )
    result = importer(sim, tmp_path, "shots.xml", "--dry-run")
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert len(warnings) == 21
    assert warnings[0] == "PractiTest: warning: s::t0: attachment shot0.png not found; left out"
    assert warnings[-1] == "PractiTest: warning: ... and 5 more (the first 20 are above)"


def test_dry_run_and_usage_errors(sim: Simulator, tmp_path: Path) -> None:
    dry = importer(sim, FIXTURES, "jest.xml", "--dry-run")
    assert dry.returncode == 0
    assert "PractiTest dry run: nothing is sent." in dry.stdout
    assert sim.requests == []
    missing = importer(sim, FIXTURES, "nothing-*.xml")
    assert missing.returncode == 2
    assert "practitest import-junit: error: nothing-*.xml: no file matches" in missing.stderr
    bad_template = importer(sim, FIXTURES, "go.xml", "--name-template", "{package}.{name}")
    assert bad_template.returncode == 2
    assert "--name-template: use only {classname}, {name}, {suite}, {file}" in bad_template.stderr


def test_timestamps_go_to_the_output_a_custom_field_or_nowhere(
    sim: Simulator, tmp_path: Path
) -> None:
    report = tmp_path / "stamps.xml"
    report.write_text(
        '<testsuites><testsuite name="outer" timestamp="2026-11-27T09:00:00">'
        '<testsuite name="inner" timestamp="2026-11-27T10:00:00">'
        '<testcase classname="c" name="own" timestamp="2026-11-27T10:00:05" time="1"/>'
        '<testcase classname="c" name="inherited" time="1"/>'
        '</testsuite><testcase classname="c" name="outer_only"/></testsuite>'
        '<testsuite name="bare"><testcase classname="c" name="none"/></testsuite></testsuites>'
    )
    assert importer(sim, tmp_path, "stamps.xml", "--create-missing").returncode == 0
    outputs = {name: output(runs[0]) for name, runs in runs_by_test(sim).items()}
    assert set(outputs.values()) == {None}  # by default the time is not in the output
    assert importer(sim, tmp_path, "stamps.xml", "--timestamp", "output").returncode == 0
    outputs = {name: output(runs[-1]) for name, runs in runs_by_test(sim).items()}
    assert outputs == {
        "c.own": "started 2026-11-27T10:00:05",  # the testcase's own, over its suite's
        "c.inherited": "started 2026-11-27T10:00:00",  # the nearest suite's
        "c.outer_only": "started 2026-11-27T09:00:00",
        "c.none": None,
    }
    build = f"---f-{sim.info.custom_fields['Build']}"  # a text field
    assert importer(sim, tmp_path, "stamps.xml", "--timestamp", "field=Build").returncode == 0
    latest = {name: runs[-1] for name, runs in runs_by_test(sim).items()}
    assert latest["c.own"]["custom-fields"] == {build: "2026-11-27T10:00:05"}
    assert output(latest["c.own"]) is None
    assert latest["c.none"]["custom-fields"] == {}
    # The first import again (none is the default): the same runs, found, not posted twice.
    before = len(sim.entities("runs"))
    again = importer(sim, tmp_path, "stamps.xml", "--timestamp", "none")
    assert again.returncode == 0
    assert (
        "PractiTest: 4 of them were in PractiTest already, from an earlier upload of the same "
        "results (not posted twice)"
    ) in again.stdout
    assert len(sim.entities("runs")) == before
    bad = importer(sim, tmp_path, "stamps.xml", "--timestamp", "fields")
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "practitest import-junit: error: --timestamp: expected output, none or field=NAME; "
        "got 'fields'"
    )


def test_parse_time_and_streaming_reader(tmp_path: Path) -> None:
    assert [parse_time(v) for v in ("1.5", "1,5", "1,234.5", "", None, "abc", "-3", "inf")] == [
        1.5,
        1.5,
        1234.5,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
    ]
    big = tmp_path / "big.xml"
    with big.open("w") as handle:
        handle.write("<testsuites><testsuite name='s'>")
        for i in range(20000):
            handle.write(
                f"<testcase classname='s' name='t{i}' time='0.001'><system-out>{'x' * 200}</system-out></testcase>"
            )
        handle.write("</testsuite></testsuites>")
    count = sum(1 for _ in read_cases(big))
    assert count == 20000


def test_big_outputs_go_to_files_not_into_the_spool_lines(sim: Simulator, tmp_path: Path) -> None:
    (tmp_path / "big.xml").write_text(
        "<testsuite name='s'><testcase classname='s' name='t'><system-out>"
        + "y" * 50_000
        + "</system-out>"
        "</testcase></testsuite>"
    )
    planned = importer(sim, tmp_path, "big.xml", "--dry-run", "--spool", "planned")
    assert planned.returncode == 0, planned.stderr
    [spool] = (tmp_path / "planned").glob("*.jsonl")  # a dry run keeps its spool to look at
    assert max(len(line) for line in spool.read_text().splitlines()) < 5_000
    [big] = spool.with_suffix("").glob("artifacts/*")
    assert big.name == "0000001-system-out.txt"
    assert oct(big.stat().st_mode & 0o777) == "0o600"  # the owner's only, like the spool
    result = importer(sim, tmp_path, "big.xml", "--create-missing", "--spool", "spool")
    assert result.returncode == 0, result.stderr
    [run] = runs_by_test(sim)["s.t"]
    assert attachments(sim, "run", run["id"])["system-out.txt"] == b"y" * 50_000
    # Everything delivered: the spool and the files made for it are gone, the report stays.
    assert list((tmp_path / "spool").iterdir()) == []
    assert (tmp_path / "big.xml").is_file()


def test_a_suite_as_one_run_with_a_step_per_testcase(sim: Simulator, tmp_path: Path) -> None:
    mapping = tmp_path / "map.toml"
    mapping.write_text('[tests]\n"com.acme.shop.CartTest" = { instance_id = 300000 }\n')
    result = importer(sim, FIXTURES, "junit4_ant.xml", "--suite-as-test", "--map", str(mapping))
    assert result.returncode == 0, result.stderr
    [run] = runs_by_test(sim)["Cart: add an item"]
    assert run["status"] == "FAILED"
    assert step_runs(sim, run["id"]) == [
        ("addsItem", "PASSED"),
        ("removesItem", "FAILED"),
        ("totals", "BLOCKED"),
        ("coupons", "NO RUN"),
    ]
    assert (output(run) or "").startswith("removesItem: java.lang.AssertionError: expected:<1>")
    assert run["run-duration"] == "00:00:03"


REPEATED_NAMES = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="Mocha Tests">
  <testsuite name="Cart" tests="7" failures="1">
    <testcase name="adds an item" classname="adds an item" time="0.01"/>
    <testcase name="adds an item" classname="adds an item" time="0.02">
      <failure message="expected 2 to equal 3">AssertionError</failure>
    </testcase>
    <testcase name="adds an item" classname="adds an item" time="0.03"/>
    <testcase name="" classname="" time="0.01"/>
    <testcase name="" classname="" time="0.01"/>
    <testcase name="" classname="" time="0.01">
      <error message="failed on teardown with &quot;x&quot;">boom</error>
    </testcase>
    <testcase classname="" time="0.01"/>
  </testsuite>
</testsuites>
"""


def test_every_testcase_is_its_own_run_but_pytests_teardown_twin(
    sim: Simulator, tmp_path: Path
) -> None:
    (tmp_path / "mocha.xml").write_text(REPEATED_NAMES)
    result = importer(sim, tmp_path, "mocha.xml", "--create-missing")
    assert result.returncode == 0, result.stderr
    assert "mocha.xml: 7 testcases" in result.stdout
    stored = {name: [r["status"] for r in runs] for name, runs in runs_by_test(sim).items()}
    assert stored == {
        "adds an item": ["PASSED", "FAILED", "PASSED"],
        "Cart (unnamed testcase 1)": ["PASSED"],
        "Cart (unnamed testcase 2)": ["PASSED"],
        "Cart (unnamed testcase 3)": ["BLOCKED"],
        "Cart (unnamed testcase 4)": ["PASSED"],
    }
    assert "7 of 7 runs delivered" in result.stdout
    # pytest's own pair (same names, the second an error "failed on teardown with") is one
    cases = list(read_cases(FIXTURES / "pytest_xunit2.xml"))
    assert [c.name for c in cases].count("test_locked") == 1


def test_sixty_rejections_for_one_reason_are_one_line_in_the_summary_only(
    sim: Simulator, tmp_path: Path
) -> None:
    cases = "".join(f'<testcase classname="c" name="t{i}"/>' for i in range(60))
    (tmp_path / "many.xml").write_text(f"<testsuite>{cases}</testsuite>")
    result = importer(sim, tmp_path, "many.xml")  # no create-missing: each has no instance
    assert result.returncode == 1
    # Not also as progress lines on stderr: a terminal showed each twice.
    assert [line for line in result.stderr.splitlines() if "rejected" in line] == []
    summary = [line for line in result.stdout.splitlines() if "rejected: " in line]
    assert summary == [
        "PractiTest: rejected: 60 results (c::t0 (test 'c.t0'), c::t1 (test 'c.t1'), "
        "c::t2 (test 'c.t2'), and 57 more): the test has no instance in test set 20000 "
        "('Nightly regression'); map it, or turn on create-missing (--create-missing; in "
        "pytest --practitest-create-missing)"
    ]


def test_rejections_for_many_reasons_are_twenty_lines_and_a_count() -> None:
    from pytest_practitest.upload.summary import UploadSummary

    reasons = {f"k{i}": f"test_{i}: refused for reason {i}" for i in range(25)}
    lines = UploadSummary(total=25, rejected=reasons).lines()
    rejected = [line for line in lines if line.startswith("PractiTest: rejected: ")]
    assert rejected[0] == "PractiTest: rejected: test_0: refused for reason 0"
    assert len(rejected) == 20
    assert "PractiTest: ... and 5 more rejected (see the spool)" in lines


def test_the_summary_counts_every_call_the_import_made(sim: Simulator, tmp_path: Path) -> None:
    """The test set is looked up (here: made) before the upload proper: those calls count."""
    result = importer(sim, FIXTURES, "surefire.xml", "--set-name", "New set", "--create-missing")
    assert result.returncode == 0, result.stderr
    summary = next(line for line in result.stdout.splitlines() if " runs delivered " in line)
    assert f" in {len(sim.requests)} API calls, " in summary, summary


def test_a_set_that_does_not_exist_names_the_flag_that_gave_it(
    sim: Simulator, tmp_path: Path
) -> None:
    (tmp_path / "good.xml").write_text(
        "<testsuite name='g'><testcase classname='g' name='ok'/></testsuite>"
    )
    result = importer(sim, tmp_path, "good.xml", "--set-id", "99")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "practitest import-junit: error: test set 99 does not exist in project 4500; check --set-id"
    )
    assert sim.entities("runs") == []


def test_a_file_imported_again_the_same_way_is_not_posted_twice(
    sim: Simulator, tmp_path: Path
) -> None:
    """A retried import job: the same artifact, the same flags."""
    cases = "".join(f'<testcase classname="c" name="t{i}" time="0.1"/>' for i in range(30))
    (tmp_path / "r.xml").write_text(f'<testsuite name="s">{cases}</testsuite>')
    first = importer(sim, tmp_path, "r.xml", "--create-missing")
    assert first.returncode == 0, first.stderr
    assert len(sim.entities("runs")) == 30
    again = importer(sim, tmp_path, "r.xml", "--create-missing")
    assert again.returncode == 0, again.stderr
    assert "PractiTest: 30 of 30 runs delivered" in again.stdout
    assert (
        "PractiTest: 30 of them were in PractiTest already, from an earlier upload of the "
        "same results (not posted twice)"
    ) in again.stdout
    assert len(sim.entities("runs")) == 30
    assert max(keys_stored(sim).values()) == 1
    # Another way (a custom field given): new runs. The same bytes in another place (a
    # matrix's other leg): that file's own results.
    (tmp_path / "leg-2").mkdir()
    shutil.copy(tmp_path / "r.xml", tmp_path / "leg-2" / "r.xml")
    other = importer(sim, tmp_path, "r.xml", "leg-2/r.xml", "--field", "Build=7")
    assert other.returncode == 0, other.stderr
    assert "PractiTest: 60 of 60 runs delivered" in other.stdout
    assert len(sim.entities("runs")) == 90
    assert max(keys_stored(sim).values()) == 1


def test_a_file_downloaded_again_hours_later_is_looked_for_from_its_suites_time(
    sim: Simulator, tmp_path: Path
) -> None:
    """Its modification time is new; the time its suite ran (with a zone) is not."""
    from datetime import datetime, timedelta, timezone

    ran = (datetime.now(timezone.utc) - timedelta(hours=6)).isoformat()
    cases = "".join(f'<testcase classname="c" name="t{i}"/>' for i in range(5))
    report = tmp_path / "r.xml"
    report.write_text(f'<testsuite name="pytest" timestamp="{ran}">{cases}</testsuite>')
    assert importer(sim, tmp_path, "r.xml", "--create-missing").returncode == 0
    sim.store.clock_offset = 5 * 3600.0  # the retried job, five hours later
    os.utime(report)  # downloaded again: a new modification time
    again = importer(sim, tmp_path, "r.xml", "--create-missing")
    assert again.returncode == 0, again.stderr
    assert "PractiTest: 5 of them were in PractiTest already" in again.stdout
    assert len(sim.entities("runs")) == 5


def test_the_spool_a_stopped_import_left_finds_what_a_retried_import_delivered(
    sim: Simulator, tmp_path: Path
) -> None:
    cases = "".join(f'<testcase classname="c" name="t{i}"/>' for i in range(30))
    (tmp_path / "r.xml").write_text(f'<testsuite name="s">{cases}</testsuite>')
    importer(sim, tmp_path, "r.xml", "--create-missing")  # the tests exist from here on
    sim.faults.add("status", "POST", r"/runs$", status=401, calls={2})
    (tmp_path / "r.xml").write_text(f'<testsuite name="s2">{cases}</testsuite>')
    stopped = importer(sim, tmp_path, "r.xml")
    assert stopped.returncode == 1
    assert len(sim.entities("runs")) == 30 + 20
    sim.faults.clear()
    retried = importer(sim, tmp_path, "r.xml")
    assert retried.returncode == 0, retried.stderr
    assert "PractiTest: 30 of 30 runs delivered (10 now)" in retried.stdout
    [left] = [p for p in SPOOL[0].glob("practitest-*.jsonl")]
    resumed = run_cli("upload", str(left), PRACTITEST_TOKEN=TOKEN, PRACTITEST_RATE_LIMIT="0")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "PractiTest: 10 of them were in PractiTest already" in resumed.stdout
    assert len(sim.entities("runs")) == 60
    assert max(keys_stored(sim).values()) == 1


def test_the_dry_runs_count_of_calls_is_what_the_import_makes(
    sim: Simulator, tmp_path: Path
) -> None:
    cases = "".join(f'<testcase classname="c" name="t{i}"/>' for i in range(3))
    (tmp_path / "r.xml").write_text(f'<testsuite name="s">{cases}</testsuite>')
    assert importer(sim, tmp_path, "r.xml", "--create-missing").returncode == 0
    (tmp_path / "r.xml").write_text(f'<testsuite name="s" tests="3">{cases}</testsuite>')
    dry = importer(sim, tmp_path, "r.xml", "--dry-run")
    # the set, its instances, the look for an earlier import of these results, one post
    assert "  API calls: 4 (3 lookups + 1 run posts)" in dry.stdout.splitlines()
    sim.clear_requests()
    assert importer(sim, tmp_path, "r.xml").returncode == 0
    assert len(sim.requests) == 4
