"""The push end to end on the sandbox: the plan is the ground truth, the push fixes it once, faults and conflicts."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from typing import Any

import duckdb
import pytest

from flows.config import PushSettings
from flows.errors import PushAborted
from flows.push import confirm_push, execute_push, plan_push
from warehouse.audit import ensure_audit_tables

pytestmark = pytest.mark.slow

AWAITING_BANK_WIRE = 10


def planned(plan: Any, selector: str) -> dict[str, tuple[Any, ...]]:
    """`record_key -> (before, desired)` of one entity's planned rows (one field per record here)."""
    return {
        row["record_key"]: (row["before"], row["desired"])
        for row in plan.rows()
        if row["entity"] == selector and row["status"] == "planned"
    }


def shop_units_not_in_erp(push: Any, truth: dict[str, Any]) -> Counter[str]:
    """Units per SKU on shop orders the ERP does not hold: paid and not imported, or awaiting a bank wire."""
    orders = [o["shop_order_id"] for o in truth["orders_missing_in_erp"]]
    orders += [o["id"] for o in push.rows("prestashop", "orders", current_state=AWAITING_BANK_WIRE)]
    units: Counter[str] = Counter()
    for order_id in orders:
        for line in push.rows("prestashop", "order_details", id_order=order_id):
            units[line["product_reference"]] += line["product_quantity"]
    return units


def ledger(push: Any, run_id: str) -> list[tuple[Any, ...]]:
    return push.sql(
        "select entity, record_key, field, status from audit.push_log where run_id = ? order by all", run_id
    )


