"""Pagination edges: empty, exact multiple of the page size, last page, limits."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from pytest_practitest.simulator import Simulator
from tests.helpers import Api, error_detail


@pytest.fixture
def two_hundred_runs(api: Api, sim: Simulator) -> None:
    instances = [int(i["id"]) for i in api.data(api.p("/instances.json"))]
    for _ in range(10):
        items = [
            {"type": "instances", "attributes": {"instance-id": instances[i % 8], "exit-code": 0}}
            for i in range(20)
        ]
        assert api.post(api.p("/runs.json"), {"data": items}).status_code == 200


def page(api: Api, **params: Any) -> dict[str, Any]:
    response = api.get(api.p("/runs.json"), **params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_empty_list(api: Api) -> None:
    body = page(api)
    assert body["data"] == []
    assert body["links"] == {}
    assert body["meta"] == {
        "current-page": 1,
        "next-page": None,
        "prev-page": None,
        "total-pages": 0,
        "total-count": 0,
    }


def test_default_page_size_is_100_and_exact_multiple(api: Api, two_hundred_runs: None) -> None:
    first = page(api)
    assert len(first["data"]) == 100
    assert first["meta"] == {
        "current-page": 1,
        "next-page": 2,
        "prev-page": None,
        "total-pages": 2,
        "total-count": 200,
    }
    last = page(api, **{"page[number]": "2"})
    assert len(last["data"]) == 100
    assert last["meta"]["next-page"] is None
    assert "next" not in last["links"]
    assert page(api, **{"page[number]": "3"})["data"] == []


def test_links_follow_to_the_last_page(api: Api, two_hundred_runs: None) -> None:
    seen: list[str] = []
    body = page(api, **{"page[size]": "30"})
    while True:
        seen += [r["id"] for r in body["data"]]
        next_link = body["links"].get("next")
        if next_link is None:
            break
        response = api.session.get(next_link, timeout=5)
        body = response.json()
    assert len(seen) == 200
    assert len(set(seen)) == 200
    assert len(body["data"]) == 20  # the short last page
    assert body["meta"]["total-pages"] == 7
    query = parse_qs(urlsplit(body["links"]["last"]).query)
    assert query["page[number]"] == ["7"]
    assert query["page[size]"] == ["30"]


def test_links_keep_filters(api: Api, sim: Simulator, two_hundred_runs: None) -> None:
    body = page(api, **{"set-ids": str(sim.info.set_id), "page[size]": "50"})
    query = parse_qs(urlsplit(body["links"]["next"]).query)
    assert query["set-ids"] == [str(sim.info.set_id)]
    assert body["links"]["self"].startswith(
        f"{sim.url}/api/v2/projects/{api.project_id}/runs.json?"
    )


def test_page_size_above_100_is_served_as_100(api: Api, two_hundred_runs: None) -> None:
    body = page(api, **{"page[size]": "500"})
    assert len(body["data"]) == 100
    assert body["meta"]["total-pages"] == 2


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_bad_page_parameters_are_400(api: Api, value: str) -> None:
    response = api.get(api.p("/runs.json"), **{"page[number]": value})
    assert response.status_code == 400
    assert error_detail(response) == f"page[number] must be a positive integer, got {value!r}"


def test_unpaginated_endpoint_rejects_page_parameters(api: Api) -> None:
    response = api.get(f"/projects/{api.project_id}.json", **{"page[size]": "5"})
    assert response.status_code == 400
