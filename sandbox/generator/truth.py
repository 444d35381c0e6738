"""End of the simulation: stock snapshots on both sides, the deliberate mess, and the ground-truth file."""

# ruff: noqa: S608 - table and column names in these SQL strings come from the fixed schema (checked
# against PRAGMA table_info where a request names them); every value is a bound parameter.

from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING, Any

import orjson

from sandbox.dolibarr import schema as erp_schema
from sandbox.prestashop import schema as ps_schema

if TYPE_CHECKING:
    from sandbox.generator.world import World

# Bumped when the generated layout changes, so an older world on disk is regenerated rather than served.
GENERATOR_VERSION = 3
PS_COUNT_TABLES = (
    "products",
    "combinations",
    "stock_availables",
    "specific_prices",
    "categories",
    "customers",
    "addresses",
    "orders",
    "order_details",
    "order_histories",
    "order_carriers",
    "carriers",
    "order_states",
)
ERP_COUNT_TABLES = {
    "products": "product",
    "product_variants": "product_attribute_combination",
    "warehouses": "entrepot",
    "stock_movements": "stock_mouvement",
    "thirdparties": "societe",
    "contacts": "socpeople",
    "orders": "commande",
    "order_lines": "commandedet",
    "invoices": "facture",
    "invoice_lines": "facturedet",
    "supplier_orders": "commande_fournisseur",
    "supplier_order_lines": "commande_fournisseurdet",
    "receptions": "reception",
    "reception_lines": "receptiondet_batch",
    "supplier_invoices": "facture_fourn",
    "shipments": "expedition",
    "currency_rates": "multicurrency_rate",
}


