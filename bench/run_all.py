"""All benchmarks, one table: P1-P6 next to their targets.

    python bench/run_all.py           # full sizes (a few minutes)
    python bench/run_all.py --quick   # CI sizes (about half a minute)

Runs the individual scripts (bench_upload.py, bench_plugin.py, bench_junit.py,
bench_faults.py),
adds P4 (what importing the plugin costs when --practitest is absent), and
prints their lines under one heading each. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

TARGETS = {
    "P1": "API calls <= ceil(N/20) + ceil(N/100) + 3",
    "P2": "upload tail after the last test <= one batch",
    "P3": "plugin overhead <= 1.10x plain pytest, and below allure-pytest",
    "P4": "import cost when off < 5 ms",
    "P5": "JUnit import (50,000 testcases) <= 2x the floor, and ahead of trcli's parse",
    "P6": "peak RSS <= 150 MiB for 1,000 results with a 1 MiB file each",
    "P7": "create-missing, 100 new tests: <= N + ceil(N/100) + 3 calls, with 0 or 5,000 existing",
    "S": "4 shards, one publisher: the floor for the merged total, no 429s",
    "F": "fault matrix: every result delivered or spooled, 0 duplicates, all after a resume",
}


def import_cost_ms() -> float:
    """Cumulative import time of the plugin modules pytest loads, with pytest already imported.

    Measured with bytecode cached, as after ``pip install`` (which compiles it):
    PYTHONDONTWRITEBYTECODE is dropped for the child and one warm-up run writes
    the cache, so the figure is import work, not compiling our source.
    """
    code = "import pytest; import pytest_practitest.plugin; import pytest_practitest.simulator.fixtures"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, "-X", "importtime", "-c", code]
    subprocess.run(command, capture_output=True, check=True, env=env)  # warm-up: writes .pyc
    best = float("inf")
    for _ in range(5):
        result = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
        total = 0
        for line in result.stderr.splitlines():
            found = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S+)$", line)
            if found and found.group(2) in (
                "pytest_practitest.plugin",
                "pytest_practitest.simulator.fixtures",
            ):
                total += int(found.group(1))
        best = min(best, total / 1000)
    return best


def run(script: str, quick: bool) -> list[str]:
    args = [sys.executable, str(HERE / script)] + (["--quick"] if quick else [])
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    lines = result.stdout.splitlines()
    if result.returncode != 0:
        lines.append(
            f"  ({script} failed: {result.stderr.strip().splitlines()[-1:] or ['no output']})"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized run")
    args = parser.parse_args()
    print("pytest-practitest benchmarks" + (" (quick)" if args.quick else ""))
    for key, target in TARGETS.items():
        print(f"  target {key}: {target}")
    print()
    print(f"P4 import cost of the plugin when off (best of 5): {import_cost_ms():.1f} ms")
    for script in ("bench_upload.py", "bench_plugin.py", "bench_junit.py", "bench_faults.py"):
        print()
        for line in run(script, args.quick):
            print(line, flush=True)


if __name__ == "__main__":
    main()
