"""Dolibarr source constants: page sizes, defaults and the declared raw tables (SQL filter columns included)."""

from __future__ import annotations

from datetime import UTC, datetime

from sources._common.columns import DEC, INT, JSON, MONEY, TEXT, UNIX_TS, table

# Written against the REST API of Dolibarr 23.0.1 (../shared/reference/api-contracts.md section 6).
MONEY_SCALE = 8
# Each list row triggers a full object fetch server-side: keep pages at 100 rows.
PAGE_SIZE = 100
# Purchase documents embed every line (~120 keys each, sometimes 150 lines a document): smaller pages
# keep one answer to a few megabytes instead of tens.
DOCUMENT_PAGE_SIZES = {"supplier_orders": 20, "receptions": 20, "supplier_invoices": 50}
# Requests in flight per connection.
CONCURRENCY = 3
# Re-read this much before the saved watermark (server clock at the previous run's start).
OVERLAP_MINUTES = 10
SWEEP_EVERY_HOURS = 24.0
DEFAULT_START = datetime(2000, 1, 1, tzinfo=UTC)
# Product ids per `(t.rowid:in:...)` filter when refreshing the stock of products that moved.
IDS_PER_FILTER = 100

# ---- documents and parties: `t.tms` window (server clock watermark), paged by `t.rowid` ----

PRODUCTS = table(
    "products",
    {
        "id": INT,
        "ref": TEXT,
        "ref_ext": TEXT,
        "label": TEXT,
        "type": INT,
        "status": INT,
        "status_buy": INT,
        "status_batch": INT,
        "barcode": TEXT,
        "barcode_type": INT,
        "price": MONEY,
        "price_ttc": MONEY,
        "price_min": MONEY,
        "price_base_type": TEXT,
        "tva_tx": DEC,
        "pmp": MONEY,
        "cost_price": MONEY,
        "stock_reel": DEC,
        "seuil_stock_alerte": DEC,
        "desiredstock": DEC,
        "weight": DEC,
        "weight_units": INT,
        "fk_default_warehouse": INT,
        "fk_unit": INT,
        "date_creation": UNIX_TS,
        "date_modification": UNIX_TS,
        "array_options": JSON,
    },
)

THIRDPARTIES = table(
    "thirdparties",
    {
        "id": INT,
        "name": TEXT,
        "name_alias": TEXT,
        "client": INT,
        "fournisseur": INT,
        "code_client": TEXT,
        "code_fournisseur": TEXT,
        "status": INT,
        "email": TEXT,
        "phone": TEXT,
        "phone_mobile": TEXT,
        "address": TEXT,
        "zip": TEXT,
        "town": TEXT,
        "state_id": INT,
        "country_id": INT,
        "country_code": TEXT,
        "tva_intra": TEXT,
        "idprof1": TEXT,
        "idprof2": TEXT,
        "ref_ext": TEXT,
        "multicurrency_code": TEXT,
        "date_creation": UNIX_TS,
        "date_modification": UNIX_TS,
        "array_options": JSON,
    },
)

CONTACTS = table(
    "contacts",
    {
        "id": INT,
        "socid": INT,
        "civility_code": TEXT,
        "lastname": TEXT,
        "firstname": TEXT,
        "email": TEXT,
        "phone_pro": TEXT,
        "phone_perso": TEXT,
        "phone_mobile": TEXT,
        "address": TEXT,
        "zip": TEXT,
        "town": TEXT,
        "country_id": INT,
        "country_code": TEXT,
        "statut": INT,
        "date_creation": UNIX_TS,
        "date_modification": UNIX_TS,
        "array_options": JSON,
    },
)

_DOCUMENT = {
    "id": INT,
    "ref": TEXT,
    "ref_ext": TEXT,
    "socid": INT,
    "status": INT,
    "date": UNIX_TS,
    "date_creation": UNIX_TS,
    "date_validation": UNIX_TS,
    "date_modification": UNIX_TS,
    "total_ht": MONEY,
    "total_tva": MONEY,
    "total_ttc": MONEY,
    "multicurrency_code": TEXT,
    "multicurrency_tx": DEC,
    "multicurrency_total_ht": MONEY,
    "multicurrency_total_tva": MONEY,
    "multicurrency_total_ttc": MONEY,
    "note_public": TEXT,
    "array_options": JSON,
}