def api_key(seed: int, system: str) -> str:
    """The deterministic 32-character key of a system (sandbox only; not a secret worth hiding)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    digest = hashlib.sha256(f"omnicanal-sandbox:{seed}:{system}".encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:32])


def finish_world(world: World) -> dict[str, Any]:
    """Write stock on both sides, plant the deliberate disagreements, write keys, meta and the truth."""
    from sandbox.generator.world import DAY, WH_CENTRAL, r2

    rng = world.rng
    clock = world.clock
    ps, erp = world.ps, world.erp
    end = world.end_ts
    ps.flush()
    erp.flush()
    n_mess = max(3, round(5 * math.sqrt(world.scale)))

    # ERP: per-warehouse stock rows, totals, weighted average cost, cost price.
    for sku in world.skus:
        for wh in (1, 2, 3):
            qty = world.on_hand[sku.idx][wh]
            if qty or any(world.on_hand[sku.idx]):
                erp.insert_dict(
                    "product_stock",
                    {
                        "rowid": world.next_id("product_stock"),
                        "tms": clock.utc(end),
                        "fk_product": sku.erp_id,
                        "fk_entrepot": wh,
                        "reel": qty,
                    },
                )
        rate = {1: 1.0, 2: 0.86, 3: 1.09}[world.suppliers[sku.model.supplier]["currency"]]
        erp.execute(
            "UPDATE product SET stock = ?, pmp = ?, cost_price = ? WHERE rowid = ?",
            (
                sum(world.on_hand[sku.idx]),
                round(world.pmp[sku.idx], 8),
                round(sku.cost / rate, 2),
                sku.erp_id,
            ),
            flush="product",
        )
    erp.execute("UPDATE product SET stock = 0 WHERE stock IS NULL AND fk_product_type = 0", flush="product")

    # Price disagreements: the ERP raised a price two days before the end, the shop kept the old one.
    eligible = [
        s for s in world.skus if s.idx not in (world.free_goods_sku, world.below_cost_sku, world.negative_sku)
    ]
    price_skus = rng.sample(eligible, min(n_mess, len(eligible)))
    touched_models: set[int] = set()
    price_mismatches = []
    for sku in price_skus:
        if sku.model.idx in touched_models:
            continue
        touched_models.add(sku.model.idx)
        new_price = r2(sku.price * rng.choice((1.05, 1.08, 1.1, 0.9)))
        when = clock.utc(end - 2 * DAY + rng.randint(0, 8) * 3600)
        erp.execute(
            "UPDATE product SET price = ?, price_ttc = ?, tms = ? WHERE rowid = ?",
            (new_price, r2(new_price * (1 + sku.model.tva / 100)), when, sku.erp_id),
            flush="product",
        )
        price_mismatches.append(
            {
                "sku": sku.ref,
                "erp_price_excl_tax": new_price,
                "shop_price_excl_tax": sku.price,
                "shop_product_id": sku.model.ps_id,
                "shop_combination_id": sku.ps_comb_id,
            }
        )
        sku.price = new_price

    # Shop stock: what the ERP can promise, minus the web orders it has not imported yet; a few are off.
    pending = world.pending_qty
    shop_qty = {s.idx: max(0, world.on_hand[s.idx][WH_CENTRAL] - world.committed[s.idx]) for s in world.skus}
    stock_eligible = [s for s in eligible if s.idx not in pending and s.model.idx not in touched_models]
    deliberate = {}
    for sku in rng.sample(stock_eligible, min(n_mess, len(stock_eligible))):
        delta = rng.choice((-3, -2, -1, 2, 4, 7))
        new = max(0, shop_qty[sku.idx] + delta)
        if new == shop_qty[sku.idx]:
            new += 3
        deliberate[sku.idx] = new
        shop_qty[sku.idx] = new
    for model in world.models:
        variants = model.skus[0].ps_comb_id != 0
        if variants:
            _stock_row(ps, model.ps_stock_id, model.ps_id, 0, sum(shop_qty[s.idx] for s in model.skus))
        for sku in model.skus:
            _stock_row(ps, sku.ps_stock_id, model.ps_id, sku.ps_comb_id, shop_qty[sku.idx])

    # A product the shop sells under a reference the ERP has never had.
    unknown_id = world.next_id("ps_product")
    unknown_stock = world.next_id("ps_stock")
    loc = clock.local(end - 20 * DAY)
    cursor = ps.execute("SELECT * FROM products WHERE id = ?", (world.models[0].ps_id,), flush="products")
    template = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
    template.update(
        {
            "id": unknown_id,
            "reference": "MX-DEC-99001",
            "ean13": "",
            "product_type": "standard",
            "price": 18.25,
            "wholesale_price": 7.4,
            "date_add": loc,
            "date_upd": loc,
            "weight": 0.4,
            "cache_default_attribute": 0,
            "id_default_combination": 0,
            "id_category_default": 2,
            "id_default_image": world.next_id("ps_image"),
        }
    )
    ps.insert_dict("products", template)
    for lid, name in ((1, "Photophore Ancien (fin de série)"), (2, "Vintage tealight holder (end of line)")):
        ps.insert_dict(
            "products_lang",
            {
                "id": unknown_id,
                "id_lang": lid,
                "delivery_in_stock": "",
                "delivery_out_stock": "",
                "meta_description": "",
                "meta_keywords": "",
                "meta_title": "",
                "link_rewrite": "photophore-ancien",
                "name": name,
                "description": "",
                "description_short": "",
                "available_now": "",
                "available_later": "",
            },
        )
    ps.insert("product_categories", (unknown_id, 2, 0))
    _stock_row(ps, unknown_stock, unknown_id, 0, 6)

    ps.flush()
    erp.flush()
    # Reserved is what the ERP knows: lines of its validated, unshipped orders at the central warehouse
    # (web orders still unpaid or not imported hold stock in the shop only).
    by_erp_id = {s.erp_id: s.idx for s in world.skus}
    reserved = dict.fromkeys(by_erp_id.values(), 0)
    for product, qty in erp.conn.execute(
        "SELECT d.fk_product, SUM(d.qty) FROM commandedet d JOIN commande o ON o.rowid = d.fk_commande "
        "WHERE o.fk_statut = 1 AND o.fk_warehouse = ? AND d.fk_product IS NOT NULL GROUP BY d.fk_product",
        (WH_CENTRAL,),
    ):
        reserved[by_erp_id[product]] = int(qty)
    stock_mismatches = []
    for sku in world.skus:
        erp_available = world.on_hand[sku.idx][WH_CENTRAL] - reserved[sku.idx]
        if erp_available != shop_qty[sku.idx]:
            stock_mismatches.append(
                {
                    "sku": sku.ref,
                    "erp_available": erp_available,
                    "shop_quantity": shop_qty[sku.idx],
                    "shop_stock_available_id": sku.ps_stock_id,
                    "cause": "deliberate" if sku.idx in deliberate else "web_order_not_in_erp",
                }
            )

    customers_missing: list[dict[str, Any]] = [
        {"shop_customer_id": p.ps_id, "email": p.email} for p in world.web_customers if not p.erp_id
    ]
    customers_missing.sort(key=lambda c: c["shop_customer_id"])

    # Keys and meta.
    ps_key, erp_key = api_key(world.seed, "prestashop"), api_key(world.seed, "dolibarr")
    ps.insert_dict("ws_keys", {"key": ps_key, "active": 1, "description": "omnicanal sandbox"})
    erp.insert_dict("api_keys", {"api_key": erp_key, "login": "omnicanal", "active": 1})
    meta = {
        "seed": str(world.seed),
        "scale": repr(world.scale),
        "timezone": world.timezone,
        "calendar_start": clock.local(world.start_ts),
        "calendar_end": clock.local(end),
    }
    for key, value in meta.items():
        ps.insert_dict("meta", {"key": key, "value": value})
        erp.insert_dict("meta", {"key": key, "value": value})
    for name, next_value in world.ids.items():
        erp.insert_dict("meta", {"key": f"next_{name}", "value": str(next_value)})
    ps.flush()
    erp.flush()

    counts = {
        "prestashop": {
            t: ps.conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in PS_COUNT_TABLES
        },
        "dolibarr": {
            k: erp.conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            for k, t in ERP_COUNT_TABLES.items()
        },
        "files": {},
    }
    from sandbox.generator.world import CALENDAR_END

    world.files.erp_export(erp.conn, CALENDAR_END)
    world.files.close()
    counts["files"] = dict(world.files.counts)
    ps.finish(ps_schema.INDEXES)
    erp.finish(erp_schema.INDEXES)

    truth = {
        "price_mismatches": price_mismatches,
        "stock_mismatches": stock_mismatches,
        "unknown_shop_skus": [
            {"sku": "MX-DEC-99001", "shop_product_id": unknown_id, "shop_combination_id": 0}
        ],
        "duplicate_customers": world.truth["duplicate_customers"],
        "below_cost_lines": world.truth["below_cost_lines"],
        "order_status_mismatches": world.truth["order_status_mismatches"],
        "orders_missing_in_erp": sorted(
            world.truth["orders_missing_in_erp"], key=lambda o: o["shop_order_id"]
        ),
        "customers_missing_in_erp": customers_missing,
        "costing_edge_cases": world.truth["costing_edge_cases"],
        "counts": counts,
        "world": {
            "seed": world.seed,
            "scale": world.scale,
            "timezone": world.timezone,
            "calendar_start": clock.local(world.start_ts),
            "calendar_end": clock.local(end),
            "shop_warehouses": ["WH-CENTRAL"],
            "store_warehouses": {"PARIS": "WH-PARIS", "LYON": "WH-LYON"},
            "click_collect_carriers": [1],
        },
    }
    (world.out / "ground_truth.json").write_bytes(orjson.dumps(truth, option=orjson.OPT_INDENT_2) + b"\n")
    world_file = {
        "generator_version": GENERATOR_VERSION,
        "seed": world.seed,
        "scale": world.scale,
        "timezone": world.timezone,
        "prestashop_key": ps_key,
        "dolibarr_key": erp_key,
        "calendar_end": clock.local(end),
    }
    (world.out / "world.json").write_bytes(orjson.dumps(world_file, option=orjson.OPT_INDENT_2) + b"\n")
    return counts


def _stock_row(ps: Any, sid: int, product: int, attribute: int, quantity: int) -> None:
    ps.insert_dict(
        "stock_availables",
        {
            "id": sid,
            "id_product": product,
            "id_product_attribute": attribute,
            "id_shop": 1,
            "id_shop_group": 0,
            "quantity": quantity,
            "depends_on_stock": 0,
            "out_of_stock": 2,
            "location": "",
        },
    )
