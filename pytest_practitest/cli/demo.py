"""``practitest demo``: the whole job, offline, in well under a minute.

Starts the simulator (demo seed) in this process, runs the sample webshop suite
with the plugin, imports the sample JUnit files, and prints the test set as
PractiTest would show it. Leaves nothing running and nothing behind.

The samples are the repository's ``sample_projects/webshop`` and ``junit``, one
copy: the wheel ships them as the package data ``pytest_practitest/samples``
(``pyproject.toml`` maps that folder onto ``sample_projects``), and a checkout
reads them where they are. Either way they are copied to a temporary folder and
run there, so a read-only site-packages or a checkout is never written to.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

DEMO_TOKEN = "demo-token"  # noqa: S105 (the simulator's own, on loopback)
CHECKOUT_SAMPLES = Path(__file__).resolve().parents[2] / "sample_projects"
DEMO_PARTS = ("webshop", "junit")


def samples_source(given: Traversable | None = None) -> Traversable:
    """Where the demo's samples are: ``--samples``, the wheel's package data, or the checkout."""
    if given is not None:
        candidates: list[Traversable] = [given]
    else:
        candidates = [resources.files("pytest_practitest") / "samples", CHECKOUT_SAMPLES]
    for candidate in candidates:
        if all(candidate.joinpath(part).is_dir() for part in DEMO_PARTS):
            return candidate
    where = f"{given}" if given is not None else "the installed package"
    raise FileNotFoundError(
        f"the demo's samples (webshop/ and junit/) are not in {where}: reinstall "
        "pytest-practitest, or pass --samples DIR (a checkout's sample_projects)"
    )


def copy_tree(source: Traversable, target: Path) -> None:
    """Copy a package-data folder (a real folder, or one inside a zip) to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            copy_tree(entry, target / entry.name)
        else:
            with entry.open("rb") as src, (target / entry.name).open("wb") as dst:
                shutil.copyfileobj(src, dst)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``practitest demo``."""
    parser.add_argument(
        "--samples",
        type=Path,
        default=None,
        help="a folder holding webshop/ and junit/ (default: the installed package's samples)",
    )


def run(args: argparse.Namespace) -> int:
    """``practitest demo``: 0 done, 1 a part failed, 2 no samples found."""
    return demo(samples_dir=args.samples)


def demo(out: TextIO | None = None, samples_dir: Path | None = None) -> int:
    """Run the demo, printing to ``out``."""
    from ..api.client import Client
    from ..simulator import Simulator
    from .show import view

    out = out or sys.stdout
    try:
        source = samples_source(samples_dir)
    except FileNotFoundError as error:
        print(f"practitest demo: error: {error}", file=sys.stderr)
        return 2
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="practitest-demo-") as workdir,
        Simulator(seed="demo", token=DEMO_TOKEN, rate_limit=None) as sim,
    ):
        samples = Path(workdir) / "sample_projects"
        for part in DEMO_PARTS:
            copy_tree(source.joinpath(part), samples / part)
        spool = str(Path(workdir) / "spool")
        info = sim.info
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTITEST")}
        env.update(
            PRACTITEST_URL=sim.url,
            PRACTITEST_TOKEN=info.token,
            PRACTITEST_PROJECT_ID=str(info.project_id),
            PRACTITEST_SET_ID=str(info.set_id),
            PRACTITEST_CREATE_MISSING="1",
            PRACTITEST_AUTHOR_ID=str(info.users["owner@example.com"]),
            PRACTITEST_RATE_LIMIT="0",
            PRACTITEST_SPOOL=spool,
        )
        print(
            f"PractiTest API v2 simulator on {sim.url}: "
            f"project {info.project_id} {info.project_name!r}, "
            f"test set {info.set_id} {info.set_name!r}\n",
            file=out,
        )
        suite = _step(
            out,
            "1. pytest --practitest on sample_projects/webshop",
            samples / "webshop",
            env,
            ["-m", "pytest", "-p", "no:cacheprovider", "-q", "--practitest"],
        )
        junit = _step(
            out,
            "\n2. practitest import-junit sample_projects/junit/*.xml",
            samples / "junit",
            env,
            ["-m", "pytest_practitest.cli", "import-junit", "*.xml"],
        )
        print(
            f"\n3. What PractiTest now shows in test set {info.set_id} {info.set_name!r}\n",
            file=out,
        )
        client = Client(sim.url, info.token)
        with client.session:  # what `practitest show --files` prints
            lines = view(client, int(info.project_id), int(info.set_id or 0), files=True)
        print("\n".join(lines), file=out)
    print(
        f"\ndone in {time.monotonic() - started:.1f} s; the simulator is stopped. "
        "Next: README.md, 'Your own project in five steps'.",
        file=out,
    )
    return 0 if suite in (0, 1) and junit in (0, 1) else 1


def _step(out: TextIO, title: str, cwd: Path, env: dict[str, str], args: list[str]) -> int:
    """Run one part of the demo and show its summary lines; its exit code."""
    print(title, file=out, flush=True)
    done = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    _show_tail(done.stdout, out)
    return done.returncode


def _show_tail(text: str, out: TextIO) -> None:
    lines = [
        line
        for line in text.splitlines()
        if line.startswith("PractiTest:") or (" in " in line and "passed" in line)
    ]
    for line in lines:
        print(f"   {line}", file=out)
