"""Plugin benchmark: overhead on trivial tests, and the upload tail after the last test.

    python bench/bench_plugin.py           # 5,000 tests
    python bench/bench_plugin.py --quick   # 1,000 tests (for CI)

Overhead: wall time of the same suite run plain, with --practitest (to the simulator,
rate limit off) and with allure-pytest writing its results (when installed), serial
and under -n 2 (when pytest-xdist is installed); 5 interleaved rounds, best and
median, as ratios to plain (this shared machine moves +-10 % from run to run).
Memory (P6): each of 1,000 tests (200 with --quick) attaches a 1 MiB file; the peak RSS
of the test process and of its delivery process. Tail: with a scaled rate limit (30
calls per 0.6 s on both sides), the time from the end of the last test to the end of
the pytest process, for 1,000 tests of 4 ms (longer than their upload), with and
without the plugin; the median of 7 interleaved pairs (2 with --quick). Prints
numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pytest_practitest.simulator import Simulator, entities  # noqa: E402

TOKEN = "bench-token"
SCALED = (30, 0.6)

CONFTEST = """
import time, pathlib
import pytest
LAST = [0.0]
def pytest_runtest_logfinish(nodeid, location):
    LAST[0] = time.time()  # in memory: a file write per test would swamp what is measured
@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    pathlib.Path("last_test_end").write_text(repr(LAST[0]))
"""


def make_suite(directory: Path, count: int, sleep: float) -> list[str]:
    body = "import time\n" if sleep else ""
    lines = [body]
    for index in range(count):
        statement = f"time.sleep({sleep!r})" if sleep else "pass"
        lines.append(f"def test_{index:05d}():\n    {statement}\n")
    (directory / "test_trivial.py").write_text("\n".join(lines))
    (directory / "conftest.py").write_text(CONFTEST)
    return [f"test_trivial.py::test_{index:05d}" for index in range(count)]


def seed(sim: Simulator, names: list[str]) -> int:
    store, project = sim.store, sim.info.project_id
    owner = sim.info.users["owner@example.com"]
    test_set = entities.create_set(store, project, {"name": "Bench"}, owner)
    for name in names:
        entities.create_instance(
            store, test_set, entities.create_test(store, project, {"name": name}, owner)
        )
    return int(test_set["id"])


def reporting(
    sim: Simulator, set_id: int, rate_limit: str = "0"
) -> tuple[dict[str, str], list[str]]:
    """The environment and the flags that report to ``sim``.

    The environment keeps nothing of ours but the token, and drops
    PYTHONDONTWRITEBYTECODE (set on some CI machines, this one included): pytest and
    allure-pytest come from pip with their bytecode compiled, and so would we, so
    every variant runs with bytecode cached, not compiling our source in each process.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PRACTITEST") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env["PRACTITEST_TOKEN"] = TOKEN
    return env, [
        "--practitest",
        f"--practitest-url={sim.url}",
        "--practitest-project-id=4500",
        f"--practitest-set-id={set_id}",
        f"--practitest-rate-limit={rate_limit}",
    ]


