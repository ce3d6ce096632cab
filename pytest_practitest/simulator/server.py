"""The threaded HTTP server and the in-process ``Simulator`` handle."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from . import persist, seeds, switches
from .app import App, LoggedRequest, Outcome
from .errors import APIError
from .faults import FaultPlan
from .ratelimit import SlidingWindowLimiter
from .response import Response
from .store import Store, Token, resource

if TYPE_CHECKING:  # only a type here; whoever wants https makes the context
    import ssl

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 64 * 1024 * 1024
CONTROL_PREFIX = "/_sim/"
SECRET_PARAMS = ("api_token", "developer_email")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        self.simulator = simulator
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up (timed out, reset) is not a server error worth a traceback.
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            log.debug("client %s went away: %s", client_address, error)
            return
        log.exception("simulator error serving %s", client_address)

    def close_connections(self) -> None:
        with self.connections_lock:
            for connection in list(self.connections):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 60  # idle keep-alive connections are closed after this

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _handle(self) -> None:
        simulator = self.server.simulator
        started, clock = time.time(), time.monotonic()
        split = urlsplit(self.path)
        pairs = parse_qsl(split.query, keep_blank_values=True)
        body, too_big = self._read_body(simulator.max_body_bytes)
        if too_big is not None:
            outcome = Outcome(too_big)
            self.close_connection = True
        elif split.path.startswith(CONTROL_PREFIX):
            outcome = Outcome(simulator._control(self.command, split.path, pairs, body))
        else:
            outcome = simulator.app.handle(
                self.command, split.path, pairs, self.headers, body, simulator.url
            )
        if not split.path.startswith(CONTROL_PREFIX):
            # Logged before sending, so a client that has its answer sees it in the log.
            response = outcome.response
            simulator._log(
                LoggedRequest(
                    method=self.command,
                    path=split.path,
                    query=urlencode([(k, v) for k, v in pairs if k not in SECRET_PARAMS]),
                    status=response.status if response else None,
                    request_bytes=len(body),
                    response_bytes=len(response.payload()) if response else 0,
                    started=started,
                    duration=time.monotonic() - clock,
                    auth=outcome.auth,
                    fault=outcome.fault,
                )
            )
        self._send(outcome.response)

    def _read_body(self, limit: int) -> tuple[bytes, Response | None]:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return b"", APIError(
                411, "send a Content-Length; chunked bodies are not accepted"
            ).response()
        length_header = self.headers.get("Content-Length", "0") or "0"
        if not length_header.isdigit():
            return b"", APIError(400, "Content-Length must be a number").response()
        length = int(length_header)
        if length > limit:
            return b"", APIError(
                413, f"request body is {length} bytes; at most {limit} are accepted"
            ).response()
        return self.rfile.read(length), None

    def _send(self, response: Response | None) -> None:
        if response is None:
            # Drop the connection with a TCP reset: the client gets no response at all.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        data = response.payload()
        self.send_response(response.status)
        if data or response.status != 302:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)


class Simulator:
    """A PractiTest API v2 simulator on a local port, in a background thread.

    Use it as a context manager::

        with Simulator(seed="demo") as sim:
            requests.get(f"{sim.url}/api/v2/projects.json", headers={"PTToken": sim.token})
            sim.entities("runs"); sim.requests; sim.faults.add("status", "POST", "/runs")

    ``rate_limit`` is ``(calls, seconds)`` or None for no limit. With
    ``state_file`` the state is loaded from and saved to a sqlite3 file. With
    ``tls`` (a server-side ``ssl.SSLContext``) it serves https, to try a proxy or
    a private CA bundle end to end.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        seed: str = "demo",
        rate_limit: tuple[int, float] | None = (30, 60.0),
        retry_after: bool = True,
        state_file: str | Path | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.tls = tls
        self.max_body_bytes = max_body_bytes
        path = Path(state_file) if state_file is not None else None
        saved = persist.load(path) if path is not None else None
        if saved is not None:
            store = Store.from_snapshot(saved["store"])
            info = seeds.SeedInfo(**saved["info"])
            if token and token not in store.tokens:
                store.add_token(Token(token, "account"))
                info.token = token
        else:
            store = Store()
            info = seeds.apply(store, seed, token)
        self.app = App(store=store, info=info, retry_after=retry_after, state_file=path)
        self.app.save()
        self.set_rate_limit(rate_limit)
        self._log_lock = threading.Lock()
        self._requests: list[LoggedRequest] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------

    def start(self) -> Simulator:
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        if self.tls is not None:
            # Each connection's handshake happens when it is accepted, in the server thread.
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"practitest-sim-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what tests and users look at --------------------------------------

    @property
    def url(self) -> str:
        """The base URL to give a client (``PRACTITEST_URL``), e.g. ``http://127.0.0.1:8080``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls is not None else 'http'}://{host}:{self.port}"

    @property
    def store(self) -> Store:
        return self.app.store

    @property
    def info(self) -> seeds.SeedInfo:
        return self.app.info

    @property
    def token(self) -> str:
        """The account token."""
        return self.app.info.token

    @property
    def faults(self) -> FaultPlan:
        return self.app.faults

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every API call so far, in arrival order (control calls are not logged)."""
        with self._log_lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._log_lock:
            self._requests.clear()

    def set_rate_limit(self, rate_limit: tuple[int, float] | None) -> None:
        """Change the limit, e.g. ``(5, 0.5)``; None turns it off. Resets the window."""
        self.app.limiter = SlidingWindowLimiter(*rate_limit) if rate_limit else None

    def switch(self, **values: Any) -> dict[str, Any]:
        """Set switches (see ``switches.SWITCHES``), e.g. ``switch(stale_bulk_status=404)``;
        returns them all. ValueError for an unknown switch or a bad value."""
        for name, value in switches.parse(values).items():
            if name == "max_body_bytes":
                self.max_body_bytes = value
            else:
                setattr(self.store, name, value)
        return self.switches()

    def switches(self) -> dict[str, Any]:
        return {**switches.read(self.store), "max_body_bytes": self.max_body_bytes}

    def entities(self, table: str) -> list[dict[str, Any]]:
        """Public attributes of every entity in a table, with ``id``, in id order."""
        with self.store.lock:
            return [
                {"id": entity["id"], **resource(table, entity)["attributes"]}
                for entity in self.store.table(table).values()
            ]

    def attachment_content(self, attachment_id: int) -> bytes:
        entity = self.store.get("attachments", attachment_id)
        if entity is None:
            raise KeyError(f"attachment {attachment_id}")
        return bytes(entity["_content"])

    def _log(self, entry: LoggedRequest) -> None:
        with self._log_lock:
            self._requests.append(entry)

    # -- control endpoints (loopback tooling, no token) ----------------------

    def _control(
        self, method: str, path: str, pairs: list[tuple[str, str]], body: bytes
    ) -> Response:
        try:
            return self._control_route(method, path, dict(pairs), body)
        except (ValueError, TypeError, KeyError) as exc:
            return APIError(400, f"bad control request: {exc}").response()

    def _control_route(
        self, method: str, path: str, query: dict[str, str], body: bytes
    ) -> Response:
        name = path[len(CONTROL_PREFIX) :]
        if name == "health" and method == "GET":
            return Response(200, {"ok": True, "info": self._public_info()})
        if name == "requests" and method == "GET":
            return Response(200, {"data": [entry.__dict__ for entry in self.requests]})
        if name == "state" and method == "GET":
            return Response(200, {name: self.entities(name) for name in self.store.tables})
        if name == "faults" and method == "POST":
            rules = json.loads(body or b"[]")
            added = self.faults.extend(rules if isinstance(rules, list) else [rules])
            return Response(200, {"added": len(added)})
        if name == "faults" and method == "DELETE":
            self.faults.clear()
            return Response(200, {"cleared": True})
        if name == "switches" and method == "GET":
            return Response(200, self.switches())
        if name == "switches" and method == "POST":
            values = json.loads(body or b"{}")
            if not isinstance(values, dict):
                raise ValueError("send a JSON object of switches")
            return Response(200, self.switch(**values))
        if name.startswith("blobs/") and method == "GET":
            attachment_id = int(name.split("/", 1)[1])
            if query.get("signature") != self.store.blob_signature(attachment_id):
                return APIError(403, "bad or missing signature").response()
            entity = self.store.get("attachments", attachment_id)
            if entity is None:
                return APIError(404, f"attachment {attachment_id} not found").response()
            return Response(
                200,
                raw=bytes(entity["_content"]),
                content_type="application/octet-stream",
                headers={"Content-Disposition": f'attachment; filename="{entity["name"]}"'},
            )
        return APIError(404, f"no control endpoint {method} {path}").response()

    def _public_info(self) -> dict[str, Any]:
        info = self.info.to_dict()
        info.pop("token")
        info.pop("personal_tokens")
        return info
