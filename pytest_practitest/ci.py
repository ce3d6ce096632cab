"""Which CI build this is: build URL, commit and branch (GitHub Actions, GitLab CI, Jenkins)."""

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
    environment = os.environ if env is None else env
    get = environment.get
    if get("GITHUB_ACTIONS") == "true":
        server, repository, run_id = (
            get("GITHUB_SERVER_URL"),
            get("GITHUB_REPOSITORY"),
            get("GITHUB_RUN_ID"),
        )
        url = (
            f"{server}/{repository}/actions/runs/{run_id}"
            if server and repository and run_id
            else None
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
    if get("JENKINS_URL") or get("BUILD_URL"):
        return CiInfo(
            "Jenkins", get("BUILD_URL"), get("GIT_COMMIT"), get("GIT_BRANCH") or get("BRANCH_NAME")
        )
    return None
