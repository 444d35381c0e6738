"""Typing of real PrestaShop 8.1.2 and Dolibarr 23.0.1 bodies: values, zones, languages, secrets, failures."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import orjson
import pytest
from recorded_exchanges import body

from sources._common.columns import Conversion, ConversionError, table
from sources._common.errors import SourceError
from sources.dolibarr import settings as doli
from sources.dolibarr.helpers import rows_of as dolibarr_rows
from sources.dolibarr.helpers import stock_rows, with_status
from sources.prestashop import settings as ps
from sources.prestashop.helpers import rows_of as prestashop_rows

NEW_YORK = Conversion(timezone="America/New_York", money_scale=ps.MONEY_SCALE, default_language=1)
DOLIBARR = Conversion(timezone="UTC", money_scale=doli.MONEY_SCALE)


def test_prestashop_products_are_typed_with_shop_time_converted_to_utc():
    # GIVEN a display=full product page of a shop set to America/New_York (integers as numbers,
    # decimals as strings, one language so multilingual fields are plain strings)
    rows = prestashop_rows(body("prestashop", "products.list-full-json.200"), "products", "shop", "page 1")
    # WHEN typed
    products = ps.PRODUCTS.to_arrow(rows, NEW_YORK).to_pylist()
    # THEN money is exact, local 02:06:52 is 07:06:52 UTC, names are kept per language
    first = products[0]
    assert first["id"] == 1
    assert first["price"] == Decimal("23.900000")
    assert first["wholesale_price"] == Decimal("5.490000")
    assert first["date_upd"] == datetime(2026, 11, 29, 7, 6, 52, tzinfo=UTC)
    assert orjson.loads(first["name"]) == {"1": "Hummingbird printed t-shirt"}
    assert first["active"] is True and first["on_sale"] is False
    assert first["available_date"] is None  # 0000-00-00
    assert first["_deleted"] is False
    assert set(products[0]) == {*ps.PRODUCTS.column_names, "_deleted"}


def test_prestashop_two_languages_are_kept_per_language():
    rows = prestashop_rows(
        body("prestashop", "products.get-two-languages-json.200"), "products", "shop", "p1"
    )
    spec = table("products", {"id": "int", "name": "lang", "link_rewrite": "lang"})
    (product,) = spec.to_arrow(rows, NEW_YORK).to_pylist()
    assert orjson.loads(product["name"]) == {
        "1": "Hummingbird printed t-shirt",
        "2": "Hummingbird printed t-shirt",
    }


def test_prestashop_order_list_types_totals_and_rows():
    rows = prestashop_rows(body("prestashop", "orders.list-full-json.200"), "orders", "shop", "p1")
    (order,) = ps.ORDERS.to_arrow(rows, NEW_YORK).to_pylist()
    assert order["total_paid_tax_incl"] == Decimal("68.200000")
    assert order["valid"] is False and order["current_state"] == 6
    assert order["invoice_date"] is None
    assert "secure_key" not in order
    lines = [{**r, "id_order": o["id"]} for o in rows for r in o["associations"]["order_rows"]]
    typed = ps.ORDER_ROWS.to_arrow(lines, NEW_YORK).to_pylist()
    assert [(r["id"], r["id_order"], r["product_attribute_id"], r["unit_price_tax_incl"]) for r in typed] == [
        (1, 1, 1, Decimal("23.900000")),
        (2, 1, 9, Decimal("35.900000")),
    ]


def test_prestashop_secret_fields_never_become_columns():
    # GIVEN a customer as PrestaShop returns it (passwd hash, secure_key, reset fields)
    customer = body("prestashop", "customers.get-json.200")["customer"]
    assert {"passwd", "secure_key", "last_passwd_gen"} <= set(customer)
    # THEN typing keeps only declared columns, and no table may declare a secret
    (row,) = ps.CUSTOMERS.to_arrow([customer], NEW_YORK).to_pylist()
    assert not {"passwd", "secure_key", "last_passwd_gen", "reset_password_validity"} & set(row)
    assert row["email"] == "pub@prestashop.com" and row["birthday"].isoformat() == "1970-01-15"
    with pytest.raises(ValueError, match="secret"):
        table("customers", {"id": "int", "passwd": "text"})


def test_prestashop_empty_lists_in_both_shapes():
    assert prestashop_rows(body("prestashop", "products.list-empty-json.200"), "products", "shop", "p1") == []
    assert prestashop_rows({"products": []}, "products", "shop", "p1") == []
    with pytest.raises(SourceError, match="connection 'shop', resource 'products', p1"):
        prestashop_rows({"errors": [{"code": 1}]}, "products", "shop", "p1")


def test_prestashop_combination_default_on_blank_is_false():
    rows = prestashop_rows(
        body("prestashop", "combinations.list-product-json.200"), "combinations", "shop", "p1"
    )
    typed = ps.COMBINATIONS.to_arrow(rows, NEW_YORK).to_pylist()
    assert [c["default_on"] for c in typed] == [True, False, False]
    assert typed[0]["price"] == Decimal("0")


def test_dolibarr_products_numbers_as_strings_and_empty_modification_date():
    rows = dolibarr_rows(body("dolibarr", "products.list-page0.200"), "products", "erp", "p1")
    products = doli.PRODUCTS.to_arrow([with_status(r) for r in rows], DOLIBARR).to_pylist()
    assert [(p["id"], p["ref"], p["price"], p["stock_reel"]) for p in products] == [
        (1, "PEER-WIDGET-A", Decimal("10.00000000"), Decimal("95")),
        (2, "PEER-WIDGET-B", products[1]["price"], products[1]["stock_reel"]),
    ]
    assert products[0]["date_creation"] == datetime.fromtimestamp(1795936189, UTC)
    assert products[0]["date_modification"] is None  # "" on 23.0.1 without an extrafields row
    assert products[0]["array_options"] == "[]"


def test_dolibarr_orders_and_lines():
    rows = dolibarr_rows(body("dolibarr", "orders.list-sqlfilters.200"), "orders", "erp", "p1")
    (order,) = doli.ORDERS.to_arrow([with_status(r) for r in rows], DOLIBARR).to_pylist()
    assert (order["ref"], order["status"], order["ref_client"]) == ("SO2611-0001", 1, "ACME-PO-1001")
    assert order["total_ht"] == Decimal("149.99000000") and order["delivery_date"] is None
    lines = [{**line, "fk_commande": o["id"]} for o in rows for line in o["lines"]]
    typed = doli.ORDER_LINES.to_arrow(lines, DOLIBARR).to_pylist()
    assert typed[0]["fk_commande"] == 1 and typed[0]["qty"] == Decimal("5")


def test_dolibarr_written_objects_carry_json_numbers():
    # the createfromorder answer is built in memory: ids and totals are JSON numbers, not strings
    invoice = body("dolibarr", "invoices.createfromorder.200")
    (typed,) = doli.INVOICES.to_arrow([with_status(invoice)], DOLIBARR).to_pylist()
    assert typed["id"] == 1 and typed["total_ht"] == Decimal("149.99")


def test_dolibarr_warehouse_dates_are_sql_strings():
    rows = dolibarr_rows(body("dolibarr", "warehouses.list.200"), "warehouses", "erp", "p1")
    (warehouse,) = doli.WAREHOUSES.to_arrow([with_status(r) for r in rows], DOLIBARR).to_pylist()
    assert warehouse["date_creation"] == datetime(2026, 11, 29, 7, 9, 49, tzinfo=UTC)
    assert warehouse["ref"] == "WH-MAIN" and warehouse["status"] == 1


def test_dolibarr_stock_per_warehouse():
    product = body("dolibarr", "products.get.200")
    rows = stock_rows([product])
    assert rows == [{"product_id": "1", "warehouse_id": "1", "real": "95"}]
    typed = doli.PRODUCT_STOCKS.to_arrow(rows, DOLIBARR).to_pylist()
    assert typed == [{"product_id": 1, "warehouse_id": 1, "real": Decimal("95"), "_deleted": False}]


def test_a_bad_value_names_the_record_and_the_field():
    rows = [{"id": 7, "price": "12.5"}, {"id": 8, "price": "twelve"}]
    spec = table("products", {"id": "int", "price": "money"})
    with pytest.raises(ConversionError, match=r"record id=8, field 'price': 'twelve' is not a decimal"):
        spec.to_arrow(rows, NEW_YORK)


def test_more_decimals_than_kept_are_rounded_half_even():
    spec = table("taxes", {"id": "int", "rate": "dec"})
    rows = [{"id": 1, "rate": "5.5000005"}, {"id": 2, "rate": "5.5000015"}, {"id": 3, "rate": 19.6}]
    assert [r["rate"] for r in spec.to_arrow(rows, NEW_YORK).to_pylist()] == [
        Decimal("5.500000"),
        Decimal("5.500002"),
        Decimal("19.600000"),
    ]


def test_a_missing_key_is_an_error():
    spec = table("products", {"id": "int", "ref": "text"})
    with pytest.raises(ConversionError, match="field 'id'"):
        spec.to_arrow([{"id": None, "ref": "A"}], NEW_YORK)


def test_autumn_repeated_hour_reads_as_its_first_occurrence():
    spec = table("orders", {"id": "int", "date_upd": "local_ts"})
    paris = Conversion(timezone="Europe/Paris")
    rows = [{"id": 1, "date_upd": "2026-10-25 02:30:00"}, {"id": 2, "date_upd": "2026-03-29 02:30:00"}]
    typed = spec.to_arrow(rows, paris).to_pylist()
    assert typed[0]["date_upd"] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    assert typed[1]["date_upd"] == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # skipped hour: its end
