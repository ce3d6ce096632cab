"""The rate-limit setting: ``N`` calls per minute, ``N/SECONDS``, or ``0`` for none."""

from __future__ import annotations

from .errors import ConfigError

DEFAULT_RATE_LIMIT = (30, 60.0)


def parse_rate_limit(value: str, source: str = "rate limit") -> tuple[int, float] | None:
    text = value.strip()
    if text == "0":
        return None
    calls, slash, seconds = text.partition("/")
    try:
        parsed = (int(calls), float(seconds) if slash else 60.0)
    except ValueError:
        parsed = (0, 0.0)
    if parsed[0] < 1 or parsed[1] <= 0:
        raise ConfigError(
            f"{source} must be calls per minute (e.g. 30), CALLS/SECONDS (e.g. 30/60) "
            f"or 0 for none; got {value!r}"
        )
    return parsed