_LINE = {
    "id": INT,
    "fk_product": INT,
    "product_ref": TEXT,
    "product_label": TEXT,
    "label": TEXT,
    "product_type": INT,
    "qty": DEC,
    "subprice": MONEY,
    "remise_percent": DEC,
    "tva_tx": DEC,
    "total_ht": MONEY,
    "total_tva": MONEY,
    "total_ttc": MONEY,
    "multicurrency_subprice": MONEY,
    "multicurrency_total_ht": MONEY,
    "multicurrency_total_ttc": MONEY,
    "rang": INT,
    "array_options": JSON,
}

# Customer orders: channel, fulfilment and the channel's reference are conventions (docs/contracts.md section 8).
ORDERS = table(
    "orders",
    {
        **_DOCUMENT,
        "ref_client": TEXT,
        "billed": INT,
        "date_commande": UNIX_TS,
        "delivery_date": UNIX_TS,
        "warehouse_id": INT,
        "mode_reglement_code": TEXT,
    },
)
ORDER_LINES = table(
    "order_lines", {"fk_commande": INT, **_LINE, "pa_ht": MONEY}, merge_key="fk_commande", soft_delete=False
)

# Invoices, credit notes included (type 2, `fk_facture_source`; lines carry `options_origin_line_id`).
INVOICES = table(
    "invoices",
    {
        **_DOCUMENT,
        "ref_client": TEXT,
        "type": INT,
        "paye": INT,
        "fk_facture_source": INT,
        "date_lim_reglement": UNIX_TS,
    },
)
INVOICE_LINES = table(
    "invoice_lines", {"fk_facture": INT, **_LINE, "pa_ht": MONEY}, merge_key="fk_facture", soft_delete=False
)

SUPPLIER_ORDERS = table(
    "supplier_orders",
    {
        **_DOCUMENT,
        "ref_supplier": TEXT,
        "billed": INT,
        "date_commande": UNIX_TS,
        "date_valid": UNIX_TS,
        "delivery_date": UNIX_TS,
    },
)
SUPPLIER_ORDER_LINES = table(
    "supplier_order_lines",
    {"fk_commande": INT, **_LINE, "ref_supplier": TEXT},
    merge_key="fk_commande",
    soft_delete=False,
)

# Receptions: one line per product per reception is one purchase lot, priced in the supplier order's currency.
RECEPTIONS = table(
    "receptions",
    {
        "id": INT,
        "ref": TEXT,
        "ref_supplier": TEXT,
        "socid": INT,
        "origin_id": INT,
        "origin_type": TEXT,
        "status": INT,
        "date_creation": UNIX_TS,
        "date_valid": UNIX_TS,
        "date_reception": UNIX_TS,
        "date_delivery": UNIX_TS,
        "date_modification": UNIX_TS,
        "tracking_number": TEXT,
        "array_options": JSON,
    },
)
RECEPTION_LINES = table(
    "reception_lines",
    {
        "id": INT,
        "fk_reception": INT,
        "fk_commande": INT,
        "fk_commandefourndet": INT,
        "fk_product": INT,
        "fk_entrepot": INT,
        "qty": DEC,
        "batch": TEXT,
        "subprice": MONEY,
        "multicurrency_subprice": MONEY,
        "remise_percent": DEC,
        "tva_tx": DEC,
        "cost_price": MONEY,
        "array_options": JSON,
    },
    merge_key="fk_reception",
    soft_delete=False,
)