def test_the_plan_is_the_ground_truth_the_push_fixes_it_and_a_second_run_writes_nothing(
    pushable: Any, built_warehouse: Any
) -> None:
    truth = built_warehouse.ground_truth
    settings = pushable.settings

    # WHEN a dry run plans the push
    plan = plan_push(settings, "dry-run")
    result = execute_push(settings, plan, dry_run=True)

    # THEN nothing at all was written to either system
    assert pushable.writes("prestashop") == [] and pushable.writes("dolibarr") == []
    assert result.writes == 0 and {o.status for o in result.outcomes} == {"planned"}
    # AND the plan is exactly the ground truth: the stock the shop shows by mistake...
    deliberate = [m for m in truth["stock_mismatches"] if m["cause"] == "deliberate"]
    assert planned(plan, "prestashop.stock") == {
        f"webshop:{m['sku']}": (str(m["shop_quantity"]), str(m["erp_available"])) for m in deliberate
    }
    # ...while the other gaps are units the shop holds for orders the ERP does not have yet: not pushed as
    # stock (the shop is right), the paid orders are imported instead
    held = shop_units_not_in_erp(pushable, truth)
    for mismatch in truth["stock_mismatches"]:
        if mismatch["cause"] == "web_order_not_in_erp":
            assert mismatch["erp_available"] - mismatch["shop_quantity"] == held[mismatch["sku"]], mismatch
    assert planned(plan, "prestashop.prices") == {
        f"webshop:{m['sku']}": (f"{m['shop_price_excl_tax']:.6f}", f"{m['erp_price_excl_tax']:.6f}")
        for m in truth["price_mismatches"]
    }
    assert {k.split(":")[1] for k in planned(plan, "dolibarr.orders")} == {
        o["reference"] for o in truth["orders_missing_in_erp"]
    }
    assert {desired for _, desired in planned(plan, "dolibarr.customers").values()} == {
        c["email"] for c in truth["customers_missing_in_erp"]
    }
    assert set(planned(plan, "dolibarr.customers")) == {
        f"webshop:{c['shop_customer_id']}" for c in truth["customers_missing_in_erp"]
    }
    # orders the ERP shipped but the shop still shows open: the carrier's tracking number, then the state
    assert {
        (row["record_key"], row["field"]): (row["before"], row["desired"])
        for row in plan.rows()
        if row["entity"] == "prestashop.order_status"
    } == {
        (f"webshop:{m['reference']}", field): change
        for m in truth["order_status_mismatches"]
        for field, change in (
            ("tracking_number", (None, m["tracking_number"])),
            ("current_state", (str(m["shop_state"]), "4")),
        )
    }
    # the shop-only product of the ground truth is never pushed anywhere: the ERP owns the catalogue
    assert planned(plan, "prestashop.products") == {}
    assert plan.held == []
    # AND the plan is stored: one ledger row per record and field, and the reports
    assert plan.changes == len(plan.records)
    assert len(ledger(pushable, "dry-run")) == len(plan.rows()) == sum(len(r.changes) for r in plan.records)
    stored = json.loads(plan.reports[0].read_text())
    assert stored["changes"] == plan.changes and len(stored["rows"]) == len(plan.rows())
    assert plan.reports[1].read_text().count("\n") == len(plan.rows()) + 1

    # WHEN the push runs for real, then confirms by re-extracting and rebuilding the sync models
    plan = plan_push(settings, "push-1")
    result = execute_push(settings, plan, dry_run=False)
    confirm = confirm_push(settings, result)

    # THEN every record was written once and the re-read shows no difference left
    assert Counter(o.status for o in result.outcomes) == {"written": plan.changes}
    assert result.writes == plan.changes
    assert confirm.confirmed and confirm.checked == plan.changes, confirm.render()
    for m in deliberate:
        [row] = pushable.rows("prestashop", "stock_availables", id=m["shop_stock_available_id"])
        assert row["quantity"] == m["erp_available"]
    for m in truth["orders_missing_in_erp"]:
        [order] = pushable.rows("dolibarr", "commande", ref_client=m["reference"])
        assert (order["fk_statut"], order["fk_warehouse"]) == (1, 1)
    for c in truth["customers_missing_in_erp"]:
        assert len(pushable.rows("dolibarr", "societe", ref_ext=f"webshop:{c['shop_customer_id']}")) == 1
    for m in truth["order_status_mismatches"]:
        [order] = pushable.rows("prestashop", "orders", id=m["shop_order_id"])
        [carrier] = pushable.rows("prestashop", "order_carriers", id_order=m["shop_order_id"])
        assert (order["current_state"], carrier["tracking_number"]) == (4, m["tracking_number"])
        assert order["shipping_number"] == m["tracking_number"]
    # AND re-extracted, shop and ERP agree: imported orders now reserve the units the shop was holding
    for mismatch in truth["stock_mismatches"]:
        [shop] = pushable.rows("prestashop", "stock_availables", id=mismatch["shop_stock_available_id"])
        [(available,)] = pushable.sql(
            "select quantity_available from core.int_channel_erp_stock where connection = 'webshop' and sku = ?",
            mismatch["sku"],
        )
        awaiting = sum(
            line["product_quantity"]
            for order in pushable.rows("prestashop", "orders", current_state=AWAITING_BANK_WIRE)
            for line in pushable.rows("prestashop", "order_details", id_order=order["id"])
            if line["product_reference"] == mismatch["sku"]
        )
        assert shop["quantity"] == available - awaiting, mismatch

    # WHEN a second run plans and pushes from the re-extracted warehouse
    requests = {system: len(pushable.admin(system).requests()) for system in ("prestashop", "dolibarr")}
    again = execute_push(settings, plan_push(settings, "push-2"), dry_run=False)

    # THEN it has nothing to do and sends nothing
    assert again.plan.changes == 0 and again.writes == 0
    assert {system: len(pushable.admin(system).requests()) for system in requests} == requests


