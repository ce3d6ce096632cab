"""JUnit import benchmark: our dry-run import vs trcli's parse and the floor, same file.

    python bench/bench_junit.py           # 50,000 testcases, and a ~100 MB file for memory
    python bench/bench_junit.py --quick   # 10,000 testcases, and a ~20 MB file (for CI)

Each side runs in its own process; time is wall time, memory is that process's
peak (VmHWM). "import" is everything `practitest import-junit --dry-run` does:
read, convert, and write every record to the spool. "floor" is the least any
spool-first importer must do, timed the same way: a C parse of the file and one
small JSON line per testcase, with no conversion at all; it shows how much of
the target is left for the Python work. "floor + junitparser" is the floor with each
testcase read as junitparser's ``TestCase`` (name, classname, time, results), as #16
asks of the importer: the least such an importer does. "trcli" is the TestRail CLI's JunitParser on the
same file (the peer users would pick instead; installed by the bench extra). P5, restated:
the import within 2x the floor and ahead of trcli. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"

CHILD = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
mode, path = sys.argv[2], sys.argv[3]
started = time.perf_counter()
if mode == "junitparser":
    from junitparser import JUnitXml
    count = 0
    for suite in JUnitXml.fromfile(path):
        for case in suite:
            count += 1
elif mode == "trcli":  # the TestRail CLI's parse, the peer users would pick instead
    import logging
    logging.disable(logging.CRITICAL)
    import contextlib, io
    from trcli.cli import Environment
    from trcli.readers.junit_xml import JunitParser
    env = Environment()
    env.file, env.case_matcher, env.special_parser, env.suite_name = path, "auto", "junit", None
    env.params_from_config = {}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        suites = JunitParser(env).parse_file()
    count = sum(len(section.testcases) for suite in suites for section in suite.testsections)
elif mode == "floor":  # the least any spool-first importer does: C parse, one JSON line each
    import xml.etree.ElementTree as ET
    encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
    count = 0
    with open(os.path.join(sys.argv[4] + ".jsonl"), "w", encoding="utf-8") as spool:
        for _, element in ET.iterparse(path):
            if element.tag == "testcase":
                attrs = element.attrib
                record = {"key": count, "label": attrs.get("name"), "status": "PASSED",
                          "target": {"name": attrs.get("classname")}}
                spool.write(encode({"type": "record", "record": record}) + "\n")
                count += 1
                element.clear()
elif mode == "model":  # the floor, each testcase read through junitparser's model (#16)
    import xml.etree.ElementTree as ET
    from junitparser.xunit2 import TestCase
    encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
    count = 0
    with open(os.path.join(sys.argv[4] + ".jsonl"), "w", encoding="utf-8") as spool:
        for _, element in ET.iterparse(path):
            if element.tag == "testcase":
                case = TestCase.fromelem(element)
                status = "FAILED" if len(element) and case.result else "PASSED"
                record = {"key": count, "label": case.name, "status": status,
                          "target": {"name": case.classname}, "duration": case.time}
                spool.write(encode({"type": "record", "record": record}) + "\n")
                count += 1
                element.clear()
elif mode == "upload":  # to the simulator named in the environment
    from pytest_practitest.cli.main import main
    import contextlib, io
    with contextlib.redirect_stdout(io.StringIO()) as out:
        main(["import-junit", path, "--spool", sys.argv[4]])
    count = int(out.getvalue().split("PractiTest: ")[-1].split()[0])
else:
    from pytest_practitest.cli.main import main
    import contextlib, io
    os.environ.update(PRACTITEST_PROJECT_ID="1", PRACTITEST_SET_ID="2")
    with contextlib.redirect_stdout(io.StringIO()) as out:
        main(["import-junit", path, "--dry-run", "--spool", sys.argv[4]])
    count = int(out.getvalue().split(": ")[2].split()[0])
print(json.dumps({"seconds": time.perf_counter() - started, "peak_mib": hwm(), "count": count}))
"""


