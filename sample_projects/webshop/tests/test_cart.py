from pytest_practitest import step


def test_add_an_item(cart):
    with step("open the mug's page", expected="price 8.50 shown"):
        assert "mug" in __import__("shop").CATALOG
    with step("add two mugs to the cart"):
        cart.add("mug", 2)
    with step("check the total", expected="17.00"):
        assert cart.total() == 17.00


def test_remove_an_item(cart):
    cart.add("mug")
    cart.add("poster")
    with step("remove the poster"):
        cart.remove("poster")
    with step("check the total", expected="8.50"):
        assert cart.total() == 8.50
