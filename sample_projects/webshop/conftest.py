import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import shop  # noqa: E402


@pytest.fixture
def cart() -> shop.Cart:
    return shop.Cart()


@pytest.hookimpl(optionalhook=True)  # this conftest also works under -p no:practitest
def pytest_practitest_add_artifacts(item, report):
    """On a failure, attach a (text) "screenshot" of the cart, as a UI test would attach a PNG."""
    if report.when == "call" and report.failed and "cart" in item.funcargs:
        return [("screenshot.txt", f"cart contents: {item.funcargs['cart'].items}".encode())]
