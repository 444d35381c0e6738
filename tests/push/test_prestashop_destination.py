"""The PrestaShop destination against the emulated 8.1.2 webservice over HTTP: writes, freshness, faults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from push_helpers import write_all

from destinations._common.records import FieldChange, SyncRecord
from flows.push import open_destination

# Seed 42, scale 1: a simple product, a combination and its product, a shipped-by-the-ERP order (state 3).
STOCK_ID = "27"  # stock row of a combination: 5 units
SIMPLE_PRODUCT = "22"  # MX-DEC-00022, 21.00 excl. tax, date_upd 2026-03-22 08:00:00 Paris
COMBINATION, PARENT = "49", "53"  # MX-LIN-00053-BLA-S: impact 0.00 on a 28.79 product
ORDER = "952"  # "processing" (3) in the shop, shipped in the ERP


def record(entity: str, key: str, target_id: str | None, changes: list[FieldChange], **kw: Any) -> SyncRecord:
    return SyncRecord(
        model=f"sync_prestashop__{entity}",
        target="prestashop",
        connection="webshop",
        entity=entity,
        record_key=f"webshop:{key}",
        target_id=target_id,
        changes=changes,
        **kw,
    )


def stock(before: str, desired: str) -> SyncRecord:
    return record(
        "stock",
        "MX-SDB-00015-ROS",
        STOCK_ID,
        [FieldChange("quantity", before, desired)],
        payload={"erp_available": int(desired), "safety_buffer": 0},
    )


def simple_price(seen_updated_at: datetime) -> SyncRecord:
    """The simple product's price, 21.00 at extraction, to become 22.05."""
    return record(
        "prices",
        "MX-DEC-00022",
        SIMPLE_PRODUCT,
        [FieldChange("price", "21.000000", "22.050000")],
        seen_updated_at=seen_updated_at,
        payload={"resource": "products", "product_id": SIMPLE_PRODUCT},
    )


def paths(requests: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(r["method"], unquote(r["path_and_query"])) for r in requests]


def test_stock_is_written_by_a_put_of_the_whole_record_between_two_batch_reads(shop_and_erp) -> None:
    # GIVEN a stock record of 5 units, as extracted; the key may not PATCH
    before = shop_and_erp.rows("prestashop", "stock_availables", id=int(STOCK_ID))[0]
    destination = open_destination(shop_and_erp.settings.connections["webshop"])
    # WHEN the push sets it to 9
    outcomes = write_all(destination, [stock("5", "9")])
    # THEN it is written, re-read, and nothing else of the record changed (a PUT omitting a field empties it)
    assert [(o.status, o.after, o.error) for o in outcomes] == [("written", {"quantity": "9"}, None)]
    assert shop_and_erp.rows("prestashop", "stock_availables", id=int(STOCK_ID))[0] == {
        **before,
        "quantity": 9,
    }
    assert paths(shop_and_erp.admin("prestashop").requests()) == [
        ("GET", "/api/stock_availables?output_format=JSON&display=full&filter[id]=[27]"),
        ("GET", "/api/"),
        ("PUT", "/api/stock_availables/27"),
        ("GET", "/api/stock_availables?output_format=JSON&display=[id,quantity]&filter[id]=[27]"),
    ]
    assert destination.calls == 4


def test_stock_uses_patch_when_the_key_is_granted_it(shop_and_erp) -> None:
    shop_and_erp.admin("prestashop").settings(patch_allowed=True)
    destination = open_destination(shop_and_erp.settings.connections["webshop"])
    outcomes = write_all(destination, [stock("5", "2")])
    assert [o.status for o in outcomes] == ["written"]
    assert shop_and_erp.rows("prestashop", "stock_availables", id=int(STOCK_ID))[0]["quantity"] == 2
    assert [m for m, _ in paths(shop_and_erp.writes("prestashop"))] == ["PATCH"]


def test_a_stock_changed_since_extraction_is_a_conflict_and_is_not_written(shop_and_erp) -> None:
    # GIVEN the extraction saw 3 units, but the shop holds 5 now (a sale, a manual edit)
    destination = open_destination(shop_and_erp.settings.connections["webshop"])
    # WHEN the push wants 9
    outcomes = write_all(destination, [stock("3", "9")])
    # THEN the record is skipped as a conflict naming the record and the field, and the shop keeps its 5
    assert [o.status for o in outcomes] == ["conflict"]
    assert "webshop stock webshop:MX-SDB-00015-ROS, field quantity" in outcomes[0].error
    assert outcomes[0].after == {"quantity": "5"}
    assert shop_and_erp.rows("prestashop", "stock_availables", id=int(STOCK_ID))[0]["quantity"] == 5
    assert shop_and_erp.writes("prestashop") == []


