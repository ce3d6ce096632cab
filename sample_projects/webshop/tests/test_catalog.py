import pytest
import shop


def test_search_by_name():
    assert shop.find("MUG") == ["mug"]


@pytest.mark.practitest(name="Catalog: price formatting")
@pytest.mark.parametrize(("currency", "text"), [("EUR", "8.50 €"), ("USD", "$8.50")])
def test_price_formatting(currency, text):
    assert shop.price(8.5, currency) == text


@pytest.mark.skip(reason="gift cards are not sold yet")
def test_gift_cards():
    pass


@pytest.mark.xfail(reason="bug 123: currencies other than EUR and USD")
def test_price_in_yen():
    assert shop.price(100, "JPY") == "¥100"


@pytest.mark.xfail(reason="bug 98: search ignored accents (fixed, marker not removed yet)")
def test_find_ignores_accents():
    assert shop.find("tote") == ["tote bag"]
