"""Suite for `sync.sync_prestashop__stock`: the stock quantities about to be written to PrestaShop."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.checks import sync_suite
from expectations.custom import ExpectColumnValuesToBeWholeNumbers
from expectations.suite import Check, GateParams, Suite

MODEL = "sync_prestashop__stock"
QUERY = f"select *, try_cast(desired_value as double) as desired_quantity from sync.{MODEL}"  # noqa: S608


def suite(params: GateParams) -> Suite:
    """Contract key; the quantity written is a number, whole and not negative."""
    return sync_suite(
        MODEL,
        [
            Check(
                "desired_quantity_numeric",
                gxe.ExpectColumnValuesToNotBeNull(column="desired_quantity"),
                "blocking",
                "stock to write is not a number",
            ),
            Check(
                "desired_quantity_not_negative",
                gxe.ExpectColumnValuesToBeBetween(column="desired_quantity", min_value=0),
                "blocking",
                "stock to write is below zero",
            ),
            Check(
                "desired_quantity_whole",
                ExpectColumnValuesToBeWholeNumbers(column="desired_quantity"),
                "blocking",
                "stock to write is not a whole number of pieces",
            ),
        ],
        query=QUERY,
    )
