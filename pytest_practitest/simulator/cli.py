"""``practitest sim``: run the simulator from the command line."""

from __future__ import annotations

import argparse
import json
import os
import signal
import ssl
import sys
import threading
import urllib.request
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from . import switches
from .faults import Fault
from .seeds import SEEDS
from .server import Simulator


def rate_limit(value: str) -> tuple[int, float] | None:
    """``CALLS/SECONDS`` (e.g. ``30/60``), or ``0`` for no limit."""
    if value.strip() == "0":
        return None
    calls, slash, seconds = value.partition("/")
    try:
        parsed = (int(calls), float(seconds))
    except ValueError:
        parsed = (0, 0.0)
    if not slash or parsed[0] < 1 or parsed[1] <= 0:
        raise argparse.ArgumentTypeError(
            f"expected CALLS/SECONDS such as 30/60, or 0 for no limit; got {value!r}"
        )
    return parsed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=0, help="port, 0 for a free one (default 0)")
    parser.add_argument("--token", help="the account token to accept (default: a random one)")
    parser.add_argument(
        "--seed", default="demo", choices=sorted(SEEDS), help="starting data (default demo)"
    )
    parser.add_argument(
        "--rate-limit",
        type=rate_limit,
        default=(30, 60.0),
        metavar="CALLS/SECONDS",
        help="account rate limit, e.g. 30/60 (default) or 0 for none",
    )
    parser.add_argument(
        "--no-retry-after",
        action="store_true",
        help="send 429s without Retry-After or a hint (the worst case)",
    )
    parser.add_argument(
        "--faults",
        type=Path,
        metavar="FILE",
        help="JSON list of fault rules to inject (see docs/simulator.md)",
    )
    parser.add_argument(
        "--switch",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="answer as a server may where the reference is silent, e.g. "
        "stale_bulk_status=404, permissions=tester, max_body_bytes=8388608 "
        "(repeatable; see docs/simulator.md)",
    )
    parser.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="sqlite3 file that keeps the data across restarts",
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        metavar="FILE",
        help="write PRACTITEST_URL/TOKEN/PROJECT_ID/SET_ID/RATE_LIMIT lines here (mode 0600) "
        "once listening",
    )
    parser.add_argument(
        "--tls-cert",
        type=Path,
        metavar="FILE",
        help="serve https with this certificate (PEM; with --tls-key), e.g. to try a proxy",
    )
    parser.add_argument("--tls-key", type=Path, metavar="FILE", help="the certificate's key (PEM)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="make a few API calls against the simulator, print them, and exit",
    )


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Start the simulator; serve until Ctrl-C (or, with --check, answer and exit)."""
    out = out or sys.stdout
    faults: list[dict[str, Any]] = []
    if args.faults is not None:
        try:
            faults = json.loads(args.faults.read_text(encoding="utf-8"))
            for rule in faults:
                Fault.from_dict(rule)
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            print(
                f"practitest sim: error: cannot use fault file {args.faults}: {exc}",
                file=sys.stderr,
            )
            return 2
    try:
        chosen = switches.parse(dict(_pair(text) for text in args.switch))
    except ValueError as exc:
        print(f"practitest sim: error: {exc}", file=sys.stderr)
        return 2
    try:
        tls = _tls_context(args.tls_cert, args.tls_key)
    except (OSError, ValueError) as exc:
        print(f"practitest sim: error: {exc}", file=sys.stderr)
        return 2
    try:
        simulator = Simulator(
            tls=tls,
            host=args.host,
            port=args.port,
            token=args.token,
            seed=args.seed,
            rate_limit=args.rate_limit,
            retry_after=not args.no_retry_after,
            state_file=args.state,
        ).start()
    except OSError as exc:
        reason = exc.strerror or exc
        print(
            f"practitest sim: error: cannot listen on {args.host}:{args.port}: {reason}",
            file=sys.stderr,
        )
        return 2
    simulator.faults.extend(faults)
    simulator.switch(**chosen)
    try:
        _announce(simulator, args, out)
        if args.check:
            return _check(simulator, out)
        _wait_for_stop()
    finally:
        simulator.stop()
        print("simulator stopped", file=out, flush=True)
    return 0


def _pair(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals:
        raise ValueError(f"--switch takes NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def _tls_context(cert: Path | None, key: Path | None) -> ssl.SSLContext | None:
    """A server context for --tls-cert/--tls-key, or None for plain http."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise ValueError("--tls-cert and --tls-key go together")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"cannot use {cert} and {key} for https: {exc}") from None
    return context


