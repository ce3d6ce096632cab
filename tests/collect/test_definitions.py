"""The collected tests as PractiTest tests (what `practitest sync` makes PractiTest hold)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pytest_practitest.collect.definitions import DefinitionWriter, repository_url

SUITE = '''
import pytest

pytestmark = pytest.mark.practitest(tags=["shop"])

@pytest.mark.slow
@pytest.mark.practitest(requirements=["REQ-1"], steps=["Open", {"name": "Pay", "expected": "paid"}])
@pytest.mark.parametrize("currency", ["EUR", "USD"])
def test_pay(currency):
    """Pays.

    In any currency."""

@pytest.mark.practitest(name="Login: valid", tags=["login"])
@pytest.mark.skip(reason="later")
def test_login():
    pass
'''


def definitions(pytester: pytest.Pytester, *args: str) -> dict[str, Any]:
    pytester.makepyfile(test_shop=SUITE)
    pytester.makeini("[pytest]\nmarkers = slow: a slow test\n")
    out = pytester.path / "out.json"
    pytester.inline_run("--collect-only", *args, plugins=[DefinitionWriter(str(out))])
    found: dict[str, Any] = json.loads(out.read_text())
    return found


def test_each_test_with_its_docstring_tags_requirements_and_steps(
    pytester: pytest.Pytester,
) -> None:
    found = definitions(pytester)
    assert found["problems"] == []
    first, second, login = found["definitions"]
    assert first == {
        "key": "test_shop.py::test_pay[EUR]",
        "target": {"name": "test_shop.py::test_pay[EUR]"},
        "node_ids": ["test_shop.py::test_pay[EUR]"],
        "description": "Pays.\n\nIn any currency.",
        "tags": ["shop", "slow"],
        "automation": {"script_path": "test_shop.py", "script_name": "test_shop.py::test_pay[EUR]"},
        "requirements": ["REQ-1"],
        "steps": [["Open", None, None], ["Pay", None, "paid"]],
        "default_target": True,
    }
    assert second["key"] == "test_shop.py::test_pay[USD]"
    # tags= and requirements= choose no target; name= does, and skip is not a tag
    assert login["target"] == {"name": "Login: valid"}
    assert login["tags"] == ["login", "shop"]
    assert login["requirements"] is None
    assert login["steps"] is None
    assert login["default_target"] is False


def test_one_test_per_function_under_the_function_policy(pytester: pytest.Pytester) -> None:
    found = definitions(pytester, "--practitest-parametrized=function")
    pay = found["definitions"][0]
    assert pay["key"] == "test_shop.py::test_pay"
    assert pay["target"] == {"name": "test_shop.py::test_pay"}
    assert pay["node_ids"] == ["test_shop.py::test_pay[EUR]", "test_shop.py::test_pay[USD]"]
    assert len(found["definitions"]) == 2


def test_a_marker_with_only_sync_keys_leaves_results_to_the_node_id(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        "import pytest\n@pytest.mark.practitest(tags=['x'])\ndef test_a(): pass\n"
        "@pytest.mark.practitest()\ndef test_b(): pass\n"
    )
    from pytest_practitest.collect.target import DEFAULT, place

    items, _ = pytester.inline_genitems()
    assert place(items[0], None) == DEFAULT
    wrong = place(items[1], None)  # an empty marker is a mapping error: the default is used
    assert wrong.item is None
    assert wrong.error is not None
    assert "give exactly one of" in wrong.error


def test_the_repository_url_never_carries_a_user_or_token(tmp_path: Path) -> None:
    assert repository_url(tmp_path) is None  # not a git repository
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    url = "https://ci-bot:ghp_secret123@github.com/shop/webshop.git"
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", url], check=True)
    assert repository_url(tmp_path) == "https://github.com/shop/webshop.git"
    subprocess.run(
        [
            "git",
            "-C",
            str(tmp_path),
            "remote",
            "set-url",
            "origin",
            "git@github.com:shop/webshop.git",
        ],
        check=True,
    )
    assert repository_url(tmp_path) == "git@github.com:shop/webshop.git"
