"""The generator: deterministic, scalable, and its ground truth is exactly the mess the servers serve."""

from __future__ import annotations

import hashlib
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from sandbox import Sandbox
from sandbox.generator import generate_world


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_and_scale_give_byte_identical_worlds(tmp_path: Path) -> None:
    generate_world(tmp_path / "a", seed=7, scale=0.2)
    generate_world(tmp_path / "b", seed=7, scale=0.2)
    a, b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert len(a) > 50
    assert a == b


def test_another_seed_gives_another_world_and_scale_changes_counts(tmp_path: Path) -> None:
    small = generate_world(tmp_path / "small", seed=7, scale=0.2)
    other = generate_world(tmp_path / "other", seed=8, scale=0.2)
    larger = generate_world(tmp_path / "larger", seed=7, scale=0.6)
    assert (
        _digest(tmp_path / "small")["prestashop.sqlite"] != _digest(tmp_path / "other")["prestashop.sqlite"]
    )
    for system, entity in (
        ("prestashop", "products"),
        ("prestashop", "orders"),
        ("dolibarr", "orders"),
        ("dolibarr", "stock_movements"),
    ):
        assert larger.counts[system][entity] > 2 * small.counts[system][entity], (system, entity)
    assert "orders" in small.render() and other.seconds > 0


# ------------------------------------------------------------------------------------------ world as served
def _ps(sb: Sandbox, resource: str, display: str, **params: str) -> list[dict[str, Any]]:
    resp = requests.get(
        f"{sb.prestashop.url}/{resource}",
        auth=(sb.prestashop.key, ""),
        timeout=60,
        params={"output_format": "JSON", "display": display, **params},
    )
    resp.raise_for_status()
    body = resp.json()
    return body[resource] if body else []


def _erp(sb: Sandbox, resource: str, **params: Any) -> list[dict[str, Any]]:
    resp = requests.get(
        f"{sb.dolibarr.url}/{resource}",
        headers={"DOLAPIKEY": sb.dolibarr.key},
        timeout=60,
        params={"limit": 0, **params},
    )
    resp.raise_for_status()
    return resp.json()


def _shop_skus(sb: Sandbox) -> dict[str, dict[str, Any]]:
    products = {p["id"]: p for p in _ps(sb, "products", "[id,reference,price,product_type]")}
    combos = _ps(sb, "combinations", "[id,id_product,reference,price]")
    stock = {
        (s["id_product"], s["id_product_attribute"]): s
        for s in _ps(sb, "stock_availables", "[id,id_product,id_product_attribute,quantity]")
    }
    skus = {}
    for c in combos:
        parent = products[c["id_product"]]
        skus[c["reference"]] = {
            "price": Decimal(parent["price"]) + Decimal(c["price"]),
            "product": parent["id"],
            "combination": c["id"],
            "stock": stock[(parent["id"], c["id"])],
        }
    for p in products.values():
        if p["product_type"] != "combinations":
            skus[p["reference"]] = {
                "price": Decimal(p["price"]),
                "product": p["id"],
                "combination": 0,
                "stock": stock[(p["id"], 0)],
            }
    return skus


def _erp_available(sb: Sandbox) -> tuple[dict[str, Decimal], dict[str, int]]:
    central = next(w["id"] for w in _erp(sb, "warehouses") if w["ref"] == "WH-CENTRAL")
    products = _erp(sb, "products", includestockdata=1)
    prices = {p["ref"]: Decimal(p["price"]) for p in products}
    reserved: Counter[str] = Counter()
    for order in _erp(sb, "orders", sqlfilters="(t.fk_statut:=:1)"):
        if order["warehouse_id"] == central:
            for line in order["lines"]:
                if line["fk_product"]:
                    reserved[line["product_ref"]] += int(line["qty"])
    available = {}
    for p in products:
        if p["stock_warehouse"]:
            real = int(p["stock_warehouse"].get(central, {}).get("real", 0))
            available[p["ref"]] = real - reserved[p["ref"]]
    return prices, available


def test_ground_truth_lists_every_disagreement_and_nothing_else(sandbox: Sandbox) -> None:
    truth = sandbox.ground_truth()
    shop = _shop_skus(sandbox)
    erp_prices, erp_available = _erp_available(sandbox)
    # GIVEN what both servers serve, WHEN comparing SKU by SKU
    price_diff = {ref for ref, s in shop.items() if ref in erp_prices and s["price"] != erp_prices[ref]}
    stock_diff = {
        ref
        for ref, s in shop.items()
        if ref in erp_available and s["stock"]["quantity"] != erp_available[ref]
    }
    unknown = {ref for ref in shop if ref not in erp_prices}
    # THEN the ground truth names exactly those, with the values served
    assert price_diff == {m["sku"] for m in truth["price_mismatches"]} and len(price_diff) >= 3
    for m in truth["price_mismatches"]:
        assert Decimal(str(m["erp_price_excl_tax"])) == erp_prices[m["sku"]]
        assert Decimal(str(m["shop_price_excl_tax"])) == shop[m["sku"]]["price"]
        assert (m["shop_product_id"], m["shop_combination_id"]) == (
            shop[m["sku"]]["product"],
            shop[m["sku"]]["combination"],
        )
    assert stock_diff == {m["sku"] for m in truth["stock_mismatches"]}
    assert {m["cause"] for m in truth["stock_mismatches"]} == {"deliberate", "web_order_not_in_erp"}
    for m in truth["stock_mismatches"]:
        assert m["erp_available"] == erp_available[m["sku"]]
        assert m["shop_quantity"] == shop[m["sku"]]["stock"]["quantity"]
        assert m["shop_stock_available_id"] == shop[m["sku"]]["stock"]["id"]
    assert unknown == {u["sku"] for u in truth["unknown_shop_skus"]} == {"MX-DEC-99001"}


