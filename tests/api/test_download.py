"""Downloading an attachment: one API call, then the file storage, which never sees the token."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests

from pytest_practitest.api.client import Client
from pytest_practitest.api.download import download
from pytest_practitest.errors import TransportError
from pytest_practitest.simulator import Simulator
from tests.helpers import TOKEN


def stored_file(client: Client, content: bytes) -> int:
    instance = client.get("/projects/4500/instances.json")["data"][0]
    item = {
        "type": "instances",
        "attributes": {"instance-id": int(instance["id"]), "exit-code": 0},
        "files": {
            "data": [{"filename": "x.log", "content_encoded": base64.b64encode(content).decode()}]
        },
    }
    client.post("/projects/4500/runs.json", {"data": item})
    run_id = client.get("/projects/4500/runs.json")["data"][-1]["id"]
    found = client.get("/projects/4500/attachments.json", {"entity": "run", "entity-id": run_id})
    return int(found["data"][0]["id"])


def test_download_is_one_counted_call_and_the_storage_gets_no_token(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(sim.url, TOKEN)
    attachment = stored_file(client, b"receipt 42")
    calls, logged = client.calls, len(sim.requests)
    storage: list[dict[str, Any]] = []
    real_get = requests.get

    def get(url: str, **options: Any) -> requests.Response:
        response = real_get(url, **options)
        storage.append({"headers": dict(response.request.headers), "url": url})
        return response

    monkeypatch.setattr(requests, "get", get)
    assert download(client, 4500, attachment) == b"receipt 42"
    assert client.calls == calls + 1
    assert [(r.method, r.path, r.status) for r in sim.requests[logged:]] == [
        ("GET", f"/api/v2/projects/4500/attachments/{attachment}", 302)
    ]
    assert len(storage) == 1
    assert "/_sim/blobs/" in storage[0]["url"]
    assert TOKEN not in str(storage[0])
    assert "PTToken" not in storage[0]["headers"]


def test_a_storage_that_refuses_is_a_one_line_error(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(sim.url, TOKEN)
    attachment = stored_file(client, b"x")
    real_get = requests.get

    def expired(url: str, **options: Any) -> requests.Response:  # a signature gone stale
        return real_get(url.replace("signature=", "signature=stale"), **options)

    monkeypatch.setattr(requests, "get", expired)
    with pytest.raises(TransportError) as info:
        download(client, 4500, attachment)
    assert str(info.value) == (
        f"GET /projects/4500/attachments/{attachment} failed: 403 Forbidden: the file "
        "storage it redirected to refused the download; check the URL and the network"
    )