def _announce(simulator: Simulator, args: argparse.Namespace, out: TextIO) -> None:
    info = simulator.info
    limit = args.rate_limit
    lines = [
        f"PractiTest API v2 simulator listening on {simulator.url}",
        f"  PRACTITEST_URL={simulator.url}",
        f"  PRACTITEST_TOKEN={info.token}   (the simulator's account token)",
        f"  PRACTITEST_PROJECT_ID={info.project_id}   ({info.project_name})",
    ]
    if info.set_id is not None:
        lines.append(f"  PRACTITEST_SET_ID={info.set_id}   ({info.set_name})")
    for email, user_id in info.users.items():
        token = info.personal_tokens.get(email)
        personal = f", personal token {token}" if token else ""
        lines.append(f"  user {user_id} {email}{personal}")
    if info.users:
        first = next(iter(info.users.values()))
        lines.append(
            f"  an account token creates tests with an author: --practitest-author-id {first}"
        )
    client_limit = f"{limit[0]}/{limit[1]:g}" if limit else "0"
    if limit:
        pace = "  (--rate-limit 0 turns it off for quick local loops)"
    elif args.env_file is not None:
        pace = "  (the env file sets PRACTITEST_RATE_LIMIT=0, so clients do not pace either)"
    else:
        pace = "  (set PRACTITEST_RATE_LIMIT=0 for clients too, or they pace at 30 calls / 60 s)"
    lines.append(f"  rate limit: {f'{limit[0]} calls / {limit[1]:g} s' if limit else 'off'}{pace}")
    lines.append(f'  try: curl -H "PTToken: {info.token}" {simulator.url}/api/v2/projects.json')
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        lines.append("  warning: the /_sim/ control endpoints take no token; keep this on loopback")
    env = {
        "PRACTITEST_URL": simulator.url,
        "PRACTITEST_TOKEN": info.token,
        "PRACTITEST_PROJECT_ID": str(info.project_id),
    }
    if info.set_id is not None:
        env["PRACTITEST_SET_ID"] = str(info.set_id)
    env["PRACTITEST_RATE_LIMIT"] = client_limit
    if args.env_file is not None:
        names = ", ".join(env).replace(
            "PRACTITEST_RATE_LIMIT", f"PRACTITEST_RATE_LIMIT={client_limit}"
        )
        lines.append(f"  env file {args.env_file} (mode 0600): {names}")
    if not args.check:
        lines.append("Press Ctrl-C to stop.")
    if args.env_file is not None:
        _write_env_file(args.env_file, env)
    print("\n".join(lines), file=out, flush=True)


def _write_env_file(path: Path, env: dict[str, str]) -> None:
    """Write ``KEY=value`` lines readable by the user only (the token is in them), at once:
    a script waiting for the file (``until [ -s sim.env ]``) never reads half of it."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{key}={value}\n" for key, value in env.items()))
    os.chmod(partial, 0o600)  # an existing file keeps its mode on open()
    os.replace(partial, path)


def _check(simulator: Simulator, out: TextIO) -> int:
    """Call the simulator like a client would and show what it answered."""
    info = simulator.info
    paths = ["/api/v2/projects.json", f"/api/v2/projects/{info.project_id}/sets.json"]
    if info.set_id is not None:
        paths.append(f"/api/v2/projects/{info.project_id}/instances.json?set-ids={info.set_id}")
    context = None
    if simulator.tls is not None:  # calling itself: its certificate may come from any CA
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    for path in paths:
        # The URL is the simulator's own loopback address.
        request = urllib.request.Request(simulator.url + path, headers={"PTToken": info.token})  # noqa: S310
        with urllib.request.urlopen(request, timeout=10, context=context) as response:  # noqa: S310
            body = json.load(response)
            print(f"GET {path} -> {response.status}", file=out)
        for item in body["data"]:
            attributes = item["attributes"]
            label = attributes.get("display-id", "")
            print(
                f"    {item['type']} {item['id']} {label} {attributes.get('name')!r} "
                f"{attributes.get('run-status', '')}".rstrip(),
                file=out,
            )
    print(f"{len(paths)} calls answered", file=out, flush=True)
    return 0


def _wait_for_stop() -> None:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # SIGINT is handled explicitly too: a process started in the background by a
    # shell, or by a parent that ignores SIGINT (xdist workers), inherits SIG_IGN,
    # and Python then raises no KeyboardInterrupt, so Ctrl-C / kill -INT did nothing.
    previous = {
        signum: signal.signal(signum, on_signal) for signum in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