def timed(directory: Path, args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(
            f"pytest {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
    return elapsed


def overhead(count: int, repeats: int) -> list[str]:
    have_allure = importlib.util.find_spec("allure_pytest") is not None
    have_xdist = importlib.util.find_spec("xdist") is not None
    rows = [
        f"P3 plugin overhead, {count} trivial tests, {repeats} interleaved rounds "
        "(simulator on 127.0.0.1, no rate limit)"
    ]
    with tempfile.TemporaryDirectory() as directory, Simulator(token=TOKEN, rate_limit=None) as sim:
        path = Path(directory)
        env, practitest = reporting(sim, seed(sim, make_suite(path, count, 0.0)))
        off = ["-p", "no:allure_pytest"] if have_allure else []
        variants = [("plain", off), ("--practitest", [*off, *practitest])]
        if have_allure:
            variants.append(("allure-pytest", ["--alluredir", str(path / "allure")]))
        else:
            rows.append("  (allure-pytest not installed: pip install allure-pytest to compare)")
        if have_xdist:
            variants += [
                ("plain -n 2", [*off, "-n", "2"]),
                ("--practitest -n 2", [*off, "-n", "2", *practitest]),
            ]
        # Not measured: writes the bytecode caches (our modules, the rewritten test file).
        timed(path, [*off, *practitest, "--practitest-dry-run"], env)
        times: dict[str, list[float]] = {name: [] for name, _ in variants}
        for _ in range(repeats):  # interleaved: a busy moment hits every variant alike
            for name, args in variants:
                times[name].append(timed(path, args, env))
        runs = len(sim.entities("runs"))
    rows.append(f"  {'':<20} {'best':>9}   {'ratio':>6}   {'median':>7}   {'ratio':>6}")
    for name, seconds in times.items():
        base = times["plain -n 2"] if name.endswith("-n 2") else times["plain"]
        best, middle = min(seconds), statistics.median(seconds)
        rows.append(
            f"  {name:<20} {best:7.2f} s   {best / min(base):5.2f}x   {middle:7.2f} s   "
            f"{middle / statistics.median(base):5.2f}x"
        )
    rows.append(
        f"  runs stored by the --practitest variants: {runs} (expected {count * repeats * (2 if have_xdist else 1)})"
    )
    return rows


def _tail_once(path: Path, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=path,
        env=env,
        capture_output=True,
        check=False,
    )
    ended = time.time()
    return time.perf_counter() - started, ended - float((path / "last_test_end").read_text())


def tail(count: int, sleep: float, rounds: int) -> list[str]:
    """Median tails of ``rounds`` interleaved pairs (a single pytest's own tail moves ±0.1 s)."""
    plain: list[float] = []
    plugin: list[float] = []
    with (
        tempfile.TemporaryDirectory() as directory,
        Simulator(token=TOKEN, rate_limit=SCALED) as sim,
    ):
        path = Path(directory)
        set_id = seed(sim, make_suite(path, count, sleep))
        env, args = reporting(sim, set_id, f"{SCALED[0]}/{SCALED[1]}")
        off = ["-p", "no:allure_pytest"] if importlib.util.find_spec("allure_pytest") else []
        for _ in range(rounds):
            plain.append(_tail_once(path, off, env)[1])
            total, plugin_tail = _tail_once(path, [*off, *args], env)
            plugin.append(plugin_tail)
        runs = len(sim.entities("runs"))
        calls = len(sim.requests)
        statuses = {str(r.status) for r in sim.requests}
    per_call = SCALED[1] / SCALED[0]
    added = sorted(b - a for a, b in zip(plain, plugin, strict=True))
    return [
        f"P2 upload tail, {count} tests of {sleep * 1000:.0f} ms, rate limit {SCALED[0]}/{SCALED[1]} s "
        f"on both sides, median of {rounds} pairs:",
        f"  suite {total:.1f} s; {calls} API calls in all; {runs} runs stored; answers {sorted(statuses)}",
        f"  from the last test's end to the process's end: {statistics.median(plugin):.2f} s with "
        f"the plugin, {statistics.median(plain):.2f} s without; added by delivery: "
        f"{statistics.median(added):.2f} s (range {added[0]:.2f} to {added[-1]:.2f}; "
        f"the last bulk: {per_call:.2f} s of rate limit plus one post)",
    ]


MEMORY_CONFTEST = """
import json, resource
from pathlib import Path
def _hwm_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
def pytest_unconfigure(config):
    # After the reporter has waited for its delivery process: RUSAGE_CHILDREN is its peak.
    Path("memory.json").write_text(json.dumps({
        "tests_kib": _hwm_kib(),
        "delivery_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }))
"""


def memory(count: int) -> list[str]:
    """P6 for the plugin: each test attaches a 1 MiB file; peak RSS of both processes."""
    with tempfile.TemporaryDirectory() as directory, Simulator(token=TOKEN, rate_limit=None) as sim:
        path = Path(directory)
        blob = path / "screenshot.png"
        blob.write_bytes(os.urandom(1024 * 1024))
        lines = ["from pytest_practitest import attach\n"]
        for index in range(count):
            lines.append(f"def test_{index:05d}():\n    attach({str(blob)!r})\n")
        (path / "test_files.py").write_text("\n".join(lines))
        (path / "conftest.py").write_text(MEMORY_CONFTEST)
        names = [f"test_files.py::test_{index:05d}" for index in range(count)]
        env, args = reporting(sim, seed(sim, names))
        args.append("--practitest-deadline=600")
        off = ["-p", "no:allure_pytest"] if importlib.util.find_spec("allure_pytest") else []
        seconds = timed(path, [*off, *args], env)
        result = json.loads((path / "memory.json").read_text())
        stored = len(sim.entities("runs"))
    return [
        f"P6 peak RSS of the plugin, {count} tests attaching a 1 MiB file each: "
        f"test process {result['tests_kib'] / 1024:.0f} MiB, delivery process "
        f"{result['delivery_kib'] / 1024:.0f} MiB (target <= 150 MiB) - {stored} runs stored, {seconds:.1f} s"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized run")
    args = parser.parse_args()
    count = 1000 if args.quick else 5000
    for line in overhead(count, 1 if args.quick else 5):
        print(line, flush=True)
    for line in tail(1000, 0.004, 2 if args.quick else 7):
        print(line, flush=True)
    for line in memory(200 if args.quick else 1000):
        print(line, flush=True)


if __name__ == "__main__":
    main()
