"""The Dolibarr source against the emulated ERP over real HTTP: loads, watermarks, stock, sweeps, faults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import requests
from sandbox_harness import Harness

TRUTH_KEYS = {
    "products": "products",
    "product_variants": "product_variants",
    "warehouses": "warehouses",
    "stock_movements": "stock_movements",
    "thirdparties": "thirdparties",
    "contacts": "contacts",
    "orders": "orders",
    "order_lines": "order_lines",
    "invoices": "invoices",
    "invoice_lines": "invoice_lines",
    "supplier_orders": "supplier_orders",
    "supplier_order_lines": "supplier_order_lines",
    "receptions": "receptions",
    "reception_lines": "reception_lines",
    "supplier_invoices": "supplier_invoices",
    "shipments": "shipments",
    "multicurrency_rates": "currency_rates",
}
T1 = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)
SQL = "%Y-%m-%d %H:%M:%S"


def count(h: Harness, table: str, where: str = "true") -> int:
    return h.sql(f"select count(*) from raw_erp.{table} where {where}")[0][0]


def watermark(h: Harness, resource: str = "products") -> datetime:
    return h.state("erp")["dolibarr"]["resources"][resource]["incremental"]["tms"]["last_value"]


def api_post(h: Harness, path: str, body: dict) -> requests.Response:
    endpoint = h.sandbox.dolibarr
    return requests.post(f"{endpoint.url}/{path}", json=body, headers={"DOLAPIKEY": endpoint.key}, timeout=30)


def test_first_load_matches_the_world_and_saves_the_server_clock(harness: Harness, options):
    harness.freeze("dolibarr", T1)
    mark = harness.mark("dolibarr")

    result = harness.extract("erp", options)

    truth = harness.truth("dolibarr")
    for table, key in TRUTH_KEYS.items():
        assert count(harness, table) == truth[key], table
        assert result.rows[table] == truth[key], table
    admin = harness.admin("dolibarr")
    assert count(harness, "supplier_prices") == len(admin.rows("product_fournisseur_price"))
    assert count(harness, "product_stocks") == len(admin.rows("product_stock"))
    assert count(harness, "multicurrencies") == 3
    assert not harness.secret_columns()
    # the watermark is the server clock read at the start (GET /status), products carry none
    assert watermark(harness) == T1
    assert harness.sql("select count(*) from raw_erp.products where date_modification is not null")[0][0] >= 0
    first = [
        r
        for r in harness.requests("dolibarr", mark)
        if r.path.endswith("/products") and not r.param("includestockdata")
    ]
    # ranges are fetched a few at a time, so the log order varies: take the first range
    ranged = [r for r in first if "(t.rowid:>=:1)" in (r.param("sqlfilters") or "")]
    assert len(ranged) == 1
    assert ranged[0].param("sqlfilters") == (
        "(t.tms:>=:'2000-01-01 00:00:00') and (t.tms:<=:'2026-11-29 12:00:00') "
        "and (t.rowid:>=:1) and (t.rowid:<=:20)"
    )
    assert (ranged[0].param("sortfield"), ranged[0].param("limit"), ranged[0].param("page")) == (
        "t.rowid",
        "20",
        "0",
    )
    assert ranged[0].param("properties").startswith("id,ref,ref_ext,label,")


def test_incremental_run_filters_on_tms_with_sql_strings_and_moves_the_watermark(harness: Harness, options):
    harness.freeze("dolibarr", T1)
    harness.extract("erp", options)
    before = dict(harness.sql("select id, price from raw_erp.products"))
    # GIVEN one hour later, product 5 and third party 8 changed (tms moves, the API does not return it)
    t2 = T1 + timedelta(hours=1)
    harness.freeze("dolibarr", t2)
    admin = harness.admin("dolibarr")
    admin.set_row("product", 5, price=99.5, price_ttc=119.4, tms=(t2 - timedelta(minutes=1)).strftime(SQL))
    admin.set_row(
        "societe", 8, email="new.address@example.com", tms=(t2 - timedelta(minutes=1)).strftime(SQL)
    )
    mark = harness.mark("dolibarr")

    result = harness.extract("erp", options)

    products = [r for r in harness.requests("dolibarr", mark) if r.path.endswith("/products")]
    assert products[0].param("sqlfilters") == (
        "(t.tms:>=:'2026-11-29 11:50:00') and (t.tms:<=:'2026-11-29 13:00:00') and (t.rowid:>:0)"
    )
    assert result.rows["products"] == 1 and result.rows["thirdparties"] == 1
    after = dict(harness.sql("select id, price from raw_erp.products"))
    assert len(after) == len(before)
    assert {i for i in after if after[i] != before[i]} == {5}
    assert after[5] == Decimal("99.50000000")
    assert harness.sql("select email from raw_erp.thirdparties where id = 8") == [
        ("new.address@example.com",)
    ]
    assert watermark(harness) == watermark(harness, "thirdparties") == t2


def test_a_late_change_inside_the_overlap_is_read(harness: Harness, options):
    harness.freeze("dolibarr", T1)
    harness.extract("erp", options)
    harness.freeze("dolibarr", T1 + timedelta(minutes=30))
    # GIVEN an order whose transaction committed late: stamped 5 minutes before the last watermark
    harness.admin("dolibarr").set_row(
        "commande", 3, ref_client="LATE-COMMIT", tms=(T1 - timedelta(minutes=5)).strftime(SQL)
    )

    harness.extract("erp", options)

    assert harness.sql("select ref_client from raw_erp.orders where id = 3") == [("LATE-COMMIT",)]
    assert count(harness, "orders") == harness.truth("dolibarr")["orders"]


def test_new_stock_movements_are_appended_and_refresh_the_stock_of_moved_products(harness: Harness, options):
    harness.freeze("dolibarr", T1)
    harness.extract("erp", options)
    movements = count(harness, "stock_movements")
    ((stock_before,),) = harness.sql(
        "select real from raw_erp.product_stocks where product_id = 7 and warehouse_id = 1"
    )
    # GIVEN a sale of 2 units of product 7 recorded through the API
    answer = api_post(
        harness, "stockmovements", {"product_id": 7, "warehouse_id": 1, "qty": -2, "label": "test"}
    )
    assert answer.status_code == 200
    mark = harness.mark("dolibarr")

    harness.extract("erp", {**options, "sweep_every_hours": 1000})

    assert count(harness, "stock_movements") == movements + 1
    assert harness.sql(
        "select real from raw_erp.product_stocks where product_id = 7 and warehouse_id = 1"
    ) == [(stock_before - 2,)]
    stock_reads = [r for r in harness.requests("dolibarr", mark) if r.param("includestockdata") == "1"]
    assert [r.param("sqlfilters") for r in stock_reads] == ["(t.rowid:in:7)"]
    moves = [r for r in harness.requests("dolibarr", mark) if r.path.endswith("/stockmovements")]
    assert moves[0].param("sqlfilters") == f"(t.rowid:>:{movements})"


def test_a_deleted_third_party_is_marked_by_the_sweep_only(harness: Harness, options):
    harness.freeze("dolibarr", T1)
    harness.extract("erp", options)
    harness.admin("dolibarr").delete_row("societe", 11)
    harness.freeze("dolibarr", T1 + timedelta(minutes=5))
    mark = harness.mark("dolibarr")

    harness.extract("erp", {**options, "sweep_every_hours": 1000})
    assert harness.sql("select _deleted from raw_erp.thirdparties where id = 11") == [(False,)]
    # nothing changed: the third-party list answers 404 "No third parties found", read as empty
    listed = [r for r in harness.requests("dolibarr", mark) if r.path.endswith("/thirdparties")]
    assert [r.status for r in listed] == [404]

    harness.extract("erp", options, sweep=True)
    assert harness.sql("select _deleted from raw_erp.thirdparties where id = 11") == [(True,)]
    assert count(harness, "thirdparties", "_deleted") == 1


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        ("status", {"status": 503, "path_prefix": "/api/index.php/orders", "count": 2}),
        (
            "status",
            {"status": 429, "retry_after": "1", "path_prefix": "/api/index.php/stockmovements", "count": 1},
        ),
        ("truncate", {"path_prefix": "/api/index.php/invoices", "count": 2}),
    ],
)
def test_transient_faults_are_retried_and_the_load_is_exact(harness: Harness, options, kind, spec):
    harness.admin("dolibarr").faults(kind, **spec)

    harness.extract("erp", options)

    truth = harness.truth("dolibarr")
    for table, key in TRUTH_KEYS.items():
        assert count(harness, table) == truth[key], table


def test_a_persistent_error_fails_naming_the_page_and_loads_nothing(harness: Harness, options):
    harness.freeze("dolibarr", T1)
    harness.extract("erp", options)
    state_before = harness.state("erp")
    harness.freeze("dolibarr", T1 + timedelta(hours=1))
    admin = harness.admin("dolibarr")
    admin.set_row("product", 5, label="Renamed", tms=(T1 + timedelta(minutes=30)).strftime(SQL))
    admin.faults("status", status=500, path_prefix="/api/index.php/receptions", count=None)

    from flows.extract import ExtractionFailed

    with pytest.raises(
        ExtractionFailed, match=r"connection 'erp', resource 'receptions', page 1 \(ids > 0\): HTTP 500"
    ):
        harness.extract("erp", options)
    assert harness.sql("select label from raw_erp.products where id = 5")[0][0] != "Renamed"
    assert harness.state("erp") == state_before


def test_servers_before_20_are_filtered_on_whole_days(harness: Harness, options):
    # GIVEN a Dolibarr that rejects a colon inside a sqlfilters value (versions before 20)
    harness.freeze("dolibarr", T1)
    admin = harness.admin("dolibarr")
    admin.settings(sqlfilters_colon_bug=True)
    day_options = {**options, "date_only_filters": True}
    harness.extract("erp", day_options)
    harness.freeze("dolibarr", T1 + timedelta(hours=1))
    admin.set_row("product", 6, label="Day filter", tms=(T1 + timedelta(minutes=20)).strftime(SQL))
    mark = harness.mark("dolibarr")

    harness.extract("erp", day_options)

    products = [r for r in harness.requests("dolibarr", mark) if r.path.endswith("/products")]
    assert products[0].param("sqlfilters") == (
        "(t.tms:>=:'2026-11-29') and (t.tms:<:'2026-11-30') and (t.rowid:>:0)"
    )
    assert harness.sql("select label from raw_erp.products where id = 6") == [("Day filter",)]
    assert count(harness, "products") == harness.truth("dolibarr")["products"]


def test_supplier_prices_are_listed_across_products_and_a_page_short_of_products_is_not_the_last(
    harness: Harness, options
):
    admin = harness.admin("dolibarr")
    prices = admin.rows("product_fournisseur_price")
    # GIVEN the first product with a price gets the second product's price too: two prices, two join rows
    first, second = prices[0], prices[1]
    admin.set_row("product_fournisseur_price", second["rowid"], fk_product=first["fk_product"])
    mark = harness.mark("dolibarr")

    harness.extract("erp", options)

    # THEN every price is loaded, under its product, from the list route alone
    loaded = dict(harness.sql("select product_fourn_price_id, fk_product from raw_erp.supplier_prices"))
    assert loaded == {p["rowid"]: p["fk_product"] for p in prices} | {second["rowid"]: first["fk_product"]}
    listed = [r for r in harness.requests("dolibarr", mark) if "purchase_prices" in r.path]
    assert {r.path for r in listed} == {"/api/index.php/products/purchase_prices"}
    # the first page held 49 products for 50 prices: paging went on by product rowid to the empty answer
    products = sorted({p["fk_product"] for p in prices if p["rowid"] != second["rowid"]})
    pages = [products[:49], *(products[i : i + 50] for i in range(49, len(products), 50))]
    expected = [0, *(page[-1] for page in pages)]
    assert len(pages) > 1
    assert [r.param("sqlfilters") for r in listed] == [f"(t.rowid:>:{last})" for last in expected]
    assert all(r.param("limit") == "50" and r.param("sortfield") == "t.rowid" for r in listed)


def test_a_server_without_the_purchase_prices_list_is_read_product_by_product(harness: Harness, options):
    # GIVEN a Dolibarr that has no `GET /products/purchase_prices` route (before 11)
    harness.admin("dolibarr").faults(
        "status", status=404, path_prefix="/api/index.php/products/purchase_prices", count=1
    )
    mark = harness.mark("dolibarr")

    harness.extract("erp", options)

    prices = harness.admin("dolibarr").rows("product_fournisseur_price")
    assert count(harness, "supplier_prices") == len(prices)
    per_product = [r.path for r in harness.requests("dolibarr", mark) if r.path.endswith("/purchase_prices")][
        1:
    ]
    assert len(per_product) == count(harness, "products")
    assert all(p.startswith("/api/index.php/products/") for p in per_product)


def test_shipments_are_read_by_tms_window_and_carry_the_tracking_number(harness: Harness, options):
    harness.freeze("dolibarr", T1)
    harness.extract("erp", options)
    admin = harness.admin("dolibarr")
    shipped = admin.rows("expedition", rowid=2)[0]
    assert harness.sql("select tracking_number, origin_id from raw_erp.shipments where id = 2") == [
        (shipped["tracking_number"], shipped["origin_id"])
    ]
    # GIVEN half an hour later, the carrier's number of shipment 2 is corrected in the ERP
    harness.freeze("dolibarr", T1 + timedelta(minutes=30))
    admin.set_row(
        "expedition", 2, tracking_number="XW123456789FR", tms=(T1 + timedelta(minutes=20)).strftime(SQL)
    )
    mark = harness.mark("dolibarr")

    result = harness.extract("erp", {**options, "sweep_every_hours": 1000})

    listed = [r for r in harness.requests("dolibarr", mark) if r.path.endswith("/shipments")]
    assert [r.param("sqlfilters") for r in listed] == [
        "(t.tms:>=:'2026-11-29 11:50:00') and (t.tms:<=:'2026-11-29 12:30:00') and (t.rowid:>:0)"
    ]
    assert "lines" not in listed[0].param("properties").split(",")
    assert result.rows["shipments"] == 1
    assert harness.sql("select tracking_number from raw_erp.shipments where id = 2") == [("XW123456789FR",)]
    assert count(harness, "shipments") == harness.truth("dolibarr")["shipments"]
