"""A tiny webshop for the sample suite: catalog, cart, checkout, login. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass, field

CATALOG = {"mug": 8.50, "poster": 12.00, "tote bag": 15.00}


def find(query: str) -> list[str]:
    return sorted(name for name in CATALOG if query.lower() in name)


def price(amount: float, currency: str) -> str:
    if currency == "EUR":
        return f"{amount:.2f} €"
    if currency == "USD":
        return f"${amount:.2f}"
    raise ValueError(f"unknown currency {currency}")


@dataclass
class Cart:
    items: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int = 1) -> None:
        if name not in CATALOG:
            raise KeyError(name)
        self.items[name] = self.items.get(name, 0) + count

    def remove(self, name: str) -> None:
        self.items.pop(name)

    def total(self) -> float:
        return round(sum(CATALOG[n] * c for n, c in self.items.items()), 2)


class PaymentDeclined(Exception):
    pass


def pay(cart: Cart, card: str) -> str:
    if not cart.items:
        raise ValueError("empty cart")
    if card.endswith("0002"):
        raise PaymentDeclined("card declined by the issuer")
    return f"receipt for {cart.total():.2f}"


USERS = {"ann": ("secret", False), "bob": ("hunter2", True)}


def login(user: str, password: str) -> str:
    known, locked = USERS.get(user, (None, False))
    if locked:
        return "locked"
    return "dashboard" if known == password else "error"