# Shipments of customer orders: the carrier's tracking number the order-status push writes to the shops.
# Recent releases name the order `origin_type`/`date_shipping`, older ones `origin`/`date_expedition`.
SHIPMENTS = table(
    "shipments",
    {
        "id": INT,
        "ref": TEXT,
        "ref_ext": TEXT,
        "ref_customer": TEXT,
        "socid": INT,
        "origin_type": TEXT,
        "origin": TEXT,
        "origin_id": INT,
        "status": INT,
        "billed": INT,
        "shipping_method_id": INT,
        "shipping_method": TEXT,
        "tracking_number": TEXT,
        "date_creation": UNIX_TS,
        "date_valid": UNIX_TS,
        "date_shipping": UNIX_TS,
        "date_expedition": UNIX_TS,
        "date_delivery": UNIX_TS,
        "date_modification": UNIX_TS,
        "array_options": JSON,
    },
)

# Supplier invoices: landed costs (freight, customs) carry the reception ref and split method as extrafields.
SUPPLIER_INVOICES = table(
    "supplier_invoices",
    {
        **_DOCUMENT,
        "ref_supplier": TEXT,
        "type": INT,
        "paye": INT,
        "fk_facture_source": INT,
        "date_echeance": UNIX_TS,
    },
)
SUPPLIER_INVOICE_LINES = table(
    "supplier_invoice_lines",
    {"fk_facture_fourn": INT, **_LINE, "ref_supplier": TEXT},
    merge_key="fk_facture_fourn",
    soft_delete=False,
)

# ---- stock ----

# Append-only, read by ascending rowid; `price` is the unit cost in the company currency (EUR) for inputs.
STOCK_MOVEMENTS = table(
    "stock_movements",
    {
        "id": INT,
        "product_id": INT,
        "warehouse_id": INT,
        "qty": DEC,
        "type": INT,
        "price": MONEY,
        "label": TEXT,
        "inventorycode": TEXT,
        "batch": TEXT,
        "fk_origin": INT,
        "origintype": TEXT,
        "fk_user_author": INT,
        "datem": UNIX_TS,
        "tms": UNIX_TS,
    },
    soft_delete=False,
)

# Physical stock per product and warehouse (`stock_warehouse` of `includestockdata=1`).
PRODUCT_STOCKS = table(
    "product_stocks",
    {"product_id": INT, "warehouse_id": INT, "real": DEC},
    key=("product_id", "warehouse_id"),
)

WAREHOUSES = table(
    "warehouses",
    {
        "id": INT,
        "ref": TEXT,
        "label": TEXT,
        "description": TEXT,
        "lieu": TEXT,
        "status": INT,
        "fk_parent": INT,
        "address": TEXT,
        "zip": TEXT,
        "town": TEXT,
        "country_id": INT,
        "date_creation": UNIX_TS,
        "date_modification": UNIX_TS,
    },
)

# ---- swept: no change timestamp reachable through the API ----

PRODUCT_VARIANTS = table(
    "product_variants",
    {
        "id": INT,
        "fk_product_parent": INT,
        "fk_product_child": INT,
        "variation_price": MONEY,
        "variation_price_percentage": INT,
        "variation_weight": DEC,
        "variation_ref_ext": TEXT,
        "attributes": JSON,
    },
)

SUPPLIER_PRICES = table(
    "supplier_prices",
    {
        "product_fourn_price_id": INT,
        "fk_product": INT,
        "fourn_id": INT,
        "ref_supplier": TEXT,
        "fourn_price": MONEY,
        "fourn_qty": DEC,
        "fourn_unitprice": MONEY,
        "fourn_remise_percent": DEC,
        "fourn_tva_tx": DEC,
        "fourn_multicurrency_code": TEXT,
        "fourn_multicurrency_price": MONEY,
        "fourn_multicurrency_unitprice": MONEY,
        "delivery_time_days": INT,
    },
    key="product_fourn_price_id",
)

# FX: units of the currency per 1 unit of the company currency (EUR), dated.
MULTICURRENCIES = table("multicurrencies", {"id": INT, "code": TEXT, "name": TEXT})
MULTICURRENCY_RATES = table(
    "multicurrency_rates",
    {"id": INT, "fk_multicurrency": INT, "code": TEXT, "rate": DEC, "date_sync": UNIX_TS},
)


def properties(columns: list[str], *extra: str) -> str:
    """The `properties=` value: the fields a table keeps (recent Dolibarr trims its ~160-key objects)."""
    return ",".join([*columns, *extra])
