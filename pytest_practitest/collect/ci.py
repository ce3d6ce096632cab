"""Which CI build this is: build URL, commit and branch, from the CI's own variables.

GitHub Actions, GitLab CI, Jenkins, Azure Pipelines, CircleCI, Buildkite, Bitbucket
Pipelines and TeamCity (which gives no build URL in the environment).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class CiInfo:
    provider: str
    url: str | None
    commit: str | None
    branch: str | None

    def line(self) -> str:
        """One short line for the execution output."""
        parts = [self.provider]
        if self.url:
            parts.append(self.url)
        if self.commit:
            parts.append(f"@ {self.commit[:12]}")
        if self.branch:
            parts.append(f"({self.branch})")
        return " ".join(parts)

    def values(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (("url", self.url), ("commit", self.commit), ("branch", self.branch))
            if v
        }


def detect(env: Mapping[str, str] | None = None) -> CiInfo | None:
    """The CI this runs on, from its variables; None outside CI.

    One branch per service, in the order they are recognised (about 60 lines on
    purpose: each service names its URL, commit and branch its own way, and a
    table of lambdas would read worse than the branches).
    """
    environment = os.environ if env is None else env
    get = environment.get
    if get("GITHUB_ACTIONS") == "true":
        url = _joined(
            "{}/{}/actions/runs/{}",
            get("GITHUB_SERVER_URL"),
            get("GITHUB_REPOSITORY"),
            get("GITHUB_RUN_ID"),
        )
        return CiInfo(
            "GitHub Actions",
            url,
            get("GITHUB_SHA"),
            get("GITHUB_HEAD_REF") or get("GITHUB_REF_NAME"),
        )
    if get("GITLAB_CI") == "true":
        return CiInfo(
            "GitLab CI",
            get("CI_JOB_URL") or get("CI_PIPELINE_URL"),
            get("CI_COMMIT_SHA"),
            get("CI_COMMIT_REF_NAME"),
        )
    if get("TF_BUILD", "").lower() == "true":
        url = _joined(
            "{}/{}/_build/results?buildId={}",
            get("SYSTEM_COLLECTIONURI", "").rstrip("/"),
            get("SYSTEM_TEAMPROJECT"),
            get("BUILD_BUILDID"),
        )
        branch = get("SYSTEM_PULLREQUEST_SOURCEBRANCH") or get("BUILD_SOURCEBRANCH")
        return CiInfo(
            "Azure Pipelines",
            url,
            get("BUILD_SOURCEVERSION"),
            branch.removeprefix("refs/heads/") if branch else None,
        )
    if get("CIRCLECI") == "true":
        return CiInfo("CircleCI", get("CIRCLE_BUILD_URL"), get("CIRCLE_SHA1"), get("CIRCLE_BRANCH"))
    if get("BUILDKITE") == "true":
        return CiInfo(
            "Buildkite",
            get("BUILDKITE_BUILD_URL"),
            get("BUILDKITE_COMMIT"),
            get("BUILDKITE_BRANCH"),
        )
    if get("BITBUCKET_BUILD_NUMBER"):
        url = _joined(
            "https://bitbucket.org/{}/pipelines/results/{}",
            get("BITBUCKET_REPO_FULL_NAME"),
            get("BITBUCKET_BUILD_NUMBER"),
        )
        return CiInfo("Bitbucket Pipelines", url, get("BITBUCKET_COMMIT"), get("BITBUCKET_BRANCH"))
    if get("JENKINS_URL") or get("BUILD_URL"):
        return CiInfo(
            "Jenkins", get("BUILD_URL"), get("GIT_COMMIT"), get("GIT_BRANCH") or get("BRANCH_NAME")
        )
    if get("TEAMCITY_VERSION"):
        return CiInfo("TeamCity", None, get("BUILD_VCS_NUMBER"), get("TEAMCITY_BUILD_BRANCH"))
    return None


def _joined(template: str, *parts: str | None) -> str | None:
    """The build URL made of ``parts``, or None when the CI did not give every one."""
    return template.format(*parts) if all(parts) else None
