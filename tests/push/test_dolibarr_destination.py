"""The Dolibarr destination against the emulated 23.0.1 REST API over HTTP: nothing is ever written twice."""

from __future__ import annotations

from typing import Any

from push_helpers import write_all

from destinations._common.records import FieldChange, SyncRecord
from destinations.dolibarr import movement_code
from flows.push import open_destination

# Seed 42, scale 1: an ERP customer, two products of WH-CENTRAL (id 1).
KNOWN_CUSTOMER = 17  # Agathe Laurent, agathe.laurent.1@courriel.fr
VASE, VASE_STOCK = 121, 2.0  # MX-VAI-00065: 2 units in WH-CENTRAL
LANTERN = 133  # MX-JAR-00070-ROS-L


def customer(key: str = "webshop:900", email: str = "nina.morel.900@exemple.fr") -> SyncRecord:
    return SyncRecord(
        model="sync_dolibarr__customers",
        target="dolibarr",
        connection="erp",
        entity="customers",
        record_key=key,
        target_id=None,
        changes=[FieldChange("record", None, email)],
        payload={
            "channel_key": key,
            "name": "Nina MOREL",
            "email": email,
            "phone": "06 11 22 33 44",
            "address": "3 rue des Lilas",
            "zip": "69003",
            "town": "Lyon",
        },
    )


def order(
    ref: str = "QWERTYUIO", *, shipped_by_channel: bool = False, socid: Any = KNOWN_CUSTOMER
) -> SyncRecord:
    return SyncRecord(
        model="sync_dolibarr__orders",
        target="dolibarr",
        connection="erp",
        entity="orders",
        record_key=f"webshop:{ref}",
        target_id=None,
        changes=[FieldChange("record", None, f"{ref}: 2 line(s)")],
        payload={
            "ref_client": ref,
            "channel_connection": "webshop",
            "channel": "web",
            "fulfillment": "ship",
            "ordered_at_unix": 1793440800,
            "warehouse_id": "1",
            "shipped_by_channel": shipped_by_channel,
            "customer": {"channel_key": "webshop:1", "erp_thirdparty_id": socid, "email": None},
            "lines": [
                {
                    "sku": "MX-VAI-00065",
                    "erp_product_id": str(VASE),
                    "quantity": 1,
                    "unit_price_excl_tax": 55.39,
                    "discount_percent": 0,
                    "vat_rate_percent": 20,
                },
                {
                    "sku": "MX-JAR-00070-ROS-L",
                    "erp_product_id": str(LANTERN),
                    "quantity": 2,
                    "unit_price_excl_tax": 22.05,
                    "discount_percent": 10,
                    "vat_rate_percent": 20,
                },
            ],
            "shipping": {"price_excl_tax": 4.083333, "vat_rate_percent": 20},
            "unknown_skus": [],
        },
    )


def erp_writes(push) -> list[tuple[str, str, Any]]:
    return [(r["method"], r["path_and_query"].split("?")[0], r.get("fault")) for r in push.writes("dolibarr")]


def test_a_new_customer_is_created_once_with_an_automatic_code(shop_and_erp) -> None:
    destination = open_destination(shop_and_erp.settings.connections["erp"])
    first = write_all(destination, [customer()])
    second = write_all(open_destination(shop_and_erp.settings.connections["erp"]), [customer()])
    rows = shop_and_erp.rows("dolibarr", "societe", ref_ext="webshop:900")
    assert len(rows) == 1
    row = rows[0]
    assert (row["nom"], row["email"], row["client"], row["zip"], row["town"]) == (
        "Nina MOREL",
        "nina.morel.900@exemple.fr",
        1,
        "69003",
        "Lyon",
    )
    assert row["code_client"].startswith("CU")
    assert [(o.status, o.after) for o in first] == [("written", {"record": str(row["rowid"])})]
    assert [o.status for o in second] == ["unchanged"]
    assert erp_writes(shop_and_erp) == [("POST", "/api/index.php/thirdparties", None)]