def test_a_stock_already_at_the_desired_value_is_unchanged(shop_and_erp) -> None:
    destination = open_destination(shop_and_erp.settings.connections["webshop"])
    outcomes = write_all(destination, [stock("3", "5")])
    assert [o.status for o in outcomes] == ["unchanged"]
    assert shop_and_erp.writes("prestashop") == []


def test_stock_writes_survive_500_429_and_a_truncated_answer(shop_and_erp) -> None:
    # GIVEN the shop answers the first PUT with a 500, the second with a 429, the third with half a body
    admin = shop_and_erp.admin("prestashop")
    admin.faults("status", status=500, path_prefix="/api/stock_availables/", method="PUT", count=1)
    admin.faults(
        "status", status=429, retry_after="0", path_prefix="/api/stock_availables/", method="PUT", count=1
    )
    admin.faults("truncate", path_prefix="/api/stock_availables/", method="PUT", count=1)
    destination = open_destination(shop_and_erp.settings.connections["webshop"])
    # WHEN the push writes
    outcomes = write_all(destination, [stock("5", "11")])
    # THEN the PUT (idempotent: the whole value) was repeated until an answer came, and the record is written
    assert [o.status for o in outcomes] == ["written"]
    assert shop_and_erp.rows("prestashop", "stock_availables", id=int(STOCK_ID))[0]["quantity"] == 11
    puts = [(r["status"], r.get("fault")) for r in shop_and_erp.writes("prestashop")]
    assert puts == [(500, "status"), (429, "status"), (200, "truncate"), (200, None)]


def test_a_simple_product_price_is_written_after_checking_its_date_upd(shop_and_erp) -> None:
    price = simple_price(seen_updated_at=datetime(2026, 3, 22, 7, 0, tzinfo=UTC))  # 08:00 in Paris, as staged
    before = shop_and_erp.rows("prestashop", "products", id=int(SIMPLE_PRODUCT))[0]
    destination = open_destination(shop_and_erp.settings.connections["webshop"])
    outcomes = write_all(destination, [price])
    assert [(o.status, o.after) for o in outcomes] == [("written", {"price": "22.050000"})]
    after = shop_and_erp.rows("prestashop", "products", id=int(SIMPLE_PRODUCT))[0]
    # only the price and the bumped date_upd moved: the read-modify-write kept every other field and the names
    assert {k: v for k, v in after.items() if after[k] != before[k]}.keys() == {"price", "date_upd"}
    assert after["price"] == 22.05
    names = {
        r["id_lang"]: r["name"]
        for r in shop_and_erp.rows("prestashop", "products_lang", id=int(SIMPLE_PRODUCT))
    }
    assert names == {1: "Horloge Sauge", 2: "Horloge Sauge"}


def test_a_product_edited_since_extraction_is_a_conflict_even_with_the_same_price(shop_and_erp) -> None:
    # GIVEN the product was saved in the shop after the extraction (its date_upd moved), price unchanged
    price = simple_price(seen_updated_at=datetime(2026, 3, 22, 6, 0, tzinfo=UTC))
    destination = open_destination(shop_and_erp.settings.connections["webshop"])
    outcomes = write_all(destination, [price])
    assert [o.status for o in outcomes] == ["conflict"]
    assert shop_and_erp.writes("prestashop") == []
    assert shop_and_erp.rows("prestashop", "products", id=int(SIMPLE_PRODUCT))[0]["price"] == 21.0


def test_a_combination_price_is_written_as_its_impact_on_the_product_price(shop_and_erp) -> None:
    price = record(
        "prices",
        "MX-LIN-00053-BLA-S",
        COMBINATION,
        [FieldChange("price", "28.790000", "31.090000")],
        payload={"resource": "combinations", "product_id": PARENT},
    )
    destination = open_destination(shop_and_erp.settings.connections["webshop"])
    outcomes = write_all(destination, [price])
    assert [(o.status, o.after) for o in outcomes] == [("written", {"price": "31.090000"})]
    assert round(shop_and_erp.rows("prestashop", "combinations", id=int(COMBINATION))[0]["price"], 6) == 2.3
    assert shop_and_erp.rows("prestashop", "products", id=int(PARENT))[0]["price"] == 28.79


