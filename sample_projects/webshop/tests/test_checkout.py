import logging

import pytest
import shop

from pytest_practitest import attach, step

log = logging.getLogger("webshop.checkout")


@pytest.mark.practitest(name="Checkout: pay by card")
def test_pay_by_card(cart):
    cart.add("tote bag")
    with step("pay with the test card 4242", expected="a receipt"):
        receipt = shop.pay(cart, "4000 0000 0000 4242")
    attach(receipt.encode(), "receipt.txt")
    assert receipt == "receipt for 15.00"


@pytest.mark.practitest(name="Checkout: pay by invoice")
def test_pay_with_a_declined_card(cart):
    """Fails on purpose: the demo shows a traceback, a step that failed and a screenshot."""
    cart.add("mug")
    log.warning("using a card the issuer declines")
    with step("pay with card ...0002", expected="a receipt"):
        shop.pay(cart, "4000 0000 0000 0002")
