import pytest
import shop


@pytest.fixture
def sso_server():
    raise ConnectionError("the SSO test server is down")


@pytest.mark.practitest(name="Login: valid credentials")
def test_valid_credentials():
    print("logging in as ann")
    assert shop.login("ann", "secret") == "dashboard"


@pytest.mark.practitest(name="Login: locked account")
def test_locked_account():
    assert shop.login("bob", "hunter2") == "locked"


def test_single_sign_on(sso_server):
    """Errors in setup: the SSO fixture cannot start."""


@pytest.fixture
def session():
    yield "ann"
    raise RuntimeError("logout failed: session store unreachable")


def test_logout(session):
    """Passes, then its fixture fails while tearing down: an error in teardown."""
    assert session == "ann"
