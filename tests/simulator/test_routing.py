"""Unknown paths, methods, formats and query parameters."""

from __future__ import annotations

import requests

from pytest_practitest.simulator import Simulator
from tests.helpers import Api, error_detail, errors_of


def test_unknown_resource_is_404(api: Api) -> None:
    response = api.get(api.p("/widgets.json"))
    assert response.status_code == 404
    assert error_detail(response) == f"resource /api/v2/projects/{api.project_id}/widgets not found"


def test_path_outside_the_api_is_404(sim: Simulator) -> None:
    response = requests.get(f"{sim.url}/index.html", timeout=5)
    assert response.status_code == 404


def test_wrong_method_is_405_with_allow(api: Api) -> None:
    response = api.session.patch(api.url(api.p("/runs.json")), json={}, timeout=5)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"


def test_non_json_format_is_406(api: Api) -> None:
    response = api.get(api.p("/runs.xml"))
    assert response.status_code == 406
    assert error_detail(response) == "format .xml is not available; use .json"


def test_path_without_json_suffix_is_served(api: Api) -> None:
    assert api.get(api.p("/tests")).status_code == 200


def test_non_numeric_id_in_path_is_404(api: Api) -> None:
    response = api.get(api.p("/tests/abc.json"))
    assert response.status_code == 404


def test_unknown_query_parameter_is_400(api: Api) -> None:
    response = api.get(api.p("/instances.json"), set_ids="1")
    assert response.status_code == 400
    assert error_detail(response).startswith("unknown query parameter set_ids;")
    assert errors_of(response)[0]["source"] == {"parameter": "set_ids"}


def test_documented_but_unmodelled_filter_is_400(api: Api) -> None:
    response = api.get(api.p("/tests.json"), **{"filter-id": "3"})
    assert response.status_code == 400
    assert error_detail(response) == "query parameter filter-id is not supported by the simulator"


def test_bad_id_list_is_400(api: Api) -> None:
    response = api.get(api.p("/instances.json"), **{"set-ids": "1,two"})
    assert response.status_code == 400
    assert error_detail(response) == "set-ids must be comma-separated integer ids, got '1,two'"


def test_oversized_body_is_413(sim: Simulator) -> None:
    with Simulator(rate_limit=None, max_body_bytes=100) as small:
        response = requests.post(
            f"{small.url}/api/v2/projects/{small.info.project_id}/runs.json",
            headers={"PTToken": small.token},
            json={
                "data": {"type": "instances", "attributes": {"instance-id": 1}},
                "pad": "x" * 200,
            },
            timeout=5,
        )
    assert response.status_code == 413
    assert "at most 100 are accepted" in error_detail(response)


def test_keep_alive_connections_are_reused(api: Api, sim: Simulator) -> None:
    for _ in range(3):
        assert api.get("/projects.json").status_code == 200
    assert len(sim.requests) == 3
