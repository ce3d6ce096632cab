"""Downloading one attachment: an API call, then the file storage it redirects to.

The public PractiTest API reference's ``GET /projects/:id/attachments/:attachment-id``
answers with a redirect (``curl -L``). The API call is counted against the rate limit
like any other; the file storage is fetched without the token, which it does not need
and must never see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from ..errors import TransportError
from .network import describe

if TYPE_CHECKING:
    from .client import Client


def download(client: Client, project: int, attachment_id: int) -> bytes:
    """The bytes of attachment ``attachment_id`` of ``project``."""
    path = f"/projects/{project}/attachments/{attachment_id}"
    answer = client.request("GET", path, file=True)
    if isinstance(answer, bytes):
        return answer
    try:
        response = requests.get(
            str(answer),
            timeout=client.timeout,
            proxies=client.session.proxies,
            verify=client.session.verify,
        )
    except requests.RequestException as exc:
        reason = f"the file storage did not answer: {describe(exc, client.timeout)}"
        raise TransportError("GET", path, reason) from exc
    with response:
        if response.status_code != 200:
            reason = "the file storage it redirected to refused the download"
            raise TransportError("GET", path, reason, status=response.status_code)
        return response.content
