"""Suite for `core.dim_customer_links`: each source customer record and the golden customer it belongs to."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.checks import EMAIL_REGEX, key_checks
from expectations.suite import Check, GateParams, HoldBack, Suite

QUERY = """
select customer_record_key, connection, connection_role, source_customer_id, golden_customer_id, email_raw
from core.dim_customer_links
"""


def suite(params: GateParams) -> Suite:
    """Keys, every record in a golden customer, e-mails well formed."""
    return Suite(
        name="customers",
        schema="core",
        model="dim_customer_links",
        key=("customer_record_key",),
        query=QUERY,
        checks=[
            *key_checks(("customer_record_key",), what="customer record"),
            Check(
                "golden_customer_present",
                gxe.ExpectColumnValuesToNotBeNull(column="golden_customer_id"),
                "blocking",
                "customer record not attached to a golden customer",
            ),
            Check(
                "email_well_formed",
                gxe.ExpectColumnValuesToMatchRegex(column="email_raw", regex=EMAIL_REGEX),
                "warning",
                "e-mail address is not well formed",
                # the ERP customer to create is keyed by the golden customer id
                (HoldBack("sync_dolibarr__customers", "golden_customer_id", match="record_key"),),
            ),
        ],
    )