def test_faults_during_the_push_never_write_twice_and_the_next_run_retries_the_failures(
    pushable: Any,
) -> None:
    settings = pushable.settings
    shop, erp = pushable.admin("prestashop"), pushable.admin("dolibarr")
    histories = {o: len(pushable.rows("prestashop", "order_histories", id_order=o)) for o in (952, 959, 964)}
    # GIVEN both systems fail on writes: refused (500, 429, 502, 503: not processed) or processed with the
    # answer cut half-way (truncated)
    shop.faults("status", status=500, method="PUT", path_prefix="/api/stock_availables/", count=2)
    shop.faults("truncate", method="PUT", path_prefix="/api/stock_availables/", count=1)
    shop.faults("truncate", method="PUT", path_prefix="/api/products/", count=1)
    shop.faults("truncate", method="POST", path_prefix="/api/order_histories", count=2)
    # one combination's price keeps failing: that record fails, the others go on
    shop.faults("status", status=503, method="PUT", path_prefix="/api/combinations/124", count=None)
    erp.faults(
        "status",
        status=429,
        retry_after="0",
        method="POST",
        path_prefix="/api/index.php/thirdparties",
        count=1,
    )
    erp.faults("truncate", method="POST", path_prefix="/api/index.php/thirdparties", count=3)
    erp.faults("truncate", method="POST", path_prefix="/api/index.php/orders", count=3)
    erp.faults("status", status=502, method="POST", path_prefix="/api/index.php/orders/", count=2)

    # WHEN the push runs
    plan = plan_push(settings, "faulty")
    result = execute_push(settings, plan, dry_run=False)

    # THEN every fault fired, only the always-failing record failed, the others are done
    assert all(f["count"] in (0, None) for f in shop.list_faults() + erp.list_faults())
    failed = [o for o in result.outcomes if o.status != "written"]
    assert [(o.status, o.record.record_key) for o in failed] == [("failed", "webshop:MX-LIN-00088-BLA-L")]
    assert (
        "webshop prices webshop:MX-LIN-00088-BLA-L, field price" in failed[0].error
        and "503" in failed[0].error
    )
    assert result.writes == plan.changes - 1
    # AND nothing was written twice: one ERP order per channel reference, one third party per customer, one
    # new history per shop order, although creates were answered with truncated bodies
    for key in planned(plan, "dolibarr.orders"):
        assert len(pushable.rows("dolibarr", "commande", ref_client=key.split(":")[1])) == 1
    for key in planned(plan, "dolibarr.customers"):
        assert len(pushable.rows("dolibarr", "societe", ref_ext=key)) == 1
    for order_id, count in histories.items():
        assert len(pushable.rows("prestashop", "order_histories", id_order=order_id)) == count + 1
    # the ledger has one outcome per record and field next to its planned row (the failed price has one field)
    statuses = Counter(status for *_, status in ledger(pushable, "faulty"))
    fields = len(plan.rows())
    assert fields > plan.changes  # an order moving to shipped carries its tracking number too
    assert statuses == {"planned": fields, "written": fields - 1, "failed": 1}

    # WHEN the failure is confirmed by re-reading, the faults are gone and the next run plans and pushes
    confirm = confirm_push(settings, result)
    shop.clear_faults()
    erp.clear_faults()
    mark = {system: len(pushable.admin(system).requests()) for system in ("prestashop", "dolibarr")}
    retry = execute_push(settings, plan_push(settings, "retry"), dry_run=False)

    # THEN the re-read confirmed every written record; the next run plans the failed one alone and writes it
    assert confirm.confirmed and confirm.checked == plan.changes - 1, confirm.render()
    assert [(o.status, o.record.record_key) for o in retry.outcomes] == [
        ("written", "webshop:MX-LIN-00088-BLA-L")
    ]
    assert pushable.admin("dolibarr").requests()[mark["dolibarr"] :] == []
    assert [r["method"] for r in pushable.writes("prestashop")[-1:]] == ["PUT"]


