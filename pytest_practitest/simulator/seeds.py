"""Named starting states for the simulator.

``demo``: an account with two projects. "Webshop" has users, custom fields,
tests with steps and a "Nightly regression" test set with one instance per
test; "Payments Backoffice" is a project the personal token cannot see.
``empty``: one project with one user and nothing else (for find-or-create).
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from . import entities
from .api_requirements import create_requirement
from .store import Store, Token

DEMO_TESTS: list[tuple[str, list[str]]] = [
    ("Cart: add an item", ["Open a product", "Add it to the cart", "Check the cart total"]),
    ("Cart: remove an item", ["Add two items", "Remove one", "Check the cart total"]),
    ("Checkout: pay by card", ["Fill the cart", "Pay by card", "Check the receipt"]),
    ("Checkout: pay by invoice", ["Fill the cart", "Choose invoice", "Check the order state"]),
    ("Catalog: search by name", ["Search for a product", "Check the first hit"]),
    ("Catalog: price formatting", ["Render a price", "Check the currency sign"]),
    ("Login: valid credentials", ["Enter credentials", "Check the landing page"]),
    ("Login: locked account", ["Lock the account", "Try to log in", "Check the error"]),
]
DEMO_SET_NAME = "Nightly regression"
#: display ids 1, 2, 3 of the Webshop project
DEMO_REQUIREMENTS = ("Customers can fill a cart", "Customers can pay", "Prices show a currency")


@dataclass
class SeedInfo:
    """What a seed created, for printing and for tests."""

    seed: str
    token: str
    project_id: int
    project_name: str
    set_id: int | None = None
    set_name: str | None = None
    other_project_id: int | None = None
    users: dict[str, int] = field(default_factory=dict)
    personal_tokens: dict[str, str] = field(default_factory=dict)
    custom_fields: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def new_token() -> str:
    return secrets.token_hex(20)


def _member(store: Store, email: str, *project_ids: int) -> int:
    user = entities.create_user(store, email)
    store.memberships[int(user["id"])] = set(project_ids)
    return int(user["id"])


def seed_empty(store: Store, token: str) -> SeedInfo:
    store.add_token(Token(token, "account"))
    project = entities.create_project(store, "Empty project")
    owner = _member(store, "owner@example.com", project["id"])
    personal = new_token()
    store.add_token(Token(personal, "personal", user_id=owner))
    return SeedInfo(
        seed="empty",
        token=token,
        project_id=project["id"],
        project_name=project["name"],
        users={"owner@example.com": owner},
        personal_tokens={"owner@example.com": personal},
    )


def seed_demo(store: Store, token: str) -> SeedInfo:
    store.add_token(Token(token, "account"))
    webshop = entities.create_project(store, "Webshop")
    backoffice = entities.create_project(store, "Payments Backoffice")
    owner = _member(store, "owner@example.com", webshop["id"], backoffice["id"])
    qa = _member(store, "qa.engineer@example.com", webshop["id"])
    lead = _member(store, "qa.lead@example.com", webshop["id"])
    personal = {"qa.engineer@example.com": new_token(), "qa.lead@example.com": new_token()}
    store.add_token(Token(personal["qa.engineer@example.com"], "personal", user_id=qa))
    store.add_token(
        Token(personal["qa.lead@example.com"], "personal", user_id=lead, impersonation=True)
    )
    fields = {
        "Browser": entities.create_custom_field(
            store,
            webshop["id"],
            "Browser",
            "list",
            ["Chrome", "Firefox", "Safari"],
            ["Run", "Instance"],
        ),
        "Build": entities.create_custom_field(store, webshop["id"], "Build", "text", None, ["Run"]),
        "Components": entities.create_custom_field(
            store,
            webshop["id"],
            "Components",
            "multilist",
            ["cart", "checkout", "catalog", "login"],
            ["Test", "Run"],
        ),
    }
    test_set = entities.create_set(
        store, webshop["id"], {"name": DEMO_SET_NAME, "description": "Runs every night"}, owner
    )
    for name, steps in DEMO_TESTS:
        test = entities.create_test(
            store,
            webshop["id"],
            {"name": name, "test-type": "ApiTest", "status": "Ready"},
            owner,
            [{"name": step, "expected-results": "as specified"} for step in steps],
        )
        entities.create_instance(store, test_set, test)
    for name in DEMO_REQUIREMENTS:
        create_requirement(store, webshop["id"], {"name": name}, owner)
    return SeedInfo(
        seed="demo",
        token=token,
        project_id=webshop["id"],
        project_name=webshop["name"],
        set_id=test_set["id"],
        set_name=DEMO_SET_NAME,
        other_project_id=backoffice["id"],
        users={
            "owner@example.com": owner,
            "qa.engineer@example.com": qa,
            "qa.lead@example.com": lead,
        },
        personal_tokens=personal,
        custom_fields={name: int(f["id"]) for name, f in fields.items()},
    )


SEEDS = {"demo": seed_demo, "empty": seed_empty}


def apply(store: Store, name: str, token: str | None = None) -> SeedInfo:
    """Fill an empty store with the named seed; the account token is ``token`` or random."""
    try:
        seed = SEEDS[name]
    except KeyError:
        raise ValueError(f"unknown seed {name!r}; choose one of {', '.join(SEEDS)}") from None
    return seed(store, token or new_token())
