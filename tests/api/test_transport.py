"""Answers the reference allows but the simulator never gives, through a MockTransport."""

from __future__ import annotations

import pytest
import requests

from pytest_practitest.api.client import Client
from pytest_practitest.api.transport import MockTransport, Sent, answer
from pytest_practitest.errors import APIError, TransportError

TOKEN = "tok-transport-5e1d-do-not-print"
URL = "https://api.practitest.com"


def client_answering(*answers: requests.Response | Exception) -> tuple[Client, MockTransport]:
    queue = list(answers)

    def handler(sent: Sent) -> requests.Response:
        next_answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(next_answer, Exception):
            raise next_answer
        return next_answer

    transport = MockTransport(handler)
    return Client(URL, TOKEN, transport=transport, backoff=0.001, max_retries=1), transport


def test_a_redirect_is_one_line_and_not_followed() -> None:
    client, transport = client_answering(
        answer(302, content=b"", headers={"Location": "https://login.example/sso"})
    )
    with pytest.raises(TransportError) as caught:
        client.get("/projects/1/sets/2.json")
    assert str(caught.value) == (
        "GET /projects/1/sets/2.json failed: 302 Found: the API does not redirect; not "
        "followed (to https://login.example/sso); check the URL: it should be PractiTest's "
        "API address"
    )
    assert len(transport.sent) == 1


def test_an_empty_200_to_a_post_is_unclear_not_a_type_error() -> None:
    client, transport = client_answering(answer(200, content=b""))
    with pytest.raises(TransportError) as caught:
        client.post("/projects/1/runs.json", {"data": []})
    assert caught.value.ambiguous
    assert str(caught.value) == (
        "POST /projects/1/runs.json failed: the answer (200) was empty; "
        "check the URL and the network"
    )
    assert len(transport.sent) == 1  # a post that may be stored is never simply repeated


def test_an_empty_200_to_a_get_is_tried_again_then_named() -> None:
    client, transport = client_answering(answer(200, content=b""))
    with pytest.raises(TransportError, match=r"the answer \(200\) was empty"):
        client.get("/projects/1.json")
    assert len(transport.sent) == 2


def test_an_empty_answer_to_a_delete_is_fine() -> None:
    client, _ = client_answering(answer(204, content=b""))
    assert client.delete("/projects/1/sets/9.json") is None


def test_html_from_a_proxy_is_one_line() -> None:
    client, _ = client_answering(answer(200, content=b"<html>Sign in</html>"))
    with pytest.raises(TransportError) as caught:
        client.post("/projects/1/runs.json", {"data": []})
    assert str(caught.value) == (
        "POST /projects/1/runs.json failed: the answer (200) is not valid JSON; "
        "check the URL and the network"
    )


@pytest.mark.parametrize("body", [[], {"data": {"id": "1"}}, {"data": [1, 2]}, "text"])
def test_a_listing_in_the_wrong_shape_is_one_line(body: object) -> None:
    client, _ = client_answering(answer(200, body))
    with pytest.raises(APIError) as caught:
        list(client.paginate("/projects/1/instances.json"))
    assert str(caught.value) == (
        "GET /projects/1/instances.json failed: the answer did not hold a list of items "
        "under data; PractiTest answered in an unexpected shape"
    )


def test_the_transport_sees_the_request_and_the_token_stays_in_the_session() -> None:
    client, transport = client_answering(answer(200, {"data": [], "meta": {}}))
    assert list(client.paginate("/projects/1/sets.json", {"name_exact": "Nightly"})) == []
    [sent] = transport.sent
    assert sent.method == "GET"
    assert sent.path == "/projects/1/sets.json"
    assert sent.params == {"name_exact": "Nightly", "page[number]": 1, "page[size]": 100}
    assert TOKEN not in repr(sent)