def test_a_customer_the_erp_knows_by_email_is_not_created_again(shop_and_erp) -> None:
    destination = open_destination(shop_and_erp.settings.connections["erp"])
    outcomes = write_all(destination, [customer("webshop:1", "agathe.laurent.1@courriel.fr")])
    assert [o.status for o in outcomes] == ["unchanged"]
    assert outcomes[0].after == {"record": str(KNOWN_CUSTOMER)}
    assert "already in the ERP as third party 17 (same email)" in outcomes[0].error
    assert shop_and_erp.writes("dolibarr") == []


def test_customer_creates_survive_a_429_and_a_lost_answer_without_duplicates(shop_and_erp) -> None:
    # GIVEN the ERP refuses the first create (429, not processed), then processes the second but its answer is lost
    admin = shop_and_erp.admin("dolibarr")
    admin.faults(
        "status",
        status=429,
        retry_after="0",
        path_prefix="/api/index.php/thirdparties",
        method="POST",
        count=1,
    )
    admin.faults("truncate", path_prefix="/api/index.php/thirdparties", method="POST", count=1)
    destination = open_destination(shop_and_erp.settings.connections["erp"])
    outcomes = write_all(destination, [customer()])
    # THEN it was looked up after each failure and sent again only while absent: one third party
    assert [o.status for o in outcomes] == ["written"]
    assert len(shop_and_erp.rows("dolibarr", "societe", ref_ext="webshop:900")) == 1
    assert [f for *_, f in erp_writes(shop_and_erp)] == ["status", "truncate"]


def test_an_order_is_created_with_its_lines_and_shipping_then_validated(shop_and_erp) -> None:
    destination = open_destination(shop_and_erp.settings.connections["erp"])
    outcomes = write_all(destination, [order()])
    [row] = shop_and_erp.rows("dolibarr", "commande", ref_client="QWERTYUIO")
    assert [(o.status, o.after) for o in outcomes] == [("written", {"record": row["ref"]})]
    assert (row["fk_statut"], row["fk_soc"], row["fk_warehouse"], row["ref"][:2]) == (
        1,
        KNOWN_CUSTOMER,
        1,
        "SO",
    )
    lines = shop_and_erp.rows("dolibarr", "commandedet", fk_commande=row["rowid"])
    assert [
        (x["fk_product"], x["qty"], x["subprice"], x["remise_percent"], x["product_type"]) for x in lines
    ] == [
        (VASE, 1.0, 55.39, 0.0, 0),
        (LANTERN, 2.0, 22.05, 10.0, 0),
        (None, 1.0, 4.083333, 0.0, 1),
    ]
    assert round(row["total_ht"], 2) == round(55.39 + 39.69 + 4.08, 2)
    [extra] = shop_and_erp.rows("dolibarr", "commande_extrafields", fk_object=row["rowid"])
    assert (extra["channel"], extra["fulfillment"]) == ("web", "ship")
    assert [m for m, *_ in erp_writes(shop_and_erp)] == ["POST", "POST"]  # create, validate


def test_an_order_is_never_created_twice_whatever_fails(shop_and_erp) -> None:
    # GIVEN the create's answer is lost (the ERP saved the draft), and the validation first answers 500
    admin = shop_and_erp.admin("dolibarr")
    admin.faults("truncate", path_prefix="/api/index.php/orders", method="POST", count=1)
    admin.faults("status", status=500, path_prefix="/api/index.php/orders/", method="POST", count=1)
    destination = open_destination(shop_and_erp.settings.connections["erp"])
    # WHEN the push writes the order, and a second run writes it again
    first = write_all(destination, [order()])
    second = write_all(open_destination(shop_and_erp.settings.connections["erp"]), [order()])
    # THEN one order, validated; the second run found it by its reference
    rows = shop_and_erp.rows("dolibarr", "commande", ref_client="QWERTYUIO")
    assert [
        (r["fk_statut"], len(shop_and_erp.rows("dolibarr", "commandedet", fk_commande=r["rowid"])))
        for r in rows
    ] == [(1, 3)]
    assert [o.status for o in first] == ["written"] and [o.status for o in second] == ["unchanged"]
    assert erp_writes(shop_and_erp) == [
        ("POST", "/api/index.php/orders", "truncate"),
        ("POST", f"/api/index.php/orders/{rows[0]['rowid']}/validate", "status"),
        ("POST", f"/api/index.php/orders/{rows[0]['rowid']}/validate", None),
    ]


