"""Suite for `core.fct_order_lines`: every channel's sales, which feed costing, the KPIs and the ERP order push."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.checks import currency_check, key_checks, not_before_first_day, not_in_future
from expectations.suite import Check, GateParams, HoldBack, Suite

# the ERP order to create from a channel order is keyed `<connection>:<order reference>`
ORDER_PUSHES = (HoldBack("sync_dolibarr__orders", "order_record_key", match="record_key"),)

QUERY = """
select
    order_line_key,
    order_key,
    connection,
    connection_role,
    channel_key,
    order_ref,
    -- the record key of the ERP order the order push would create from a channel order
    connection || ':' || order_ref as order_record_key,
    ordered_at,
    order_date,
    customer_record_key,
    -- an anonymous ticket (no e-mail, no phone) has no customer to link (costing spec §7.1)
    customer_record_key is not null as carries_customer,
    golden_customer_id,
    sku,
    -- qualified: an unqualified `sku` would bind to the outer row if dim_products lost its column
    sku in (select dim_products.sku from core.dim_products) as sku_known_to_erp,
    quantity,
    unit_price_excl_tax,
    net_excl_tax,
    currency_code
from core.fct_order_lines
"""


def suite(params: GateParams) -> Suite:
    """Keys, SKU present and known to the ERP, golden customer linked, ISO currency, dates in the calendar."""
    return Suite(
        name="order_lines",
        schema="core",
        model="fct_order_lines",
        key=("order_line_key",),
        query=QUERY,
        checks=[
            *key_checks(("order_line_key",), what="order line"),
            Check(
                "sku_present",
                gxe.ExpectColumnValuesToNotBeNull(column="sku"),
                "blocking",
                "order line without a SKU",
            ),
            Check(
                "sku_known_to_erp",
                gxe.ExpectColumnValuesToBeInSet(column="sku_known_to_erp", value_set=[True]),
                "blocking",
                "order line SKU is not a product of the ERP",
                ORDER_PUSHES,
            ),
            Check(
                "channel_order_linked_to_customer",
                gxe.ExpectColumnValuesToNotBeNull(
                    column="golden_customer_id",
                    row_condition='connection_role == "channel" and carries_customer == True',
                    condition_parser="pandas",
                ),
                "warning",
                "channel order line with a customer (e-mail or phone) not linked to a golden customer",
                ORDER_PUSHES,
            ),
            currency_check("currency_code", what="order line"),
            not_in_future("ordered_at", params, what="order", holds_back=ORDER_PUSHES),
            not_before_first_day("order_date", params, what="order", holds_back=ORDER_PUSHES),
        ],
    )
