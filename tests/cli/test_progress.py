"""Upload progress (import-junit, upload): a bar on a terminal, a line every 10 % in a CI log."""

from __future__ import annotations

import io

from pytest_practitest.cli.progress import Progress
from pytest_practitest.events import Event, Kind


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def sent(count: int) -> Event:
    return Event(Kind.BATCH_SENT, f"{count} runs delivered", count=count)


def test_ci_log_gets_a_line_every_ten_percent_with_time_left() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(1000, stream=out, tty=False, clock=clock)
    for _ in range(50):  # 50 posts of 20, 2 s apart (30 calls a minute)
        clock.now += 2.0
        progress(sent(20))
    lines = out.getvalue().splitlines()
    assert len(lines) == 9  # 10 % .. 90 %; the summary says 100 %
    assert lines[0] == "PractiTest: 100 of 1000 delivered (10%), about 90 s left"
    assert lines[4] == "PractiTest: 500 of 1000 delivered (50%), about 50 s left"
    assert lines[-1] == "PractiTest: 900 of 1000 delivered (90%), about 10 s left"


def test_long_uploads_say_minutes() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(10_000, stream=out, tty=False, clock=clock)
    for _ in range(50):
        clock.now += 2.0
        progress(sent(20))
    assert out.getvalue().splitlines() == [
        "PractiTest: 1000 of 10000 delivered (10%), about 15 min left"
    ]


def test_terminal_gets_one_bar_redrawn_in_place_and_warnings_on_their_own_lines() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(40, stream=out, tty=True, clock=clock)
    clock.now = 1.0
    progress(sent(20))
    progress(Event(Kind.RATE_LIMIT_WAIT, "waiting 1.5 s for the rate limit", seconds=1.5))
    progress(Event(Kind.WARNING, "file x.png: missing, skipped"))
    clock.now = 3.0
    progress(sent(20))
    text = out.getvalue()
    assert "\rPractiTest: [############------------] 20/40 delivered  50%, about 1 s left" in text
    assert ", waiting for the rate limit\x1b[K" in text
    assert "\nPractiTest: warning: file x.png: missing, skipped\n" in text
    assert text.endswith("\rPractiTest: [########################] 40/40 delivered 100%\x1b[K")
