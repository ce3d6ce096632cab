"""Corporate networks: https through a proxy from the environment, a private CA bundle.

The simulator serves https here with a test-only CA (tests/certs); a CONNECT
proxy on 127.0.0.1 relays the tunnel and records what it saw.
"""

from __future__ import annotations

import base64
import select
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_practitest.api.client import Client
from pytest_practitest.errors import ConfigError, TransportError
from pytest_practitest.simulator import Simulator

CERTS = Path(__file__).resolve().parents[1] / "certs"
TOKEN = "net-token-3c4d5e6f"
PROXY_VARIABLES = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
)


class ConnectProxy:
    """A CONNECT-only proxy on 127.0.0.1: relays each tunnel, keeps what it was asked and saw."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.heads: list[str] = []
        self.relayed = bytearray()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(10)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = connection.recv(4096)
                if not chunk:
                    return
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            self.heads.append(head.decode("latin-1"))
            method, target, _ = head.split(b"\r\n")[0].split(b" ", 2)
            if method != b"CONNECT":
                connection.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            host, port = target.decode().rsplit(":", 1)
            with socket.create_connection((host, int(port)), timeout=10) as upstream:
                connection.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if rest:
                    upstream.sendall(rest)
                self._relay(connection, upstream)

    def _relay(self, one: socket.socket, other: socket.socket) -> None:
        while True:  # stops when either side closes, or after 10 s of silence
            readable, _, _ = select.select([one, other], [], [], 10)
            if not readable:
                return
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                self.relayed += data
                (other if source is one else one).sendall(data)

    def close(self) -> None:
        self._server.close()


def dead_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARIABLES, "NO_PROXY", "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tls_sim() -> Iterator[Simulator]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERTS / "server.pem", CERTS / "server.key")
    with Simulator(token=TOKEN, rate_limit=None, tls=context) as simulator:
        yield simulator


@pytest.fixture
def proxy() -> Iterator[ConnectProxy]:
    server = ConnectProxy()
    yield server
    server.close()


def sets_of(client: Client) -> list[str]:
    with client.session:
        return [s["attributes"]["name"] for s in client.get("/projects/4500/sets.json")["data"]]


def test_https_with_a_private_ca_bundle(
    tls_sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(CERTS / "ca.pem"))
    assert tls_sim.url.startswith("https://127.0.0.1:")
    assert "Nightly regression" in sets_of(Client(tls_sim.url, TOKEN))
    assert [r.path for r in tls_sim.requests] == ["/api/v2/projects/4500/sets.json"]


def test_an_untrusted_certificate_is_one_clear_line_and_is_not_retried(tls_sim: Simulator) -> None:
    client = Client(tls_sim.url, TOKEN, backoff=0.01)
    with pytest.raises(TransportError) as caught:
        sets_of(client)
    message = str(caught.value)
    assert "TLS certificate was not trusted" in message
    assert "set REQUESTS_CA_BUNDLE" in message
    assert "\n" not in message
    assert TOKEN not in message
    assert client.calls == 1  # a retry would meet the same certificate
    assert not caught.value.ambiguous  # nothing reached the server
    assert tls_sim.requests == []


def test_https_goes_through_the_proxy_the_environment_names(
    tls_sim: Simulator, proxy: ConnectProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://ci:proxy-pass@127.0.0.1:{proxy.port}")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(CERTS / "ca.pem"))
    assert "Nightly regression" in sets_of(Client(tls_sim.url, TOKEN))
    assert len(proxy.heads) == 1
    head = proxy.heads[0]
    assert head.startswith(f"CONNECT 127.0.0.1:{tls_sim.port} HTTP/")
    credentials = base64.b64encode(b"ci:proxy-pass").decode()
    assert f"Proxy-Authorization: Basic {credentials}" in head
    # The proxy relayed only the tunnel: it never saw the token (or any request) in clear.
    assert TOKEN not in head
    assert TOKEN.encode() not in proxy.relayed
    assert b"PTToken" not in proxy.relayed
    assert len(proxy.relayed) > 1000


def test_no_proxy_bypasses_the_proxy(tls_sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{dead_port()}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("CURL_CA_BUNDLE", str(CERTS / "ca.pem"))
    assert "Nightly regression" in sets_of(Client(tls_sim.url, TOKEN))


def test_a_proxy_that_cannot_be_reached_is_named_without_its_password(
    tls_sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("https_proxy", f"http://ci:proxy-secret@127.0.0.1:{dead_port()}")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(CERTS / "ca.pem"))
    client = Client(tls_sim.url, TOKEN, max_retries=1, backoff=0.01)
    with pytest.raises(TransportError) as caught:
        sets_of(client)
    message = str(caught.value)
    assert "could not connect through the proxy (HTTPS_PROXY; NO_PROXY bypasses it)" in message
    assert "proxy-secret" not in message
    assert TOKEN not in message
    assert client.calls == 2  # nothing reached PractiTest: retried like a refused connection
    assert tls_sim.requests == []


@pytest.mark.practitest_simulator(token=TOKEN)
def test_plain_http_to_the_simulator_never_goes_through_a_proxy(
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, f"http://127.0.0.1:{dead_port()}")
    assert "Nightly regression" in sets_of(Client(sim.url, TOKEN))


def test_a_ca_bundle_that_does_not_exist_is_a_setting_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "corporate-ca.pem"))
    with pytest.raises(ConfigError) as caught:
        Client("https://api.practitest.com", TOKEN)
    assert str(caught.value) == (
        f"REQUESTS_CA_BUNDLE is {tmp_path / 'corporate-ca.pem'}, which does not exist; "
        "point it at a CA bundle (PEM) or unset it"
    )


def test_the_plugin_delivers_through_a_proxy(
    pytester: pytest.Pytester,
    tls_sim: Simulator,
    proxy: ConnectProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The delivery process inherits the environment, as it would in CI.
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(CERTS / "ca.pem"))
    monkeypatch.setenv("PRACTITEST_TOKEN", TOKEN)
    pytester.makepyfile("def test_one():\n    pass\n\ndef test_two():\n    assert False\n")
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--practitest",
        f"--practitest-url={tls_sim.url}",
        "--practitest-project-id=4500",
        "--practitest-set-id=20000",
        "--practitest-rate-limit=0",
        "--practitest-deadline=20",
        "--practitest-create-missing",
        f"--practitest-author-id={tls_sim.info.users['owner@example.com']}",
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["PractiTest: 2 of 2 runs delivered*"])
    assert len(tls_sim.entities("runs")) == 2
    assert proxy.heads
    assert all(h.startswith("CONNECT 127.0.0.1:") for h in proxy.heads)