def test_a_record_changed_in_the_shop_after_extraction_is_skipped_as_a_conflict(pushable: Any) -> None:
    settings = pushable.settings
    # GIVEN after the extraction, the shop sells two units of a product whose stock the push corrects, and
    # someone saves a product whose price the push corrects
    pushable.admin("prestashop").set_row(
        "stock_availables", 430, quantity=12
    )  # MX-JAR-00186: 14 at extraction
    pushable.admin("prestashop").set_row("products", 65, date_upd="2026-11-02 10:00:00")  # MX-VAI-00065
    plan = plan_push(settings, "conflicts")

    # WHEN the push runs
    result = execute_push(settings, plan, dry_run=False)

    # THEN those two records are skipped and logged as conflicts, untouched; every other one is written
    conflicts = {o.record.record_key: o for o in result.outcomes if o.status == "conflict"}
    assert set(conflicts) == {"webshop:MX-JAR-00186", "webshop:MX-VAI-00065"}
    assert result.writes == plan.changes - 2
    assert pushable.rows("prestashop", "stock_availables", id=430)[0]["quantity"] == 12
    assert pushable.rows("prestashop", "products", id=65)[0]["price"] == 51.29
    written_paths = [r["path_and_query"] for r in pushable.writes("prestashop")]
    assert "/api/stock_availables/430" not in written_paths and "/api/products/65" not in written_paths
    logged = pushable.sql(
        "select record_key, field, before, desired, after, error from audit.push_log "
        "where run_id = 'conflicts' and status = 'conflict' order by record_key"
    )
    assert [row[:5] for row in logged] == [
        ("webshop:MX-JAR-00186", "quantity", "14", "7", "12"),
        ("webshop:MX-VAI-00065", "price", "51.290000", "55.390000", "51.290000"),
    ]
    assert "field quantity: the shop shows 12, '14' was seen at extraction" in logged[0][5]
    assert "changed since, not overwritten" in logged[1][5]


def test_a_push_over_the_cap_stops_before_any_write(pushable: Any) -> None:
    settings = replace(pushable.settings, push=PushSettings(max_changes_per_run=5))
    plan = plan_push(settings, "capped")
    assert plan.over_cap and plan.changes == 37
    # a dry run still shows (and stores) the plan
    assert execute_push(settings, plan, dry_run=True).writes == 0
    assert "37 records to change exceed push.max_changes_per_run = 5" in plan.render()
    with pytest.raises(PushAborted, match="37 records to change exceed push.max_changes_per_run = 5"):
        execute_push(settings, plan, dry_run=False)
    assert pushable.writes("prestashop") == [] and pushable.writes("dolibarr") == []


def test_quarantined_records_are_held_back(pushable: Any) -> None:
    settings = pushable.settings
    # GIVEN the quality gate of this run quarantined one stock record
    with duckdb.connect(str(settings.warehouse_path)) as con:
        ensure_audit_tables(con)
        con.execute(
            "insert into audit.quarantine (run_id, suite, expectation, model, record_key, reason) "
            "values ('gated', 'stock_levels', 'available_not_negative', 'sync_prestashop__stock', "
            "'webshop:MX-JAR-00186', 'stock below zero in the ERP')"
        )
    # WHEN the push is planned for that run, for stock and orders only
    plan = plan_push(settings, "gated", only=["prestashop.stock", "dolibarr.orders"])
    # THEN the quarantined record is held back with its reason, the rest is planned
    assert [(o.status, o.record.record_key) for o in plan.held] == [("skipped_guard", "webshop:MX-JAR-00186")]
    assert (
        "quarantined (stock_levels.available_not_negative: stock below zero in the ERP)" in plan.held[0].error
    )
    assert Counter(r.selector for r in plan.records) == {"prestashop.stock": 4, "dolibarr.orders": 10}
    assert plan.selected == ["dolibarr.orders", "prestashop.stock"]
    with pytest.raises(Exception, match="unknown push entity prestashop.stocks"):
        plan_push(settings, "gated", only=["prestashop.stocks"])


