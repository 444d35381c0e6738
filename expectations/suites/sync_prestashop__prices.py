"""Suite for `sync.sync_prestashop__prices`: the prices excluding tax about to be written to PrestaShop."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.checks import sync_suite
from expectations.suite import Check, GateParams, Suite

MODEL = "sync_prestashop__prices"
QUERY = f"select *, try_cast(desired_value as double) as desired_price_excl_tax from sync.{MODEL}"  # noqa: S608


def suite(params: GateParams) -> Suite:
    """Contract key; the price written is a number above zero."""
    return sync_suite(
        MODEL,
        [
            Check(
                "desired_price_numeric",
                gxe.ExpectColumnValuesToNotBeNull(column="desired_price_excl_tax"),
                "blocking",
                "price to write is not a number",
            ),
            Check(
                "desired_price_positive",
                gxe.ExpectColumnValuesToBeBetween(
                    column="desired_price_excl_tax", min_value=0, strict_min=True
                ),
                "warning",
                "price to write is zero or negative",
            ),
        ],
        query=QUERY,
    )
