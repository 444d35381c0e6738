"""PrestaShop source constants: page sizes, defaults and the declared raw tables (fields named, never `full`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sources._common.columns import BOOL, DATE, DEC, INT, LANG, LOCAL_TS, MONEY, TEXT, table

# Written against the webservice of PrestaShop 8.1.2 (../shared/reference/api-contracts.md section 1).
MONEY_SCALE = 6
# Entity pages: each row costs the server several SQL queries; beyond ~200 rows a page gains little.
PAGE_SIZE = 200
# Sweeps fetch few, cheap fields (ids, quantities): larger pages.
SWEEP_PAGE_SIZE = 1000
# Requests in flight per connection: 2-4 help a PHP server, more hurts.
CONCURRENCY = 3
# Re-read this much before the saved cursor: clock skew, second granularity, late commits.
OVERLAP_MINUTES = 10
# Periodic sweeps (stock, combinations, specific prices, deletions) when not asked for explicitly.
SWEEP_EVERY_HOURS = 24.0
DEFAULT_START = datetime(2000, 1, 1, tzinfo=UTC)
# Order ids per `filter[id_order]=[a|b|...]` request for the carriers and histories of changed orders.
ORDER_IDS_PER_REQUEST = 200
# Consecutive order ids per `filter[id_order]=[a,b]` group (a first load's): the URL stays short whatever the
# count, and the group's rows come in keyset pages of `sweep_page_size` (scale-100 first load: 1,046 -> 708
# requests for the histories and carriers of 105k orders, 2,585 -> 2,247 in all).
ORDER_IDS_PER_INTERVAL = 1000
# The change timestamp each incremental resource is filtered on (`date=1` is sent with it).
CURSOR_FIELDS = {
    "products": "date_upd",
    "customers": "date_upd",
    "addresses": "date_upd",
    "orders": "date_upd",
}

# ---- incremental entities (date_upd window, paged by id; deletions by id sweep) ----

PRODUCTS = table(
    "products",
    {
        "id": INT,
        "id_manufacturer": INT,
        "id_supplier": INT,
        "id_category_default": INT,
        "id_default_combination": INT,
        "id_tax_rules_group": INT,
        "id_shop_default": INT,
        "reference": TEXT,
        "supplier_reference": TEXT,
        "ean13": TEXT,
        "isbn": TEXT,
        "upc": TEXT,
        "mpn": TEXT,
        "state": INT,
        "product_type": TEXT,
        "on_sale": BOOL,
        "online_only": BOOL,
        "ecotax": MONEY,
        "minimal_quantity": INT,
        "price": MONEY,
        "wholesale_price": MONEY,
        "unity": TEXT,
        "unit_price_ratio": DEC,
        "additional_shipping_cost": MONEY,
        "active": BOOL,
        "available_for_order": BOOL,
        "available_date": DATE,
        "condition": TEXT,
        "show_price": BOOL,
        "visibility": TEXT,
        "weight": DEC,
        "width": DEC,
        "height": DEC,
        "depth": DEC,
        "date_add": LOCAL_TS,
        "date_upd": LOCAL_TS,
        "name": LANG,
        "link_rewrite": LANG,
        "description_short": LANG,
    },
)

CUSTOMERS = table(
    "customers",
    {
        # never passwd, secure_key, last_passwd_gen, reset_password_token, reset_password_validity
        "id": INT,
        "id_default_group": INT,
        "id_lang": INT,
        "id_gender": INT,
        "id_shop": INT,
        "id_shop_group": INT,
        "lastname": TEXT,
        "firstname": TEXT,
        "email": TEXT,
        "birthday": DATE,
        "company": TEXT,
        "siret": TEXT,
        "newsletter": BOOL,
        "optin": BOOL,
        "active": BOOL,
        "is_guest": BOOL,
        "deleted": BOOL,
        "date_add": LOCAL_TS,
        "date_upd": LOCAL_TS,
    },
)

ADDRESSES = table(
    "addresses",
    {
        "id": INT,
        "id_customer": INT,
        "id_manufacturer": INT,
        "id_supplier": INT,
        "id_warehouse": INT,
        "id_country": INT,
        "id_state": INT,
        "alias": TEXT,
        "company": TEXT,
        "lastname": TEXT,
        "firstname": TEXT,
        "vat_number": TEXT,
        "address1": TEXT,
        "address2": TEXT,
        "postcode": TEXT,
        "city": TEXT,
        "other": TEXT,
        "phone": TEXT,
        "phone_mobile": TEXT,
        "dni": TEXT,
        "deleted": BOOL,
        "date_add": LOCAL_TS,
        "date_upd": LOCAL_TS,
    },
)

ORDERS = table(
    "orders",
    {
        # never secure_key
        "id": INT,
        "reference": TEXT,
        "id_customer": INT,
        "id_cart": INT,
        "id_currency": INT,
        "id_lang": INT,
        "id_carrier": INT,
        "id_address_delivery": INT,
        "id_address_invoice": INT,
        "id_shop": INT,
        "id_shop_group": INT,
        "current_state": INT,
        "module": TEXT,
        "payment": TEXT,
        "valid": BOOL,
        "invoice_number": INT,
        "invoice_date": LOCAL_TS,
        "delivery_number": INT,
        "delivery_date": LOCAL_TS,
        "total_discounts_tax_incl": MONEY,
        "total_discounts_tax_excl": MONEY,
        "total_paid": MONEY,
        "total_paid_tax_incl": MONEY,
        "total_paid_tax_excl": MONEY,
        "total_paid_real": MONEY,
        "total_products": MONEY,
        "total_products_wt": MONEY,
        "total_shipping_tax_incl": MONEY,
        "total_shipping_tax_excl": MONEY,
        "carrier_tax_rate": DEC,
        "total_wrapping_tax_incl": MONEY,
        "total_wrapping_tax_excl": MONEY,
        "round_mode": INT,
        "round_type": INT,
        "conversion_rate": DEC,
        "gift": BOOL,
        "recyclable": BOOL,
        "date_add": LOCAL_TS,
        "date_upd": LOCAL_TS,
    },
)

# `associations.order_rows` of an order (id = id_order_detail); the order's set replaces the stored one.
ORDER_ROWS = table(
    "order_rows",
    {
        "id": INT,
        "id_order": INT,
        "product_id": INT,
        "product_attribute_id": INT,
        "id_customization": INT,
        "product_quantity": INT,
        "product_name": TEXT,
        "product_reference": TEXT,
        "product_ean13": TEXT,
        "product_price": MONEY,
        "unit_price_tax_incl": MONEY,
        "unit_price_tax_excl": MONEY,
    },
    merge_key="id_order",
    soft_delete=False,
)

# Children of changed orders, re-read with them (a state change bumps the order's date_upd).
ORDER_HISTORIES = table(
    "order_histories",
    {"id": INT, "id_order": INT, "id_order_state": INT, "id_employee": INT, "date_add": LOCAL_TS},
    merge_key="id_order",
    soft_delete=False,
)

ORDER_CARRIERS = table(
    "order_carriers",
    {
        "id": INT,
        "id_order": INT,
        "id_carrier": INT,
        "id_order_invoice": INT,
        "weight": DEC,
        "shipping_cost_tax_excl": MONEY,
        "shipping_cost_tax_incl": MONEY,
        "tracking_number": TEXT,
        "date_add": LOCAL_TS,
    },
    merge_key="id_order",
    soft_delete=False,
)

# ---- swept: no timestamp moves when they change ----

COMBINATIONS = table(
    "combinations",
    {
        "id": INT,
        "id_product": INT,
        "reference": TEXT,
        "supplier_reference": TEXT,
        "ean13": TEXT,
        "isbn": TEXT,
        "upc": TEXT,
        "mpn": TEXT,
        "wholesale_price": MONEY,
        "price": MONEY,
        "ecotax": MONEY,
        "weight": DEC,
        "unit_price_impact": MONEY,
        "minimal_quantity": INT,
        "default_on": BOOL,
        "available_date": DATE,
    },
)

STOCK_AVAILABLES = table(
    "stock_availables",
    {
        "id": INT,
        "id_product": INT,
        "id_product_attribute": INT,
        "id_shop": INT,
        "id_shop_group": INT,
        "quantity": INT,
        "depends_on_stock": BOOL,
        "out_of_stock": INT,
    },
)

SPECIFIC_PRICES = table(
    "specific_prices",
    {
        "id": INT,
        "id_shop_group": INT,
        "id_shop": INT,
        "id_cart": INT,
        "id_product": INT,
        "id_product_attribute": INT,
        "id_currency": INT,
        "id_country": INT,
        "id_group": INT,
        "id_customer": INT,
        "id_specific_price_rule": INT,
        "price": MONEY,
        "from_quantity": INT,
        "reduction": DEC,
        "reduction_tax": BOOL,
        "reduction_type": TEXT,
        "from": LOCAL_TS,
        "to": LOCAL_TS,
    },
)

# ---- small reference tables: read whole every run ----

ORDER_STATES = table(
    "order_states",
    {
        "id": INT,
        "name": LANG,
        "module_name": TEXT,
        "color": TEXT,
        "logable": BOOL,
        "invoice": BOOL,
        "paid": BOOL,
        "shipped": BOOL,
        "delivery": BOOL,
        "hidden": BOOL,
        "send_email": BOOL,
        "unremovable": BOOL,
        "deleted": BOOL,
    },
)

CARRIERS = table(
    "carriers",
    {
        "id": INT,
        "id_reference": INT,
        "id_tax_rules_group": INT,
        "name": TEXT,
        "delay": LANG,
        "active": BOOL,
        "deleted": BOOL,
        "is_free": BOOL,
        "is_module": BOOL,
        "external_module_name": TEXT,
        "shipping_handling": BOOL,
        "shipping_external": BOOL,
        "shipping_method": INT,
        "url": TEXT,
        "grade": INT,
        "position": INT,
    },
)

CATEGORIES = table(
    "categories",
    {
        "id": INT,
        "id_parent": INT,
        "id_shop_default": INT,
        "level_depth": INT,
        "is_root_category": BOOL,
        "active": BOOL,
        "position": INT,
        "name": LANG,
        "link_rewrite": LANG,
        "date_add": LOCAL_TS,
        "date_upd": LOCAL_TS,
    },
)

TAXES = table("taxes", {"id": INT, "rate": DEC, "active": BOOL, "deleted": BOOL, "name": LANG})

TAX_RULE_GROUPS = table(
    "tax_rule_groups",
    {"id": INT, "name": TEXT, "active": BOOL, "deleted": BOOL, "date_add": LOCAL_TS, "date_upd": LOCAL_TS},
)

TAX_RULES = table(
    "tax_rules",
    {
        "id": INT,
        "id_tax_rules_group": INT,
        "id_country": INT,
        "id_state": INT,
        "zipcode_from": TEXT,
        "zipcode_to": TEXT,
        "id_tax": INT,
        "behavior": INT,
        "description": TEXT,
    },
)

CURRENCIES = table(
    "currencies",
    {
        "id": INT,
        "iso_code": TEXT,
        "numeric_iso_code": TEXT,
        "precision": INT,
        "conversion_rate": DEC,
        "active": BOOL,
        "deleted": BOOL,
        "name": LANG,
    },
)

LANGUAGES = table(
    "languages",
    {"id": INT, "name": TEXT, "iso_code": TEXT, "locale": TEXT, "language_code": TEXT, "active": BOOL},
)

SHOPS = table(
    "shops",
    {"id": INT, "id_shop_group": INT, "id_category": INT, "name": TEXT, "active": BOOL, "deleted": BOOL},
)

REFERENCE_TABLES = (
    ORDER_STATES,
    CARRIERS,
    CATEGORIES,
    TAXES,
    TAX_RULE_GROUPS,
    TAX_RULES,
    CURRENCIES,
    LANGUAGES,
    SHOPS,
)


def display(spec_columns: list[str], *, exclude: tuple[str, ...] = ()) -> str:
    """The `display=[...]` value naming exactly the fields of a table."""
    return "[" + ",".join(c for c in spec_columns if c not in exclude) + "]"
