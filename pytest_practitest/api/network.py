"""The network between us and PractiTest: proxies, CA bundles, and what a failure means.

A failure to connect sent nothing (any request may be retried); a failure after
the request was written may have been stored (a POST is then "ambiguous"). A
certificate that is not trusted will not be trusted on a retry either.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from ..errors import CONNECT_FAILED, ConfigError

CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def network_environment(base_url: str) -> tuple[dict[str, str], bool | str]:
    """The proxies and the CA bundle the environment asks for, read as requests reads them.

    The session itself ignores the environment (``trust_env`` off: no ``.netrc``
    credentials go out beside the token), so what a corporate network needs is
    taken here, explicitly: ``HTTPS_PROXY``/``ALL_PROXY`` unless ``NO_PROXY``
    covers the host, and ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` for a proxy
    that inspects TLS. Plain http (loopback only) never goes through a proxy:
    the token would cross it in clear text.
    """
    proxies: dict[str, str] = {}
    if base_url.startswith("https://"):
        proxies = {k: v for k, v in requests.utils.get_environ_proxies(base_url).items() if v}
    for name in CA_BUNDLE_VARIABLES:
        bundle = os.environ.get(name, "").strip()
        if bundle:
            if not os.path.exists(bundle):
                raise ConfigError(
                    f"{name} is {bundle}, which does not exist; point it at a CA bundle (PEM) "
                    "or unset it"
                )
            return proxies, bundle
    return proxies, True


def nothing_was_sent(exc: requests.RequestException) -> bool:
    """True when the request never reached the server (safe to retry any method)."""
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.ProxyError)):
        return True  # a proxy that failed: the tunnel to PractiTest never opened
    if isinstance(exc, requests.exceptions.SSLError):
        return True  # the TLS handshake failed before any request was written
    if isinstance(exc, requests.ConnectionError):
        cause: BaseException | None = (
            exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        )
        reason = getattr(cause, "reason", None)
        return isinstance(reason, (NewConnectionError, NameResolutionError)) or isinstance(
            cause, (NewConnectionError, NameResolutionError)
        )
    return False


LOOPBACK = ("127.", "::1", "[::1]", "localhost")


def refused_on_this_machine(exc: requests.RequestException, base_url: str) -> bool:
    """True when nothing listens at a loopback URL (e.g. a stopped simulator): a retry
    within seconds would meet the same refusal, so the caller fails at once."""
    host = urlsplit(base_url).hostname or ""
    if not host.startswith(LOOPBACK) or isinstance(exc, requests.exceptions.ProxyError):
        return False
    seen: list[BaseException] = []
    todo: list[object] = [exc]
    while todo and len(seen) < 12:
        item = todo.pop()
        if not isinstance(item, BaseException) or item in seen:
            continue  # None, or a ``reason`` that is only text (a read timeout's)
        if isinstance(item, ConnectionRefusedError):
            return True
        seen.append(item)
        todo += [item.__cause__, item.__context__, getattr(item, "reason", None)]
        todo += [arg for arg in item.args if isinstance(arg, BaseException)]
    return False


def certificate_refused(exc: requests.RequestException) -> bool:
    return isinstance(exc, requests.exceptions.SSLError) and "CERTIFICATE_VERIFY_FAILED" in str(exc)


def describe(exc: requests.RequestException, timeout: tuple[float, float]) -> str:
    if certificate_refused(exc):
        return (
            "the server's TLS certificate was not trusted (behind a proxy that inspects "
            "TLS? set REQUESTS_CA_BUNDLE to its CA bundle)"
        )
    if isinstance(exc, requests.exceptions.ProxyError):
        return f"{CONNECT_FAILED} through the proxy (HTTPS_PROXY; NO_PROXY bypasses it)"
    if isinstance(exc, requests.exceptions.SSLError):
        return "the TLS handshake failed"
    if isinstance(exc, requests.ConnectTimeout):
        return f"{CONNECT_FAILED} within {timeout[0]:g} s"
    if isinstance(exc, requests.ReadTimeout):
        return f"no answer within {timeout[1]:g} s"
    if nothing_was_sent(exc):
        return f"{CONNECT_FAILED} (connection refused or host not found)"
    if isinstance(exc, requests.ConnectionError):
        return "the connection was closed before an answer came"
    return f"transport error ({type(exc).__name__})"
