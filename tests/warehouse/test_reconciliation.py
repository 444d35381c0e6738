"""The sandbox's deliberate mess shows up in rpt_reconciliation and dim_customers exactly as its ground truth lists it."""

from __future__ import annotations

from decimal import Decimal

from fixtures_warehouse import BuiltWarehouse


def _rows(wh: BuiltWarehouse, entity: str, field: str, status: str) -> list[dict]:
    return wh.records(
        "select * from marts.rpt_reconciliation where entity = ? and field = ? and status = ? order by record_key",
        entity,
        field,
        status,
    )


def test_price_mismatches_are_exactly_the_ground_truth(built_warehouse: BuiltWarehouse) -> None:
    truth = built_warehouse.ground_truth["price_mismatches"]
    found = {
        (r["record_key"], r["erp_value"], r["channel_value"], r["channel_record_id"])
        for r in _rows(built_warehouse, "product", "price_excl_tax", "differs")
    }
    expected = {
        (
            t["sku"],
            f"{t['erp_price_excl_tax']:.2f}",
            f"{t['shop_price_excl_tax']:.2f}",
            f"{t['shop_product_id']}/{t['shop_combination_id']}",
        )
        for t in truth
    }
    assert truth and found == expected


def test_stock_mismatches_are_exactly_the_ground_truth(built_warehouse: BuiltWarehouse) -> None:
    truth = built_warehouse.ground_truth["stock_mismatches"]
    found = {
        (r["record_key"], r["erp_value"], r["channel_value"])
        for r in _rows(built_warehouse, "product", "stock_available", "differs")
    }
    expected = {(t["sku"], str(t["erp_available"]), str(t["shop_quantity"])) for t in truth}
    assert truth and found == expected
    # the channel's stock record is the one a stock push writes
    stock_ids = dict(
        built_warehouse.sql(
            "select sku, channel_stock_record_id from core.dim_product_channels where connection = 'webshop'"
        )
    )
    assert {stock_ids[t["sku"]] for t in truth} == {str(t["shop_stock_available_id"]) for t in truth}


def test_unknown_shop_sku_is_missing_in_erp_and_never_invented(built_warehouse: BuiltWarehouse) -> None:
    truth = built_warehouse.ground_truth["unknown_shop_skus"]
    found = {
        (r["channel_value"], r["channel_record_id"])
        for r in _rows(built_warehouse, "product", "record", "missing_in_erp")
    }
    assert found == {(t["sku"], f"{t['shop_product_id']}/{t['shop_combination_id']}") for t in truth}
    unknown = [t["sku"] for t in truth]
    assert built_warehouse.sql("select count(*) from core.dim_products where sku = ?", unknown[0]) == [(0,)]
    assert built_warehouse.sql(
        "select channel_sku from core.dim_channel_products_unmatched order by channel_sku"
    ) == [(sku,) for sku in sorted(unknown)]


def test_orders_and_customers_missing_in_erp(built_warehouse: BuiltWarehouse) -> None:
    truth = built_warehouse.ground_truth
    orders = {
        (r["record_key"], r["channel_record_id"])
        for r in _rows(built_warehouse, "order", "record", "missing_in_erp")
    }
    assert orders == {(t["reference"], str(t["shop_order_id"])) for t in truth["orders_missing_in_erp"]}
    customers = {
        r["channel_record_id"] for r in _rows(built_warehouse, "customer", "record", "missing_in_erp")
    }
    assert customers == {str(t["shop_customer_id"]) for t in truth["customers_missing_in_erp"]}


def test_orders_shipped_by_the_erp_but_open_in_the_shop(built_warehouse: BuiltWarehouse) -> None:
    truth = built_warehouse.ground_truth["order_status_mismatches"]
    found = {
        (r["record_key"], r["channel_record_id"], r["erp_value"], r["channel_value"])
        for r in _rows(built_warehouse, "order", "status", "differs")
    }
    assert truth and found == {(t["reference"], str(t["shop_order_id"]), "shipped", "open") for t in truth}


