"""The numbers the PractiTest API v2 reference fixes, the deadlines, and where the API is.

Everything that batches, pages, cuts text or paces calls takes its number from
here (the simulator keeps its own copy on purpose: it stands alone), and every
entry point reads the API's base URL through ``resolve_base_url``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .errors import ConfigError

#: runs.md: "Users can update 20 instances (maximum) with results by sending one request"
MAX_RUNS_PER_POST = 20
#: instances.md: "Users can create 20 instances (maximum) by sending one request"
MAX_INSTANCES_PER_POST = 20
#: pagination.md: page[size] is at most 100
PAGE_SIZE = 100
#: runs.md: automated-execution-output "up to 255 characters"; steps.md: step names too
MAX_TEXT = 255
#: index.md: more than 30 API calls a minute per account gets an error (429)
DEFAULT_RATE_LIMIT: tuple[int, float] = (30, 60.0)
#: The reference states no size limit for a request or a file; ours, by default
#: (``--practitest-max-request-bytes`` and ``--practitest-max-file-bytes`` replace them).
#: A 413 splits a request whatever the limit (``upload/answers.py``).
DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024

#: Seconds each entry point gives delivery before it stops (``--deadline``,
#: ``PRACTITEST_DEADLINE`` or ini ``practitest_deadline`` replace it): pytest after its
#: last test; ``practitest upload`` for all it is given; ``import-junit``, a CI step of
#: its own, for its files (10,000 results take about 20 minutes at 30 calls a minute).
DEADLINES = {"pytest": 120.0, "upload": 900.0, "import-junit": 3600.0}


# -- the URL: us, eu (authentication.md), or a base URL; the token only over HTTPS --

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