def generate(path: Path, cases: int, output_bytes: int) -> None:
    filler = "x" * 70 + "\n"
    out = filler * max(1, output_bytes // len(filler))
    with path.open("w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n')
        for suite in range(cases // 100):
            handle.write(f'<testsuite name="com.acme.Suite{suite}" tests="100">\n')
            for index in range(100):
                handle.write(
                    f'<testcase classname="com.acme.Suite{suite}" name="test{index}" time="0.01">'
                )
                if index % 10 == 0:
                    handle.write(
                        '<failure message="boom" type="AssertionError">trace line 1\ntrace line 2</failure>'
                    )
                if output_bytes:
                    handle.write(f"<system-out>{out}</system-out>")
                handle.write("</testcase>\n")
            handle.write("</testsuite>\n")
        handle.write("</testsuites>\n")


def measure(
    mode: str,
    path: Path,
    spool: Path,
    repeats: int = 1,
    extra_env: dict[str, str] | None = None,
    warm_up: bool = True,
) -> dict[str, float]:
    """Best time of ``repeats`` runs (after one that writes the bytecode cache), peak of the last.

    Bytecode is cached as after ``pip install`` (this machine may set
    PYTHONDONTWRITEBYTECODE; junitparser's is compiled at install, ours would not be).
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PRACTITEST") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(extra_env or {})
    best: dict[str, float] = {}
    for _ in range(repeats + warm_up):
        result = subprocess.run(
            [sys.executable, "-c", CHILD, str(ROOT), mode, str(path), str(spool)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=1800,
        )
        answer = dict(json.loads(result.stdout.strip().splitlines()[-1]))  # trcli prints a banner
        if not best or answer["seconds"] < best["seconds"]:
            best = {**answer, "peak_mib": answer["peak_mib"]}
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized run")
    args = parser.parse_args()
    cases, big = (10_000, 20) if args.quick else (50_000, 100)
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        small = folder / "results.xml"
        generate(small, cases, 0)
        repeats = 1 if args.quick else 3
        ours = measure("import", small, folder / "spool1", repeats)
        bare = measure("junitparser", small, folder / "spool2", repeats)
        floor = measure("floor", small, folder / "floor", repeats)
        model = measure("model", small, folder / "model", repeats)
        try:
            peer: dict[str, float] | None = measure("trcli", small, folder / "trcli", repeats)
        except subprocess.CalledProcessError:  # not installed: pip install -e ".[bench]"
            peer = None
        print(
            f"P5 JUnit import, {cases} testcases ({small.stat().st_size / 2**20:.1f} MiB), "
            f"dry run, best of {repeats}:"
        )
        print(
            f"  junitparser parse   {bare['seconds']:6.2f} s   peak {bare['peak_mib']:5.0f} MiB   {bare['count']:.0f} cases"
        )
        print(
            f"  practitest import   {ours['seconds']:6.2f} s   peak {ours['peak_mib']:5.0f} MiB   {ours['count']:.0f} cases"
            f"   {ours['seconds'] / bare['seconds']:.2f}x  (was P5; retired: that parse reads no attribute)"
        )
        print(
            f"  floor               {floor['seconds']:6.2f} s   peak {floor['peak_mib']:5.0f} MiB   {floor['count']:.0f} cases"
            f"   {floor['seconds'] / bare['seconds']:.2f}x  (C parse + one spool line per testcase, nothing else)"
        )
        print(
            f"  floor + junitparser {model['seconds']:6.2f} s   peak {model['peak_mib']:5.0f} MiB   {model['count']:.0f} cases"
            f"   {model['seconds'] / floor['seconds']:.2f}x the floor  (each testcase read as junitparser's TestCase, #16)"
        )
        if peer is None:
            print('  trcli parse         not installed (pip install -e ".[bench]")')
        else:
            print(
                f"  trcli parse         {peer['seconds']:6.2f} s   peak {peer['peak_mib']:5.0f} MiB   {peer['count']:.0f} cases"
                f"   (TestRail CLI {version('trcli')}, its JunitParser alone, no upload)"
            )
        print(
            f"  P5 (restated): import {ours['seconds']:.2f} s, "
            f"{ours['seconds'] / floor['seconds']:.2f}x the floor (target <= 2x; "
            f"{ours['seconds'] / model['seconds']:.2f}x floor + junitparser)"
            + (
                ""
                if peer is None
                else f", {ours['seconds'] / peer['seconds']:.2f}x trcli's parse (target < 1x)"
            )
        )
        large = folder / "large.xml"
        generate(large, cases // 10, big * 2**20 // (cases // 10))
        ours_large = measure("import", large, folder / "spool3")
        bare_large = measure("junitparser", large, folder / "spool4")
        print(
            f"  a {large.stat().st_size / 2**20:.0f} MiB file ({cases // 10} testcases with big system-out): "
            f"import peak {ours_large['peak_mib']:.0f} MiB in {ours_large['seconds']:.1f} s; "
            f"junitparser peak {bare_large['peak_mib']:.0f} MiB"
        )
    print(memory(200 if args.quick else 1000))


def memory(count: int) -> str:
    """P6 for the importer: ``count`` testcases attaching a 1 MiB file each, really uploaded."""
    from pytest_practitest.simulator import Simulator

    with tempfile.TemporaryDirectory() as directory, Simulator(token=TOKEN, rate_limit=None) as sim:
        folder = Path(directory)
        (folder / "shot.png").write_bytes(os.urandom(1024 * 1024))
        report = folder / "files.xml"
        with report.open("w", encoding="utf-8") as handle:
            handle.write('<testsuite name="files">\n')
            for index in range(count):
                handle.write(
                    f'<testcase classname="files" name="t{index}" time="0.1"><properties>'
                    '<property name="attachment" value="shot.png"/></properties></testcase>\n'
                )
            handle.write("</testsuite>\n")
        env = {
            "PRACTITEST_URL": sim.url,
            "PRACTITEST_TOKEN": TOKEN,
            "PRACTITEST_PROJECT_ID": "4500",
            "PRACTITEST_SET_NAME": "Files",
            "PRACTITEST_CREATE_MISSING": "1",
            "PRACTITEST_AUTHOR_ID": str(sim.info.users["owner@example.com"]),
            "PRACTITEST_RATE_LIMIT": "0",
        }
        os.chdir(folder)  # attachments must lie under the current directory
        result = measure("upload", report, folder / "spool", extra_env=env, warm_up=False)
        stored = len(sim.entities("runs"))
    return (
        f"P6 peak RSS of the importer, {count} testcases attaching a 1 MiB file each: "
        f"{result['peak_mib']:.0f} MiB (target <= 150 MiB) - {stored} runs stored, "
        f"{result['seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()