def test_nothing_else_differs(built_warehouse: BuiltWarehouse) -> None:
    truth = built_warehouse.ground_truth
    counts = dict(
        ((entity, field, status), n)
        for entity, field, status, n in built_warehouse.sql(
            "select entity, field, status, count(*) from marts.rpt_reconciliation "
            "where status <> 'agrees' group by all"
        )
    )
    assert counts == {
        ("product", "price_excl_tax", "differs"): len(truth["price_mismatches"]),
        ("product", "stock_available", "differs"): len(truth["stock_mismatches"]),
        ("product", "record", "missing_in_erp"): len(truth["unknown_shop_skus"]),
        ("order", "record", "missing_in_erp"): len(truth["orders_missing_in_erp"]),
        ("order", "status", "differs"): len(truth["order_status_mismatches"]),
        ("customer", "record", "missing_in_erp"): len(truth["customers_missing_in_erp"]),
    }
    # and every field was compared: each sellable ERP SKU has its price, stock and EAN checked in the shop
    checked = dict(
        built_warehouse.sql(
            "select field, count(*) from marts.rpt_reconciliation where entity = 'product' group by field"
        )
    )
    sellable = built_warehouse.sql(
        "select count(*) from core.dim_products where is_stocked_item and is_for_sale"
    )[0][0]
    assert checked["price_excl_tax"] == checked["stock_available"] == checked["ean13"] == sellable > 0


def test_duplicate_person_is_one_golden_customer(built_warehouse: BuiltWarehouse) -> None:
    (duplicate,) = built_warehouse.ground_truth["duplicate_customers"]
    rows = built_warehouse.records(
        "select * from core.dim_customers where list_contains(normalized_emails, ?)",
        duplicate["normalized_email"],
    )
    assert len(rows) == 1
    person = rows[0]
    assert sorted(person["erp_customer_ids"]) == sorted(str(i) for i in duplicate["erp_thirdparty_ids"])
    assert person["channel_customer_keys"] == [f"webshop:{i}" for i in duplicate["shop_customer_ids"]]
    assert person["normalized_phones"] == [duplicate["normalized_phone"]]
    # every source record maps to exactly one golden customer, and no other person has two ERP records
    assert built_warehouse.sql(
        "select count(*), count(distinct customer_record_key) from core.dim_customer_links"
    )[0] == tuple([built_warehouse.sql("select count(*) from core.dim_customer_links")[0][0]] * 2)
    assert built_warehouse.sql(
        "select golden_customer_id from core.dim_customers where erp_records > 1 or channel_records > 1"
    ) == [(person["golden_customer_id"],)]


def test_channel_record_wins_over_the_erp_copy(built_warehouse: BuiltWarehouse) -> None:
    # GIVEN web orders that exist in the shop and, imported, in the ERP
    copies = built_warehouse.sql(
        "select count(*) from core.fct_order_lines where connection_role = 'channel' and erp_order_key is not null"
    )[0][0]
    assert copies > 0
    # THEN each order is counted once: no ERP web order shares a reference with a shop order
    assert built_warehouse.sql(
        "select count(*) from core.fct_order_lines as erp join core.fct_order_lines as shop "
        "on erp.order_ref = shop.order_ref and erp.connection_role = 'erp' and shop.connection_role = 'channel'"
    ) == [(0,)]
    # and stores and marketplace orders, recorded only in the ERP, count under their ERP channel
    channels = dict(
        built_warehouse.sql(
            "select channel_key, count(distinct order_key) from core.fct_order_lines where is_sale group by 1"
        )
    )
    assert set(channels) == {"webshop", "erp:store", "erp:marketplace"}
    below = built_warehouse.ground_truth["below_cost_lines"][0]
    ((channel_key, net, quantity),) = built_warehouse.sql(
        "select channel_key, net_excl_tax, quantity from core.fct_order_lines where order_ref = ? and sku = ?",
        below["order_ref"],
        below["sku"],
    )
    assert (channel_key, net) == ("erp:store", Decimal(str(below["unit_price_excl_tax"])) * quantity)
