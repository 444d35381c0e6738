"""Real client libraries drive the emulators: prestapyt (PrestaShop) and dolibarrpy (Dolibarr)."""

from __future__ import annotations

import warnings

import pytest
import requests
from dolibarrpy import Dolibarrpy, OrderFilter, ProductFilter, ThirdpartyFilter
from prestapyt import PrestaShopWebServiceDict, PrestaShopWebServiceError

from sandbox import Sandbox


@pytest.fixture
def prestashop(fresh_sandbox: Sandbox) -> PrestaShopWebServiceDict:
    warnings.simplefilter("ignore")  # prestapyt warns that it does not know 8.1.2 yet
    return PrestaShopWebServiceDict(fresh_sandbox.prestashop.url + "/", fresh_sandbox.prestashop.key)


def test_prestapyt_search_get_edit_add_delete(
    prestashop: PrestaShopWebServiceDict, fresh_sandbox: Sandbox
) -> None:
    assert prestashop.search("products", options={"limit": "0,3"}) == [1, 2, 3]
    truth = fresh_sandbox.ground_truth()
    assert len(prestashop.search("orders")) == truth["counts"]["prestashop"]["orders"]
    # A stock row edited the read-modify-write way, through the library's own XML round trip.
    row = prestashop.get("stock_availables", 1)
    row["stock_available"]["quantity"] = "42"
    prestashop.edit("stock_availables", row)
    assert prestashop.get("stock_availables", 1)["stock_available"]["quantity"] == "42"
    # The product as read cannot be sent back: read-only fields must go first (code 93).
    product = prestashop.get("products", 2)
    with pytest.raises(PrestaShopWebServiceError) as refused:
        prestashop.edit("products", product)
    assert str(refused.value.ps_error_code) == "93"
    for read_only in ("manufacturer_name", "quantity"):
        del product["product"][read_only]
    product["product"]["price"] = "31.500000"
    prestashop.edit("products", product)
    assert prestashop.get("products", 2)["product"]["price"] == "31.500000"
    # Create from the blank schema, then delete.
    blank = prestashop.get("customers", options={"schema": "blank"})
    blank["customer"].update(
        {
            "passwd": "S3cret-Passw0rd",
            "lastname": "Lib",
            "firstname": "Presta",
            "email": "presta.lib@example.com",
            "active": "1",
        }
    )
    created = prestashop.add("customers", blank)
    new_id = int(created["prestashop"]["customer"]["id"])
    assert prestashop.search("customers", options={"filter[email]": "[presta.lib@example.com]"}) == [new_id]
    prestashop.delete("customers", new_id)
    assert prestashop.search("customers", options={"filter[email]": "[presta.lib@example.com]"}) == []


def test_dolibarrpy_reads_pages_and_writes(fresh_sandbox: Sandbox) -> None:
    erp = fresh_sandbox.dolibarr
    client = Dolibarrpy(erp.url + "/", erp.key, timeout=30, debug=False)
    counts = fresh_sandbox.ground_truth()["counts"]["dolibarr"]
    assert client.get_status()["success"]["dolibarr_version"] == "23.0.1"
    products = client.find_all_products_services(ProductFilter(limit=200, sortfield="t.rowid"))
    assert len(products) == counts["products"]
    first = client.get_product_by_ref(products[0]["ref"])
    assert first["id"] == products[0]["id"]
    customers = client.find_some_thirdparty(ThirdpartyFilter(mode=1, limit=100), page=0)
    assert len(customers) == 100 and all(c["client"] in ("1", "3") for c in customers)
    # As against a real 23.0.1 server, the library's find_all stumbles on the 404 that thirdparties answer
    # for a page past the last one (it raises instead of stopping).
    with pytest.raises(requests.HTTPError, match="404"):
        client.find_all_thirdparty(ThirdpartyFilter(mode=1, limit=100))
    new_id = client.create_thirdparties({"name": "Dolibarrpy Client", "client": "1", "code_client": "-1"})
    assert client.get_thirdparty_by_tid(new_id)["name"] == "Dolibarrpy Client"
    validated = client.find_all_orders(OrderFilter(limit=100, sqlfilters="(t.fk_statut:=:1)"))
    assert validated and all(o["status"] == "1" for o in validated)
    lines = client.get_order_lines_by_oid(validated[0]["id"])
    assert [line["id"] for line in lines] == [line["id"] for line in validated[0]["lines"]]
