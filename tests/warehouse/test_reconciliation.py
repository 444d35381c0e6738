"""The sandbox's deliberate mess shows up in rpt_reconciliation and dim_customers exactly as its ground truth lists it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import duckdb
from fixtures_warehouse import BuiltWarehouse

from flows.build import run_dbt


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


def test_customers_are_due_in_the_erp_only_from_channels_that_create_them(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    # GIVEN the default: the web shop creates ERP customers, the POS and the marketplace do not; marketplace buyers
    # (relay addresses) are in no ERP record, store loyalty customers are
    buyers_unknown_to_erp = built_warehouse.sql(
        "select count(*) from core.dim_customers "
        "where erp_records = 0 and list_contains(list_transform(channel_customer_keys, "
        "lambda key: split_part(key, ':', 1)), 'marketplace')"
    )[0][0]
    assert buyers_unknown_to_erp > 0
    assert built_warehouse.sql(
        "select count(*) from marts.rpt_reconciliation where entity = 'customer' "
        "and channel_connection in ('pos', 'marketplace') and status <> 'agrees'"
    ) == [(0,)]
    # the store customers the ERP holds are compared all the same
    assert (
        built_warehouse.sql(
            "select count(*) from marts.rpt_reconciliation where entity = 'customer' and field = 'email' "
            "and channel_connection = 'pos' and status = 'agrees'"
        )[0][0]
        > 0
    )
    # WHEN the merchant turns the option around: the marketplace creates ERP customers, the web shop does not
    settings = built_warehouse.copy_to(tmp_path / "data")
    options = {"marketplace": True, "webshop": False}
    settings = replace(
        settings,
        connections={
            name: replace(conn, options={**conn.options, "create_erp_customers": options[name]})
            if name in options
            else conn
            for name, conn in settings.connections.items()
        },
    )
    run_dbt(
        settings,
        ["--select", "dim_channels", "rpt_reconciliation", "sync_dolibarr__customers"],
        command="run",
    )
    # THEN every marketplace buyer is due in the ERP, and the web customers it lacks no longer are
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        missing = con.execute(
            "select channel_connection, count(*) from marts.rpt_reconciliation "
            "where entity = 'customer' and status = 'missing_in_erp' group by all"
        ).fetchall()
        # and the push plans exactly those people, from their marketplace accounts
        planned = con.execute(
            "select channel_connection, count(*) from sync.sync_dolibarr__customers group by all"
        ).fetchall()
    assert missing == [("marketplace", buyers_unknown_to_erp)]
    assert planned == missing


def test_file_channels_find_real_status_and_amount_differences(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    # GIVEN a ticket the ERP never closed and a marketplace item the report prices 1.20 higher including tax
    settings = built_warehouse.copy_to(tmp_path / "data")
    with duckdb.connect(str(settings.warehouse_path)) as con:
        ((ticket,),) = con.execute(
            "select min(order_ref) from core.fct_order_lines where connection = 'pos'"
        ).fetchall()
        # an order whose net already differs by a rounding cent, agreed within its tolerance
        ((order_id, erp_net, channel_net),) = con.execute(
            "select record_key, erp_value, channel_value from marts.rpt_reconciliation "
            "where channel_connection = 'marketplace' and field = 'net_excl_tax' and erp_value <> channel_value "
            "and status = 'agrees' order by record_key limit 1"
        ).fetchall()
        ((item_id, quantity),) = con.execute(
            "select order_line_id, quantity from core.fct_order_lines where connection = 'marketplace' "
            "and order_ref = ? and tax_rate = 0.2 order by order_line_id limit 1",
            [order_id],
        ).fetchall()
        con.execute("update raw_erp.orders set status = 1 where ref_client = ?", [ticket])
        con.execute(
            "update raw_marketplace.marketplace_order_lines set unit_price_incl_tax = unit_price_incl_tax + 1.20 "
            "where order_line_id = ?",
            [item_id],
        )
    # WHEN the reconciliation is rebuilt (staging and the order-line branches are views over the raw tables)
    run_dbt(settings, ["--select", "rpt_reconciliation"], command="run")
    # THEN the open ERP copy of a sold ticket differs, and so does a net beyond the rounding of its prices
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        differing = con.execute(
            "select record_key, field, erp_value, channel_value from marts.rpt_reconciliation "
            "where channel_connection in ('pos', 'marketplace') and status <> 'agrees' order by field"
        ).fetchall()
    assert differing == [
        (order_id, "net_excl_tax", erp_net, f"{Decimal(channel_net) + quantity:.2f}"),
        (ticket, "status", "open", "shipped"),
    ]


def test_duplicate_person_is_one_golden_customer(built_warehouse: BuiltWarehouse) -> None:
    (duplicate,) = built_warehouse.ground_truth["duplicate_customers"]
    rows = built_warehouse.records(
        "select * from core.dim_customers where list_contains(normalized_emails, ?)",
        duplicate["normalized_email"],
    )
    assert len(rows) == 1
    person = rows[0]
    assert sorted(person["erp_customer_ids"]) == sorted(str(i) for i in duplicate["erp_thirdparty_ids"])
    # her web accounts, and the loyalty card she shows at the till (the POS files name it by her normalised
    # e-mail): one person, so the store account links to the same golden customer
    assert person["channel_customer_keys"] == [
        f"pos:{duplicate['normalized_email']}",
        *(f"webshop:{i}" for i in duplicate["shop_customer_ids"]),
    ]
    assert person["normalized_phones"] == [duplicate["normalized_phone"]]
    # every source record maps to exactly one golden customer, and no other person has two ERP records
    assert built_warehouse.sql(
        "select count(*), count(distinct customer_record_key) from core.dim_customer_links"
    )[0] == tuple([built_warehouse.sql("select count(*) from core.dim_customer_links")[0][0]] * 2)
    assert built_warehouse.sql(
        "select golden_customer_id from core.dim_customers where erp_records > 1 or channel_records > 1"
    ) == [(person["golden_customer_id"],)]


def test_channel_record_wins_over_the_erp_copy(built_warehouse: BuiltWarehouse) -> None:
    # GIVEN web orders, store tickets (POS files) and marketplace orders (order reports) that the ERP also keeps,
    # as copies whose `ref_client` is the channel's reference
    erp_copies = dict(
        built_warehouse.sql(
            "select channel, count(distinct order_key) from core.int_order_lines "
            "where connection_role = 'erp' and is_sale group by 1"
        )
    )
    assert set(erp_copies) == {"web", "store", "marketplace"}
    # THEN each order is counted once, under its channel connection: no ERP order shares a reference with a
    # channel order, and every file order found its ERP copy
    assert built_warehouse.sql(
        "select count(*) from core.fct_order_lines as erp join core.fct_order_lines as channel_line "
        "on erp.order_ref = channel_line.order_ref and erp.connection_role = 'erp' "
        "and channel_line.connection_role = 'channel'"
    ) == [(0,)]
    assert built_warehouse.sql(
        "select count(*) from core.fct_order_lines where connection in ('pos', 'marketplace') and erp_order_key is null"
    ) == [(0,)]
    counted = {
        channel_key: (orders, units)
        for channel_key, orders, units in built_warehouse.sql(
            "select channel_key, count(distinct order_key), sum(quantity) from core.fct_order_lines "
            "where is_sale group by 1"
        )
    }
    # stores and the marketplace: exactly the ERP's tickets and orders, with the same units (none twice, none lost)
    erp_units = dict(
        built_warehouse.sql(
            "select channel, sum(quantity) from core.int_order_lines where connection_role = 'erp' and is_sale "
            "group by 1"
        )
    )
    assert counted["pos"] == (erp_copies["store"], erp_units["store"])
    assert counted["marketplace"] == (erp_copies["marketplace"], erp_units["marketplace"])
    # the web shop counts its own orders: the ERP's copies plus the paid ones the ERP has not imported yet
    assert set(counted) == {"webshop", "pos", "marketplace"}
    assert counted["webshop"][0] == erp_copies["web"] + len(
        built_warehouse.ground_truth["orders_missing_in_erp"]
    )
    # the ticket sold below cost counts once, from the till's file, at the ERP's price excluding tax
    below = built_warehouse.ground_truth["below_cost_lines"][0]
    ((channel_key, net, quantity, erp_order_ref),) = built_warehouse.sql(
        "select channel_key, net_excl_tax, quantity, erp_order_ref from core.fct_order_lines "
        "where order_ref = ? and sku = ?",
        below["order_ref"],
        below["sku"],
    )
    assert (channel_key, erp_order_ref) == ("pos", below["erp_order_ref"])
    assert net == Decimal(str(below["unit_price_excl_tax"])) * quantity
