"""Helpers for the tests: talking to the simulator, running the CLI and pytest.

Test modules import from here, never from ``conftest`` (pytest loads that itself).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import pytest
import requests

#: the account token of the ``sim`` fixture (conftest), which sets PRACTITEST_TOKEN to it
TOKEN = "plugin-token-5e6f7a8b"

#: the ``run`` fixture (conftest): pytest with reporting on, against ``sim``
Run = Callable[..., pytest.RunResult]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def run_item(instance_id: Any, **attributes: Any) -> dict[str, Any]:
    """One item of a bulk ``runs.json`` post, as the API reference shows it."""
    return {"type": "instances", "attributes": {"instance-id": instance_id, **attributes}}


def errors_of(response: requests.Response) -> list[dict[str, Any]]:
    body = response.json()
    assert "errors" in body, body
    return list(body["errors"])


def error_detail(response: requests.Response) -> str:
    return " | ".join(str(e["detail"]) for e in errors_of(response))


def pointers(response: requests.Response) -> list[str]:
    return [e.get("source", {}).get("pointer", "") for e in errors_of(response)]


class Api:
    """Requests to /api/v2 with the PTToken header; ``p()`` prefixes the project."""

    def __init__(self, base_url: str, token: str | None, project_id: int) -> None:
        self.base_url = base_url
        self.project_id = project_id
        self.session = requests.Session()
        if token is not None:
            self.session.headers["PTToken"] = token

    def p(self, path: str) -> str:
        return f"/projects/{self.project_id}{path}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/api/v2{path}"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.url(path), params=params, timeout=10)

    def post(self, path: str, body: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.post(self.url(path), json=body, **kwargs)

    def put(self, path: str, body: Any) -> requests.Response:
        return self.session.put(self.url(path), json=body, timeout=10)

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(self.url(path), timeout=10)

    def data(self, path: str, **params: Any) -> Any:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def run(self, instance_id: int, **attributes: Any) -> dict[str, Any]:
        """Post one run and return its resource."""
        body = {
            "data": {"type": "instances", "attributes": {"instance-id": instance_id, **attributes}}
        }
        response = self.post(self.p("/runs.json"), body)
        assert response.status_code == 200, response.text
        return dict(response.json()["data"])

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes (bounded, for async servers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def seed_set(sim: Any, count: int, name: str = "Big set") -> tuple[int, list[int], list[str]]:
    """A test set with ``count`` fresh tests and instances, made in-process (no API calls).

    Returns the set id, the instance ids and the test names.
    """
    from pytest_practitest.simulator import entities

    store = sim.store
    project_id = sim.info.project_id
    owner = sim.info.users["owner@example.com"]
    with store.lock:
        test_set = entities.create_set(store, project_id, {"name": name}, owner)
        instances, names = [], []
        for index in range(count):
            test_name = f"{name} test {index:05d}"
            test = entities.create_test(store, project_id, {"name": test_name}, owner)
            instances.append(int(entities.create_instance(store, test_set, test)["id"]))
            names.append(test_name)
    return int(test_set["id"]), instances, names


def count_by(rows: list[dict[str, Any]], key: str) -> dict[Any, int]:
    counts: dict[Any, int] = {}
    for row in rows:
        counts[row[key]] = counts.get(row[key], 0) + 1
    return counts


def runs_by_test(sim: Any) -> dict[str, list[dict[str, Any]]]:
    """Stored runs grouped by the name of their test."""
    names = {t["id"]: t["name"] for t in sim.entities("tests")}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for run in sim.entities("runs"):
        grouped.setdefault(names[run["test-id"]], []).append(run)
    return grouped


def step_runs(sim: Any, run_id: int) -> list[tuple[str, str]]:
    return [(s["name"], s["status"]) for s in sim.entities("step_runs") if s["run-id"] == run_id]


def attachments(sim: Any, entity: str, entity_id: int) -> dict[str, bytes]:
    return {
        a["name"]: sim.attachment_content(a["id"])
        for a in sim.entities("attachments")
        if sim.store.get("attachments", a["id"])["_entity"] == entity
        and sim.store.get("attachments", a["id"])["_entity-id"] == entity_id
    }


def run_cli(
    *args: str,
    cwd: Any = None,
    timeout: float = 120,
    stdin: str | None = None,
    settings: Any = None,
    **env: str,
) -> Any:
    """``practitest ARGS`` in a subprocess, with no PRACTITEST_* variable but those in
    ``settings`` (e.g. ``sim_env``) and ``env``."""
    return _run_module(
        "pytest_practitest.cli",
        args,
        cwd=cwd,
        timeout=timeout,
        stdin=stdin,
        env={**(settings or {}), **env},
    )


def run_pytest(
    *args: str, cwd: Any, env: dict[str, str] | None = None, timeout: float = 120
) -> Any:
    """``pytest -p no:cacheprovider ARGS`` in a subprocess in ``cwd``, with no PRACTITEST_*
    variable but those in ``env``."""
    return _run_module(
        "pytest", ("-p", "no:cacheprovider", *args), cwd=cwd, timeout=timeout, env=env or {}
    )


def _run_module(
    module: str,
    args: Any,
    *,
    cwd: Any,
    timeout: float,
    env: dict[str, str],
    stdin: str | None = None,
) -> Any:
    import os
    import subprocess
    import sys

    environment = {k: v for k, v in os.environ.items() if not k.startswith("PRACTITEST")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def sim_env(sim: Any, token: str, spool: Any = None) -> dict[str, str]:
    """The PRACTITEST_* settings that report to ``sim``'s demo set, creating what is missing."""
    env = {
        "PRACTITEST_TOKEN": token,
        "PRACTITEST_URL": sim.url,
        "PRACTITEST_PROJECT_ID": "4500",
        "PRACTITEST_SET_ID": "20000",
        "PRACTITEST_RATE_LIMIT": "0",
        "PRACTITEST_CREATE_MISSING": "1",
        "PRACTITEST_AUTHOR_ID": str(sim.info.users["owner@example.com"]),
    }
    if spool is not None:
        env["PRACTITEST_SPOOL"] = str(spool)
    return env


def output(run: dict[str, Any]) -> str | None:
    """A stored run's execution output as the test gave it: without the key at its end."""
    from pytest_practitest.upload.payload import without_key

    return without_key(run["automated-execution-output"]) or None


def keys_stored(sim: Any) -> dict[str, int]:
    """How many runs the simulator holds for each spool key (more than 1: posted twice)."""
    from pytest_practitest.upload.payload import key_of

    counts: dict[str, int] = {}
    for run in sim.entities("runs"):
        key = key_of(run["automated-execution-output"])
        assert key is not None, run
        counts[key] = counts.get(key, 0) + 1
    return counts


def sample_record(index: int) -> Any:
    """A failed record with a step, a file by path and bytes, fields and a version."""
    from pytest_practitest.model import FileRef, RunRecord, Status, StepRecord, Target

    return RunRecord(
        target=Target(name=f"test {index}"),
        status=Status.FAILED,
        label=f"t{index}",
        duration=1.5,
        output="boom",
        steps=(StepRecord("s", Status.BLOCKED, files=(FileRef("shot.png", data=b"\x89PNG"),)),),
        files=(FileRef("log.txt", path="/tmp/log.txt"),),
        custom_fields={"Browser": "Chrome"},
        version="1.0",
    )
