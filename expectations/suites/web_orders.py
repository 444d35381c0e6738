"""Suite for `staging.stg_prestashop__orders`: web order headers, whose totals must add up to their lines."""

from __future__ import annotations

from expectations.checks import currency_check, key_checks
from expectations.custom import ExpectColumnTotalToMatchParts
from expectations.suite import Check, GateParams, HoldBack, Suite

QUERY = """
with lines as (
    select connection, order_id, sum(line_total_excl_tax) as lines_total_excl_tax
    from staging.stg_prestashop__order_rows
    group by connection, order_id
)

select
    orders.connection,
    orders.order_id,
    orders.order_reference,
    -- the record key of the ERP order the order push would create from this one
    orders.connection || ':' || orders.order_reference as order_record_key,
    orders.currency_code,
    orders.total_paid_excl_tax,
    lines.lines_total_excl_tax,
    orders.total_shipping_excl_tax,
    orders.total_wrapping_excl_tax,
    orders.total_discounts_excl_tax
from staging.stg_prestashop__orders as orders
left join lines on orders.connection = lines.connection and orders.order_id = lines.order_id
"""

KEY = ("connection", "order_id")


def suite(params: GateParams) -> Suite:
    """Keys, ISO currency, and total = lines + shipping + wrapping - discounts within a cent."""
    return Suite(
        name="web_orders",
        schema="staging",
        model="stg_prestashop__orders",
        key=KEY,
        query=QUERY,
        required=False,
        checks=[
            *key_checks(KEY, what="web order"),
            currency_check("currency_code", what="web order"),
            Check(
                "total_matches_lines",
                ExpectColumnTotalToMatchParts(
                    column_list=[
                        "total_paid_excl_tax",
                        "lines_total_excl_tax",
                        "total_shipping_excl_tax",
                        "total_wrapping_excl_tax",
                        "total_discounts_excl_tax",
                    ],
                    part_signs=[1, 1, 1, -1],
                    tolerance=0.01,
                ),
                "warning",
                "order total excluding tax differs from lines + shipping + wrapping - discounts by more than a cent",
                (HoldBack("sync_dolibarr__orders", "order_record_key", match="record_key"),),
            ),
        ],
    )
