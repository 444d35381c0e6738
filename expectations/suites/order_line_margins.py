"""Suite for `marts.rpt_order_line_margins`: the margin of every sale line, which the KPIs sum."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.checks import key_checks
from expectations.suite import Check, GateParams, Suite

QUERY = """
select
    order_line_key, order_ref, channel_key, order_date, sku, quantity, net_excl_tax, fifo_cost, fifo_margin,
    fifo_margin_rate
from marts.rpt_order_line_margins
"""


def suite(params: GateParams) -> Suite:
    """Keys, and the FIFO margin rate within the merchant's bounds."""
    bounds = params.bounds
    return Suite(
        name="order_line_margins",
        schema="marts",
        model="rpt_order_line_margins",
        key=("order_line_key",),
        query=QUERY,
        checks=[
            *key_checks(("order_line_key",), what="sale line"),
            Check(
                "margin_rate_within_bounds",
                gxe.ExpectColumnValuesToBeBetween(
                    column="fifo_margin_rate",
                    min_value=bounds.margin_rate_min,
                    max_value=bounds.margin_rate_max,
                ),
                "warning",
                f"FIFO margin rate outside [{bounds.margin_rate_min}, {bounds.margin_rate_max}]",
            ),
        ],
    )
