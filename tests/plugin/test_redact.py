"""A test that prints or asserts the token: PractiTest and the spool get ``***`` instead."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_practitest.simulator import Simulator
from pytest_practitest.spool.journal import Spool
from tests.helpers import attachments, output, run_cli

#: the ``run`` fixture: pytest with reporting on, to the simulator's demo set
Run = Callable[..., pytest.RunResult]

LEAKY = """
import logging
import os

from pytest_practitest import attach, step


def test_leaks_the_token():
    token = os.environ["PRACTITEST_TOKEN"]
    print("the token is", token, "and the password is hunter2-secret")
    logging.getLogger("login").warning("logging in with %s", token)
    with step(f"log in with {token}", expected=f"welcome {token}"):
        assert token == "hunter2-secret"
"""


def everything_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_the_token_and_listed_secrets_become_stars_before_anything_is_spooled(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    token = sim.token
    assert token
    pytester.makepyfile(test_leaky=LEAKY)
    result = run("--practitest-redact=hunter2-secret", "--practitest-spool=kept")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["PractiTest: 1 of 1 runs delivered*"])
    [stored] = sim.entities("runs")
    assert (output(stored) or "").startswith("AssertionError: assert '***' == '***'")
    assert token not in stored["automated-execution-output"]
    files = attachments(sim, "run", stored["id"])
    assert set(files) >= {"traceback.txt", "stdout.txt", "log.txt"}
    for name in ("traceback.txt", "stdout.txt", "log.txt"):
        assert token.encode() not in files[name], name
        assert b"***" in files[name], name
    assert b"the token is *** and the password is ***" in files["stdout.txt"]
    assert b"logging in with ***" in files["log.txt"]
    [step] = [s for s in sim.entities("step_runs") if s["run-id"] == stored["id"]]
    assert step["name"] == "log in with ***"
    assert step["expected-results"] == "welcome ***"
    assert token not in str(step)
    # a deferred session keeps its results on disk: the bundle holds *** too
    deferred = run(
        "--practitest-defer", "--practitest-spool=kept", "--practitest-redact=hunter2-secret"
    )
    assert deferred.ret == 1
    [bundle] = (pytester.path / "kept").glob("bundle-*/spool.jsonl")
    with Spool.open(bundle) as spool:
        [record] = spool.records.values()
    inline = {f.name: f.data or b"" for f in record.files}
    kept = everything_under(pytester.path / "kept") + b"".join(inline.values())
    assert token.encode() not in kept
    assert b"hunter2-secret" not in kept
    assert b"the token is *** and the password is ***" in inline["stdout.txt"]
    assert b"assert '***' == '***'" in inline["traceback.txt"]
    assert record.steps[0].name == "log in with ***"


def test_import_junit_masks_the_token_in_output_and_files(sim: Simulator, tmp_path: Path) -> None:
    token = sim.token
    big = "x" * 20_000  # over the inline limit: written to a file next to the spool
    (tmp_path / "r.xml").write_text(
        "<testsuite name='s'><testcase classname='s' name='t'>"
        f"<failure message='bad token {token}'>trace {token}</failure>"
        f"<system-out>{big} {token}</system-out></testcase></testsuite>"
    )
    result = run_cli(
        "import-junit",
        "r.xml",
        "--create-missing",
        "--dry-run",
        cwd=tmp_path,
        PRACTITEST_TOKEN=token,
        PRACTITEST_URL=sim.url,
        PRACTITEST_PROJECT_ID="4500",
        PRACTITEST_SET_ID="20000",
        PRACTITEST_SPOOL="spool",
    )
    assert result.returncode == 0, result.stderr
    kept = everything_under(tmp_path / "spool")
    assert token.encode() not in kept
    assert b"bad token ***" in kept
    assert f"{big} ***".encode() in kept
    [path] = (tmp_path / "spool").glob("practitest-*.jsonl")
    with Spool.open(path) as spool:
        [record] = spool.records.values()
    inline = {f.name: f.data for f in record.files if f.data is not None}
    assert inline["failure.txt"] == b"trace ***"


PARAMETER = """
import os
import pytest
from pytest_practitest import attach

@pytest.mark.parametrize("password", ["hunter2-secret", "p\u00e4ssw\u00f6rd9"])
def test_login(password):
    attach(f"logged in with {password}".encode(), "session.txt")
    attach(b"core", f"dump-{password}.bin")
    assert password == "wrong", f"refused {password}"
"""


def test_a_secret_given_as_a_parameter_is_masked_in_the_node_id_and_the_test_name(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    """pytest names a test after its parameter: ``test_login[hunter2-secret]``, and a
    non-ASCII one escaped: ``test_login[p\\xe4ssw\\xf6rd9]``."""
    pytester.makepyfile(test_param=PARAMETER)
    result = run(
        "--practitest-redact=hunter2-secret",
        "--practitest-redact=p\u00e4ssw\u00f6rd9",
        "--practitest-spool=kept",
        "--practitest-field=Build=staging hunter2-secret",
        "-rN",
    )
    assert result.ret == 1
    lines = [line for line in result.outlines if "PractiTest" in line]
    assert "PractiTest: 2 of 2 runs delivered to test set 20000 'Nightly regression'" in (
        " ".join(lines)
    )
    assert (
        "PractiTest: warning: a secret is in 2 test names (a parameter of the test): "
        "PractiTest gets *** instead (test_param.py::test_login[***]); 1 name now stands for "
        "several tests, whose results go to one PractiTest test "
        "(test_param.py::test_login[***]): give such parameters ids "
        "(pytest.mark.parametrize(..., ids=[...]))"
    ) in lines
    assert not [line for line in lines if "hunter2" in line or "xe4" in line or "\u00e4" in line]
    [test] = [t for t in sim.entities("tests") if t["name"].startswith("test_param")]
    assert test["name"] == "test_param.py::test_login[***]"
    stored = sim.entities("runs")
    assert len(stored) == 2
    assert "hunter2-secret" not in str(stored)
    assert "xe4ssw" not in str(stored)
    assert all("refused ***" in (output(one) or "") for one in stored)
    assert all("staging ***" in str(one["custom-fields"]) for one in stored)
    for one in stored:  # attach(bytes): written to a file before the record was made
        files = attachments(sim, "run", one["id"])
        assert files["session.txt"] == b"logged in with ***"
        assert "dump-***.bin" in files  # the name a test gives a file is masked too
    # a deferred session keeps everything on disk: the bundle's names and bytes are masked
    deferred = run(
        "--practitest-defer",
        "--practitest-spool=kept",
        "--practitest-redact=hunter2-secret",
        "--practitest-redact=p\u00e4ssw\u00f6rd9",
    )
    assert deferred.ret == 1
    [bundle] = (pytester.path / "kept").glob("bundle-*")
    spooled = everything_under(bundle)
    assert b"logged in with ***" in spooled
    assert b"hunter2-secret" not in spooled
    assert "p\u00e4ssw\u00f6rd9".encode() not in spooled
    assert b"xe4ssw" not in spooled
    names = " ".join(str(p.relative_to(bundle)) for p in bundle.rglob("*"))
    assert "dump-" in names
    assert "hunter2" not in names
