"""Suite for `core.fct_stock_levels`: the ERP stock per warehouse that stock pushes are computed from."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.checks import key_checks
from expectations.custom import ExpectColumnValuesToBeWholeNumbers
from expectations.suite import Check, GateParams, HoldBack, Suite

KEY = ("sku", "erp_connection", "warehouse_id")
# blocking by default; a merchant who makes one a warning still holds back the stock push of that SKU
STOCK_PUSHES = (HoldBack("sync_prestashop__stock", "sku"),)


def suite(params: GateParams) -> Suite:
    """Keys, stock not negative, and whole pieces on hand and reserved."""
    return Suite(
        name="stock_levels",
        schema="core",
        model="fct_stock_levels",
        key=KEY,
        checks=[
            *key_checks(KEY, what="stock level"),
            Check(
                "stock_not_negative",
                gxe.ExpectColumnValuesToBeBetween(column="quantity_on_hand", min_value=0),
                "blocking",
                "units on hand below zero",
                STOCK_PUSHES,
            ),
            Check(
                "reserved_not_negative",
                gxe.ExpectColumnValuesToBeBetween(column="quantity_reserved", min_value=0),
                "blocking",
                "units reserved below zero",
                STOCK_PUSHES,
            ),
            Check(
                "on_hand_whole",
                ExpectColumnValuesToBeWholeNumbers(column="quantity_on_hand"),
                "blocking",
                "units on hand are not a whole number of pieces",
                STOCK_PUSHES,
            ),
            Check(
                "reserved_whole",
                ExpectColumnValuesToBeWholeNumbers(column="quantity_reserved"),
                "blocking",
                "units reserved are not a whole number of pieces",
                STOCK_PUSHES,
            ),
        ],
    )