def test_ground_truth_customers_orders_and_below_cost_line(sandbox: Sandbox) -> None:
    truth = sandbox.ground_truth()
    thirdparties = _erp(sandbox, "thirdparties", mode=1)
    erp_emails = Counter((t["email"] or "").strip().lower() for t in thirdparties if t["email"])
    customers = _ps(sandbox, "customers", "[id,email]")
    missing = [
        {"shop_customer_id": c["id"], "email": c["email"]} for c in customers if c["email"] not in erp_emails
    ]
    assert missing == truth["customers_missing_in_erp"] and missing
    # One person, two ERP third parties: the only normalised e-mail shared by two customers.
    (dup,) = truth["duplicate_customers"]
    assert [e for e, n in erp_emails.items() if n > 1] == [dup["normalized_email"]]
    by_id = {int(t["id"]): t for t in thirdparties}
    assert sorted(by_id[i]["email"] for i in dup["erp_thirdparty_ids"]) == sorted(dup["email_variants"])
    assert sorted(by_id[i]["phone"] for i in dup["erp_thirdparty_ids"]) == sorted(dup["phone_variants"])
    # Web orders the ERP has not imported: valid shop orders whose reference no ERP order carries.
    erp_orders = _erp(sandbox, "orders")
    imported = {o["ref_client"] for o in erp_orders}
    shop_orders = _ps(sandbox, "orders", "[id,reference,valid]")
    not_imported = [
        {"shop_order_id": o["id"], "reference": o["reference"]}
        for o in shop_orders
        if o["valid"] == "1" and o["reference"] not in imported
    ]
    assert not_imported == truth["orders_missing_in_erp"] and not_imported
    # The only order line sold below its cost at sale time.
    below = [
        (o["ref_client"], int(line["id"]))
        for o in erp_orders
        for line in o["lines"]
        if line["fk_product"]
        and Decimal(line["subprice"]) * (1 - Decimal(line["remise_percent"]) / 100) < Decimal(line["pa_ht"])
    ]
    assert below == [(b["order_ref"], b["line_id"]) for b in truth["below_cost_lines"]]
    assert truth["counts"]["prestashop"]["orders"] == len(shop_orders)
    assert truth["counts"]["dolibarr"]["orders"] == len(erp_orders)


def test_flat_files_carry_the_same_tickets_orders_and_products_as_the_erp(sandbox: Sandbox) -> None:
    import csv

    files = sandbox.files()
    # POS: every store ticket of the ERP, line for line (return tickets are the negative lines).
    pos_lines: Counter[tuple[str, str]] = Counter()
    for path in sorted(files["pos"].rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if int(row["quantity"]) > 0:
                    pos_lines[(row["ticket_id"], row["sku"])] += int(row["quantity"])
    erp_store: Counter[tuple[str, str]] = Counter()
    for order in _erp(sandbox, "orders", sqlfilters="(ef.channel:=:'store')"):
        for line in order["lines"]:
            erp_store[(order["ref_client"], line["product_ref"])] += int(line["qty"])
    assert pos_lines == erp_store and pos_lines
    # Marketplace: the same orders and items as the ERP's marketplace orders.
    mkp: Counter[tuple[str, str]] = Counter()
    for path in sorted(files["marketplace"].glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                mkp[(row["order_id"], row["sku"])] += int(row["quantity"])
    erp_mkp: Counter[tuple[str, str]] = Counter()
    for order in _erp(sandbox, "orders", sqlfilters="(ef.channel:=:'marketplace')"):
        for line in order["lines"]:
            erp_mkp[(order["ref_client"], line["product_ref"])] += int(line["qty"])
    assert mkp == erp_mkp and mkp
    # ERP export (French format): one row per ERP product, same price and stock.
    (export,) = files["erp_export"].glob("*.csv")
    with export.open(encoding="cp1252", newline="") as fh:
        rows = {r["Réf. produit"]: r for r in csv.DictReader(fh, delimiter=";")}
    products = _erp(sandbox, "products", includestockdata=1)
    assert set(rows) == {p["ref"] for p in products}
    for p in products:
        row = rows[p["ref"]]
        assert Decimal(row["Prix de vente HT"].replace(",", ".")) == Decimal(p["price"]).quantize(
            Decimal("0.01")
        )
        central = int(p["stock_warehouse"].get("1", {}).get("real", 0)) if p["stock_warehouse"] else 0
        assert int(row["Stock WH-CENTRAL"]) == central


def test_shipments_and_tracking_agree_except_the_untold_ones(sandbox: Sandbox) -> None:
    truth = sandbox.ground_truth()
    orders = {
        o["reference"]: o for o in _ps(sandbox, "orders", "[id,reference,current_state,shipping_number]")
    }
    shipped = [s for s in _erp(sandbox, "shipments") if s["ref_customer"] in orders]
    assert shipped and all(s["lines"] for s in shipped)
    untold = []
    for shipment in shipped:
        order = orders[shipment["ref_customer"]]
        if order["current_state"] in (4, 5):
            assert order["shipping_number"] == shipment["tracking_number"]
        else:
            untold.append(
                {
                    "shop_order_id": order["id"],
                    "reference": order["reference"],
                    "tracking_number": shipment["tracking_number"],
                }
            )
    expected = [
        {k: m[k] for k in ("shop_order_id", "reference", "tracking_number")}
        for m in truth["order_status_mismatches"]
    ]
    assert sorted(untold, key=lambda u: u["shop_order_id"]) == sorted(
        expected, key=lambda u: u["shop_order_id"]
    )
    assert len(expected) >= 2
