"""Suite for `sync.sync_prestashop__products`: products to create and references or EAN-13 to correct."""

from __future__ import annotations

from expectations.checks import sync_suite
from expectations.custom import ExpectColumnValuesToBeValidEan13
from expectations.suite import Check, GateParams, Suite

MODEL = "sync_prestashop__products"


def suite(params: GateParams) -> Suite:
    """Contract key; an EAN-13 written has a valid check digit."""
    return sync_suite(
        MODEL,
        [
            Check(
                "desired_ean13_check_digit",
                ExpectColumnValuesToBeValidEan13(
                    column="desired_value", row_condition='field == "ean13"', condition_parser="pandas"
                ),
                "warning",
                "EAN-13 to write is not 13 digits with a valid check digit",
            ),
        ],
    )
