"""A UI test against a page served on 127.0.0.1; skipped when Playwright or its browser is missing."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from pytest_practitest import step

PAGE = b"<html><body><h1>Checkout</h1><button id='pay'>Pay</button><p id='receipt' hidden>Paid</p>" \
       b"<script>document.getElementById('pay').onclick=()=>{document.getElementById('receipt').hidden=false}</script>" \
       b"</body></html>"


@pytest.fixture(scope="module")
def shop_url() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.practitest(name="Checkout: pay by card")
def test_pay_shows_a_receipt(page, shop_url):  # type: ignore[no-untyped-def]
    with step("open the checkout page"):
        page.goto(shop_url)
    with step("press Pay", expected="the receipt is shown"):
        page.click("#pay")
        assert page.is_visible("#receipt")
