"""Suite for `core.fct_fx_rates`: the daily rates costing converts purchase prices with."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.checks import currency_check, key_checks
from expectations.suite import Check, GateParams, Suite

KEY = ("currency_code", "rate_date")


def suite(params: GateParams) -> Suite:
    """Keys, ISO currency, rates above zero."""
    return Suite(
        name="fx_rates",
        schema="core",
        model="fct_fx_rates",
        key=KEY,
        checks=[
            *key_checks(KEY, what="FX rate"),
            currency_check("currency_code", what="FX rate"),
            Check(
                "rate_positive",
                gxe.ExpectColumnValuesToBeBetween(column="units_per_eur", min_value=0, strict_min=True),
                "blocking",
                "FX rate is zero or negative",
            ),
        ],
    )
