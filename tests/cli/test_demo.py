"""`practitest demo`, the README's main job: what it shows a new user."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_shows_every_outcome_steps_and_attachments(tmp_path: Path) -> None:
    # --samples: under tox the package is installed from an sdist, away from the checkout.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest_practitest.cli",
            "demo",
            "--samples",
            str(ROOT / "sample_projects"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "PractiTest: 14 of 14 runs delivered to test set 20000 'Nightly regression'" in out
    assert "1 failed, 9 passed, 1 skipped, 1 xfailed, 1 xpassed, 2 errors" in out
    assert "PractiTest: 7 of 7 runs delivered to test set 20000 'Nightly regression'" in out
    for line in (
        "1:1  PASSED        Cart: add an item",
        "step 2: PASSED  add two mugs to the cart",
        "1:4  FAILED        Checkout: pay by invoice",
        "output: shop.PaymentDeclined: card declined by the issuer",
        "step 1: FAILED  pay with card ...0002",
        "output: skipped: gift cards are not sold yet",
        "output: xfail: bug 123: currencies other than EUR and USD",
        "output: error in setup: ConnectionError: the SSO test server is down",
        "com.acme.shop.CheckoutIT.paysByInvoice",
        "output: xpass: bug 98: search ignored accents (fixed, marker not removed yet)",
        "output: error in teardown: RuntimeError: logout failed: session store unreachable",
        "totals: 12 PASSED, 5 FAILED, 2 BLOCKED, 1 NO RUN",
    ):
        assert line in out, line
    assert "files: traceback.txt" in out
    assert "screenshot.txt" in out
    assert "the simulator is stopped" in out
    assert not list(tmp_path.iterdir())  # nothing left behind


def test_sample_webshop_runs_green_except_its_deliberate_failures() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
        cwd=ROOT / "sample_projects" / "webshop",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "1 failed, 9 passed, 1 skipped, 1 xfailed, 1 xpassed, 2 errors" in result.stdout


def test_sample_webshop_under_xdist_delivers_the_same_runs() -> None:
    import os

    from pytest_practitest.simulator import Simulator

    with Simulator(token="demo-token", rate_limit=None) as sim:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTITEST")}
        env.update(
            PRACTITEST_TOKEN="demo-token",
            PRACTITEST_URL=sim.url,
            PRACTITEST_PROJECT_ID="4500",
            PRACTITEST_SET_ID="20000",
            PRACTITEST_CREATE_MISSING="1",
            PRACTITEST_RATE_LIMIT="0",
            PRACTITEST_AUTHOR_ID=str(sim.info.users["owner@example.com"]),
        )
        with __import__("tempfile").TemporaryDirectory() as spool:
            env["PRACTITEST_SPOOL"] = spool
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-p",
                    "no:cacheprovider",
                    "-q",
                    "--practitest",
                    "-n",
                    "2",
                ],
                cwd=ROOT / "sample_projects" / "webshop",
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        assert "PractiTest: 14 of 14 runs delivered" in result.stdout, result.stdout
        statuses = sorted(run["status"] for run in sim.entities("runs"))
    assert statuses == ["BLOCKED", "BLOCKED", "FAILED", "FAILED", "NO RUN"] + ["PASSED"] * 9


def test_browser_recipe_sample_runs_green_without_a_browser_stack() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs"],
        cwd=ROOT / "sample_projects" / "playwright",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "pip install pytest-playwright, then: playwright install chromium" in result.stdout


def test_browser_recipe_hook_attaches_a_screenshot_and_the_page() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "recipe", ROOT / "sample_projects" / "playwright" / "conftest.py"
    )
    assert spec is not None
    assert spec.loader is not None
    recipe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recipe)

    class Page:
        def screenshot(self, full_page: bool) -> bytes:
            return b"PNG" if full_page else b""

        def content(self) -> str:
            return "<html></html>"

    class Driver:
        def get_screenshot_as_png(self) -> bytes:
            return b"SELENIUM-PNG"

    class Report:
        def __init__(self, when: str, failed: bool) -> None:
            self.when, self.failed = when, failed

    class Item:
        def __init__(self, **funcargs: object) -> None:
            self.funcargs = funcargs

    hook = recipe.pytest_practitest_add_artifacts
    assert hook(Item(page=Page()), Report("call", True)) == [
        ("screenshot.png", b"PNG"),
        ("page.html", b"<html></html>"),
    ]
    assert hook(Item(driver=Driver()), Report("call", True)) == [
        ("screenshot.png", b"SELENIUM-PNG")
    ]
    assert hook(Item(page=Page()), Report("call", False)) is None
    assert hook(Item(page=Page()), Report("setup", True)) is None


def test_sample_conftest_works_without_the_plugin() -> None:
    """Its hook is optional: -p no:practitest runs the suite instead of an INTERNALERROR."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:practitest", "-p", "no:cacheprovider", "-q"],
        cwd=ROOT / "sample_projects" / "webshop",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "INTERNALERROR" not in result.stdout + result.stderr
    assert "1 failed, 9 passed, 1 skipped, 1 xfailed, 1 xpassed" in result.stdout
