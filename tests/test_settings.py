"""One resolver for every source: CLI > env > ini/pyproject > default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pytest_practitest.errors import ConfigError
from pytest_practitest.options import OPTIONS
from pytest_practitest.outcomes import DEFAULT_STATUS_MAP
from pytest_practitest.settings import Settings, resolve

BASE_ENV = {"PRACTITEST_TOKEN": "t"}


def settle(
    cli: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    ini: dict[str, Any] | None = None,
) -> Settings:
    return resolve(cli or {}, lambda name: (ini or {}).get(name), {**BASE_ENV, **(env or {})})


def test_names_share_one_stem() -> None:
    names = {o.stem: (o.cli, o.ini, o.env) for o in OPTIONS}
    assert names[""] == ("--practitest", "practitest", "PRACTITEST")
    assert names["project-id"] == (
        "--practitest-project-id",
        "practitest_project_id",
        "PRACTITEST_PROJECT_ID",
    )
    assert names["field"] == ("--practitest-field", "practitest_fields", "PRACTITEST_FIELDS")
    assert names["rate-limit"] == (
        "--practitest-rate-limit",
        "practitest_rate_limit",
        "PRACTITEST_RATE_LIMIT",
    )


def test_defaults() -> None:
    settings = settle()
    assert settings.enabled is False
    assert settings.url == "us"
    assert settings.rate_limit == (30, 60.0)
    assert settings.spool == Path(".practitest")
    assert settings.parametrized == "instance"
    assert dict(settings.status_map) == DEFAULT_STATUS_MAP


def test_precedence_cli_over_env_over_ini() -> None:
    ini = {
        "practitest_project_id": "1",
        "practitest_set_name": "from ini",
        "practitest_version": "ini",
    }
    env = {"PRACTITEST_PROJECT_ID": "2", "PRACTITEST_SET_NAME": "from env"}
    settings = settle({"practitest_project_id": "3"}, env, ini)
    assert settings.project_id == 3
    assert settings.set_name == "from env"
    assert settings.version == "ini"
    assert settings.sources["project_id"] == "--practitest-project-id"
    assert settings.sources["set_name"] == "PRACTITEST_SET_NAME"
    assert settings.sources["version"] == "ini practitest_version"


def test_an_empty_environment_variable_is_unset() -> None:
    # A CI system defines every variable it knows of, empty when it has no value.
    ini = {"practitest_project_id": "1", "practitest_set_id": "20000"}
    env = {"PRACTITEST_PROJECT_ID": "", "PRACTITEST_SET_ID": "", "PRACTITEST_VERSION": ""}
    settings = settle({}, env, ini)
    assert (settings.project_id, settings.set_id, settings.version) == (1, 20000, None)
    assert settings.sources["set_id"] == "ini practitest_set_id"


def test_enabling_from_each_source_needs_a_project_a_set_and_a_token() -> None:
    full = {"PRACTITEST_PROJECT_ID": "4500", "PRACTITEST_SET_ID": "20000"}
    assert settle({"practitest": True}, full).enabled
    assert settle(env={**full, "PRACTITEST": "yes"}).enabled
    assert settle(env=full, ini={"practitest": "true"}).enabled
    with pytest.raises(
        ConfigError, match=r"^reporting is on but no project: set --practitest-project-id"
    ):
        settle({"practitest": True})
    with pytest.raises(ConfigError, match=r"^reporting is on but no test set"):
        settle({"practitest": True}, {"PRACTITEST_PROJECT_ID": "1"})
    with pytest.raises(ConfigError, match=r"^reporting is on but PRACTITEST_TOKEN is empty"):
        resolve({"practitest": True}, lambda n: None, full)
    # A dry run needs no token.
    assert resolve({"practitest": True, "practitest_dry_run": True}, lambda n: None, full).dry_run


def test_token_env_can_be_renamed() -> None:
    env = {"PRACTITEST_PROJECT_ID": "1", "PRACTITEST_SET_ID": "2", "MY_PT_TOKEN": "abc"}
    settings = resolve({"practitest": True}, lambda n: None, env, token_env="MY_PT_TOKEN")
    assert settings.token_env == "MY_PT_TOKEN"


@pytest.mark.parametrize(
    ("cli", "env", "ini", "message"),
    [
        (
            {"practitest_project_id": "abc"},
            {},
            {},
            "--practitest-project-id: expected a positive whole number; got 'abc'",
        ),
        (
            {},
            {"PRACTITEST_STRICT": "maybe"},
            {},
            "PRACTITEST_STRICT: expected true or false (1/0, yes/no, on/off); got 'maybe'",
        ),
        (
            {},
            {},
            {"practitest_parametrized": "each"},
            "ini practitest_parametrized: expected instance or function; got 'each'",
        ),
        (
            {"practitest_rate_limit": "fast"},
            {},
            {},
            "--practitest-rate-limit must be calls per minute",
        ),
        (
            {"practitest_fields": ["Browser"]},
            {},
            {},
            "--practitest-field: expected NAME=VALUE; got 'Browser'",
        ),
        (
            {},
            {"PRACTITEST_STATUS_MAP": "skipped=SKIPPED"},
            {},
            "PRACTITEST_STATUS_MAP: expected OUTCOME=STATUS pairs",
        ),
        (
            {},
            {"PRACTITEST_TIMEOUT": "0"},
            {},
            "PRACTITEST_TIMEOUT: expected a number of seconds above 0; got '0'",
        ),
    ],
)
def test_bad_values_name_their_source_and_form(
    cli: dict[str, Any], env: dict[str, str], ini: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        settle(cli, env, ini)
    assert str(info.value).startswith(message)


def test_bad_url_is_refused_when_enabled() -> None:
    env = {
        "PRACTITEST_PROJECT_ID": "1",
        "PRACTITEST_SET_ID": "2",
        "PRACTITEST_URL": "http://pt.example.com",
    }
    with pytest.raises(ConfigError, match="refusing to send the API token over plain http"):
        settle({"practitest": True}, env)


def test_fields_and_status_map_forms() -> None:
    settings = settle(
        {"practitest_fields": ["Browser=Chrome", "Build = 42"]},
        {"PRACTITEST_STATUS_MAP": "skipped=N/A; xfailed=failed"},
    )
    assert settings.fields == (("Browser", "Chrome"), ("Build", "42"))
    assert settings.status_map["skipped"] == "N/A"
    assert settings.status_map["xfailed"] == "FAILED"
    assert settle(env={"PRACTITEST_FIELDS": "A=1,B=2"}).fields == (("A", "1"), ("B", "2"))
    assert settle(ini={"practitest_fields": ["A=1", "B=2"]}).fields == (("A", "1"), ("B", "2"))


def test_usage_error_from_pytest_is_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_a(): pass")
    result = pytester.runpytest(
        "--practitest", "--practitest-project-id=x", "-p", "no:cacheprovider"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.stderr.lines if line.strip()] == [
        "ERROR: PractiTest: --practitest-project-id: expected a positive whole number; got 'x'"
    ]


def test_ini_and_pyproject_configure_the_plugin(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRACTITEST_TOKEN", "secret-from-env")
    pytester.makepyprojecttoml(
        """
        [tool.pytest.ini_options]
        practitest = "true"
        practitest_project_id = "4500"
        practitest_set_name = "From pyproject"
        practitest_dry_run = "yes"
        practitest_fields = ["Browser=Chrome"]
        """
    )
    pytester.makepyfile("def test_a(): pass")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["practitest: us project 4500 set 'From pyproject'*dry-run*"])
    assert "secret-from-env" not in result.stdout.str()


def test_the_test_set_comes_from_the_highest_source_that_names_it() -> None:
    # sim.env's PRACTITEST_SET_ID beat `practitest check --set-name "CI main"`
    settings = settle({"practitest_set_name": "CI main"}, {"PRACTITEST_SET_ID": "20000"})
    assert (settings.set_id, settings.set_name) == (None, "CI main")
    assert settings.sources["set_name"] == "--practitest-set-name"
    settings = settle(env={"PRACTITEST_SET_NAME": "CI main"}, ini={"practitest_set_id": "20000"})
    assert (settings.set_id, settings.set_name) == (None, "CI main")
    settings = settle({"practitest_set_id": "7"}, ini={"practitest_set_name": "x"})
    assert (settings.set_id, settings.set_name) == (7, None)


@pytest.mark.parametrize(
    ("cli", "env", "ini", "message"),
    [
        (
            {"practitest_set_id": "1", "practitest_set_name": "a"},
            {},
            {},
            "give --practitest-set-id or --practitest-set-name, not both "
            "(one test set, by id or name)",
        ),
        (
            {},
            {"PRACTITEST_SET_ID": "1", "PRACTITEST_SET_NAME": "a"},
            {},
            "give PRACTITEST_SET_ID or PRACTITEST_SET_NAME, not both (one test set, by id or name)",
        ),
        (
            {},
            {},
            {"practitest_set_id": "1", "practitest_set_name": "a"},
            "give ini practitest_set_id or practitest_set_name, not both "
            "(one test set, by id or name)",
        ),
    ],
)
def test_both_set_id_and_set_name_in_one_source_is_a_usage_error(
    cli: dict[str, Any], env: dict[str, str], ini: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        settle(cli, env, ini)
    assert str(raised.value) == message


def test_one_table_of_defaults_and_deadlines_per_entry_point() -> None:
    from pytest_practitest.limits import DEADLINES

    resolved = settle()
    assert resolved._replace(status_map={}) == Settings()._replace(
        token_env=resolved.token_env, status_map={}
    )
    assert DEADLINES == {"pytest": 120.0, "upload": 900.0, "import-junit": 3600.0}
    for command, seconds in DEADLINES.items():
        assert resolve({}, lambda name: None, {}, command=command).deadline == seconds
    given = resolve({}, lambda name: None, {"PRACTITEST_DEADLINE": "5"}, command="upload")
    assert given.deadline == 5.0


def test_redact_values_from_each_source() -> None:
    from pytest_practitest.spool.redact import Redactor

    def values(cli: Any = None, env: str | None = None, ini: Any = None) -> tuple[str, ...]:
        settings = resolve(
            {"practitest_redact": cli},
            lambda name: ini if name == "practitest_redact" else None,
            env={} if env is None else {"PRACTITEST_REDACT": env},
        )
        return settings.redact

    assert values() == ()
    assert values(cli=["a,b=c", "pw2"]) == ("a,b=c", "pw2")
    assert values(env="one-secret, two-secret,") == ("one-secret", "two-secret")
    assert values(ini=["line one", "line,two"]) == ("line one", "line,two")
    redactor = Redactor(["abc", "secret", "secret-longer", None])
    assert redactor.text("a secret-longer secret abc") == "a *** *** abc"  # 3 letters: kept


def test_the_request_and_file_limits_are_settings_with_documented_defaults() -> None:
    default = settle()
    assert (default.max_request_bytes, default.max_file_bytes) == (32 * 1024 * 1024, 10485760)
    given = settle(
        cli={"practitest_max_file_bytes": "4096"},
        env={"PRACTITEST_MAX_REQUEST_BYTES": "8388608", "PRACTITEST_MAX_FILE_BYTES": "1"},
        ini={"practitest_max_request_bytes": "100"},
    )
    assert (given.max_request_bytes, given.max_file_bytes) == (8388608, 4096)
    assert given.sources["max_request_bytes"] == "PRACTITEST_MAX_REQUEST_BYTES"
    with pytest.raises(ConfigError) as error:
        settle(ini={"practitest_max_file_bytes": "10 MiB"})
    assert str(error.value) == (
        "ini practitest_max_file_bytes: expected a positive whole number; got '10 MiB'"
    )
