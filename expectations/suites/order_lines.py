"""Suite for `core.fct_order_lines`: every channel's sales, which feed costing, the KPIs and the ERP order push."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.checks import currency_check, key_checks, not_before_first_day, not_in_future
from expectations.suite import Check, GateParams, Suite

QUERY = """
select
    order_line_key,
    order_key,
    connection,
    connection_role,
    channel_key,
    order_ref,
    ordered_at,
    order_date,
    customer_record_key,
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
            ),
            Check(
                "channel_order_linked_to_customer",
                gxe.ExpectColumnValuesToNotBeNull(
                    column="golden_customer_id",
                    row_condition='connection_role == "channel"',
                    condition_parser="pandas",
                ),
                "warning",
                "channel order line not linked to a golden customer",
            ),
            currency_check("currency_code", what="order line"),
            not_in_future("ordered_at", params, what="order"),
            not_before_first_day("order_date", params, what="order"),
        ],
    )