def test_a_product_missing_from_the_shop_is_created_then_stocked_and_a_shipped_order_is_booked_out(
    pushable: Any,
) -> None:
    import requests

    from flows.build import build_warehouse
    from flows.extract import extract_connection

    settings = pushable.settings
    shop = pushable.admin("prestashop")
    # GIVEN since the last run the shop lost a product the ERP sells, a combination's EAN-13 was mistyped,
    # and the shop shipped a paid order itself (the ERP never imported it)
    shop.delete_row("products", 22)  # MX-DEC-00022
    shop.set_row("combinations", 49, ean13="3760420000000")  # MX-LIN-00053-BLA-S, 3760420000826 in the ERP
    endpoint = pushable.sandbox.prestashop
    shipped = requests.post(  # TXFYIIZSE (1 x MX-LIN-00069) moved to "shipped" in the shop's back office
        f"{endpoint.url}/order_histories",
        data=b"<prestashop><order_history><id_order>1017</id_order><id_order_state>4</id_order_state>"
        b"</order_history></prestashop>",
        auth=(endpoint.key, ""),
        timeout=10,
    )
    assert shipped.status_code == 201
    extract_connection(settings.connections["webshop"], settings, sweep=True)
    build_warehouse(settings, select="+path:models/sync")
    [(on_hand,)] = pushable.sql(
        "select quantity_on_hand from core.int_channel_erp_stock where connection = 'webshop' and sku = 'MX-LIN-00069'"
    )
    # AND both systems lose the answer of one create
    shop.faults("truncate", method="POST", path_prefix="/api/products", count=1)
    pushable.admin("dolibarr").faults(
        "truncate", method="POST", path_prefix="/api/index.php/stockmovements", count=1
    )

    # WHEN the push runs, confirms, and runs again
    plan = plan_push(
        settings, "catalogue", only=["prestashop.products", "dolibarr.customers", "dolibarr.orders"]
    )
    result = execute_push(settings, plan, dry_run=False)
    confirm = confirm_push(settings, result)

    # THEN the product exists once, inactive, with the ERP's reference, EAN-13 and price; the EAN-13 is fixed
    assert {(r["record_key"], r["field"]) for r in plan.rows() if r["entity"] == "prestashop.products"} == {
        ("webshop:MX-DEC-00022", "record"),
        ("webshop:MX-LIN-00053-BLA-S", "ean13"),
    }
    assert Counter(o.status for o in result.outcomes) == {"written": plan.changes}
    [product] = pushable.rows("prestashop", "products", reference="MX-DEC-00022")
    assert (product["active"], product["ean13"], product["id_tax_rules_group"]) == (0, "3760420000338", 1)
    assert pushable.rows("prestashop", "combinations", id=49)[0]["ean13"] == "3760420000826"
    # AND the shipped order is in the ERP once, closed, its goods booked out of WH-CENTRAL once
    [order] = pushable.rows("dolibarr", "commande", ref_client="TXFYIIZSE")
    assert order["fk_statut"] == 3
    [movement] = pushable.rows("dolibarr", "stock_mouvement", inventorycode="OMNI-TXFYIIZSE-1")
    assert (movement["value"], movement["fk_entrepot"], movement["fk_origin"]) == (-1, 1, order["rowid"])
    [(after,)] = pushable.sql(
        "select quantity_on_hand from core.int_channel_erp_stock where connection = 'webshop' and sku = 'MX-LIN-00069'"
    )
    assert after == on_hand - 1
    assert confirm.confirmed and confirm.checked == plan.changes, confirm.render()
    # AND the next run gives the new product the ERP's stock (its stock row was created empty)
    stock = plan_push(settings, "stock", only=["prestashop.stock"])
    [(available,)] = pushable.sql(
        "select quantity_available from core.int_channel_erp_stock where connection = 'webshop' and sku = ?",
        "MX-DEC-00022",
    )
    assert planned(stock, "prestashop.stock")["webshop:MX-DEC-00022"] == ("0", str(int(available)))
    execute_push(settings, stock, dry_run=False)
    [row] = pushable.rows("prestashop", "stock_availables", id_product=product["id"])
    assert row["quantity"] == available > 0
