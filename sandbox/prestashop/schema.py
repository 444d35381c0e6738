"""PrestaShop 8.1.2 webservice resources: fields in the server's order, their types and flags, SQL tables.

One resource is one SQLite table named like the resource, with one column per non-multilingual field;
multilingual fields live in `<resource>_lang(id, id_lang, ...)`. Field types drive both renderers:

* `id`, `int`: integers, JSON numbers;
* `bool`: stored 0/1, rendered as the strings "0"/"1" (8.1.2 JSON typing);
* `dec`, `dec3`: decimals rendered with 6 (3) decimals, as strings;
* `str`, `date` (`YYYY-MM-DD HH:MM:SS`, shop-local), `day` (`YYYY-MM-DD`): strings;
* `lang`: multilingual string; `nbool`: a boolean that is NULL when unset (product `new`);
* `defon`: "1" or "" (combination `default_on`).

Flags: `getter` (computed, `notFilterable`, filter gives code 34), `ro` (setter=false: a write gives
code 93), `req` (required: a PUT/POST without it gives code 41). `>res` adds an xlink to `res`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    """One field of a resource."""

    name: str
    type: str
    href: str | None = None
    getter: bool = False
    ro: bool = False
    req: bool = False
    lang: bool = field(default=False, init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lang", self.type == "lang")

    @property
    def sql_type(self) -> str:
        if self.type in ("id", "int", "bool", "nbool", "defon"):
            return "INTEGER"
        if self.type in ("dec", "dec3"):
            return "REAL"
        return "TEXT"


@dataclass(frozen=True)
class Association:
    """An association block (`<associations><categories ...>`): node names and sub-fields."""

    name: str
    node: str
    api: str | None
    fields: tuple[str, ...] = ("id",)
    virtual: bool = False


@dataclass(frozen=True)
class Resource:
    """One webservice resource."""

    name: str
    node: str
    fields: tuple[Field, ...]
    associations: tuple[Association, ...] = ()
    forbidden: tuple[str, ...] = ()
    description: str = ""
    default_order: str = "id"
    field_map: dict[str, Field] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.field_map.update({f.name: f for f in self.fields})

    @property
    def plain_fields(self) -> list[Field]:
        return [f for f in self.fields if not f.lang]

    @property
    def lang_fields(self) -> list[Field]:
        return [f for f in self.fields if f.lang]

    def association(self, name: str) -> Association | None:
        return next((a for a in self.associations if a.name == name), None)


def _fields(spec: str) -> tuple[Field, ...]:
    out = []
    for raw in spec.split():
        flags = raw.split("!")
        name, _, rest = flags[0].partition(":")
        type_, _, href = rest.partition(">")
        opts = set(flags[1].split(",")) if len(flags) > 1 else set()
        out.append(
            Field(name, type_, href or None, getter="getter" in opts, ro="ro" in opts, req="req" in opts)
        )
    return tuple(out)


def _assoc(spec: str) -> tuple[Association, ...]:
    out = []
    for raw in spec.split():
        name, node, api, *rest = raw.split(":")
        fields = tuple(rest[0].split(",")) if rest and rest[0] else ("id",)
        out.append(Association(name, node, api or None, fields, virtual="virtual" in rest[1:]))
    return tuple(out)


PRODUCT_FIELDS = """
id:id id_manufacturer:int>manufacturers id_supplier:int>suppliers id_category_default:int>categories
new:nbool cache_default_attribute:int id_default_image:int>images!getter
id_default_combination:int>combinations!getter id_tax_rules_group:int>tax_rule_groups
position_in_category:int!getter manufacturer_name:str!getter,ro quantity:int!getter,ro type:str!getter
id_shop_default:int reference:str supplier_reference:str location:str width:dec height:dec depth:dec
weight:dec quantity_discount:bool ean13:str isbn:str upc:str mpn:str cache_is_pack:bool
cache_has_attachments:bool is_virtual:bool state:int additional_delivery_times:int delivery_in_stock:lang
delivery_out_stock:lang product_type:str on_sale:bool online_only:bool ecotax:dec minimal_quantity:int
low_stock_threshold:int low_stock_alert:bool price:dec!req wholesale_price:dec unity:str unit_price:dec
unit_price_ratio:dec additional_shipping_cost:dec customizable:int text_fields:int uploadable_files:int
active:bool redirect_type:str id_type_redirected:int available_for_order:bool available_date:day
show_condition:bool condition:str show_price:bool indexed:bool visibility:str
advanced_stock_management:bool date_add:date date_upd:date pack_stock_type:int meta_description:lang
meta_keywords:lang meta_title:lang link_rewrite:lang!req name:lang!req description:lang
description_short:lang available_now:lang available_later:lang
"""

RESOURCES: dict[str, Resource] = {}


def _add(res: Resource) -> None:
    RESOURCES[res.name] = res


_add(
    Resource(
        "products",
        "product",
        _fields(PRODUCT_FIELDS),
        _assoc(
            "categories:category:categories images:image:images combinations:combination:combinations "
            "product_option_values:product_option_value:product_option_values "
            "product_features:product_feature:product_features:id,id_feature_value tags:tag:tags "
            "stock_availables:stock_available:stock_availables:id,id_product_attribute "
            "attachments:attachment:attachments accessories:product:products "
            "product_bundle:product:products:id,id_product_attribute,quantity"
        ),
        description="The products",
    )
)
_add(
    Resource(
        "combinations",
        "combination",
        _fields(
            "id:id id_product:int>products!req ean13:str isbn:str upc:str mpn:str reference:str "
            "supplier_reference:str wholesale_price:dec price:dec ecotax:dec weight:dec unit_price_impact:dec "
            "minimal_quantity:int!req low_stock_threshold:int low_stock_alert:bool default_on:defon "
            "available_date:day available_now:lang available_later:lang"
        ),
        _assoc("product_option_values:product_option_value:product_option_values images:image:images"),
        description="The product combinations",
    )
)
_add(
    Resource(
        "stock_availables",
        "stock_available",
        _fields(
            "id:id id_product:int>products!req id_product_attribute:int>combinations!req id_shop:int>shops "
            "id_shop_group:int>shop_groups quantity:int!req depends_on_stock:bool!req out_of_stock:int!req "
            "location:str"
        ),
        forbidden=("POST", "DELETE"),
        description="Available quantities",
    )
)
_add(
    Resource(
        "specific_prices",
        "specific_price",
        _fields(
            "id:id id_shop_group:int>shop_groups id_shop:int>shops!req id_cart:int>carts!req "
            "id_product:int>products!req id_product_attribute:int>combinations id_currency:int>currencies!req "
            "id_country:int>countries!req id_group:int>groups!req id_customer:int>customers!req "
            "id_specific_price_rule:int>specific_price_rules price:dec!req from_quantity:int!req "
            "reduction:dec!req reduction_tax:int!req reduction_type:str!req from:date!req to:date!req"
        ),
        description="Specific price management",
    )
)
_add(
    Resource(
        "categories",
        "category",
        _fields(
            "id:id id_parent:int>categories level_depth:int!getter,ro nb_products_recursive:int!getter,ro "
            "active:bool!req id_shop_default:int is_root_category:bool position:int date_add:date "
            "date_upd:date name:lang!req link_rewrite:lang!req description:lang meta_title:lang "
            "meta_description:lang meta_keywords:lang"
        ),
        _assoc("categories:category:categories products:product:products"),
        description="The product categories",
    )
)
_add(
    Resource(
        "product_options",
        "product_option",
        _fields(
            "id:id is_color_group:bool group_type:str!req position:int name:lang!req public_name:lang!req"
        ),
        _assoc("product_option_values:product_option_value:product_option_values"),
        description="The product options",
    )
)
_add(
    Resource(
        "product_option_values",
        "product_option_value",
        _fields("id:id id_attribute_group:int>product_options!req color:str position:int name:lang!req"),
        description="The product options value",
    )
)
_add(
    Resource(
        "taxes",
        "tax",
        _fields("id:id rate:dec3!req active:bool deleted:bool name:lang!req"),
        description="The tax rate",
    )
)
_add(
    Resource(
        "tax_rule_groups",
        "tax_rule_group",
        _fields("id:id name:str!req active:bool deleted:bool date_add:date date_upd:date"),
        description="Tax rule groups",
    )
)
_add(
    Resource(
        "tax_rules",
        "tax_rule",
        _fields(
            "id:id id_tax_rules_group:int>tax_rule_groups!req id_state:int>states id_country:int>countries!req "
            "zipcode_from:str zipcode_to:str id_tax:int>taxes!req behavior:int description:str"
        ),
        description="Tax rules entity",
    )
)
_add(
    Resource(
        "currencies",
        "currency",
        _fields(
            "id:id names:lang name:str iso_code:str!req numeric_iso_code:str precision:int "
            "conversion_rate:dec!req deleted:bool active:bool unofficial:bool modified:bool symbol:lang "
            "pattern:lang"
        ),
        description="The currencies",
    )
)
_add(
    Resource(
        "languages",
        "language",
        _fields(
            "id:id name:str!req iso_code:str!req locale:str language_code:str active:bool is_rtl:bool "
            "date_format_lite:str!req date_format_full:str!req"
        ),
        description="Shop languages",
    )
)
_add(
    Resource(
        "shops",
        "shop",
        _fields(
            "id:id id_shop_group:int>shop_groups!req id_category:int>categories!req active:bool deleted:bool "
            "name:str!req theme_name:str"
        ),
        description="Shops from multi-shop feature",
    )
)
_add(
    Resource(
        "carriers",
        "carrier",
        _fields(
            "id:id deleted:bool is_module:bool id_tax_rules_group:int>tax_rule_groups id_reference:int "
            "name:str!req active:bool!req is_free:bool url:str shipping_handling:bool shipping_external:bool "
            "range_behavior:bool shipping_method:int max_width:int max_height:int max_depth:int "
            "max_weight:dec grade:int external_module_name:str need_range:bool position:int delay:lang!req"
        ),
        description="The Carriers",
    )
)
_add(
    Resource(
        "customers",
        "customer",
        _fields(
            "id:id id_default_group:int>groups id_lang:int>languages newsletter_date_add:date "
            "ip_registration_newsletter:str last_passwd_gen:date secure_key:str deleted:bool "
            "passwd:str!req lastname:str!req firstname:str!req email:str!req id_gender:int birthday:day "
            "newsletter:bool optin:bool website:str company:str siret:str ape:str outstanding_allow_amount:dec "
            "show_public_prices:bool id_risk:int max_payment_days:int active:bool note:str is_guest:bool "
            "id_shop:int id_shop_group:int date_add:date date_upd:date reset_password_token:str "
            "reset_password_validity:date"
        ),
        _assoc("groups:group:groups"),
        description="The e-shop's customers",
    )
)
_add(
    Resource(
        "addresses",
        "address",
        _fields(
            "id:id id_customer:int>customers id_manufacturer:int>manufacturers id_supplier:int>suppliers "
            "id_warehouse:int>warehouses id_country:int>countries!req id_state:int>states alias:str!req "
            "company:str lastname:str!req firstname:str!req vat_number:str address1:str!req address2:str "
            "postcode:str city:str!req other:str phone:str phone_mobile:str dni:str deleted:bool "
            "date_add:date date_upd:date"
        ),
        description="The Customer, Brand and Customer addresses",
    )
)
ORDER_ROW_FIELDS = (
    "id",
    "product_id",
    "product_attribute_id",
    "product_quantity",
    "product_name",
    "product_reference",
    "product_ean13",
    "product_isbn",
    "product_upc",
    "product_price",
    "id_customization",
    "unit_price_tax_incl",
    "unit_price_tax_excl",
)
_add(
    Resource(
        "orders",
        "order",
        _fields(
            "id:id id_address_delivery:int>addresses!req id_address_invoice:int>addresses!req "
            "id_cart:int>carts!req id_currency:int>currencies!req id_lang:int>languages!req "
            "id_customer:int>customers!req id_carrier:int>carriers!req current_state:int>order_states "
            "module:str!req invoice_number:int invoice_date:date delivery_number:int delivery_date:date "
            "valid:bool date_add:date date_upd:date shipping_number:str!getter note:str "
            "id_shop_group:int>shop_groups id_shop:int>shops secure_key:str payment:str!req recyclable:bool "
            "gift:bool gift_message:str mobile_theme:bool total_discounts:dec total_discounts_tax_incl:dec "
            "total_discounts_tax_excl:dec total_paid:dec!req total_paid_tax_incl:dec total_paid_tax_excl:dec "
            "total_paid_real:dec!req total_products:dec!req total_products_wt:dec!req total_shipping:dec "
            "total_shipping_tax_incl:dec total_shipping_tax_excl:dec carrier_tax_rate:dec3 "
            "total_wrapping:dec total_wrapping_tax_incl:dec total_wrapping_tax_excl:dec round_mode:int "
            "round_type:int conversion_rate:dec!req reference:str"
        ),
        (Association("order_rows", "order_row", None, ORDER_ROW_FIELDS, virtual=True),),
        description="The Customers orders",
    )
)
_add(
    Resource(
        "order_details",
        "order_detail",
        _fields(
            "id:id id_order:int>orders!req product_id:int>products product_attribute_id:int>combinations "
            "product_quantity_reinjected:int group_reduction:dec discount_quantity_applied:bool "
            "download_hash:str download_deadline:date id_order_invoice:int>order_invoices "
            "id_warehouse:int>warehouses!req id_shop:int>shops!req id_customization:int "
            "product_name:str!req product_quantity:int!req product_quantity_in_stock:int "
            "product_quantity_return:int product_quantity_refunded:int product_price:dec!req "
            "reduction_percent:dec reduction_amount:dec reduction_amount_tax_incl:dec "
            "reduction_amount_tax_excl:dec product_quantity_discount:dec product_ean13:str product_isbn:str "
            "product_upc:str product_mpn:str product_reference:str product_supplier_reference:str "
            "product_weight:dec tax_computation_method:int id_tax_rules_group:int ecotax:dec "
            "ecotax_tax_rate:dec download_nb:int unit_price_tax_incl:dec unit_price_tax_excl:dec "
            "total_price_tax_incl:dec total_price_tax_excl:dec total_shipping_price_tax_excl:dec "
            "total_shipping_price_tax_incl:dec purchase_supplier_price:dec original_product_price:dec "
            "original_wholesale_price:dec total_refunded_tax_excl:dec total_refunded_tax_incl:dec"
        ),
        description="Details of an order",
    )
)
_add(
    Resource(
        "order_histories",
        "order_history",
        _fields(
            "id:id id_employee:int>employees id_order_state:int>order_states!req id_order:int>orders!req "
            "date_add:date"
        ),
        description="The Order histories",
    )
)
_add(
    Resource(
        "order_carriers",
        "order_carrier",
        _fields(
            "id:id id_order:int>orders!req id_carrier:int>carriers!req id_order_invoice:int>order_invoices "
            "weight:dec shipping_cost_tax_excl:dec shipping_cost_tax_incl:dec tracking_number:str "
            "date_add:date"
        ),
        description="The Order carriers",
    )
)
_add(
    Resource(
        "order_states",
        "order_state",
        _fields(
            "id:id unremovable:bool delivery:bool hidden:bool send_email:bool module_name:str invoice:bool "
            "color:str logable:bool shipped:bool paid:bool pdf_delivery:bool pdf_invoice:bool deleted:bool "
            "name:lang!req template:lang"
        ),
        description="The Order statuses",
        default_order="_pos",
    )
)

# Resources a fresh 8.1.2 key lists but this emulator does not hold data for: they answer an empty list,
# so the error for an unknown resource (code 27) names the same full list as the real server.
ALL_RESOURCE_NAMES = (
    "addresses attachments carriers cart_rules carts categories combinations configurations contacts "
    "content_management_system countries currencies customer_messages customer_threads customers "
    "customizations deliveries employees groups guests image_types images languages manufacturers messages "
    "order_carriers order_cart_rules order_details order_histories order_invoices order_payments order_slip "
    "order_states orders price_ranges product_customization_fields product_feature_values product_features "
    "product_option_values product_options product_suppliers products search shop_groups shop_urls shops "
    "specific_price_rules specific_prices states stock_availables stock_movement_reasons stock_movements "
    "stocks stores suppliers supply_order_details supply_order_histories supply_order_receipt_histories "
    "supply_order_states supply_orders tags tax_rule_groups tax_rules taxes translated_configurations "
    "warehouse_product_locations warehouses weight_ranges zones"
).split()


def create_tables_sql() -> list[str]:
    """DDL for every resource table, its `_lang` table and the association tables."""
    ddl = []
    for res in RESOURCES.values():
        cols = ", ".join(
            f'"{f.name}" {f.sql_type}' + (" PRIMARY KEY" if f.name == "id" else "") for f in res.plain_fields
        )
        extra = ', "_pos" INTEGER' if res.default_order == "_pos" else ""
        ddl.append(f'CREATE TABLE "{res.name}" ({cols}{extra})')
        if res.lang_fields:
            lcols = ", ".join(f'"{f.name}" TEXT' for f in res.lang_fields)
            ddl.append(
                f'CREATE TABLE "{res.name}_lang" (id INTEGER, id_lang INTEGER, {lcols}, PRIMARY KEY (id, id_lang))'
            )
    ddl += [
        "CREATE TABLE product_categories (id_product INTEGER, id_category INTEGER, position INTEGER)",
        "CREATE TABLE product_images (id_product INTEGER, id_image INTEGER, position INTEGER)",
        "CREATE TABLE combination_option_values (id_combination INTEGER, id_option_value INTEGER)",
        "CREATE TABLE customer_groups (id_customer INTEGER, id_group INTEGER)",
        "CREATE TABLE ws_keys (key TEXT PRIMARY KEY, active INTEGER, description TEXT)",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
    ]
    return ddl


INDEXES = [
    "CREATE INDEX ix_products_upd ON products(date_upd, id)",
    "CREATE INDEX ix_products_ref ON products(reference)",
    "CREATE INDEX ix_comb_product ON combinations(id_product)",
    "CREATE INDEX ix_comb_ref ON combinations(reference)",
    "CREATE INDEX ix_stock_product ON stock_availables(id_product, id_product_attribute)",
    "CREATE INDEX ix_sp_product ON specific_prices(id_product)",
    "CREATE INDEX ix_customers_upd ON customers(date_upd, id)",
    "CREATE INDEX ix_customers_email ON customers(email)",
    "CREATE INDEX ix_addresses_customer ON addresses(id_customer)",
    "CREATE INDEX ix_orders_upd ON orders(date_upd, id)",
    "CREATE INDEX ix_orders_customer ON orders(id_customer)",
    "CREATE INDEX ix_orders_ref ON orders(reference)",
    "CREATE INDEX ix_od_order ON order_details(id_order)",
    "CREATE INDEX ix_oh_order ON order_histories(id_order)",
    "CREATE INDEX ix_oc_order ON order_carriers(id_order)",
    "CREATE INDEX ix_pc_product ON product_categories(id_product)",
    "CREATE INDEX ix_pc_category ON product_categories(id_category)",
    "CREATE INDEX ix_pi_product ON product_images(id_product)",
    "CREATE INDEX ix_cov_comb ON combination_option_values(id_combination)",
    "CREATE INDEX ix_cg_customer ON customer_groups(id_customer)",
]
