"""Screenshots on failure for Playwright (pytest-playwright's `page`) and Selenium (a `driver`)."""

from __future__ import annotations

from typing import Any

import pytest

try:
    import pytest_playwright  # noqa: F401  (provides the real `page` fixture)
except ImportError:

    @pytest.fixture
    def page() -> None:
        pytest.skip("pip install pytest-playwright, then: playwright install chromium")


@pytest.hookimpl(optionalhook=True)  # this conftest also works under -p no:practitest
def pytest_practitest_add_artifacts(item: pytest.Item, report: pytest.TestReport) -> list[tuple[str, Any]] | None:
    if report.when != "call" or not report.failed:
        return None
    funcargs = getattr(item, "funcargs", {})
    page = funcargs.get("page")  # pytest-playwright
    if page is not None:
        return [("screenshot.png", page.screenshot(full_page=True)), ("page.html", page.content().encode())]
    driver = funcargs.get("driver")  # Selenium WebDriver fixture of your own
    if driver is not None:
        return [("screenshot.png", driver.get_screenshot_as_png())]
    return None
