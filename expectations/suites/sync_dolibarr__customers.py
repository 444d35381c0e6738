"""Suite for `sync.sync_dolibarr__customers`: the customers about to be created in the ERP."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.checks import EMAIL_REGEX, sync_suite
from expectations.suite import Check, GateParams, Suite

MODEL = "sync_dolibarr__customers"


def suite(params: GateParams) -> Suite:
    """Contract key; the e-mail the customer is created with is well formed."""
    return sync_suite(
        MODEL,
        [
            Check(
                "desired_email_well_formed",
                gxe.ExpectColumnValuesToMatchRegex(column="desired_value", regex=EMAIL_REGEX),
                "warning",
                "e-mail of the customer to create is not well formed",
            ),
        ],
    )
