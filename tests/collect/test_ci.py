"""CI build metadata: detected, and put in the output or in custom fields."""

from __future__ import annotations

import pytest

from pytest_practitest.collect.ci import CiInfo, detect
from pytest_practitest.simulator import Simulator
from tests.helpers import Run, output, runs_by_test

GITHUB = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "acme/shop",
    "GITHUB_RUN_ID": "991",
    "GITHUB_SHA": "0123456789abcdef",
    "GITHUB_REF_NAME": "main",
}


def test_detects_github_gitlab_jenkins_and_nothing() -> None:
    assert detect(GITHUB) == CiInfo(
        "GitHub Actions",
        "https://github.com/acme/shop/actions/runs/991",
        "0123456789abcdef",
        "main",
    )
    gitlab = {
        "GITLAB_CI": "true",
        "CI_JOB_URL": "https://gitlab.example/j/5",
        "CI_COMMIT_SHA": "abc",
        "CI_COMMIT_REF_NAME": "feature",
    }
    assert detect(gitlab) == CiInfo("GitLab CI", "https://gitlab.example/j/5", "abc", "feature")
    jenkins = {
        "JENKINS_URL": "https://ci/",
        "BUILD_URL": "https://ci/job/shop/7/",
        "GIT_COMMIT": "def",
        "GIT_BRANCH": "origin/main",
    }
    assert detect(jenkins) == CiInfo("Jenkins", "https://ci/job/shop/7/", "def", "origin/main")
    assert detect({}) is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {
                "TF_BUILD": "True",
                "SYSTEM_COLLECTIONURI": "https://dev.azure.com/acme/",
                "SYSTEM_TEAMPROJECT": "shop",
                "BUILD_BUILDID": "812",
                "BUILD_SOURCEVERSION": "a1b2",
                "BUILD_SOURCEBRANCH": "refs/heads/release/2.1",
            },
            CiInfo(
                "Azure Pipelines",
                "https://dev.azure.com/acme/shop/_build/results?buildId=812",
                "a1b2",
                "release/2.1",
            ),
        ),
        (
            {
                "CIRCLECI": "true",
                "CIRCLE_BUILD_URL": "https://circleci.com/gh/acme/shop/44",
                "CIRCLE_SHA1": "c3d4",
                "CIRCLE_BRANCH": "main",
            },
            CiInfo("CircleCI", "https://circleci.com/gh/acme/shop/44", "c3d4", "main"),
        ),
        (
            {
                "BUILDKITE": "true",
                "BUILDKITE_BUILD_URL": "https://buildkite.com/acme/shop/builds/9",
                "BUILDKITE_COMMIT": "e5f6",
                "BUILDKITE_BRANCH": "dev",
            },
            CiInfo("Buildkite", "https://buildkite.com/acme/shop/builds/9", "e5f6", "dev"),
        ),
        (
            {
                "BITBUCKET_BUILD_NUMBER": "31",
                "BITBUCKET_REPO_FULL_NAME": "acme/shop",
                "BITBUCKET_COMMIT": "0a0b",
                "BITBUCKET_BRANCH": "main",
            },
            CiInfo(
                "Bitbucket Pipelines",
                "https://bitbucket.org/acme/shop/pipelines/results/31",
                "0a0b",
                "main",
            ),
        ),
        (
            {"TEAMCITY_VERSION": "2024.1", "BUILD_VCS_NUMBER": "9f9f"},
            CiInfo("TeamCity", None, "9f9f", None),
        ),
    ],
)
def test_detects_other_ci_services(env: dict[str, str], expected: CiInfo) -> None:
    assert detect(env) == expected
    info = detect(GITHUB)
    assert info is not None
    assert (
        info.line()
        == "GitHub Actions https://github.com/acme/shop/actions/runs/991 @ 0123456789ab (main)"
    )


def test_ci_line_in_the_output(
    pytester: pytest.Pytester, run: Run, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in GITHUB.items():
        monkeypatch.setenv(name, value)
    pytester.makepyfile(test_ci="def test_ok(): pass\ndef test_bad(): assert 0, 'nope'")
    run()
    grouped = runs_by_test(sim)
    assert output(grouped["test_ci.py::test_ok"][0]) == (
        "GitHub Actions https://github.com/acme/shop/actions/runs/991 @ 0123456789ab (main)"
    )
    assert (output(grouped["test_ci.py::test_bad"][0]) or "").startswith(
        "AssertionError: nope\nassert 0\nGitHub Actions"
    )


def test_ci_values_in_custom_fields(
    pytester: pytest.Pytester, run: Run, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in GITHUB.items():
        monkeypatch.setenv(name, value)
    pytester.makepyfile(test_ci2="def test_ok(): pass")
    run("--practitest-ci=url=Build")
    [stored] = runs_by_test(sim)["test_ci2.py::test_ok"]
    assert stored["custom-fields"] == {
        f"---f-{sim.info.custom_fields['Build']}": "https://github.com/acme/shop/actions/runs/991"
    }
    assert output(stored) is None
