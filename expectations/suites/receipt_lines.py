"""Suite for `core.fct_receipt_lines`: purchase lots, the FIFO layers every cost and margin comes from."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.checks import currency_check, key_checks, not_before_first_day, not_in_future
from expectations.suite import Check, GateParams, Suite


def suite(params: GateParams) -> Suite:
    """Keys, SKU present, ISO currency, prices not negative, receipt dates in the calendar."""
    return Suite(
        name="receipt_lines",
        schema="core",
        model="fct_receipt_lines",
        key=("receipt_line_key",),
        checks=[
            *key_checks(("receipt_line_key",), what="receipt line"),
            Check(
                "sku_present",
                gxe.ExpectColumnValuesToNotBeNull(column="sku"),
                "blocking",
                "receipt line without a SKU",
            ),
            currency_check("currency_code", what="receipt line"),
            Check(
                "unit_price_not_negative",
                gxe.ExpectColumnValuesToBeBetween(column="unit_price_excl_tax", min_value=0),
                "blocking",
                "purchase price below zero",
            ),
            not_in_future("received_at", params, what="receipt"),
            not_before_first_day("received_at_local", params, what="receipt"),
        ],
    )
