"""Suite for `core.dim_products`: the ERP product referential every price and stock push starts from."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.checks import key_checks
from expectations.custom import ExpectColumnValuesToBeValidEan13
from expectations.suite import Check, GateParams, HoldBack, Suite

PRICE_PUSHES = (HoldBack("sync_prestashop__prices", "sku"),)
PRODUCT_PUSHES = (HoldBack("sync_prestashop__products", "sku"),)

QUERY = """
select
    sku,
    erp_product_id,
    ean13,
    product_name,
    is_variant_parent,
    is_for_sale,
    price_excl_tax_eur,
    weighted_average_cost_eur,
    cost_price_eur,
    -- the ERP's weighted average cost when it has one, else the cost price set on the product
    coalesce(nullif(weighted_average_cost_eur, 0), cost_price_eur) as unit_cost_eur
from core.dim_products
"""


def suite(params: GateParams) -> Suite:
    """Keys, EAN-13 check digits, prices above zero and at or above cost."""
    return Suite(
        name="products",
        schema="core",
        model="dim_products",
        key=("sku",),
        query=QUERY,
        checks=[
            *key_checks(("sku",), what="product"),
            Check(
                "ean13_check_digit",
                ExpectColumnValuesToBeValidEan13(column="ean13"),
                "warning",
                "EAN-13 is not 13 digits with a valid check digit",
                PRODUCT_PUSHES,
            ),
            Check(
                "price_positive",
                gxe.ExpectColumnValuesToBeBetween(column="price_excl_tax_eur", min_value=0, strict_min=True),
                "warning",
                "ERP price excluding tax is zero or negative",
                PRICE_PUSHES,
            ),
            Check(
                "price_not_below_cost",
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="price_excl_tax_eur",
                    column_B="unit_cost_eur",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
                "warning",
                "ERP price excluding tax is below the unit cost",
                PRICE_PUSHES,
            ),
        ],
    )
