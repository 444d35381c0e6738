"""Suite for `staging.stg_dolibarr__order_lines`: ERP order lines before core casts their quantity to pieces."""

from __future__ import annotations

from expectations.checks import key_checks
from expectations.custom import ExpectColumnValuesToBeWholeNumbers
from expectations.suite import Check, GateParams, Suite

KEY = ("connection", "order_line_id")


QUERY = """
select connection, order_line_id, order_id, sku, product_name, product_type, quantity
from staging.stg_dolibarr__order_lines
"""


def suite(params: GateParams) -> Suite:
    """Keys, and whole quantities on lines of physical products (services may be fractional)."""
    return Suite(
        name="erp_order_lines",
        schema="staging",
        model="stg_dolibarr__order_lines",
        key=KEY,
        query=QUERY,
        required=False,
        checks=[
            *key_checks(KEY, what="ERP order line"),
            Check(
                "product_quantity_whole",
                ExpectColumnValuesToBeWholeNumbers(
                    column="quantity", row_condition='product_type == "product"', condition_parser="pandas"
                ),
                "blocking",
                "quantity of a product line is not a whole number of pieces",
            ),
        ],
    )
