"""One rate budget per account on one machine: processes with the same URL and token share it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_practitest.api.client import Client
from pytest_practitest.api.ratelimit import RateLimiter, budget_file, cache_folder
from pytest_practitest.simulator import Simulator

URL = "http://127.0.0.1:9"
TOKEN = "budget-token-0a1b2c3d"


def test_the_budget_lives_in_the_users_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "pytest-practitest"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder() == tmp_path / "home" / ".cache" / "pytest-practitest"


def test_processes_of_one_account_share_one_budget(tmp_path: Path) -> None:
    first = RateLimiter.for_account(URL, TOKEN, 5, 2.0, folder=tmp_path)
    second = RateLimiter.for_account(URL, TOKEN, 5, 2.0, folder=tmp_path)
    other = RateLimiter.for_account(URL, "another-token", 5, 2.0, folder=tmp_path)
    assert first.shared
    assert second.shared
    for _ in range(5):
        first.acquire()
    assert 1.5 < second.delay() <= 2.0  # the other "process" sees the five calls
    assert other.delay() == 0.0  # another account has its own budget
    started = time.monotonic()
    second.acquire()
    assert 1.5 < time.monotonic() - started < 3.0


def test_a_429_held_by_one_process_holds_the_others(tmp_path: Path) -> None:
    first = RateLimiter.for_account(URL, TOKEN, 5, 2.0, folder=tmp_path)
    second = RateLimiter.for_account(URL, TOKEN, 5, 2.0, folder=tmp_path)
    first.hold_until(time.monotonic() + 1.0)
    assert 0.5 < second.delay() <= 1.0


def test_the_file_is_private_and_never_holds_the_token(tmp_path: Path) -> None:
    limiter = RateLimiter.for_account(URL, TOKEN, 5, 2.0, folder=tmp_path / "cache")
    slot = limiter.acquire()
    limiter.settle(slot)
    [path] = (tmp_path / "cache").iterdir()
    assert path == budget_file(URL, TOKEN, tmp_path / "cache")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert TOKEN not in path.name
    assert TOKEN not in path.read_text(encoding="utf-8")


def test_a_cache_folder_that_cannot_be_written_keeps_a_budget_per_process(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    limiter = RateLimiter.for_account(URL, TOKEN, 2, 2.0, folder=blocker / "cache")
    assert not limiter.shared
    limiter.acquire()
    limiter.acquire()
    assert limiter.delay() > 1.5  # still paced, within this process


def test_without_fcntl_the_budget_is_per_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "fcntl", None)  # as on Windows
    limiter = RateLimiter.for_account(URL, TOKEN, 2, 2.0, folder=tmp_path)
    assert not limiter.shared
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_file_starts_the_window_afresh(tmp_path: Path) -> None:
    path = budget_file(URL, TOKEN, tmp_path)
    path.write_text("{not json", encoding="utf-8")
    limiter = RateLimiter.for_account(URL, TOKEN, 2, 2.0, folder=tmp_path)
    assert limiter.delay() == 0.0
    limiter.acquire()
    assert limiter.shared


def test_clients_made_from_settings_share_the_accounts_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pytest_practitest.settings import resolve

    monkeypatch.setenv("PRACTITEST_TOKEN", TOKEN)
    settings = resolve({"practitest_url": URL, "practitest_rate_limit": "5/2"}, lambda n: None)
    one, two = Client.from_settings(settings), Client.from_settings(settings)
    assert one.rate_limiter is not None
    assert two.rate_limiter is not None
    for _ in range(5):
        one.rate_limiter.acquire()
    assert two.rate_limiter.delay() > 1.5
    assert len(list(cache_folder().iterdir())) == 1


def test_check_map_and_upload_at_once_meet_no_429(tmp_path: Path) -> None:
    """Three `practitest check` processes at once, 5 calls / 2 s: the server answers no 429."""
    token = "shared-budget-token"
    with Simulator(token=token, rate_limit=(5, 2.0)) as sim:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("PRACTITEST") and k != "XDG_CACHE_HOME"
        }
        env.update(
            PRACTITEST_TOKEN=token,
            PRACTITEST_URL=sim.url,
            PRACTITEST_PROJECT_ID="4500",
            PRACTITEST_SET_ID="20000",
            PRACTITEST_RATE_LIMIT="5/2",
            XDG_CACHE_HOME=str(tmp_path),
        )
        command = [sys.executable, "-m", "pytest_practitest.cli", "check"]
        processes = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(3)
        ]
        outputs = [process.communicate(timeout=60)[0] for process in processes]
        assert [process.returncode for process in processes] == [0, 0, 0], outputs
        statuses = [entry.status for entry in sim.requests]
    assert len(statuses) == 9
    assert 429 not in statuses