def test_an_order_shipped_by_the_channel_is_booked_out_once_per_line_and_closed(shop_and_erp) -> None:
    # GIVEN the first stock movement is saved but its answer lost, and the second first answers 503
    admin = shop_and_erp.admin("dolibarr")
    admin.faults("truncate", path_prefix="/api/index.php/stockmovements", method="POST", count=1)
    admin.faults("status", status=503, path_prefix="/api/index.php/stockmovements", method="POST", count=1)
    destination = open_destination(shop_and_erp.settings.connections["erp"])
    # WHEN the order is imported, and imported again
    first = write_all(destination, [order(shipped_by_channel=True)])
    second = write_all(
        open_destination(shop_and_erp.settings.connections["erp"]), [order(shipped_by_channel=True)]
    )
    # THEN one movement per line code, the stock left WH-CENTRAL once, and the order is closed
    [row] = shop_and_erp.rows("dolibarr", "commande", ref_client="QWERTYUIO")
    assert row["fk_statut"] == 3
    for rank, (product, qty) in enumerate([(VASE, 1), (LANTERN, 2)], start=1):
        [movement] = shop_and_erp.rows(
            "dolibarr", "stock_mouvement", inventorycode=movement_code("QWERTYUIO", rank)
        )
        assert (movement["fk_product"], movement["fk_entrepot"], movement["value"]) == (product, 1, -qty)
        assert (movement["origintype"], movement["fk_origin"]) == ("commande", row["rowid"])
    [central] = [
        s for s in shop_and_erp.rows("dolibarr", "product_stock", fk_product=VASE) if s["fk_entrepot"] == 1
    ]
    assert central["reel"] == VASE_STOCK - 1
    assert [o.status for o in first] == ["written"] and [o.status for o in second] == ["unchanged"]
    movements = [f for m, p, f in erp_writes(shop_and_erp) if p.endswith("/stockmovements")]
    assert movements == ["truncate", "status", None]


def test_an_order_whose_customer_is_not_in_the_erp_waits(shop_and_erp) -> None:
    destination = open_destination(shop_and_erp.settings.connections["erp"])
    outcomes = write_all(destination, [order(socid=None)])
    assert [o.status for o in outcomes] == ["failed"]
    assert "erp orders webshop:QWERTYUIO: customer webshop:1 is not in the ERP yet" in outcomes[0].error
    assert shop_and_erp.writes("dolibarr") == []


def test_a_draft_left_by_an_interrupted_run_is_validated_not_created_again(shop_and_erp) -> None:
    # GIVEN an earlier run created the order and stopped before validating it
    import requests

    erp = shop_and_erp.sandbox.dolibarr
    draft = requests.post(
        f"{erp.url}/orders",
        json={"socid": KNOWN_CUSTOMER, "ref_client": "QWERTYUIO", "lines": []},
        headers={"DOLAPIKEY": erp.key},
        timeout=10,
    ).json()
    shop_and_erp.admin("dolibarr").clear_requests()
    # WHEN the push writes the order
    outcomes = write_all(open_destination(shop_and_erp.settings.connections["erp"]), [order()])
    # THEN the draft is validated; no second order is created
    [row] = shop_and_erp.rows("dolibarr", "commande", ref_client="QWERTYUIO")
    assert (row["rowid"], row["fk_statut"]) == (draft, 1)
    assert [o.status for o in outcomes] == ["written"]
    assert erp_writes(shop_and_erp) == [("POST", f"/api/index.php/orders/{draft}/validate", None)]
