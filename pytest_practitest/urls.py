"""PractiTest base URLs: the US and EU presets; the token travels only over HTTPS."""

from __future__ import annotations

from urllib.parse import urlsplit

from .errors import ConfigError

PRESETS = {"us": "https://api.practitest.com", "eu": "https://eu1-prod-api.practitest.app"}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    import ipaddress  # here: the plugin imports this module even when it is off

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_base_url(value: str) -> str:
    """``us``, ``eu`` or a base URL → the API's base URL (no trailing ``/api/v2``).

    Plain ``http`` is refused except on loopback, where the simulator runs: the
    token must never cross a network in clear text.
    """
    text = value.strip()
    if text.lower() in PRESETS:
        return PRESETS[text.lower()]
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            "the PractiTest URL must be us, eu, or a URL such as https://api.practitest.com"
        )
    if parts.username or parts.password or parts.query:
        raise ConfigError("the PractiTest URL must not carry credentials or a query string")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"refusing to send the API token over plain http to {parts.hostname}; use https "
            "(plain http is allowed only to 127.0.0.1/localhost, where the simulator runs)"
        )
    path = parts.path.rstrip("/")
    path = path.removesuffix("/api/v2")
    return f"{parts.scheme}://{parts.netloc}{path}"


__all__ = ["PRESETS", "is_loopback", "resolve_base_url"]