def test_an_order_state_is_added_once_even_when_the_answer_is_lost(shop_and_erp) -> None:
    # GIVEN the shop processes the order history but the answer is cut half-way
    admin = shop_and_erp.admin("prestashop")
    admin.faults("truncate", path_prefix="/api/order_histories", method="POST", count=1)
    histories = len(shop_and_erp.rows("prestashop", "order_histories", id_order=int(ORDER)))
    status = record("order_status", "VGXEXANOZ", ORDER, [FieldChange("current_state", "3", "4")])
    destination = open_destination(shop_and_erp.settings.connections["webshop"])
    # WHEN the push moves the order to "shipped"
    outcomes = write_all(destination, [status])
    # THEN the order is shipped, with exactly one new history: the lost answer was checked, not re-sent
    assert [(o.status, o.after["current_state"]) for o in outcomes] == [("written", "4")]
    rows = shop_and_erp.rows("prestashop", "order_histories", id_order=int(ORDER))
    assert len(rows) == histories + 1 and rows[-1]["id_order_state"] == 4
    assert shop_and_erp.rows("prestashop", "orders", id=int(ORDER))[0]["current_state"] == 4
    assert [(r["method"], r.get("fault")) for r in shop_and_erp.writes("prestashop")] == [
        ("POST", "truncate")
    ]


def test_a_missing_product_is_created_inactive_once(shop_and_erp) -> None:
    # GIVEN the first create's answer is lost after the shop saved the product
    shop_and_erp.admin("prestashop").faults("truncate", path_prefix="/api/products", method="POST", count=1)
    create = record(
        "products",
        "MX-NEW-00001",
        None,
        [FieldChange("record", None, "MX-NEW-00001")],
        payload={
            "sku": "MX-NEW-00001",
            "ean13": "3760420099999",
            "name": "Vase Nouveau",
            "link_rewrite": "vase-nouveau",
            "price": "19.900000",
            "weight_kg": 0.8,
            "tax_rules_group_id": 1,
            "language_ids": [1, 2],
        },
    )
    destination = open_destination(shop_and_erp.settings.connections["webshop"])
    # WHEN the push creates it, then runs again
    first = write_all(destination, [create])
    second = write_all(destination, [create])
    # THEN exactly one product exists, inactive, with the ERP's reference, EAN-13, price and both names
    products = shop_and_erp.rows("prestashop", "products", reference="MX-NEW-00001")
    assert len(products) == 1
    product = products[0]
    assert (product["active"], product["ean13"], product["price"], product["state"]) == (
        0,
        "3760420099999",
        19.9,
        1,
    )
    assert [o.status for o in first] == ["written"] and [o.status for o in second] == ["unchanged"]
    assert first[0].after == {"record": str(product["id"])}
    names = {
        r["id_lang"]: r["name"] for r in shop_and_erp.rows("prestashop", "products_lang", id=product["id"])
    }
    assert names == {1: "Vase Nouveau", 2: "Vase Nouveau"}
    assert len(shop_and_erp.rows("prestashop", "stock_availables", id_product=product["id"])) == 1


def test_a_tracking_number_is_set_on_the_order_carrier_before_the_state_moves(shop_and_erp) -> None:
    status = record(
        "order_status",
        "VGXEXANOZ",
        ORDER,
        [FieldChange("tracking_number", None, "6A68637904081"), FieldChange("current_state", "3", "4")],
        payload={"order_carrier_id": ORDER},
    )
    carrier = shop_and_erp.rows("prestashop", "order_carriers", id=int(ORDER))[0]
    destination = open_destination(shop_and_erp.settings.connections["webshop"])
    outcomes = write_all(destination, [status])
    assert [(o.status, o.after) for o in outcomes] == [
        ("written", {"current_state": "4", "tracking_number": "6A68637904081"})
    ]
    assert shop_and_erp.rows("prestashop", "order_carriers", id=int(ORDER))[0] == {
        **carrier,
        "tracking_number": "6A68637904081",
    }
    order = shop_and_erp.rows("prestashop", "orders", id=int(ORDER))[0]
    assert (order["shipping_number"], order["current_state"]) == ("6A68637904081", 4)
    assert paths(shop_and_erp.writes("prestashop")) == [
        ("PUT", "/api/order_carriers/952"),
        ("POST", "/api/order_histories?sendemail=1"),
    ]
